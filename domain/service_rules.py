"""The rules a service action's request must pass (SRV-3, SRV-4): each
``prepare_*`` function checks the values entered, the dates and the business
rules, and returns what the request records; it raises :class:`ActionError`
with a message for the form. Nothing here writes.

The Mobiladministration's rules (limits, options, add-ons, caller id …)
are domain/mobile_admin_rules.py's, built on this module's ActionError and
summary helpers.

Layers: service_terms → service_rules → mobile_admin_rules → service_actions
→ service_changes → provisioning → domain/orders.
"""

from __future__ import annotations

import datetime as dt
import functools

from email_validator import EmailNotValidError, validate_email

from domain.numbers import format_phone, normalise_phone, normalise_postcode, valid_icc
from domain.service_terms import (
    add_months,
    billed_until,
    change_options,
    current_data_line,
    earliest_move_date,
    first_of_month,
    last_of_month,
    prices,
    topup_products,
)
from domain.text import N_, T_, Text
from tables.catalogue import Product
from tables.org import Account
from tables.scope import visible_accounts
from tables.services import (
    BARRING_KINDS,
    FORWARDING_KINDS,
    Barring,
    CallForwarding,
    ServiceLine,
    SimCard,
)

VOICE_KINDS = ("mobile", "mobile_pbx")
SIM_TYPES = {"physical": N_("Fysiskt SIM-kort"), "esim": "eSIM"}


class ActionError(Exception):
    """A request that cannot be carried out; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# Each prepare_* returns the keyword arguments for
# domain.orders.service_requests.request(); raises ActionError.


def encode_text(text):
    """A marked message (``T_``, its values possibly marked labels) as JSON."""
    if isinstance(text, Text):
        return {"msgid": text.msgid, "params": {k: encode_text(v) for k, v in text.params.items()}}
    return text


def decode_text(data):
    """The message :func:`encode_text` stored (a Text, Swedish as it was)."""
    if isinstance(data, dict) and "msgid" in data:
        return Text(data["msgid"], {k: decode_text(v) for k, v in data.get("params", {}).items()})
    return data


def listed(parts: list) -> Text:
    """Marked parts joined with ", " (each translated on its own)."""
    msgid = ", ".join(f"%(p{i})s" for i in range(len(parts)))
    return Text(msgid, {f"p{i}": part for i, part in enumerate(parts)})


def translatable_summary(prepare):
    """The order stores its summary as the Swedish sentence; a marked one also
    goes in the payload (``summary_text``) so that pages show it in the
    reader's language (domain/service_actions.order_summary)."""

    @functools.wraps(prepare)
    def prepared(*args, **kwargs):
        request = prepare(*args, **kwargs)
        if isinstance(request.get("summary"), Text):
            request["payload"]["summary_text"] = encode_text(request["summary"])
        return request

    return prepared


@translatable_summary
def prepare_user_name(service, name: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ActionError(N_("Ange användarens namn."), "user_name")
    if len(name) > 100:
        raise ActionError(N_("Högst 100 tecken."), "user_name")
    return {
        "op": "user_name",
        "payload": {"user_name": name},
        "summary": T_("Användare: %(name)s", name=name),
    }


@translatable_summary
def prepare_external_username(service, value: str) -> dict:
    value = (value or "").strip()
    if len(value) > 100:
        raise ActionError(N_("Högst 100 tecken."), "external_username")
    if any(ch.isspace() for ch in value):
        raise ActionError(N_("Användarnamnet får inte innehålla mellanslag."), "external_username")
    return {
        "op": "external_username",
        "payload": {"external_username": value},
        "summary": (
            T_("Externt användarnamn: %(name)s", name=value)
            if value
            else T_("Externt användarnamn borttaget")
        ),
    }


def barring_kinds_for(service) -> dict[str, str]:
    if service.kind == "mbb":
        return {"roaming": BARRING_KINDS["roaming"]}
    return dict(BARRING_KINDS)


@translatable_summary
def prepare_barring_add(service, kind: str) -> dict:
    kinds = barring_kinds_for(service)
    if kind not in kinds:
        raise ActionError(N_("Välj en spärr i listan."), "kind")
    exists = Barring.get_or_none((Barring.service == service.id) & (Barring.kind == kind))
    if exists is not None:
        raise ActionError(T_("Spärren %(kind)s är redan aktiv.", kind=kinds[kind]), "kind")
    return {
        "op": "barring_add",
        "payload": {"kind": kind},
        "summary": T_("Lägg till spärr: %(kind)s", kind=T_(kinds[kind])),
    }


@translatable_summary
def prepare_barring_remove(service, barring_id) -> dict:
    barring = Barring.get_or_none((Barring.service == service.id) & (Barring.id == barring_id))
    if barring is None:
        raise ActionError(N_("Spärren finns inte längre."))
    label = BARRING_KINDS.get(barring.kind, barring.kind)
    return {
        "op": "barring_remove",
        "payload": {"kind": barring.kind},
        "summary": T_("Ta bort spärr: %(kind)s", kind=T_(label)),
    }


@translatable_summary
def prepare_forwarding(service, values: dict) -> dict:
    """``values``: kind → (target text, ring seconds text) as entered."""
    chosen = {}
    for kind, (target, seconds) in values.items():
        if kind not in FORWARDING_KINDS:
            continue
        target = (target or "").strip()
        seconds = str(seconds or "").strip()
        if not target:
            if seconds and kind == "no_answer":
                raise ActionError(N_("Ange numret att vidarekoppla till."), f"{kind}_target")
            continue
        number = normalise_phone(target)
        if number is None:
            raise ActionError(
                N_("Ange ett giltigt telefonnummer, t.ex. 070-123 45 67 eller +46 70 123 45 67."),
                f"{kind}_target",
            )
        if number == service.number:
            raise ActionError(
                N_("Tjänsten kan inte vidarekopplas till sitt eget nummer."), f"{kind}_target"
            )
        entry = {"target": number}
        if kind == "no_answer":
            if not seconds.isdigit() or not 5 <= int(seconds) <= 60:
                raise ActionError(N_("Ange ringtiden i sekunder, 5–60."), "no_answer_seconds")
            entry["ring_seconds"] = int(seconds)
        chosen[kind] = entry
    current = {
        f.kind: {"target": f.target, **({"ring_seconds": f.ring_seconds} if f.ring_seconds else {})}
        for f in CallForwarding.select().where(CallForwarding.service == service.id)
    }
    if chosen == current:
        raise ActionError(N_("Inga ändringar att spara."))
    if chosen:
        parts = [
            T_(
                "%(kind)s → %(number)s efter %(seconds)s s",
                kind=T_(FORWARDING_KINDS[k]),
                number=format_phone(v["target"]),
                seconds=v["ring_seconds"],
            )
            if "ring_seconds" in v
            else T_(
                "%(kind)s → %(number)s",
                kind=T_(FORWARDING_KINDS[k]),
                number=format_phone(v["target"]),
            )
            for k, v in chosen.items()
        ]
        summary = T_("Vidarekopplingar: %(list)s", list=listed(parts))
    else:
        summary = T_("Vidarekopplingar borttagna")
    return {"op": "forwarding", "payload": {"forwardings": chosen}, "summary": summary}


def icc_refusal(service, icc: str) -> str | None:
    if not valid_icc(icc):
        return N_("ICC ska vara 19 siffror som börjar med 89 och har en giltig kontrollsiffra.")
    card = SimCard.get_or_none(SimCard.icc == icc)
    if card is None:
        return None
    if card.service_id == service.id and card.status in ("active", "blocked"):
        return N_("Det är tjänstens nuvarande SIM-kort.")
    if card.service_id is not None or card.status != "stock":
        return N_("SIM-kortet med det ICC-numret används redan.")
    if card.organisation_id not in (None, service.organisation_id):
        return N_("SIM-kortet med det ICC-numret kan inte användas.")
    return None


@translatable_summary
def prepare_sim_customer(service, msisdn: str, icc: str) -> dict:
    """A SIM card the customer already has: ``msisdn`` is the number to be
    active on it, which must be the service's own."""
    icc = (icc or "").replace(" ", "").strip()
    number = normalise_phone(msisdn)
    if number is None:
        raise ActionError(
            N_("Ange ett giltigt telefonnummer (msisdn), t.ex. 0701234567."), "msisdn"
        )
    if number != service.number:
        raise ActionError(
            T_("Msisdn ska vara tjänstens nummer %(number)s.", number=format_phone(service.number)),
            "msisdn",
        )
    message = icc_refusal(service, icc)
    if message:
        raise ActionError(message, "icc")
    return {
        "op": "sim_customer",
        "payload": {"method": "customer", "msisdn": number, "icc": icc},
        "summary": T_("Kundplacerat SIM-kort %(icc)s", icc=icc),
    }


@translatable_summary
def prepare_sim_send(service, sim_type: str, address: dict, email: str) -> dict:
    if sim_type not in SIM_TYPES:
        raise ActionError(N_("Välj typ av SIM-kort."), "sim_type")
    payload = {"method": "send", "sim_type": sim_type}
    if sim_type == "esim":
        email = (email or "").strip()
        if not valid_email(email):
            raise ActionError(
                N_("Ange en giltig e-postadress dit aktiveringsuppgifterna ska skickas."), "email"
            )
        payload["email"] = email
        summary = T_("Nytt eSIM, aktivering till %(email)s", email=email)
    else:
        payload.update(delivery_address(address))
        summary = T_(
            "Nytt SIM-kort skickas till %(name)s, %(street)s, %(postcode)s %(city)s",
            name=payload["delivery_name"],
            street=payload["delivery_street"],
            postcode=payload["delivery_postcode"],
            city=payload["delivery_city"],
        )
    return {"op": "sim_send", "payload": payload, "summary": summary}


DELIVERY_FIELDS = ("delivery_name", "delivery_street", "delivery_postcode", "delivery_city")


def delivery_address(address: dict) -> dict:
    fields = {
        "delivery_name": (N_("Ange mottagare."), 100),
        "delivery_street": (N_("Ange gatuadress."), 100),
        "delivery_postcode": (N_("Ange postnummer."), 6),
        "delivery_city": (N_("Ange ort."), 60),
    }
    out = {}
    for name, (missing, limit) in fields.items():
        value = (address.get(name) or "").strip()
        if not value:
            raise ActionError(missing, name)
        if len(value) > limit:
            raise ActionError(T_("Högst %(limit)s tecken.", limit=limit), name)
        out[name] = value
    postcode = normalise_postcode(out["delivery_postcode"])
    if postcode is None:
        raise ActionError(N_("Postnumret ska vara fem siffror, t.ex. 903 04."), "delivery_postcode")
    out["delivery_postcode"] = postcode
    return out


def valid_email(value: str) -> bool:
    if not value or len(value) > 254:
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _product(code: str, choices: list):
    for product in choices:
        if product.code == code:
            return product
    return None


def change_preview(service, plan_code: str | None, data_code: str | None, today=None) -> dict:
    """What Ändra tjänst to ``plan_code``/``data_code`` would cost and mean."""
    today = today or dt.date.today()
    options = change_options(service)
    org = service.organisation
    plan = _product(plan_code, options["price_plan"]) if plan_code else None
    data = _product(data_code, options["data_package"]) if data_code else None
    current_line = current_data_line(service)
    current_data = current_line.product if current_line and current_line.product_id else None
    current_plan = service.price_plan
    plan = plan or current_plan
    data = data or current_data
    kept = 0
    for line in (
        ServiceLine.select(ServiceLine, Product)
        .join(Product, on=(ServiceLine.product == Product.id))
        .where(ServiceLine.service == service.id)
    ):
        if line.section == "data" or line.product.kind == "price_plan":
            continue
        kept += line.monthly_ore
    items = []
    start = 0
    binding = 0
    monthly = kept
    for label, product, was in (
        ("Prislista", plan, current_plan),
        ("Datapaket", data, current_data),
    ):
        if product is None:
            continue
        month_price, start_price, binding_months = prices(org, product)
        monthly += month_price
        changed = was is None or product.id != was.id
        if changed:
            start += start_price
            binding = max(binding, binding_months)
        items.append({"label": label, "product": product, "monthly": month_price})
    downgrade = bool(
        data and current_data and data.id != current_data.id and data.rank < current_data.rank
    )
    earliest = today
    in_binding = bool(service.binding_end and service.binding_end >= today)
    if downgrade and in_binding:
        earliest = service.binding_end + dt.timedelta(days=1)
    return {
        "plan": plan,
        "data": data,
        "current_plan": current_plan,
        "current_data": current_data,
        "items": items,
        "monthly": monthly,
        "start": start,
        "binding": binding,
        "changed": (plan != current_plan) or (data != current_data),
        "downgrade": downgrade,
        "in_binding": in_binding,
        "earliest": earliest,
    }


@translatable_summary
def prepare_change_service(service, plan_code, data_code, desired: dt.date | None, today=None):
    today = today or dt.date.today()
    options = change_options(service)
    if plan_code and _product(plan_code, options["price_plan"]) is None:
        raise ActionError(N_("Välj en prislista i listan."), "price_plan")
    if data_code and _product(data_code, options["data_package"]) is None:
        raise ActionError(N_("Välj ett datapaket i listan."), "data_package")
    preview = change_preview(service, plan_code, data_code, today)
    if not preview["changed"]:
        raise ActionError(N_("Välj ett annat datapaket eller en annan prislista än de nuvarande."))
    if desired is None:
        raise ActionError(N_("Ange datum för önskad aktivering."), "desired_date")
    if desired < today:
        raise ActionError(N_("Datumet har redan passerat."), "desired_date")
    if desired > add_months(today, 12):
        raise ActionError(N_("Välj ett datum inom ett år."), "desired_date")
    if desired < preview["earliest"]:
        raise ActionError(
            T_(
                "Ett lägre datapaket kan tidigast aktiveras %(earliest)s, "
                "när bindningstiden (%(binding_end)s) har löpt ut.",
                earliest=preview["earliest"].isoformat(),
                binding_end=service.binding_end.isoformat(),
            ),
            "desired_date",
        )
    org = service.organisation
    lines = []
    names = []
    for item in preview["items"]:
        product = item["product"]
        monthly, start, binding = prices(org, product)
        lines.append((product, monthly, start, binding))
        names.append(product.name)
    payload = {
        "price_plan": preview["plan"].code if preview["plan"] else None,
        "data_package": preview["data"].code if preview["data"] else None,
        "monthly_ore": preview["monthly"],
        "start_ore": preview["start"],
        "binding_months": preview["binding"],
    }
    return {
        "op": "change_service",
        "payload": payload,
        "summary": T_("Ändra tjänst: %(products)s", products=", ".join(names)),
        "desired_date": desired,
        "lines": lines,
    }


def move_targets(user, service) -> list:
    return list(
        visible_accounts(user)
        .where((Account.id != service.account_id) & (Account.active == True))  # noqa: E712
        .order_by(Account.customer_number)
    )


@translatable_summary
def prepare_move(user, service, account_id, start: dt.date | None, today=None) -> dict:
    today = today or dt.date.today()
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise ActionError(N_("Välj kontot att flytta till."), "account") from None
    target = next((a for a in move_targets(user, service) if a.id == account_id), None)
    if target is None:
        raise ActionError(N_("Kontot finns inte bland de konton du kan flytta till."), "account")
    earliest = earliest_move_date(today)
    if start is None:
        raise ActionError(N_("Ange datum då nya kontot ska börja debiteras."), "start_date")
    if start < earliest:
        raise ActionError(T_("Tidigast %(date)s.", date=earliest.isoformat()), "start_date")
    if start > add_months(today, 12):
        raise ActionError(N_("Välj ett datum inom ett år."), "start_date")
    return {
        "op": "move",
        "payload": {
            "account_id": target.id,
            "account": target.label,
            "from_account_id": service.account_id,
            "start_date": start.isoformat(),
        },
        "summary": T_(
            "Flytt till %(account)s från %(date)s", account=target.label, date=start.isoformat()
        ),
        "desired_date": start,
    }


def prepare_topup(service, code: str, today=None) -> dict:
    today = today or dt.date.today()
    product = _product(code, topup_products(service))
    if product is None:
        raise ActionError(N_("Välj ett datapaket att fylla på med."), "product")
    monthly, start, _ = prices(service.organisation, product)
    price = monthly or start
    return {
        "op": "topup",
        "payload": {
            "product": product.code,
            "data_mb": product.data_mb or 0,
            "price_ore": price,
            "month": first_of_month(today).isoformat(),
            "valid_until": last_of_month(today).isoformat(),
        },
        "summary": product.name,
        "lines": [(product, 0, price, 0)],
    }


@translatable_summary
def prepare_terminate(service, end: dt.date | None, today=None) -> dict:
    today = today or dt.date.today()
    if end is None:
        raise ActionError(N_("Ange önskat tekniskt avslutsdatum."), "end_date")
    if end < today:
        raise ActionError(N_("Datumet har redan passerat."), "end_date")
    if end > add_months(today, 24):
        raise ActionError(N_("Välj ett datum inom två år."), "end_date")
    until = billed_until(service, end, today)
    return {
        "op": "terminate",
        "payload": {"end_date": end.isoformat(), "billed_until": until.isoformat()},
        "summary": T_(
            "Avslut per %(end)s (debiteras t.o.m. %(until)s)",
            end=end.isoformat(),
            until=until.isoformat(),
        ),
        "desired_date": end,
    }
