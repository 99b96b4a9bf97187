"""A service action requested from a service page (SRV-3, SRV-4): recorded
as an order and handed to the provisioning backend, which carries it out at
once or leaves it to staff (domain/provisioning.py)."""

from __future__ import annotations

import datetime as dt
import json

from database import utcnow, write_tx
from domain import audit, provisioning
from domain.service_actions import (
    ONE_PENDING,
    OPERATION_PERMISSION,
    OPERATIONS,
    PRODUCT_AREA,
    ActionError,
    check,
    payload_of,
    pending_orders,
)
from domain.text import T_
from models import next_number
from tables.orders import Order, OrderEvent, OrderLine, OrderVersion


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
        raise ActionError(
            T_("Du har inte behörighet att använda %(action)s på det sättet.", action=action.label)
        )
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
                version=0,
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
        if payload_of(order).get("op") == op:
            raise ActionError(
                T_(
                    "Det finns redan en pågående beställning (%(order)s) av samma slag "
                    "för tjänsten.",
                    order=order.label,
                )
            )
