"""Billable requests (BBGRUPPEN): a request is billed "enligt gällande avtal
och gällande prislista". When staff complete a ticket of a request type with
a price, a charge is made for the next invoice; billing exports the charges
and marks them collected (/staff/billing/charges).

The price of a request type for an organisation is its current agreement's
price list's price where that list names the type (0 there: free under the
agreement), otherwise the request type's own price (Förfrågningstyper), as
products take the list price where the price list does not name them.
"""

from __future__ import annotations

import datetime as dt

from database import utcnow
from domain import audit
from domain.formats import kr
from tables.charges import Charge, PriceListRequestPrice
from tables.org import Organisation
from tables.tickets import RequestType, Ticket


def request_price(organisation, request_type: RequestType | None, today: dt.date | None = None):
    """(price in öre, the agreement it comes from or None) of one request."""
    if request_type is None:
        return 0, None
    org_id = getattr(organisation, "id", organisation)
    agreement = Organisation(id=org_id).current_agreement(today)
    if agreement is not None and agreement.price_list_id:
        named = PriceListRequestPrice.get_or_none(
            (PriceListRequestPrice.price_list == agreement.price_list_id)
            & (PriceListRequestPrice.request_type == request_type.id)
        )
        if named is not None:
            return named.price_ore, agreement
    return request_type.price_ore, agreement


def charge_completed(ticket: Ticket, *, staff) -> Charge | None:
    """The charge of a request ticket staff just completed, made once per
    ticket (completing again after a reopening finds it); None when the
    request costs nothing. Call inside ``write_tx``, with the completion."""
    if ticket.request_type_id is None:
        return None
    existing = Charge.get_or_none(Charge.ticket == ticket.id)
    if existing is not None:
        return existing
    request_type = RequestType.get_by_id(ticket.request_type_id)
    price, agreement = request_price(ticket.organisation_id, request_type)
    if price <= 0:
        return None
    charge = Charge.create(
        organisation=ticket.organisation_id,
        account=ticket.account_id,
        ticket=ticket.id,
        request_type=request_type.id,
        agreement_number=agreement.number if agreement is not None else "",
        description=f"{request_type.label}, ärende {ticket.number}",
        amount_ore=price,
        created_by=staff.id if staff is not None else None,
    )
    audit.record(
        "charge.create",
        charge,
        actor=staff,
        organisation=ticket.organisation_id,
        summary=(
            f"Avgift {kr(price)} för {request_type.label} (ärende {ticket.number}) "
            "till nästa faktura"
        ),
    )
    return charge


def mark_collected(ids: list[int], *, staff) -> tuple[int, int]:
    """Markera som hämtade: the charges ``ids`` that are still uncollected
    are collected now; (count, öre). A second click finds none left. Call
    inside ``write_tx``."""
    rows = list(
        Charge.select(Charge.id, Charge.amount_ore)
        .where(Charge.id.in_(ids or [0]) & Charge.collected_at.is_null())
        .tuples()
    )
    if not rows:
        return 0, 0
    found = [row_id for row_id, _ in rows]
    count = (
        Charge.update(collected_at=utcnow(), collected_by=staff.id)
        .where(Charge.id.in_(found) & Charge.collected_at.is_null())
        .execute()
    )
    total = sum(amount for _, amount in rows)
    audit.record(
        "charge.collect",
        None,
        actor=staff,
        organisation=audit.STAFF_ONLY,
        summary=f"{count} avgifter ({kr(total)}) markerade som hämtade",
        after={"ids": found},
    )
    return count, total
