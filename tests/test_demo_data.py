"""The demo data shows what the README promises on any day it is loaded:
its dates and numbers are drawn afresh from the day (seed/demo.py), so the
first days of a month, before that month's invoices fall due, must still
give overdue invoices, and every user type something to see."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from models import Invoice, Order, Service, User
from seed import demo
from tables.orders import ORDER_STATUSES
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN

DAYS = [
    dt.date(2026, 12, 1),  # the month's invoice is not yet issued, last month's not yet due
    dt.date(2027, 1, 10),  # last month's invoice falls due today
    dt.date(2027, 2, 11),  # the month's invoice is issued today
    dt.date(2027, 3, 31),
]


def invoice_statuses(username: str, today: dt.date) -> Counter:
    who = User.get(User.username == username)
    return Counter(invoice.shown_status(today) for invoice in Invoice.visible_to(who))


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_demo_data_on_any_day(app, today):
    demo.seed(today)

    for username in (ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN):
        statuses = invoice_statuses(username, today)
        assert statuses["overdue"] >= 1, f"{username} has no overdue invoice on {today}"
        assert statuses["paid"] >= 1
    assert invoice_statuses(ADMIN, today)["unpaid"] >= 1

    admin = User.get(User.username == ADMIN)
    issued = [invoice.invoice_date for invoice in Invoice.visible_to(admin)]
    assert max(issued) <= today
    assert len({(day.year, day.month) for day in issued}) == 12

    orders = {order.status for order in Order.visible_to(admin)}
    assert orders == set(ORDER_STATUSES)

    konto = User.get(User.username == ACCOUNT_ADMIN)
    mobiles = Service.visible_to(konto).where(
        (Service.kind == "mobile") & (Service.status == "active")
    )
    assert mobiles.count() >= 1
