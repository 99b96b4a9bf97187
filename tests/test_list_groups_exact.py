"""The group filter's fast form (tables/group_filter.py: sets of owners
first, the row's month looked up only for rows in them) finds exactly the
rows of its definition, written here row by row as it was before: a row
is in a category's chosen groups when its service's own membership there
covers the row's month, else when its account's does; categories narrow.

Checked on every list, as the Administratör and the Kontoadministratör, for
every single group, two groups of one category, and groups of two
categories, on the demo data (a service that changed group mid-year,
services overriding their account's department) with more edges added: an
account that changed department, a membership that ended, one that starts
next month, and an own membership only for past months."""

from __future__ import annotations

import itertools

import pytest
from peewee import SQL, fn
from werkzeug.datastructures import MultiDict

from database import write_tx
from models import Account, Group, GroupCategory, GroupMembership, Service, User
from tables.billing import Invoice, InvoiceLine
from tables.group_filter import month_of
from tests.conftest import ACCOUNT_ADMIN, ADMIN
from tests.groups_fixtures import group, mobiles, months


def _holds(m, month):
    return (m.start_month <= month) & (m.end_month.is_null() | (m.end_month >= month))


def _owner_in(field, owner, group_ids, month):
    m = GroupMembership.alias()
    return fn.EXISTS(
        m.select(SQL("1")).where(
            (getattr(m, field) == owner) & m.group.in_(group_ids) & _holds(m, month)
        )
    )


def _own_in_category(service, category_id, month):
    m, g = GroupMembership.alias(), Group.alias()
    return fn.EXISTS(
        m.select(SQL("1"))
        .join(g, on=(m.group == g.id))
        .where((m.service == service) & (g.category == category_id) & _holds(m, month))
    )


def _reference(chosen, account, month, service=None):
    condition = None
    for category_id, group_ids in chosen.items():
        one = _owner_in("account", account, group_ids, month)
        if service is not None:
            own = _owner_in("service", service, group_ids, month)
            one = own | (~_own_in_category(service, category_id, month) & one)
        condition = one if condition is None else condition & one
    return condition


def _reference_invoices(chosen):
    line, any_line = InvoiceLine.alias(), InvoiceLine.alias()
    month = month_of(fn.COALESCE(line.period_start, Invoice.period_start, Invoice.invoice_date))
    counted = fn.EXISTS(
        line.select(SQL("1")).where(
            (line.invoice == Invoice.id)
            & _reference(chosen, Invoice.account, month, service=line.service)
        )
    )
    no_lines = ~fn.EXISTS(any_line.select(SQL("1")).where(any_line.invoice == Invoice.id))
    own_month = month_of(fn.COALESCE(Invoice.period_start, Invoice.invoice_date))
    return counted | (no_lines & _reference(chosen, Invoice.account, own_month))


def _lists():
    from blueprints.accounts.views import ACCOUNT_LIST
    from blueprints.calls import CALL_RECORD_LIST
    from blueprints.invoices.views import INVOICE_LIST
    from blueprints.orders.listing import ORDER_LIST
    from blueprints.services.listing import SERVICE_LIST
    from blueprints.tickets.listing import TICKET_LIST

    return [ACCOUNT_LIST, SERVICE_LIST, INVOICE_LIST, CALL_RECORD_LIST, ORDER_LIST, TICKET_LIST]


def _reference_condition(view, chosen):
    from web.lists.groups import InvoiceGroupRule

    rule = view.groups
    if isinstance(rule, InvoiceGroupRule):
        return _reference_invoices(chosen)
    return _reference(chosen, rule.account, rule.month(), service=rule.service)


@pytest.fixture
def edges(demo_app):
    """More memberships on the demo's: Byta grupp on an account, an ended
    one, a future one, and a service's own membership in past months only."""
    sales, tech = group("Avdelning:Sälj"), group("Avdelning:Teknik")
    finance = group("Avdelning:Ekonomi")
    ks100 = group("Kostnadsställe:KS 100")
    accounts = {a.customer_number: a for a in Account.select()}
    with write_tx():
        # 23080671 is in Teknik from its opening: it moves to Ekonomi 3 months ago.
        moved = accounts["23080671"]
        GroupMembership.update(end_month=months(-4)).where(
            (GroupMembership.account == moved) & (GroupMembership.group == tech)
        ).execute()
        GroupMembership.create(group=finance, account=moved, start_month=months(-3))
        # 99012615 left KS 100 two months ago; back in it from next month.
        GroupMembership.update(end_month=months(-2)).where(
            (GroupMembership.account == accounts["99012615"]) & (GroupMembership.group == ks100)
        ).execute()
        GroupMembership.create(group=ks100, account=accounts["99012615"], start_month=months(1))
        # A mobile of 23080671 was itself in Sälj from 5 to 2 months ago only.
        GroupMembership.create(
            group=sales,
            service=mobiles("23080671")[0],
            start_month=months(-5),
            end_month=months(-2),
        )
    return [sales, tech, finance, ks100, group("Kostnadsställe:KS 200")]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
def test_the_fast_filter_finds_exactly_the_rows_of_its_definition(demo_app, edges, username):
    user = User.get(User.username == username)
    by_category = {}
    for g in edges:
        by_category.setdefault(g.category_id, []).append(g.id)
    combos = [[g.id] for g in edges]
    combos += [list(ids) for ids in by_category.values() if len(ids) > 1]
    combos += [[a, b] for a, b in itertools.product(*by_category.values())]
    found_any = 0
    with demo_app.test_request_context("/"):
        for view in _lists():
            for ids in combos:
                state = view.state(MultiDict([("grupp", i) for i in ids]), path=f"/{view.name}")
                fast = {r.id for r in view.narrowed(user, state).select(view.model.id)}
                chosen = {}
                for g in GroupCategory.select().join(Group).where(Group.id.in_(ids)).distinct():
                    chosen[g.id] = [i for i in ids if Group.get_by_id(i).category_id == g.id]
                reference = view.base_query(user).where(_reference_condition(view, chosen))
                expected = {r.id for r in reference.select(view.model.id)}
                assert fast == expected, (view.name, ids, fast ^ expected)
                # The page (its ids found by walking the list's index with the
                # sets probed, ListView.page) shows rows of them and their total.
                page = view.page(user, state)
                assert page.total == len(expected), (view.name, ids)
                shown = [row.id for row in page.rows]
                assert set(shown) <= expected and len(shown) == min(len(expected), 20)
                found_any += bool(fast)
    assert found_any > 10  # the combinations are not all empty


def test_every_service_case_is_in_the_demo(demo_app, edges):
    """The edges the comparison relies on are there: a service in a group
    by its own membership against its account's."""
    own = Service.select().join(GroupMembership, on=(GroupMembership.service == Service.id))
    assert own.count() >= 4
