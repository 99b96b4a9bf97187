"""An order's status changes and versions, written the same way by every
step of the life cycle: each change is an OrderEvent (the order page's
history) and an audit row, made only if the order is still in the status the
caller saw, so two people acting at once change it once."""

from __future__ import annotations

import json

from database import utcnow
from domain import audit
from domain.text import T_
from tables.orders import ORDER_STATUSES, Order, OrderEvent, OrderVersion


class OrderConflict(Exception):
    """The order changed under the caller (another person acted first)."""


def set_status(
    order: Order,
    to_status: str,
    *,
    user=None,
    staff=None,
    comment: str = "",
    expect: tuple[str, ...] | None = None,
    **fields,
) -> None:
    """Move ``order`` to ``to_status`` (call inside ``write_tx``).

    ``expect`` are the statuses the change is allowed from (default: the
    order's status as loaded); if the row is no longer in one of them the
    change is not made and :class:`OrderConflict` is raised. ``fields`` are
    written in the same UPDATE (completed_at, answer, …).
    """
    assert to_status in ORDER_STATUSES, to_status
    allowed = expect if expect is not None else (order.status,)
    now = utcnow()
    changed = (
        Order.update(status=to_status, changed_at=now, **fields)
        .where((Order.id == order.id) & (Order.status.in_(allowed)))
        .execute()
    )
    if not changed:
        raise OrderConflict(
            T_("Beställning %(number)s har redan ändrats av någon annan.", number=order.number)
        )
    from_status = order.status
    order.status, order.changed_at = to_status, now
    for name, value in fields.items():
        setattr(order, name, value)
    OrderEvent.create(
        order=order,
        at=now,
        from_status=from_status,
        to_status=to_status,
        user=getattr(user, "id", user),
        staff=getattr(staff, "id", staff),
        comment=comment,
    )
    audit.record(
        "order.status",
        order,
        summary=f"Beställning {order.number}: {ORDER_STATUSES[to_status]}",
        before={"status": from_status},
        after={"status": to_status, **({"comment": comment} if comment else {})},
        organisation=order.organisation_id,
        actor=staff or user,
    )


def save_version(order: Order, snapshot: dict, *, user=None) -> OrderVersion:
    """Freeze what the order holds now as its current version (v0 when sent,
    one more for each change after sending; call inside ``write_tx``)."""
    return OrderVersion.create(
        order=order,
        version=order.version,
        snapshot=json.dumps(snapshot, ensure_ascii=False, default=str, sort_keys=True),
        created_by=getattr(user, "id", user),
    )
