"""Helpers of the group tests (tests/test_groups*.py), on the demo data of
seed/demo_groups.py."""

from __future__ import annotations

import datetime as dt

HTMX = {"HX-Request": "true"}


def this_month() -> dt.date:
    return dt.date.today().replace(day=1)


def months(count: int) -> dt.date:
    """The first of the month ``count`` months from this one."""
    from domain.groups import add_months

    return add_months(this_month(), count)


def ym(month: dt.date | None) -> str:
    return month.strftime("%Y-%m") if month else ""


def group(label: str):
    """A demo group by "Kategori:Grupp"."""
    from models import Group, GroupCategory

    category, name = label.split(":")
    return (
        Group.select(Group, GroupCategory)
        .join(GroupCategory)
        .where((GroupCategory.name == category) & (Group.name == name))
        .get()
    )


def memberships(obj) -> list[tuple[str, dt.date, dt.date | None]]:
    from domain.groups import memberships_of

    return sorted((m.group.label, m.start_month, m.end_month) for m in memberships_of(obj))


def mobiles(customer_number: str) -> list:
    from models import Account, Service

    account = Account.get(Account.customer_number == customer_number)
    return list(
        Service.select()
        .where((Service.account == account) & (Service.kind == "mobile"))
        .order_by(Service.id)
    )
