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


def test_other_filters_count_rows_on_the_listed_table_alone(demo_app, sql_log):
    SERVICE_LIST.page(user(ADMIN), state(SERVICE_LIST, f_user="a", sort="monthly"))
    counts = [s for s in sql_log if "COUNT(" in s]
    assert len(counts) == 1 and 'FROM "service"' in counts[0] and "JOIN" not in counts[0]


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


# ----------------------------------------------------------------------- deep pages


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize(
    "args",
    [
        {"f_status": ""},
        {"f_status": "", "sort": "user", "dir": "desc"},
        {"f_status": "", "sort": "monthly"},
        {"f_status": "", "sort": "product", "dir": "desc"},
    ],
)
def test_every_page_holds_its_slice_of_the_whole_list(demo_app, username, args):
    """Pages past the middle are read from the end; they must still hold the
    same rows in the same order as reading from the start would."""
    who = user(username)
    whole_state = state(SERVICE_LIST, **args)
    whole = [
        s.id for s in SERVICE_LIST.ordered(SERVICE_LIST.filtered(who, whole_state), whole_state)
    ]
    per_page = 10
    pages = -(-len(whole) // per_page)
    assert pages >= 2  # the last page is read backwards
    for number in range(1, pages + 1):
        page_state = state(SERVICE_LIST, page=str(number), per_page=str(per_page), **args)
        listing = SERVICE_LIST.page(who, page_state)
        start = (number - 1) * per_page
        assert [row.id for row in listing.rows] == whole[start : start + per_page], number


def test_a_page_beyond_the_end_shows_the_last_page(demo_app):
    listing = INVOICE_LIST.page(user(ADMIN), state(INVOICE_LIST, page="2000"))
    assert listing.state.page == listing.pages > 1
    assert listing.last == listing.total and listing.rows
