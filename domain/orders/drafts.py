"""Ny beställning (ORD-2): the wizard's state is an order with status
``draft`` — its products are lines, a subscription's chosen options are lines
under it, and what Slutför beställningen asked for a product is the line's
``details`` JSON (docs/ORDERS.md). Every step writes here as it goes, so Back,
a reload, a second tab or a new login find what was entered.

What is typed is kept as typed (a draft may hold a half-filled form);
:func:`check` says what is wrong with it, field by field in Swedish, and
gives the clean values that sending writes.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from database import utcnow, write_tx
from domain import audit
from domain.numbers import (
    normalise_mobile,
    normalise_org_number,
    normalise_phone,
    normalise_postcode,
    valid_icc,
)
from domain.orders import pool
from domain.orders.pricing import Catalogue, Price, line_price, sum_prices
from domain.text import N_, T_
from tables.catalogue import Product
from tables.orders import Availability, Order, OrderLine
from tables.org import Account, Contact
from tables.scope import visible_accounts


class DraftError(Exception):
    """Input the draft cannot take: ``errors`` maps a field name to its message."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__("; ".join(self.errors.values()))


SIM_CHOICES = {"new": N_("Nytt SIM-kort"), "esim": N_("eSIM"), "own": N_("Eget SIM-kort (ICC)")}
NUMBER_CHOICES = {"new": N_("Nytt nummer"), "port": N_("Portera befintligt nummer")}
CONTACT_METHODS = {"email": N_("E-post"), "phone": N_("Telefon")}
DELIVERY_CHOICES = {
    "profile": N_("Företagsprofilens leveransadress"),
    "other": N_("Annan leveransadress"),
}
# The order-level fields of Slutför beställningen, kept as typed in Order.payload.
ORDER_FIELDS = (
    "delivery_choice",
    "delivery_name",
    "delivery_street",
    "delivery_postcode",
    "delivery_city",
    "billing_account",
    "contact_method",
    "contact_phone",
    "contact_email",
    "extra_contact",
    "desired_date",
)
# The per-line keys of Slutför beställningen, by finish field.
LINE_FIELDS = {
    "end_user": ("end_user",),
    "sim": ("sim", "icc", "esim_email"),
    "number": ("number_choice", "number", "port_number", "port_org_number", "port_date"),
    "mbb": ("mbb_public_ip", "mbb_contact_number"),
    "address": ("street", "postcode", "city", "technology"),
}
TEXT_LIMIT = 100
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------- reading


def drafts_of(user):
    """Drafts the user may resume: their own, or all in scope with orders.manage."""
    return Order.visible_to(user).where(Order.status == "draft")


def load(user, draft_id: int) -> Order | None:
    return drafts_of(user).where(Order.id == draft_id).first()


def orderable_accounts(user):
    """Accounts the user may order on: active ones in their scope."""
    return (
        visible_accounts(user).where(Account.active).order_by(Account.path, Account.customer_number)
    )


# Above this many accounts, Konto is typed as a kundnummer instead of picked
# from a list (a list of thousands of accounts is slow to send and to use).
ACCOUNT_LIST_LIMIT = 200


def account_by_number(user, customer_number: str) -> Account | None:
    """An orderable account of the user's by its kundnummer (typed)."""
    digits = "".join(ch for ch in (customer_number or "") if ch.isdigit())
    if not digits:
        return None
    return orderable_accounts(user).where(Account.customer_number == digits).first()


def billing_choices(user, account: Account) -> list[Account]:
    """Faktureringsadress: the order's account's invoice address, or one of
    the accounts above it in the tree (within the user's scope)."""
    ids = [int(part) for part in account.path.strip("/").split("/") if part] or [account.id]
    found = {a.id: a for a in orderable_accounts(user).where(Account.id.in_(ids))}
    return [found[i] for i in reversed(ids) if i in found]


def catalogue_for(draft: Order, user, today: dt.date | None = None) -> Catalogue:
    return Catalogue(user, draft.organisation_id, is_quote=draft.is_quote, today=today)


def products(draft: Order) -> list[OrderLine]:
    """The draft's product lines (not their options), in order."""
    return list(
        OrderLine.select(OrderLine, Product)
        .join(Product)
        .where((OrderLine.order == draft.id) & OrderLine.parent.is_null())
        .order_by(OrderLine.position, OrderLine.id)
    )


def line_of(draft: Order, line_id: int) -> OrderLine | None:
    return (
        OrderLine.select(OrderLine, Product)
        .join(Product)
        .where(
            (OrderLine.order == draft.id) & OrderLine.parent.is_null() & (OrderLine.id == line_id)
        )
        .first()
    )


def chosen(line: OrderLine) -> dict[str, list[int]]:
    """The chosen option products of a line, by option group name."""
    out: dict[str, list[int]] = {}
    for option in line.options.order_by(OrderLine.position):
        out.setdefault(option.option_group, []).append(option.product_id)
    return out


def details(line: OrderLine) -> dict:
    try:
        value = json.loads(line.details or "{}")
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def order_form(draft: Order) -> dict:
    try:
        value = json.loads(draft.payload or "{}").get("form", {})
    except (ValueError, AttributeError):
        value = {}
    return value if isinstance(value, dict) else {}


def line_totals(catalogue: Catalogue, line: OrderLine) -> Price:
    options = [o.product for o in line.options]
    return line_price(catalogue, line.product, options, line.quantity)


def totals(catalogue: Catalogue, lines: list[OrderLine]) -> Price:
    """Månadskostnad, Startkostnad and Bindningstid of the whole draft."""
    return sum_prices(line_totals(catalogue, line) for line in lines)


# --------------------------------------------------------------------------- writing


def _account(user, account_id) -> Account:
    account = orderable_accounts(user).where(Account.id == account_id).first()
    if account is None:
        raise DraftError({"account": N_("Välj ett av de konton du har behörighet till.")})
    return account


def start(user, account_id, is_quote: bool, draft: Order | None = None) -> Order:
    """Create the draft (or change its account and kind) — step one."""
    account = _account(user, account_id)
    catalogue = Catalogue(user, account.organisation_id, is_quote=is_quote)
    if not catalogue.may_order:
        raise DraftError({"kind": catalogue.refusal})
    from models import next_number

    with write_tx():
        if draft is None:
            draft = Order.create(
                organisation=account.organisation_id,
                account=account.id,
                number=next_number("order_number"),
                version=0,
                type="new",
                status="draft",
                is_quote=is_quote,
                product_area="",
                created_by=user.id,
                changed_at=utcnow(),
            )
            audit.record(
                "order.draft",
                draft,
                summary=f"Utkast {draft.number} ({'offert' if is_quote else 'order'})",
                actor=user,
            )
        else:
            draft.account, draft.is_quote, draft.changed_at = account.id, is_quote, utcnow()
            draft.save(only=[Order.account, Order.is_quote, Order.changed_at])
    return draft


def add_product(user, draft: Order, product_id) -> OrderLine:
    """ "Lägg till produkt": a line with the option groups' defaults chosen."""
    catalogue = catalogue_for(draft, user)
    product = catalogue.product(product_id)
    if product is None:
        raise DraftError({"product": N_("Produkten finns inte att beställa här.")})
    with write_tx():
        position = OrderLine.select().where(OrderLine.order == draft.id).count()
        line = OrderLine.create(
            order=draft.id,
            product=product.id,
            name=product.name,
            quantity=1,
            position=position,
            details="{}",
            **_price_fields(catalogue.price(product)),
        )
        for offer in catalogue.option_groups(product):
            for choice in offer.choices:
                if choice.item.is_default or offer.group.kind == "included":
                    _add_option(line, offer.group.name, choice)
        _touch(draft)
    line.product = product
    return line


def configure(user, draft: Order, line: OrderLine, picked: dict[int, list], quantity) -> None:
    """Save a line's configuration: ``picked`` maps an option group id to the
    item ids chosen in it. Choices and quantity are checked against the
    catalogue (a tampered id is refused); a valid part is saved even when
    another part is not, and :class:`DraftError` names what is wrong."""
    catalogue = catalogue_for(draft, user)
    if catalogue.product(line.product_id) is None:
        raise DraftError({"product": N_("Produkten finns inte längre att beställa här.")})
    errors: dict[str, str] = {}
    selections: list[tuple] = []
    for offer in catalogue.option_groups(line.product):
        group = offer.group
        ids = [_int(v) for v in picked.get(group.id, []) if str(v).strip()]
        if group.kind == "included":
            selections += [(group.name, c) for c in offer.choices]
            continue
        choices = [offer.choice(i) for i in ids]
        if any(c is None for c in choices):
            raise DraftError(
                {f"group-{group.id}": T_("Ogiltigt val under %(group)s.", group=group.name)}
            )
        if not group.multiple and len(choices) > 1:
            raise DraftError(
                {f"group-{group.id}": T_("Välj ett alternativ under %(group)s.", group=group.name)}
            )
        if not choices and not group.optional and offer.choices:
            errors[f"group-{group.id}"] = T_("Välj %(group)s.", group=group.name.lower())
        unique = {c.item.id: c for c in choices}
        selections += [(group.name, c) for c in unique.values()]
    number = _quantity(quantity, line.product)
    if isinstance(number, str):
        errors["quantity"] = number
    with write_tx():
        OrderLine.delete().where(OrderLine.parent == line.id).execute()
        for name, choice in selections:
            _add_option(line, name, choice)
        if not isinstance(number, str):
            line.quantity = number
        for name, value in _price_fields(catalogue.price(line.product)).items():
            setattr(line, name, value)
        line.save()
        _touch(draft)
    if errors:
        raise DraftError(errors)


def remove_line(draft: Order, line: OrderLine) -> None:
    with write_tx():
        line.delete_instance(recursive=True)
        _touch(draft)


def save_finish(draft: Order, form) -> None:
    """Keep what Slutför beställningen holds, as typed (``form``: a mapping
    with ``get``; per line the keys are ``l<line id>-<key>``)."""
    values = {name: _text(form.get(name, "")) for name in ORDER_FIELDS}
    with write_tx():
        # an autosave that arrives after Skicka changes nothing of the sent order
        if not Order.select().where((Order.id == draft.id) & (Order.status == "draft")).exists():
            return
        payload = _payload(draft)
        payload["form"] = values
        draft.payload = json.dumps(payload, ensure_ascii=False)
        draft.changed_at = utcnow()
        draft.save(only=[Order.payload, Order.changed_at])
        for line in products(draft):
            kept = details(line)
            for finish_key in line.product.finish_keys:
                for key in LINE_FIELDS.get(finish_key, ()):
                    raw = form.get(f"l{line.id}-{key}")
                    if key == "mbb_public_ip":
                        kept[key] = raw in ("1", "on", "true")
                    elif raw is not None:
                        kept[key] = _text(raw)
            line.details = json.dumps(kept, ensure_ascii=False)
            line.save(only=[OrderLine.details])


def delete(user, draft: Order) -> None:
    with write_tx():
        audit.record("order.draft_deleted", draft, summary=f"Utkast {draft.number} borttaget")
        Order.delete().where((Order.id == draft.id) & (Order.status == "draft")).execute()


# --------------------------------------------------------------------------- checking


def check(draft: Order, user, today: dt.date | None = None):
    """What is wrong with the draft as it would be sent: ``(errors, clean)``
    where ``errors`` maps field names (``l<id>-<key>`` per line) to Swedish
    messages and ``clean`` holds the values sending writes:
    ``{"order": {...Order fields}, "lines": {line id: details}}``."""
    today = today or dt.date.today()
    catalogue = catalogue_for(draft, user, today)
    errors: dict[str, str] = {}
    lines = products(draft)
    if not catalogue.may_order:
        errors[""] = catalogue.refusal
    if not lines:
        errors[""] = N_("Lägg till minst en produkt.")
    if _account_or_none(user, draft.account_id) is None:
        errors["account"] = N_("Kontot finns inte bland dem du kan beställa på.")
    clean_lines: dict[int, dict] = {}
    chosen_numbers: dict[str, str] = {}
    needs_delivery = False
    for line in lines:
        prefix = f"l{line.id}-"
        if catalogue.product(line.product_id) is None:
            errors[prefix + "product"] = T_(
                "%(product)s finns inte att beställa här.", product=line.name
            )
            continue
        problem = _quantity(line.quantity, line.product)
        if isinstance(problem, str):
            errors[prefix + "quantity"] = problem
        _check_options(catalogue, line, errors, prefix)
        raw = details(line)
        clean, line_errors = _check_line(line, raw, user, today, chosen_numbers)
        errors.update({prefix + k: v for k, v in line_errors.items()})
        clean_lines[line.id] = clean
        keys = line.product.finish_keys
        needs_delivery |= "delivery" in keys or clean.get("sim") == "new"
    order_clean, order_errors = _check_order(draft, user, order_form(draft), today, needs_delivery)
    errors.update(order_errors)
    return errors, {"order": order_clean, "lines": clean_lines}


def _check_options(catalogue: Catalogue, line: OrderLine, errors: dict, prefix: str) -> None:
    picked = chosen(line)
    for offer in catalogue.option_groups(line.product):
        ids = picked.get(offer.group.name, [])
        offered = {c.product.id for c in offer.choices}
        if any(i not in offered for i in ids):
            errors[prefix + "options"] = T_(
                "Ett val under %(group)s finns inte att beställa.", group=offer.group.name
            )
        elif not ids and not offer.group.optional and offer.choices:
            errors[prefix + "options"] = T_(
                "Välj %(group)s för %(product)s.", group=offer.group.name.lower(), product=line.name
            )


def _check_line(line, raw: dict, user, today, chosen_numbers: dict) -> tuple[dict, dict]:
    keys = line.product.finish_keys
    clean: dict = {}
    errors: dict[str, str] = {}

    def text(key, required=None, limit=TEXT_LIMIT):
        value = str(raw.get(key) or "").strip()
        if _CONTROL.search(value):
            errors[key] = N_("Fältet innehåller otillåtna tecken.")
        elif len(value) > limit:
            errors[key] = T_("Högst %(limit)s tecken.", limit=limit)
        elif not value and required:
            errors[key] = required
        return value

    if "end_user" in keys:
        clean["end_user"] = text("end_user", N_("Ange slutanvändare eller alias."))
    if "sim" in keys:
        sim = raw.get("sim") or "new"
        if sim not in SIM_CHOICES:
            errors["sim"] = N_("Välj SIM-kort.")
        clean["sim"] = sim
        if sim == "esim":
            email = text(
                "esim_email", N_("Ange e-postadressen dit aktiveringsuppgifterna skickas.")
            )
            if email and not valid_email(email):
                errors["esim_email"] = N_("Ange en giltig e-postadress, t.ex. namn@foretag.se.")
            clean["esim_email"] = email
        elif sim == "own":
            icc = re.sub(r"\s", "", str(raw.get("icc") or ""))
            if not user.has("services.allocate_sim"):
                errors["sim"] = N_("Du har inte behörighet att allokera egna SIM-kort.")
            elif not icc:
                errors["icc"] = N_("Ange SIM-kortets ICC-nummer (19 siffror).")
            elif not valid_icc(icc):
                errors["icc"] = N_("ICC-numret är inte giltigt: 19 siffror som börjar med 89.")
            clean["icc"] = icc
    if "number" in keys:
        choice = raw.get("number_choice") or "new"
        clean["number_choice"] = choice
        if choice == "new":
            number = str(raw.get("number") or "").strip()
            if not number:
                errors["number"] = N_("Välj ett mobilnummer.")
            elif not pool.is_free(number):
                errors["number"] = T_(
                    "Numret %(number)s är inte längre ledigt. Välj ett annat nummer.", number=number
                )
            elif number in chosen_numbers:
                errors["number"] = T_(
                    "Numret %(number)s är redan valt för en annan produkt.", number=number
                )
            chosen_numbers[number] = line.id
            clean["number"] = number
        elif choice == "port":
            typed = str(raw.get("port_number") or "")
            number = normalise_mobile(typed) if typed.strip() else None
            if not typed.strip():
                errors["port_number"] = N_("Ange numret som ska porteras.")
            elif number is None:
                errors["port_number"] = N_("Ange ett svenskt mobilnummer, t.ex. 070-123 45 67.")
            org = normalise_org_number(str(raw.get("port_org_number") or ""))
            if org is None:
                errors["port_org_number"] = N_(
                    "Ange nuvarande innehavares organisationsnummer, t.ex. 556629-0549."
                )
            port_date = _date(raw.get("port_date"))
            if port_date is None:
                errors["port_date"] = N_("Ange porteringsdatum (ÅÅÅÅ-MM-DD).")
            elif port_date < today:
                errors["port_date"] = N_("Porteringsdatumet kan inte ligga bakåt i tiden.")
            clean.update(
                number=number or "",
                port_org_number=org or "",
                port_date=port_date.isoformat() if port_date else "",
            )
        else:
            errors["number_choice"] = N_("Välj nytt nummer eller portering.")
    if "mbb" in keys:
        clean["mbb_public_ip"] = bool(raw.get("mbb_public_ip"))
        contact = str(raw.get("mbb_contact_number") or "").strip()
        normal = normalise_phone(contact) if contact else ""
        if normal is None:
            errors["mbb_contact_number"] = N_("Ange ett telefonnummer, t.ex. 070-123 45 67.")
        clean["mbb_contact_number"] = normal or ""
    if "address" in keys:
        street = text("street", N_("Ange installationsadressens gatuadress."))
        city = text("city", N_("Ange ort."))
        typed = str(raw.get("postcode") or "")
        postcode = normalise_postcode(typed)
        if postcode is None:
            errors["postcode"] = N_("Postnumret ska vara fem siffror, t.ex. 901 55.")
        technology = str(raw.get("technology") or "")
        if postcode:
            offered = [a.technology for a in availability(postcode)]
            if not offered:
                errors["postcode"] = T_(
                    "Vi kan inte leverera bredband till postnummer %(postcode)s ännu. "
                    "Skicka en offert eller kontakta oss.",
                    postcode=postcode,
                )
            elif technology not in offered:
                errors["technology"] = N_("Välj en av teknikerna som finns på adressen.")
        clean["address"] = {"street": street, "postcode": postcode or "", "city": city}
        clean["technology"] = technology
    return clean, errors


def _check_order(draft, user, form: dict, today, needs_delivery: bool) -> tuple[dict, dict]:
    clean: dict = {}
    errors: dict[str, str] = {}
    if needs_delivery:
        if form.get("delivery_choice", "profile") == "other":
            fields = {
                "delivery_name": N_("Ange mottagare."),
                "delivery_street": N_("Ange gatuadress."),
                "delivery_city": N_("Ange ort."),
            }
            for name, missing in fields.items():
                value = str(form.get(name) or "").strip()
                if not value:
                    errors[name] = missing
                elif len(value) > TEXT_LIMIT or _CONTROL.search(value):
                    errors[name] = N_("Kontrollera fältet: högst 100 vanliga tecken.")
                clean[name] = value
            postcode = normalise_postcode(str(form.get("delivery_postcode") or ""))
            if postcode is None:
                errors["delivery_postcode"] = N_("Postnumret ska vara fem siffror, t.ex. 903 04.")
            clean["delivery_postcode"] = postcode or ""
        else:
            profile = draft.organisation.profile()
            if not (profile.delivery_street and profile.delivery_postcode):
                errors["delivery_choice"] = N_(
                    "Företagsprofilen har ingen leveransadress. Ange en annan leveransadress."
                )
            clean.update(
                delivery_name=profile.delivery_name,
                delivery_street=profile.delivery_street,
                delivery_postcode=profile.delivery_postcode,
                delivery_city=profile.delivery_city,
            )
    chosen = _int(form.get("billing_account"))
    billing = next((a for a in billing_choices(user, draft.account) if a.id == chosen), None)
    if billing is None:
        errors["billing_account"] = N_("Välj faktureringsadress.")
    clean["billing_account"] = billing.id if billing else None
    method = form.get("contact_method") or "email"
    if method not in CONTACT_METHODS:
        errors["contact_method"] = N_("Välj hur vi ska kontakta dig.")
    clean["contact_method"] = method
    phone_text = str(form.get("contact_phone") or "").strip()
    phone = normalise_phone(phone_text) if phone_text else ""
    if phone is None:
        errors["contact_phone"] = N_("Ange ett telefonnummer, t.ex. 070-123 45 67.")
    elif method == "phone" and not phone:
        errors["contact_phone"] = N_("Ange telefonnumret vi ska ringa.")
    clean["contact_phone"] = phone or ""
    email = str(form.get("contact_email") or "").strip() or user.email
    if not valid_email(email):
        errors["contact_email"] = N_("Ange en giltig e-postadress.")
    clean["contact_email"] = email
    extra_id = _int(form.get("extra_contact"))
    extra = None
    if str(form.get("extra_contact") or "").strip():
        extra = contacts_for(user).where(Contact.id == extra_id).first() if extra_id else None
        if extra is None:
            errors["extra_contact"] = N_("Välj en kontaktperson ur listan.")
    clean["extra_contact"] = extra.id if extra else None
    typed = str(form.get("desired_date") or "").strip()
    desired = _date(typed) if typed else None
    if typed and desired is None:
        errors["desired_date"] = N_("Ange datumet som ÅÅÅÅ-MM-DD.")
    elif desired and desired < today:
        errors["desired_date"] = N_("Önskat aktiveringsdatum kan inte ligga bakåt i tiden.")
    clean["desired_date"] = desired
    return clean, errors


def availability(postcode: str) -> list[Availability]:
    """What the fixed network delivers at a postcode (fastest first)."""
    return list(
        Availability.select()
        .where(Availability.postcode == postcode)
        .order_by(Availability.down_mbit.desc())
    )


def contacts_for(user):
    """Contact persons on the accounts the user sees (Ytterligare kontaktperson)."""
    return Contact.select().where(
        (Contact.organisation == user.organisation_id)
        & Contact.account.in_(visible_accounts(user).select(Account.id))
    )


def valid_email(value: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    if not value or len(value) > 254:
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# --------------------------------------------------------------------------- helpers


def _account_or_none(user, account_id):
    if not account_id:
        return None
    return orderable_accounts(user).where(Account.id == account_id).first()


def _add_option(line: OrderLine, group_name: str, choice) -> None:
    OrderLine.create(
        order=line.order_id,
        parent=line.id,
        product=choice.product.id,
        name=choice.product.name,
        option_group=group_name,
        position=choice.item.position,
        **_price_fields(choice.price),
    )


def _price_fields(price: Price) -> dict:
    return {
        "monthly_ore": price.monthly_ore,
        "start_ore": price.start_ore,
        "binding_months": price.binding_months,
    }


def _quantity(value, product: Product) -> int | str:
    """The quantity as a number, or what is wrong with it."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return N_("Ange antal som ett heltal.")
    if number < 1:
        return N_("Antalet måste vara minst 1.")
    if number > product.max_quantity:
        return T_(
            "Högst %(count)s st av %(product)s per beställning.",
            count=product.max_quantity,
            product=product.name,
        )
    return number


def _payload(draft: Order) -> dict:
    try:
        value = json.loads(draft.payload or "{}")
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def _touch(draft: Order) -> None:
    draft.changed_at = utcnow()
    Order.update(changed_at=draft.changed_at).where(Order.id == draft.id).execute()


def _text(value) -> str:
    return str(value if value is not None else "")[:500]


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
