"""How the list engine keeps counting and paging cheap at 100,000 rows
(web/listview.py), checked on the demo data against plain queries."""

from __future__ import annotations

import logging

import pytest
from werkzeug.datastructures import MultiDict

from blueprints.invoices import INVOICE_LIST
from blueprints.services import SERVICE_LIST
from models import Service, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN


@pytest.fixture
def sql_log():
    """The SQL statements run while the fixture is active."""
    statements: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            statements.append(record.msg[0])

    logger = logging.getLogger("peewee")
    handler = Capture()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield statements
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def user(username):
    return User.get(User.username == username)


def state(view, **args):
    return view.state(MultiDict(args), path=f"/{view.name}")


@pytest.mark.parametrize(
    ("args", "joined"),
    [
        ({}, set()),
        ({"sort": "monthly", "dir": "desc", "f_status": ["active", "barred"]}, set()),
        ({"sort": "product"}, {"product"}),
        ({"f_account": "99500852"}, {"account"}),
        ({"f_product": "Mobil", "sort": "account"}, {"account", "product"}),
    ],
)
def test_counting_and_paging_join_only_what_filters_and_sort_use(demo_app, args, joined):
    sql = SERVICE_LIST.narrowed(user(ADMIN), state(SERVICE_LIST, **args)).sql()[0]
    assert {t for t in ("account", "product") if f'JOIN "{t}"' in sql} == joined


def test_count_query_runs_on_the_listed_table_alone(demo_app, sql_log):
    SERVICE_LIST.page(user(ADMIN), state(SERVICE_LIST))
    counts = [s for s in sql_log if "COUNT(" in s]
    assert counts and all("JOIN" not in s for s in counts)


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize(
    "args",
    [
        {"f_status": ""},
        {"f_status": "", "sort": "product", "dir": "desc"},
        {"f_status": "", "sort": "account"},
        {"f_account": "underkonto", "sort": "monthly", "dir": "desc"},
    ],
)
def test_rows_come_whole_and_in_sort_order(demo_app, username, args):
    who = user(username)
    view_state = state(SERVICE_LIST, per_page="100", **args)
    listing = SERVICE_LIST.page(who, view_state)
    expected = [
        s.id for s in SERVICE_LIST.ordered(SERVICE_LIST.filtered(who, view_state), view_state)
    ]
    assert [row.id for row in listing.rows] == expected
    assert listing.total == len(expected)
    # account and product came with the rows, not one query per row
    assert all(row.__rel__.get("account") and row.__rel__.get("product") for row in listing.rows)


def test_account_admin_count_matches_the_scope(demo_app):
    who = user(ACCOUNT_ADMIN)
    listing = SERVICE_LIST.page(who, state(SERVICE_LIST, f_status=""))
    assert listing.total == Service.visible_to(who).count()


def test_invoice_rows_carry_their_account(demo_app):
    listing = INVOICE_LIST.page(user(ADMIN), state(INVOICE_LIST))
    assert listing.rows
    assert all(row.__rel__.get("account") for row in listing.rows)
