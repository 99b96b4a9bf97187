"""A draft sent (Slutför beställningen → Skicka): checked once more, priced
from the agreement and frozen onto its lines, split into one order per
product area (sharing a ``batch``), its chosen numbers reserved, saved as v0
and handed to the approval chain — all in one transaction, so a number taken
a moment earlier or a second click of Skicka changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from database import utcnow, write_tx
from domain.orders import approvals, flow, notices, pool
from domain.orders.changes import snapshot
from domain.orders.drafts import DraftError, catalogue_for, check, details, products
from domain.text import N_
from tables.orders import Order, OrderLine


class AlreadySent(Exception):
    """The draft was sent already (a double-clicked Skicka, a second tab)."""

    def __init__(self, order_id: int):
        super().__init__(N_("Beställningen är redan skickad."))
        self.order_id = order_id


ORDER_COPY = (
    "organisation",
    "account",
    "type",
    "is_quote",
    "created_by",
    "created_at",
    "payload",
)


def send(draft: Order, user, *, today: dt.date | None = None) -> list[Order]:
    """Send ``draft``; returns the orders it became (one per product area).

    Raises :class:`DraftError` (field → message, nothing written) when
    something is wrong — including a chosen number another order took a
    moment earlier — and :class:`AlreadySent` when the draft is no longer one.
    """
    from models import next_number

    now = utcnow()
    with write_tx():
        # The claim comes first and is conditional: of two clicks on Skicka
        # only one finds the draft still unsent.
        claimed = (
            Order.update(submitted_at=now, changed_at=now)
            .where(
                (Order.id == draft.id) & (Order.status == "draft") & Order.submitted_at.is_null()
            )
            .execute()
        )
        if not claimed:
            raise AlreadySent(draft.id)
        draft = Order.get_by_id(draft.id)
        errors, clean = check(draft, user, today)
        if errors:
            raise DraftError(errors)
        catalogue = catalogue_for(draft, user, today)
        lines = products(draft)
        order_fields = {
            **clean["order"],
            "agreement_number": catalogue.agreement_number,
            "batch": str(draft.number),
            "submitted_at": now,
            "changed_at": now,
            "version": 0,
        }
        by_area: dict[str, list[OrderLine]] = {}
        for line in lines:
            by_area.setdefault(line.product.product_area or "data", []).append(line)
        orders = []
        for index, (area, area_lines) in enumerate(by_area.items()):
            if index == 0:
                order = draft
            else:
                order = Order.create(
                    number=next_number("order_number"),
                    status="draft",
                    **{name: getattr(draft, name) for name in ORDER_COPY},
                )
            for name, value in {**order_fields, "product_area": area}.items():
                setattr(order, name, value)
            order.save()
            for line in area_lines:
                _freeze(line, order, catalogue, clean["lines"].get(line.id, {}))
            orders.append(order)
        for order in orders:
            for line in OrderLine.select().where(
                (OrderLine.order == order.id) & OrderLine.parent.is_null()
            ):
                chosen = details(line)
                if chosen.get("number_choice") == "new" and chosen.get("number"):
                    try:
                        pool.reserve(chosen["number"], order)
                    except pool.NumberTaken as taken:
                        raise DraftError({f"l{line.id}-number": taken.args[0]}) from taken
        for order in orders:
            flow.save_version(order, snapshot(order), user=user)
            approvals.start(order, user)
            notices.notify_status(order)
    return orders


def _freeze(line: OrderLine, order: Order, catalogue, clean_details: dict) -> None:
    """Copy today's agreement prices onto the line and its options, move
    them to ``order`` and keep only the product's Slutför details."""
    price = catalogue.price(line.product)
    line.order = order.id
    line.monthly_ore, line.start_ore, line.binding_months = (
        price.monthly_ore,
        price.start_ore,
        price.binding_months,
    )
    line.details = json.dumps(clean_details, ensure_ascii=False, sort_keys=True)
    line.save()
    for option in OrderLine.select().where(OrderLine.parent == line.id):
        option_price = catalogue.price(option.product)
        option.order = order.id
        option.monthly_ore = option_price.monthly_ore
        option.start_ore = option_price.start_ore
        option.binding_months = option_price.binding_months
        option.save()
