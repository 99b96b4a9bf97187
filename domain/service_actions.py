"""Service actions (SRV-3, SRV-4): which exist for which kind of service and
user, and the rules each request must pass.

A request goes: :func:`check` (kind, status, permission) → a ``prepare_*``
function (the values, dates and business rules; raises :class:`ActionError`
with a message for the form) → :func:`request` (an Order with the operation
in its payload, handed to the provisioning backend, see domain/provisioning.py)
→ domain/service_changes.py when it is carried out, now or later by operator
staff. Nothing is written unless every check passed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from database import utcnow, write_tx
from domain import audit, provisioning
from domain.numbers import format_phone, normalise_phone, valid_icc
from domain.service_terms import (  # noqa: F401 - part of this module's interface
    active_sim,
    add_months,
    addon_options,
    billed_until,
    change_options,
    current_data_line,
    earliest_move_date,
    first_of_month,
    first_of_next_month,
    last_of_month,
    notice_end,
    pending_orders,
    prices,
    topup_products,
)
from permissions import holds_any
from tables.catalogue import Product
from tables.orders import ORDER_TYPES, Order, OrderEvent, OrderLine, OrderVersion
from tables.org import Account
from tables.scope import visible_accounts
from tables.services import (
    BARRING_KINDS,
    FORWARDING_KINDS,
    MOBILE_KINDS,
    SERVICE_KINDS,
    SERVICE_STATUSES,
    Barring,
    CallForwarding,
    PhoneNumber,
    Service,
    ServiceLine,
    SimCard,
)

ALL_KINDS = tuple(SERVICE_KINDS)
VOICE_KINDS = ("mobile", "mobile_pbx")
ANY_STATUS = tuple(SERVICE_STATUSES)
OPEN = ("active", "barred")
RUNNING = ("active", "barred", "terminating")

PRODUCT_AREA = {
    "mobile": "mobile",
    "mobile_pbx": "mobile",
    "mbb": "mobile",
    "cloud_pbx": "fixed",
    "sip_trunk": "fixed",
    "number_series": "fixed",
}

MEX_STATUSES = {"in": "Inloggad i växeln", "out": "Utloggad ur växeln"}
SIM_TYPES = {"physical": "Fysiskt SIM-kort", "esim": "eSIM"}
CALLER_ID_MODES = {"own": "Eget nummer", "other": "Annat nummer", "hidden": "Dolt nummer"}


class ActionError(Exception):
    """A request that cannot be carried out; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ----------------------------------------------------------------- the actions


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    order_type: str | None  # None: not an order (Skapa ärende)
    permission: str | tuple[str, ...]
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    group: str = "main"  # main: Åtgärder; admin: Mobiladministration; inline: pencil
    requires: Callable | None = None  # further condition on the service → message or None


def _has_change_options(service) -> str | None:
    options = change_options(service)
    if not options["data_package"] and not options["price_plan"]:
        return "Tjänsten har inga datapaket eller prislistor att byta till."
    return None


def _has_addon_options(service) -> str | None:
    if not addon_options(service):
        return "Det finns inga tilläggsabonnemang för den här tjänsten."
    return None


def _has_sim(service) -> str | None:
    sim = active_sim(service)
    if sim is None:
        return "Tjänsten har inget aktivt SIM-kort att spärra."
    if sim.status == "blocked":
        return "SIM-kortet är redan spärrat."
    return None


def _has_lost_block(service) -> str | None:
    """Häv spärr: while the lost card is blocked and no replacement is active."""
    sim = active_sim(service)
    if sim is not None and sim.status == "blocked":
        return None
    replaced = (
        SimCard.select()
        .where(
            (SimCard.service == service.id)
            & (SimCard.status == "replaced")
            & SimCard.blocked_at.is_null(False)
        )
        .exists()
    )
    if replaced and sim is not None:
        return (
            "Det förlorade SIM-kortet har ersatts av ett nytt och förblir spärrat; "
            "spärren kan inte hävas."
        )
    return "SIM-kortet är inte spärrat."


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        Action("user_name", "Ändra användare", "setting", "services.addons", ALL_KINDS,
               ("ordered",) + RUNNING, group="inline"),
        Action("sim", "Ersätt SIM-kort", "sim_swap",
               ("services.hardware", "services.allocate_sim"), MOBILE_KINDS, OPEN),
        Action("barrings", "Mobilspärrar", "barring", "services.addons", MOBILE_KINDS, RUNNING),
        Action("forwardings", "Vidarekopplingar", "forwarding", "services.addons", VOICE_KINDS,
               RUNNING),
        Action("external_username", "Externt användarnamn", "setting",
               "services.external_username", MOBILE_KINDS, RUNNING),
        Action("change", "Ändra tjänst", "change", "orders.create", ALL_KINDS, OPEN,
               requires=_has_change_options),
        Action("move", "Flytta till annat konto", "move", "services.move", ALL_KINDS, OPEN),
        Action("topup", "Fyll på data", "topup", "orders.create", MOBILE_KINDS, ("active",)),
        Action("terminate", "Avsluta tjänst", "termination", "orders.create", ALL_KINDS,
               ("ordered", "active", "barred")),
        Action("ticket", "Skapa ärende", None, ("tickets.manage", "faults.create"), ALL_KINDS,
               ANY_STATUS),
        # Stofa's mobile administration (SRV-4) and other settings
        Action("limits", "Förbrukningsgränser", "setting", "services.addons", MOBILE_KINDS,
               RUNNING, group="admin"),
        Action("options", "Optioner", "setting", "services.addons", MOBILE_KINDS, RUNNING,
               group="admin"),
        Action("addons", "Tilläggsabonnemang", "addon", "services.addons", MOBILE_KINDS, OPEN,
               group="admin", requires=_has_addon_options),
        Action("auto_upgrade", "Auto-uppgradering", "setting", "services.addons", MOBILE_KINDS,
               RUNNING, group="admin"),
        Action("lost_sim", "Spärra förlorat SIM-kort", "lost_sim", "services.hardware",
               MOBILE_KINDS, OPEN, group="admin", requires=_has_sim),
        Action("lost_sim_lift", "Häv spärr", "lost_sim_lift", "services.hardware",
               MOBILE_KINDS, OPEN, group="admin", requires=_has_lost_block),
        Action("caller_id", "Nummervisning", "setting", "services.addons", VOICE_KINDS, RUNNING,
               group="admin"),
        Action("invoice_text", "Fakturatext", "setting", "services.addons", ALL_KINDS, RUNNING,
               group="admin"),
        Action("profile", "Profil", "setting", "services.addons", MOBILE_KINDS, RUNNING,
               group="admin"),
        Action("mex", "Växelstatus (MEX)", "setting", "services.mex", ("mobile_pbx",), RUNNING,
               group="admin"),
    ]
}  # fmt: skip

# operation (payload "op") → the action whose rules it follows
OPERATIONS = {
    "user_name": "user_name",
    "sim_send": "sim",
    "sim_customer": "sim",
    "barring_add": "barrings",
    "barring_remove": "barrings",
    "forwarding": "forwardings",
    "external_username": "external_username",
    "change_service": "change",
    "move": "move",
    "topup": "topup",
    "terminate": "terminate",
    "limits": "limits",
    "options": "options",
    "addons": "addons",
    "auto_upgrade": "auto_upgrade",
    "lost_sim": "lost_sim",
    "lost_sim_lift": "lost_sim_lift",
    "caller_id": "caller_id",
    "invoice_text": "invoice_text",
    "profile": "profile",
    "mex": "mex",
}
# A narrower permission for one way of doing an action.
OPERATION_PERMISSION = {
    "sim_send": "services.hardware",
    "sim_customer": "services.allocate_sim",
}
# Operations of which a service may have only one pending at a time.
ONE_PENDING = ("sim_send", "change_service", "move", "terminate", "addons", "lost_sim_lift")
# Operations that put a new SIM card on the service.
SIM_OPERATIONS = ("sim_send", "sim_customer")


def refusal(user, service, key: str) -> str | None:
    """Why ``user`` may not use action ``key`` on ``service`` (None: allowed)."""
    action = ACTIONS[key]
    if service.kind not in action.kinds:
        return f"Åtgärden {action.label} finns inte för tjänster av typen {service.kind_label}."
    if not holds_any(user, action.permission):
        return f"Du har inte behörighet att använda {action.label}."
    if service.status not in action.statuses:
        return (
            f"Åtgärden {action.label} kan inte användas när tjänsten har status "
            f"{service.status_label}."
        )
    if action.requires is not None:
        return action.requires(service)
    return None


def check(user, service, key: str) -> Action:
    message = refusal(user, service, key)
    if message:
        raise ActionError(message)
    return ACTIONS[key]


def available(user, service) -> list[Action]:
    return [a for key, a in ACTIONS.items() if refusal(user, service, key) is None]


# ----------------------------------------------------------------- requests


def request(
    user,
    service,
    op: str,
    payload: dict,
    *,
    summary: str,
    desired_date: dt.date | None = None,
    lines=(),
) -> Order:
    """Record the change as an order and hand it to the provisioning backend.

    ``lines`` are (product, monthly öre, start öre, binding months) for the
    order's Produkter. Raises ActionError (nothing written) when not allowed.
    """
    action = check(user, service, OPERATIONS[op])
    needed = OPERATION_PERMISSION.get(op)
    if needed and not user.has(needed):
        raise ActionError(f"Du har inte behörighet att använda {action.label} på det sättet.")
    from models import next_number

    payload = {"op": op, "summary": summary, **payload}
    try:
        with write_tx():
            # inside the write transaction, so two requests cannot both pass
            if op in ONE_PENDING:
                _refuse_second_pending(service, op)
            order = Order.create(
                organisation=service.organisation_id,
                account=service.account_id,
                service=service.id,
                number=next_number("order_number"),
                version=0,  # v0 as requested, one more per change (docs/ORDERS.md)
                type=action.order_type,
                status="received",
                product_area=PRODUCT_AREA.get(service.kind, "data"),
                created_by=user.id,
                submitted_at=utcnow(),
                desired_date=desired_date,
                payload=json.dumps(payload, ensure_ascii=False, default=str),
            )
            for position, (product, monthly, start, binding) in enumerate(lines):
                OrderLine.create(
                    order=order,
                    product=product,
                    name=product.name,
                    monthly_ore=monthly,
                    start_ore=start,
                    binding_months=binding,
                    position=position,
                )
            OrderEvent.create(order=order, from_status=None, to_status="received", user=user.id)
            OrderVersion.create(order=order, version=0, snapshot=order.payload, created_by=user.id)
            if not provisioning.submit(order, service, user):
                audit.record(
                    f"service.{op}.requested",
                    service,
                    summary=f"Beställt: {summary} ({service.number}, order {order.label})",
                    after=payload,
                )
    except provisioning.ProvisioningError as error:
        raise ActionError(str(error)) from error
    return order


def _refuse_second_pending(service, op: str) -> None:
    for order in pending_orders(service):
        if provisioning.payload_of(order).get("op") == op:
            raise ActionError(
                f"Det finns redan en pågående beställning ({order.label}) av samma slag "
                "för tjänsten."
            )


# ----------------------------------------------------------------- prepare (validate)
# Each returns the keyword arguments for request(); raises ActionError.


def prepare_user_name(service, name: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ActionError("Ange användarens namn.", "user_name")
    if len(name) > 100:
        raise ActionError("Högst 100 tecken.", "user_name")
    return {
        "op": "user_name",
        "payload": {"user_name": name},
        "summary": f"Användare: {name}",
    }


def prepare_external_username(service, value: str) -> dict:
    value = (value or "").strip()
    if len(value) > 100:
        raise ActionError("Högst 100 tecken.", "external_username")
    if any(ch.isspace() for ch in value):
        raise ActionError("Användarnamnet får inte innehålla mellanslag.", "external_username")
    return {
        "op": "external_username",
        "payload": {"external_username": value},
        "summary": f"Externt användarnamn: {value}" if value else "Externt användarnamn borttaget",
    }


def barring_kinds_for(service) -> dict[str, str]:
    if service.kind == "mbb":
        return {"roaming": BARRING_KINDS["roaming"]}
    return dict(BARRING_KINDS)


def prepare_barring_add(service, kind: str) -> dict:
    kinds = barring_kinds_for(service)
    if kind not in kinds:
        raise ActionError("Välj en spärr i listan.", "kind")
    exists = Barring.get_or_none((Barring.service == service.id) & (Barring.kind == kind))
    if exists is not None:
        raise ActionError(f"Spärren {kinds[kind]} är redan aktiv.", "kind")
    return {
        "op": "barring_add",
        "payload": {"kind": kind},
        "summary": f"Lägg till spärr: {kinds[kind]}",
    }


def prepare_barring_remove(service, barring_id) -> dict:
    barring = Barring.get_or_none((Barring.service == service.id) & (Barring.id == barring_id))
    if barring is None:
        raise ActionError("Spärren finns inte längre.")
    label = BARRING_KINDS.get(barring.kind, barring.kind)
    return {
        "op": "barring_remove",
        "payload": {"kind": barring.kind},
        "summary": f"Ta bort spärr: {label}",
    }


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
                raise ActionError("Ange numret att vidarekoppla till.", f"{kind}_target")
            continue
        number = normalise_phone(target)
        if number is None:
            raise ActionError(
                "Ange ett giltigt telefonnummer, t.ex. 070-123 45 67 eller +46 70 123 45 67.",
                f"{kind}_target",
            )
        if number == service.number:
            raise ActionError(
                "Tjänsten kan inte vidarekopplas till sitt eget nummer.", f"{kind}_target"
            )
        entry = {"target": number}
        if kind == "no_answer":
            if not seconds.isdigit() or not 5 <= int(seconds) <= 60:
                raise ActionError("Ange ringtiden i sekunder, 5–60.", "no_answer_seconds")
            entry["ring_seconds"] = int(seconds)
        chosen[kind] = entry
    current = {
        f.kind: {"target": f.target, **({"ring_seconds": f.ring_seconds} if f.ring_seconds else {})}
        for f in CallForwarding.select().where(CallForwarding.service == service.id)
    }
    if chosen == current:
        raise ActionError("Inga ändringar att spara.")
    if chosen:
        parts = [
            f"{FORWARDING_KINDS[k]} → {format_phone(v['target'])}"
            + (f" efter {v['ring_seconds']} s" if "ring_seconds" in v else "")
            for k, v in chosen.items()
        ]
        summary = "Vidarekopplingar: " + ", ".join(parts)
    else:
        summary = "Vidarekopplingar borttagna"
    return {"op": "forwarding", "payload": {"forwardings": chosen}, "summary": summary}


def icc_refusal(service, icc: str) -> str | None:
    if not valid_icc(icc):
        return "ICC ska vara 19 siffror som börjar med 89 och har en giltig kontrollsiffra."
    card = SimCard.get_or_none(SimCard.icc == icc)
    if card is None:
        return None
    if card.service_id == service.id and card.status in ("active", "blocked"):
        return "Det är tjänstens nuvarande SIM-kort."
    if card.service_id is not None or card.status != "stock":
        return "SIM-kortet med det ICC-numret används redan."
    if card.organisation_id not in (None, service.organisation_id):
        return "SIM-kortet med det ICC-numret kan inte användas."
    return None


def prepare_sim_customer(service, msisdn: str, icc: str) -> dict:
    """A SIM card the customer already has: ``msisdn`` is the number to be
    active on it, which must be the service's own."""
    icc = (icc or "").replace(" ", "").strip()
    number = normalise_phone(msisdn)
    if number is None:
        raise ActionError("Ange ett giltigt telefonnummer (msisdn), t.ex. 0701234567.", "msisdn")
    if number != service.number:
        raise ActionError(
            f"Msisdn ska vara tjänstens nummer {format_phone(service.number)}.", "msisdn"
        )
    message = icc_refusal(service, icc)
    if message:
        raise ActionError(message, "icc")
    return {
        "op": "sim_customer",
        "payload": {"method": "customer", "msisdn": number, "icc": icc},
        "summary": f"Kundplacerat SIM-kort {icc}",
    }


def prepare_sim_send(service, sim_type: str, address: dict, email: str) -> dict:
    if sim_type not in SIM_TYPES:
        raise ActionError("Välj typ av SIM-kort.", "sim_type")
    payload = {"method": "send", "sim_type": sim_type}
    if sim_type == "esim":
        email = (email or "").strip()
        if not _valid_email(email):
            raise ActionError(
                "Ange en giltig e-postadress dit aktiveringsuppgifterna ska skickas.", "email"
            )
        payload["email"] = email
        summary = f"Nytt eSIM, aktivering till {email}"
    else:
        payload.update(delivery_address(address))
        summary = (
            f"Nytt SIM-kort skickas till {payload['delivery_name']}, "
            f"{payload['delivery_street']}, {payload['delivery_postcode']} "
            f"{payload['delivery_city']}"
        )
    return {"op": "sim_send", "payload": payload, "summary": summary}


DELIVERY_FIELDS = ("delivery_name", "delivery_street", "delivery_postcode", "delivery_city")


def delivery_address(address: dict) -> dict:
    from domain.numbers import normalise_postcode

    fields = {
        "delivery_name": ("Ange mottagare.", 100),
        "delivery_street": ("Ange gatuadress.", 100),
        "delivery_postcode": ("Ange postnummer.", 6),
        "delivery_city": ("Ange ort.", 60),
    }
    out = {}
    for name, (missing, limit) in fields.items():
        value = (address.get(name) or "").strip()
        if not value:
            raise ActionError(missing, name)
        if len(value) > limit:
            raise ActionError(f"Högst {limit} tecken.", name)
        out[name] = value
    postcode = normalise_postcode(out["delivery_postcode"])
    if postcode is None:
        raise ActionError("Postnumret ska vara fem siffror, t.ex. 903 04.", "delivery_postcode")
    out["delivery_postcode"] = postcode
    return out


def _valid_email(value: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

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


def prepare_change_service(service, plan_code, data_code, desired: dt.date | None, today=None):
    today = today or dt.date.today()
    options = change_options(service)
    if plan_code and _product(plan_code, options["price_plan"]) is None:
        raise ActionError("Välj en prislista i listan.", "price_plan")
    if data_code and _product(data_code, options["data_package"]) is None:
        raise ActionError("Välj ett datapaket i listan.", "data_package")
    preview = change_preview(service, plan_code, data_code, today)
    if not preview["changed"]:
        raise ActionError("Välj ett annat datapaket eller en annan prislista än de nuvarande.")
    if desired is None:
        raise ActionError("Ange datum för önskad aktivering.", "desired_date")
    if desired < today:
        raise ActionError("Datumet har redan passerat.", "desired_date")
    if desired > add_months(today, 12):
        raise ActionError("Välj ett datum inom ett år.", "desired_date")
    if desired < preview["earliest"]:
        raise ActionError(
            f"Ett lägre datapaket kan tidigast aktiveras {preview['earliest'].isoformat()}, "
            f"när bindningstiden ({service.binding_end.isoformat()}) har löpt ut.",
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
        "summary": "Ändra tjänst: " + ", ".join(names),
        "desired_date": desired,
        "lines": lines,
    }


def move_targets(user, service) -> list:
    return list(
        visible_accounts(user)
        .where((Account.id != service.account_id) & (Account.active == True))  # noqa: E712
        .order_by(Account.customer_number)
    )


def prepare_move(user, service, account_id, start: dt.date | None, today=None) -> dict:
    today = today or dt.date.today()
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise ActionError("Välj kontot att flytta till.", "account") from None
    target = next((a for a in move_targets(user, service) if a.id == account_id), None)
    if target is None:
        raise ActionError("Kontot finns inte bland de konton du kan flytta till.", "account")
    earliest = earliest_move_date(today)
    if start is None:
        raise ActionError("Ange datum då nya kontot ska börja debiteras.", "start_date")
    if start < earliest:
        raise ActionError(f"Tidigast {earliest.isoformat()}.", "start_date")
    if start > add_months(today, 12):
        raise ActionError("Välj ett datum inom ett år.", "start_date")
    return {
        "op": "move",
        "payload": {
            "account_id": target.id,
            "account": target.label,
            "from_account_id": service.account_id,
            "start_date": start.isoformat(),
        },
        "summary": f"Flytt till {target.label} från {start.isoformat()}",
        "desired_date": start,
    }


def prepare_topup(service, code: str, today=None) -> dict:
    today = today or dt.date.today()
    product = _product(code, topup_products(service))
    if product is None:
        raise ActionError("Välj ett datapaket att fylla på med.", "product")
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


def prepare_terminate(service, end: dt.date | None, today=None) -> dict:
    today = today or dt.date.today()
    if end is None:
        raise ActionError("Ange önskat tekniskt avslutsdatum.", "end_date")
    if end < today:
        raise ActionError("Datumet har redan passerat.", "end_date")
    if end > add_months(today, 24):
        raise ActionError("Välj ett datum inom två år.", "end_date")
    until = billed_until(service, end, today)
    return {
        "op": "terminate",
        "payload": {"end_date": end.isoformat(), "billed_until": until.isoformat()},
        "summary": f"Avslut per {end.isoformat()} (debiteras t.o.m. {until.isoformat()})",
        "desired_date": end,
    }


def _gb_to_mb(text: str, field: str) -> int | None:
    text = (text or "").strip().replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ActionError("Ange mängden i GB, t.ex. 2 eller 0,5.", field) from None
    if not 0.1 <= value <= 1000:
        raise ActionError("Ange mellan 0,1 och 1000 GB.", field)
    return round(value * 1024)


def prepare_limits(service, call_kr: str, data_gb: str) -> dict:
    call_text = (call_kr or "").strip().replace(" ", "")
    call = None
    if call_text:
        if not call_text.isdigit() or not 1 <= int(call_text) <= 100000:
            raise ActionError("Ange samtalsgränsen i hela kronor, 1–100 000.", "call_limit")
        call = int(call_text) * 100
    if call is not None and service.kind == "mbb":
        raise ActionError("Mobilt bredband har ingen samtalsgräns.", "call_limit")
    data = _gb_to_mb(data_gb, "data_limit")
    parts = []
    parts.append(f"samtal {call // 100} kr" if call else "ingen samtalsgräns")
    parts.append(f"Speed Stop {data_gb.strip()} GB" if data else "ingen Speed Stop")
    return {
        "op": "limits",
        "payload": {"call_ore": call, "data_mb": data},
        "summary": "Förbrukningsgränser: " + ", ".join(parts),
    }


def prepare_options(service, directory: bool, roaming_voice: bool, roaming_data: bool) -> dict:
    voice = service.kind in VOICE_KINDS
    values = {
        "directory_listed": bool(directory) if voice else service.directory_listed,
        "roaming_voice": bool(roaming_voice) if voice else service.roaming_voice,
        "roaming_data": bool(roaming_data),
    }
    labels = {
        "directory_listed": "Katalogpost",
        "roaming_voice": "Roaming tal",
        "roaming_data": "Roaming data",
    }
    parts = [
        f"{labels[k]} {'på' if v else 'av'}"
        for k, v in values.items()
        if voice or k == "roaming_data"
    ]
    return {"op": "options", "payload": values, "summary": "Optioner: " + ", ".join(parts)}


def current_addon_codes(service) -> list[str]:
    return [
        code
        for (code,) in ServiceLine.select(Product.code)
        .join(Product, on=(ServiceLine.product == Product.id))
        .where((ServiceLine.service == service.id) & (ServiceLine.section == "addon"))
        .tuples()
    ]


def prepare_addons(service, codes: list[str], today=None) -> dict:
    today = today or dt.date.today()
    options = {p.code: p for p in addon_options(service)}
    unknown = [c for c in codes if c not in options]
    if unknown:
        raise ActionError("Välj bland tilläggsabonnemangen i listan.", "addons")
    current = {c for c in current_addon_codes(service) if c in options}
    chosen = set(codes)
    added = sorted(chosen - current)
    removed = sorted(current - chosen)
    if not added and not removed:
        raise ActionError("Inga ändringar att spara.")
    org = service.organisation
    lines = []
    for code in added:
        monthly, start, binding = prices(org, options[code])
        lines.append((options[code], monthly, start, binding))
    parts = [f"+{options[c].name}" for c in added] + [f"−{options[c].name}" for c in removed]
    return {
        "op": "addons",
        "payload": {
            "add": added,
            "remove": removed,
            "effective": first_of_month(today).isoformat(),
        },
        "summary": "Tilläggsabonnemang: " + ", ".join(parts),
        "lines": lines,
    }


def prepare_auto_upgrade(service, on: bool) -> dict:
    return {
        "op": "auto_upgrade",
        "payload": {"auto_upgrade": bool(on)},
        "summary": f"Auto-uppgradering {'på' if on else 'av'}",
    }


class AlreadyBlocked(ActionError):
    """The SIM card is blocked already (by someone else, or a second submit)."""


def prepare_lost_sim(service) -> dict:
    sim = active_sim(service)
    if sim is None:
        raise ActionError("Tjänsten har inget aktivt SIM-kort att spärra.")
    if sim.status != "active":
        raise AlreadyBlocked("SIM-kortet är redan spärrat.")
    return {
        "op": "lost_sim",
        "payload": {"icc": sim.icc},
        "summary": f"Spärr av förlorat SIM-kort {sim.icc}",
    }


def prepare_lost_sim_lift(service) -> dict:
    sim = active_sim(service)
    if sim is None or sim.status != "blocked":
        raise ActionError("SIM-kortet är inte spärrat.")
    return {
        "op": "lost_sim_lift",
        "payload": {"icc": sim.icc},
        "summary": f"Häv spärr av SIM-kort {sim.icc}",
    }


def organisation_numbers_match(service, number: str) -> bool:
    """Whether ``number`` is one of the organisation's own numbers."""
    own = Service.select(Service.id).where(
        (Service.organisation == service.organisation_id)
        & (Service.number == number)
        & (Service.status != "terminated")
    )
    if own.exists():
        return True
    numbers = (
        PhoneNumber.select(PhoneNumber.number, PhoneNumber.range_end)
        .join(Service, on=(PhoneNumber.service == Service.id))
        .where((Service.organisation == service.organisation_id) & (Service.status != "terminated"))
        .tuples()
    )
    for first, last in numbers:
        if number == first:
            return True
        if last and len(first) == len(number) == len(last) and first <= number <= last:
            return True
    return False


def prepare_caller_id(service, mode: str, number: str) -> dict:
    if mode not in CALLER_ID_MODES:
        raise ActionError("Välj vilket nummer som ska visas.", "mode")
    shown = ""
    if mode == "other":
        shown = normalise_phone(number) or ""
        if not shown:
            raise ActionError("Ange ett giltigt telefonnummer, t.ex. 090-695 32 00.", "number")
        if shown == service.number:
            shown = ""
            mode = "own"
        elif not organisation_numbers_match(service, shown):
            raise ActionError("Numret måste vara ett av er organisations egna nummer.", "number")
    summary = {
        "own": "Nummervisning: eget nummer",
        "hidden": "Nummervisning: dolt nummer",
        "other": f"Nummervisning: {format_phone(shown)}",
    }[mode]
    return {
        "op": "caller_id",
        "payload": {"caller_id": shown, "caller_id_hidden": mode == "hidden"},
        "summary": summary,
    }


def prepare_invoice_text(service, text: str) -> dict:
    text = (text or "").strip()
    if len(text) > 50:
        raise ActionError("Högst 50 tecken.", "invoice_text")
    return {
        "op": "invoice_text",
        "payload": {"invoice_text": text},
        "summary": f"Fakturatext: {text}" if text else "Fakturatext borttagen",
    }


def prepare_profile(service, name, address, user_email, admin_email) -> dict:
    values = {
        "profile_name": (name or "").strip(),
        "profile_address": (address or "").strip(),
        "profile_user_email": (user_email or "").strip(),
        "profile_admin_email": (admin_email or "").strip(),
    }
    limits = {"profile_name": 100, "profile_address": 200}
    for key, limit in limits.items():
        if len(values[key]) > limit:
            raise ActionError(f"Högst {limit} tecken.", key)
    for key in ("profile_user_email", "profile_admin_email"):
        if values[key] and not _valid_email(values[key]):
            raise ActionError("Ange en giltig e-postadress.", key)
    return {"op": "profile", "payload": values, "summary": "Profil uppdaterad"}


def prepare_mex(service, status: str) -> dict:
    if status not in MEX_STATUSES:
        raise ActionError("Välj växelstatus.", "mex_status")
    return {
        "op": "mex",
        "payload": {"mex_status": status},
        "summary": f"Växelstatus: {MEX_STATUSES[status]}",
    }


def order_summary(order) -> str:
    """What a service order asks for, in words (Produkter for orders without lines)."""
    payload = provisioning.payload_of(order)
    if payload.get("summary"):
        if payload.get("lost_icc"):
            return f"{payload['summary']} – ersätter förlorat SIM-kort {payload['lost_icc']}"
        return payload["summary"]
    label = ORDER_TYPES.get(order.type, order.type)
    if order.type == "termination" and payload.get("end_date"):
        return f"Avslut per {payload['end_date']}"
    if order.type == "sim_swap" and payload.get("method") == "send":
        return f"Nytt SIM-kort ({SIM_TYPES.get(payload.get('sim_type'), 'SIM-kort')}) skickas"
    return label
