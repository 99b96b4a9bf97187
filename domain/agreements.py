"""Agreements (ramavtal) and price lists kept by the operator's staff
(SPEC §10c, issue 17 item 2).

An agreement gives one organisation, for a period, the products its users
may order (in an Order; an Offert offers the whole catalogue), a price list,
an SLA and a notice period. Two agreements of the same organisation never
overlap, so "the agreement in force today" is always one
(``Organisation.current_agreement``). Changing an agreement or a price list
never touches a sent order: its lines carry their own copies of the prices
(domain/orders/sending.py).

Functions that write are called inside ``write_tx`` and audit themselves;
checks answer messages by field name in Swedish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from peewee import JOIN, fn

from domain import audit
from domain.text import N_, T_
from tables.catalogue import PRODUCT_KINDS, Product, ProductCategory
from tables.charges import PriceListRequestPrice
from tables.org import Agreement, AgreementProduct, Organisation, PriceList, PriceListItem
from tables.tickets import RequestType

AGREEMENT_STATUSES = {"current": N_("Gällande"), "coming": N_("Kommande"), "ended": N_("Upphört")}
MAX_NOTICE_MONTHS = 60
MAX_BINDING_MONTHS = 120
MAX_PRICE_ORE = 100_000_000  # one million kronor


def catalogue_groups(keep: set[int] = frozenset(), only: set[int] | None = None):
    """The catalogue as (heading, products) for agreement and price-list
    forms: the products of each category in the wizard's order, then the
    ones without a category (price plans, data packages, add-ons … that
    configure a subscription) by kind. Retired products show only when in
    ``keep``; with ``only``, just those products."""
    query = (
        Product.select(Product, ProductCategory)
        .join(ProductCategory, JOIN.LEFT_OUTER)
        .order_by(ProductCategory.position, ProductCategory.name, Product.kind, Product.name)
    )
    groups: dict[str, list] = {}
    for product in query:
        if only is not None and product.id not in only:
            continue
        if not product.active and product.id not in keep and only is None:
            continue
        heading = (
            product.category.name
            if product.category_id
            else T_("Tillval: %(kind)s", kind=PRODUCT_KINDS.get(product.kind, product.kind))
        )
        groups.setdefault(heading, []).append(product)
    categorised = [(h, ps) for h, ps in groups.items() if ps[0].category_id]
    options = [(h, ps) for h, ps in groups.items() if not ps[0].category_id]
    return categorised + options


def status_of(agreement: Agreement, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if agreement.start_date > today:
        return "coming"
    if agreement.end_date is not None and agreement.end_date < today:
        return "ended"
    return "current"


def status_condition(statuses, today: dt.date | None = None):
    """SQL: the agreement's status (by today) is one of ``statuses``."""
    today = today or dt.date.today()
    conditions = {
        "current": (Agreement.start_date <= today)
        & (Agreement.end_date.is_null() | (Agreement.end_date >= today)),
        "coming": Agreement.start_date > today,
        "ended": Agreement.end_date.is_null(False) & (Agreement.end_date < today),
    }
    chosen = [conditions[s] for s in statuses if s in conditions]
    condition = chosen[0]
    for other in chosen[1:]:
        condition |= other
    return condition


def period_label(agreement: Agreement) -> str:
    start = agreement.start_date.isoformat()
    if agreement.end_date:
        return f"{start} – {agreement.end_date.isoformat()}"
    return T_("%(start)s – tills vidare", start=start)


@dataclass
class AgreementData:
    """An agreement as entered (already parsed by the form)."""

    number: str
    organisation_id: int | None
    name: str
    start_date: dt.date | None
    end_date: dt.date | None
    price_list_id: int | None
    sla_id: int | None
    notice_months: int | None
    product_ids: list[int] = field(default_factory=list)


def overlapping(organisation_id, start: dt.date, end: dt.date | None, exclude_id=None):
    """The organisation's agreements whose period meets ``start``–``end``."""
    query = Agreement.select().where(
        (Agreement.organisation == organisation_id)
        & (Agreement.end_date.is_null() | (Agreement.end_date >= start))
    )
    if end is not None:
        query = query.where(Agreement.start_date <= end)
    if exclude_id is not None:
        query = query.where(Agreement.id != exclude_id)
    return query.order_by(Agreement.start_date)


def check_agreement(data: AgreementData, agreement: Agreement | None = None) -> dict[str, str]:
    """What is wrong with ``data`` (by field name); empty when it may be saved."""
    from tables.org import SLADefinition

    errors: dict[str, str] = {}
    exclude = agreement.id if agreement is not None else None
    if not data.number:
        errors["number"] = N_("Ange ett avtalsnummer.")
    else:
        taken = Agreement.select().where(fn.LOWER(Agreement.number) == data.number.lower())
        if exclude is not None:
            taken = taken.where(Agreement.id != exclude)
        other = taken.first()
        if other is not None:
            errors["number"] = T_(
                "Avtalsnumret %(number)s finns redan (%(customer)s).",
                number=other.number,
                customer=other.organisation.name,
            )
    if not data.name:
        errors["name"] = N_("Ange ett namn på avtalet.")
    organisation = None
    if data.organisation_id is None:
        errors["organisation"] = N_("Välj en kund.")
    else:
        organisation = Organisation.get_or_none(Organisation.id == data.organisation_id)
        if organisation is None:
            errors["organisation"] = N_("Kunden finns inte.")
    if data.start_date is None:
        errors.setdefault("start_date", N_("Ange startdatum som ÅÅÅÅ-MM-DD."))
    if (
        data.end_date is not None
        and data.start_date is not None
        and data.end_date < data.start_date
    ):
        errors["end_date"] = N_("Slutdatum kan inte vara före startdatum.")
    if (
        data.price_list_id is not None
        and PriceList.get_or_none(PriceList.id == data.price_list_id) is None
    ):
        errors["price_list"] = N_("Prislistan finns inte.")
    if (
        data.sla_id is not None
        and SLADefinition.get_or_none(SLADefinition.id == data.sla_id) is None
    ):
        errors["sla"] = N_("SLA-nivån finns inte.")
    if data.notice_months is None or not 0 <= data.notice_months <= MAX_NOTICE_MONTHS:
        errors["notice_months"] = T_(
            "Ange uppsägningstid i hela månader, 0–%(max)s.", max=MAX_NOTICE_MONTHS
        )
    known = {
        pid
        for (pid,) in Product.select(Product.id)
        .where(Product.id.in_(data.product_ids or [0]))
        .tuples()
    }
    if set(data.product_ids) - known:
        errors["products"] = N_("En vald produkt finns inte längre. Välj produkterna igen.")
    if organisation is not None and "start_date" not in errors and "end_date" not in errors:
        other = overlapping(organisation.id, data.start_date, data.end_date, exclude).first()
        if other is not None:
            errors["end_date" if data.end_date else "start_date"] = T_(
                "Perioden överlappar avtal %(number)s (%(name)s, %(period)s). "
                "En kund kan bara ha ett gällande avtal åt gången.",
                number=other.number,
                name=other.name,
                period=period_label(other),
            )
    return errors


def _agreement_state(agreement: Agreement) -> dict:
    return {
        "number": agreement.number,
        "organisation": agreement.organisation_id,
        "name": agreement.name,
        "start_date": agreement.start_date.isoformat() if agreement.start_date else None,
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "price_list": agreement.price_list_id,
        "sla": agreement.sla_id,
        "notice_months": agreement.notice_months,
        "products": sorted(
            pid
            for (pid,) in AgreementProduct.select(AgreementProduct.product)
            .where(AgreementProduct.agreement == agreement.id)
            .tuples()
        )
        if agreement.id
        else [],
    }


def fingerprint(state: dict) -> str:
    """A short digest of a saved state: a form sends back the one it was
    opened with, and a save over someone else's change is refused."""
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def agreement_fingerprint(agreement: Agreement) -> str:
    return fingerprint(_agreement_state(agreement))


def save_agreement(data: AgreementData, agreement: Agreement | None, *, staff) -> Agreement:
    """Create or update an agreement already checked by ``check_agreement``."""
    before = _agreement_state(agreement) if agreement is not None else None
    agreement = agreement or Agreement(organisation=data.organisation_id)
    agreement.number = data.number
    agreement.name = data.name
    agreement.start_date = data.start_date
    agreement.end_date = data.end_date
    agreement.price_list = data.price_list_id
    agreement.sla = data.sla_id
    agreement.notice_months = data.notice_months
    agreement.save()
    wanted = set(data.product_ids)
    have = {
        pid
        for (pid,) in AgreementProduct.select(AgreementProduct.product)
        .where(AgreementProduct.agreement == agreement.id)
        .tuples()
    }
    if have - wanted:
        AgreementProduct.delete().where(
            (AgreementProduct.agreement == agreement.id)
            & AgreementProduct.product.in_(sorted(have - wanted))
        ).execute()
    if wanted - have:
        AgreementProduct.insert_many(
            [{"agreement": agreement.id, "product": pid} for pid in sorted(wanted - have)]
        ).execute()
    after = _agreement_state(agreement)
    audit.record(
        "agreement.create" if before is None else "agreement.update",
        agreement,
        actor=staff,
        organisation=agreement.organisation_id,
        summary=(
            f"Avtal {agreement.number} ({agreement.name}, {period_label(agreement)}) "
            + ("skapat" if before is None else "ändrat")
        ),
        before=before,
        after=after,
    )
    return agreement


# --------------------------------------------------------------------------- price lists


@dataclass
class ProductPrice:
    monthly_ore: int
    start_ore: int
    binding_months: int


def _price_list_state(price_list: PriceList) -> dict:
    items = PriceListItem.select().where(PriceListItem.price_list == price_list.id)
    requests = PriceListRequestPrice.select().where(
        PriceListRequestPrice.price_list == price_list.id
    )
    return {
        "name": price_list.name,
        "description": price_list.description,
        "products": {
            str(i.product_id): [i.monthly_ore, i.start_ore, i.binding_months] for i in items
        }
        if price_list.id
        else {},
        "requests": {str(r.request_type_id): r.price_ore for r in requests}
        if price_list.id
        else {},
    }


def price_list_fingerprint(price_list: PriceList) -> str:
    return fingerprint(_price_list_state(price_list))


def check_price_list_name(name: str, price_list: PriceList | None) -> str | None:
    if not name:
        return N_("Ange ett namn på prislistan.")
    taken = PriceList.select().where(fn.LOWER(PriceList.name) == name.lower())
    if price_list is not None:
        taken = taken.where(PriceList.id != price_list.id)
    if taken.exists():
        return T_("Det finns redan en prislista som heter %(name)s.", name=name)
    return None


def save_price_list(
    price_list: PriceList | None,
    *,
    name: str,
    description: str,
    products: dict[int, ProductPrice],
    requests: dict[int, int],
    staff,
) -> PriceList:
    """Create or update a price list: ``products`` (product id → prices) and
    ``requests`` (request type id → price per request) are its whole content;
    what is left out is no longer in it. Call inside ``write_tx``."""
    before = _price_list_state(price_list) if price_list is not None else None
    price_list = price_list or PriceList()
    price_list.name = name
    price_list.description = description
    price_list.save()
    known_products = {p for (p,) in Product.select(Product.id).tuples()}
    known_types = {t for (t,) in RequestType.select(RequestType.id).tuples()}
    PriceListItem.delete().where(
        (PriceListItem.price_list == price_list.id)
        & PriceListItem.product.not_in(sorted(products) or [0])
    ).execute()
    for product_id, price in products.items():
        if product_id not in known_products:
            continue
        values = {
            "monthly_ore": price.monthly_ore,
            "start_ore": price.start_ore,
            "binding_months": price.binding_months,
        }
        updated = (
            PriceListItem.update(**values)
            .where(
                (PriceListItem.price_list == price_list.id) & (PriceListItem.product == product_id)
            )
            .execute()
        )
        if not updated:
            PriceListItem.create(price_list=price_list.id, product=product_id, **values)
    PriceListRequestPrice.delete().where(
        (PriceListRequestPrice.price_list == price_list.id)
        & PriceListRequestPrice.request_type.not_in(sorted(requests) or [0])
    ).execute()
    for type_id, price_ore in requests.items():
        if type_id not in known_types:
            continue
        updated = (
            PriceListRequestPrice.update(price_ore=price_ore)
            .where(
                (PriceListRequestPrice.price_list == price_list.id)
                & (PriceListRequestPrice.request_type == type_id)
            )
            .execute()
        )
        if not updated:
            PriceListRequestPrice.create(
                price_list=price_list.id, request_type=type_id, price_ore=price_ore
            )
    audit.record(
        "price_list.create" if before is None else "price_list.update",
        price_list,
        actor=staff,
        organisation=audit.STAFF_ONLY,
        summary=f"Prislista {price_list.name} " + ("skapad" if before is None else "ändrad"),
        before=before,
        after=_price_list_state(price_list),
    )
    return price_list
