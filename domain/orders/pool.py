"""The operator's number pool (Mobilnummer in Ny beställning): a number is
reserved by the order it was chosen in when that order is sent, used when the
order is completed, and free again when the order is rejected, undone or
cancelled. Reserving is one conditional UPDATE, so two orders sent at once
cannot both take the same number."""

from __future__ import annotations

from database import utcnow
from domain.text import T_
from tables.orders import Order, PoolNumber


class NumberTaken(Exception):
    def __init__(self, number: str):
        super().__init__(
            T_(
                "Numret %(number)s har just valts i en annan beställning. Välj ett annat.",
                number=number,
            )
        )
        self.number = number


def free_numbers(kind: str = "mobile", *, limit: int = 20, after: str = "") -> list[str]:
    """Free numbers of a kind in number order (``after`` pages on)."""
    query = PoolNumber.select(PoolNumber.number).where(
        (PoolNumber.kind == kind) & (PoolNumber.status == "free") & (PoolNumber.number > after)
    )
    return [n for (n,) in query.order_by(PoolNumber.number).limit(limit).tuples()]


def is_free(number: str, kind: str = "mobile") -> bool:
    return (
        PoolNumber.select()
        .where(
            (PoolNumber.number == number)
            & (PoolNumber.kind == kind)
            & (PoolNumber.status == "free")
        )
        .exists()
    )


def reserve(number: str, order: Order, kind: str = "mobile") -> None:
    """Take a free number for ``order`` (call inside ``write_tx``); raises
    :class:`NumberTaken` if it is no longer free."""
    taken = (
        PoolNumber.update(status="reserved", order=order.id, changed_at=utcnow())
        .where(
            (PoolNumber.number == number)
            & (PoolNumber.kind == kind)
            & (PoolNumber.status == "free")
        )
        .execute()
    )
    if not taken:
        raise NumberTaken(number)


def release(order: Order) -> int:
    """Give back the numbers ``order`` reserved (rejected, undone, cancelled)."""
    return (
        PoolNumber.update(status="free", order=None, changed_at=utcnow())
        .where((PoolNumber.order == order.id) & (PoolNumber.status == "reserved"))
        .execute()
    )


def mark_used(order: Order) -> int:
    """The order is completed: its numbers now belong to services."""
    return (
        PoolNumber.update(status="used", changed_at=utcnow())
        .where((PoolNumber.order == order.id) & (PoolNumber.status == "reserved"))
        .execute()
    )
