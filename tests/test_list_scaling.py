"""How the list engine keeps counting and paging cheap at 100,000 rows
(web/lists/), checked on the demo data against plain queries."""

from __future__ import annotations

import re

import click
import pytest
from werkzeug.datastructures import MultiDict

from blueprints.calls import CALL_RECORD_LIST
from blueprints.invoices import INVOICE_LIST
from blueprints.reports.overview import SUBSCRIPTIONS
from blueprints.services import SERVICE_LIST
from cli import migrate
from database import db, is_sqlite, write_tx
from models import (
    Account,
    CallRecord,
    Invoice,
    OrganisationTally,
    RowTally,
    Service,
    StaffUser,
    User,
)
from tables.services import LIVE_STATUSES, SERVICE_STATUSES
from tables.tally import TALLIED, missing_triggers, recount
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF
from web.listview import WALK_COST


def user(username):
    return User.get(User.username == username)


def _copy_service(service, **changes):
    fields = {name: getattr(service, name) for name in Service._meta.fields if name != "id"}
    fields["number"] = f"{service.number}9"
    return Service.create(**(fields | changes))


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


@pytest.mark.parametrize(
    ("username", "tally"), [(ADMIN, "organisation_tally"), (ACCOUNT_ADMIN, "row_tally")]
)
def test_status_filtered_total_comes_from_the_tally(demo_app, sql_log, username, tally):
    listing = SERVICE_LIST.page(user(username), state(SERVICE_LIST))
    assert not [s for s in sql_log if "COUNT(" in s]
    assert [s for s in sql_log if f'FROM "{tally}"' in s]
    live = Service.visible_to(user(username)).where(Service.status.in_(("active", "barred")))
    assert listing.total == live.count()


def test_other_filters_count_rows_on_the_listed_table_alone(demo_app, sql_log):
    SERVICE_LIST.page(user(ADMIN), state(SERVICE_LIST, f_user="a", sort="monthly"))
    counts = [s for s in sql_log if "COUNT(" in s]
    assert len(counts) == 1 and 'FROM "service"' in counts[0] and "JOIN" not in counts[0]


def every_page(view, who, args, per_page=10):
    """(state, ids the page must hold) for each page of the list, cut from
    the whole list read at once in its order."""
    whole_state = state(view, **args)
    whole = [row.id for row in view.ordered(view.filtered(who, whole_state), whole_state)]
    pages = -(-len(whole) // per_page)
    assert pages >= 2  # the last page is read backwards
    for number in range(1, pages + 1):
        start = (number - 1) * per_page
        page_state = state(view, page=str(number), per_page=str(per_page), **args)
        yield page_state, whole[start : start + per_page]


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


# ----------------------------------------------------------------------- the row tally


def tally_rows() -> set[tuple]:
    accounts = {
        (t.table_name, t.organisation_id, t.account_id, t.bucket, t.n)
        for t in RowTally.select()
        if t.n
    }
    organisations = {
        (t.table_name, t.organisation_id, None, t.bucket, t.n)
        for t in OrganisationTally.select()
        if t.n
    }
    return accounts | organisations


def counted_rows() -> set[tuple]:
    """What the tally must hold, counted from the tables themselves."""
    out = set()
    for table, (bucket, condition) in TALLIED.items():
        where = f"WHERE {condition.format(row=table)}" if condition else ""
        sql = (
            f"SELECT organisation_id, account_id, {bucket}, COUNT(*) FROM {table} {where} "
            f"GROUP BY 1, 2, 3"
        )
        out |= {(table, *row) for row in db.execute_sql(sql).fetchall()}
        sql = f"SELECT organisation_id, NULL, {bucket}, COUNT(*) FROM {table} {where} GROUP BY 1, 3"
        out |= {(table, *row) for row in db.execute_sql(sql).fetchall()}
    return out


def test_demo_data_is_tallied(demo_app):
    assert tally_rows()
    assert {row[0] for row in tally_rows()} == set(TALLIED)
    assert tally_rows() == counted_rows()


def test_migrated_database_has_every_tally_trigger(app):
    assert missing_triggers() == []


def drop_trigger(name: str, table: str) -> None:
    on = "" if is_sqlite() else f' ON "{table}"'
    with write_tx():
        db.execute_sql(f"DROP TRIGGER {name}{on}")


def test_migrate_refuses_to_leave_a_table_untallied(app):
    """A migration that rebuilds a tallied table (SQLite drops its triggers)
    must put them back: the migrate command checks and rolls back."""
    drop_trigger("row_tally_service_update", "service")
    with pytest.raises(click.ClickException, match="row_tally_service_update"):
        migrate()
    assert missing_triggers() == ["row_tally_service_update"]


def test_triggers_follow_every_kind_of_write(app, make_org, make_account, make_service):
    org = make_org()
    top = org.top_account()
    sub = make_account(org)
    services = [make_service(top, status=s) for s in ("active", "active", "barred", "ordered")]
    assert tally_rows() == counted_rows()
    with write_tx():
        services[0].status = "terminating"
        services[0].save()  # every column in SET, one changed
        services[1].save()  # nothing changed
        Service.update(status="active").where(Service.status == "ordered").execute()
        Service.update(hidden=True).where(Service.id == services[2].id).execute()
        Service.update(account=sub).where(Service.id == services[1].id).execute()
    assert tally_rows() == counted_rows()
    with write_tx():
        Service.update(hidden=False, status="terminated").where(
            Service.id == services[2].id
        ).execute()
        services[3].delete_instance()
        invoice = Invoice.create(
            organisation=org,
            account=sub,
            number="T-1",
            invoice_date="2026-01-01",
            due_date="2026-01-31",
            amount_ore=100,
        )
        CallRecord.insert_many(
            [
                {
                    "organisation": org.id,
                    "account": sub.id,
                    "service": services[1].id,
                    "started_at": "2026-01-02 10:00:00",
                    "a_number": "0701234567",
                    "traffic_type": kind,
                }
                for kind in ("sms", "sms", "data")
            ]
        ).execute()
    assert tally_rows() == counted_rows()
    with write_tx():
        Invoice.update(status="paid").where(Invoice.id == invoice.id).execute()
        CallRecord.delete().where(CallRecord.traffic_type == "data").execute()
    assert tally_rows() == counted_rows()


def tally_paths_are_the_accounts() -> bool:
    rows = RowTally.select(RowTally.path, Account.path).join(Account).tuples()
    return bool(rows) and all(tally == account for tally, account in rows)


def test_tally_rows_carry_their_accounts_path(demo_app):
    """A sub-tree's total reads the tally by path: every tally row has its
    account's path, new ones too, and keeps it when the account moves."""
    from domain.accounts import create_account

    assert tally_paths_are_the_accounts()
    org = user(ADMIN).organisation
    with write_tx():
        moved = create_account(org, org.top_account(), "80000001", company_name="Flyttas AB")
        some = Service.select().where(Service.organisation == org.id).first()
        _copy_service(some, account=moved, status="active", hidden=False)  # a new tally row
    assert tally_paths_are_the_accounts()
    target = user(ACCOUNT_ADMIN).scope_account
    who = user(ACCOUNT_ADMIN)
    view_state = state(SERVICE_LIST, f_status="")
    before = SERVICE_LIST.tally.total(who, view_state)
    with write_tx():  # moved into the Kontoadministratör's sub-tree
        Account.update(path=f"{target.path}{moved.id}/", parent=target).where(
            Account.id == moved.id
        ).execute()
    assert tally_paths_are_the_accounts()
    assert SERVICE_LIST.tally.total(who, view_state) == before + 1
    assert SERVICE_LIST.filtered(who, view_state).count() == before + 1


@pytest.mark.parametrize(
    "trigger, table",
    [("row_tally_path_insert", "row_tally"), ("row_tally_account_path", "account")],
)
def test_the_path_triggers_are_checked_too(app, trigger, table):
    drop_trigger(trigger, table)
    assert missing_triggers() == [trigger]


def test_recount_rebuilds_the_same_tally(demo_app):
    before = tally_rows()
    with write_tx():
        RowTally.update(n=RowTally.n + 7).execute()
        OrganisationTally.delete().execute()
        recount()
    assert tally_rows() == before


STATUS_SETS = [[s] for s in SERVICE_STATUSES] + [["active", "barred"], list(SERVICE_STATUSES)]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
@pytest.mark.parametrize("statuses", [*STATUS_SETS, None])
def test_service_totals_equal_counting_rows(demo_app, username, statuses):
    who = user(username)
    view_state = state(SERVICE_LIST, **({"f_status": statuses} if statuses else {}))
    expected = SERVICE_LIST.filtered(who, view_state).count()
    assert SERVICE_LIST.tally.total(who, view_state) == expected
    assert SERVICE_LIST.page(who, view_state).total == expected


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize(
    "statuses",
    [None, ["paid"], ["unpaid"], ["overdue"], ["unpaid", "overdue"], ["paid", "overdue"]],
)
def test_invoice_totals_equal_counting_rows(demo_app, username, statuses):
    who = user(username)
    view_state = state(INVOICE_LIST, **({"f_status": statuses} if statuses else {}))
    expected = INVOICE_LIST.filtered(who, view_state).count()
    assert INVOICE_LIST.page(who, view_state).total == expected


def test_staff_totals_cover_every_organisation(demo_app):
    staff = StaffUser.get(StaffUser.username == STAFF)
    view_state = state(CALL_RECORD_LIST, f_traffic=["sms", "data"])
    expected = CallRecord.select().where(CallRecord.traffic_type.in_(["sms", "data"])).count()
    assert CALL_RECORD_LIST.tally.total(staff, view_state) == expected


def test_users_limited_to_chosen_objects_are_counted_row_by_row(demo_app):
    who = user(ACCOUNT_ADMIN)
    who.restricted = True
    assert SERVICE_LIST.tally.total(who, state(SERVICE_LIST)) is None


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
    for page_state, expected in every_page(SERVICE_LIST, user(username), args):
        listing = SERVICE_LIST.page(user(username), page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page


# A Kontoadministratör's page found by walking an index in the list's order
# (ListView._walk_pays). The demo's sub-tree is too small for the walk to pay,
# so these tests make it always pay. PostgreSQL never walks: its planner
# merges index scans in order by itself (Merge Append), so there the list
# asks for no plan and writes the plain query.

WALKED = '+"t1"."account_id" IN'


@pytest.fixture
def always_walk(monkeypatch):
    import web.lists.planning

    monkeypatch.setattr(web.lists.planning, "WALK_COST", 0)


def id_queries(statements, table):
    return [s for s in statements if s.startswith(f'SELECT "t1"."id" FROM "{table}"')]


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
@pytest.mark.parametrize(
    ("view", "args"),
    [
        (INVOICE_LIST, {}),
        (INVOICE_LIST, {"f_status": "paid"}),
        (SERVICE_LIST, {"f_status": "active"}),
        (SERVICE_LIST, {"f_status": "active", "sort": "user", "dir": "desc"}),
    ],
)
def test_a_walked_page_holds_the_same_rows(demo_app, always_walk, sql_log, view, args):
    who = user(ACCOUNT_ADMIN)
    for page_state, expected in every_page(view, who, args):
        sql_log.clear()
        listing = view.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
        assert all(WALKED in q for q in id_queries(sql_log, view.model._meta.table_name))
        assert id_queries(sql_log, view.model._meta.table_name)


MERGED = "UNION ALL"


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
@pytest.mark.parametrize(
    "args",
    [
        {},  # Tjänster as it opens: Aktiv and Spärrad by number
        {"f_status": ["active", "barred"], "sort": "monthly"},
        {"f_status": ["active", "barred", "terminated"], "sort": "monthly", "dir": "desc"},
        {"f_status": ["active", "terminated"], "sort": "user"},
    ],
)
def test_several_values_walk_one_index_each_merged(demo_app, always_walk, sql_log, args):
    """Two statuses sorted by monthly fee: no one index gives that order, but
    one gives each status's: a walk per status, merged, holds the same rows
    on every page as sorting the sub-tree's rows would."""
    who = user(ACCOUNT_ADMIN)
    for page_state, expected in every_page(SERVICE_LIST, who, args):
        sql_log.clear()
        listing = SERVICE_LIST.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
        (query,) = [s for s in sql_log if s.startswith("SELECT") and MERGED in s]
        walks = re.findall(r'\+"t\d+"\."account_id" IN', query)
        statuses = args.get("f_status", LIVE_STATUSES)
        assert len(walks) == query.count(MERGED) + 1 == len(statuses)


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
@pytest.mark.parametrize(
    "args",
    [{}, {"f_status": ["active", "barred", "terminated"], "sort": "monthly", "dir": "desc"}],
)
def test_an_administrators_several_values_are_merged_not_sorted(demo_app, sql_log, args):
    """A whole organisation is never walked, but with several statuses each
    one's rows still come in order off an index: merged, a deep page skips
    index entries instead of sorting all the rows before it."""
    who = user(ADMIN)
    for page_state, expected in every_page(SERVICE_LIST, who, args):
        sql_log.clear()
        listing = SERVICE_LIST.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
        (query,) = [s for s in sql_log if s.startswith("SELECT") and MERGED in s]
        assert WALKED not in query
        assert query.count(MERGED) + 1 == len(args.get("f_status", LIVE_STATUSES))


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize("args", [{}, {"sort": "monthly", "dir": "desc"}, {"sort": "user"}])
def test_a_walked_column_unfiltered_is_merged_over_all_its_values(
    demo_app, sql_log, username, args
):
    """Översikt – Abonnemang lists every status (``walk_each``): unfiltered,
    each status's services still come off an index in order, one walk per
    status merged, and every page holds what sorting them all would."""
    who = user(username)
    for page_state, expected in every_page(SUBSCRIPTIONS, who, args):
        sql_log.clear()
        listing = SUBSCRIPTIONS.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
        (query,) = [s for s in sql_log if s.startswith("SELECT") and MERGED in s]
        assert query.count(MERGED) + 1 == len(SERVICE_STATUSES)


def test_a_filter_on_the_walked_column_is_walked_as_chosen(demo_app, sql_log):
    who = user(ADMIN)
    for page_state, expected in every_page(SUBSCRIPTIONS, who, {"f_status": "active"}):
        sql_log.clear()
        listing = SUBSCRIPTIONS.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
        assert not [s for s in sql_log if MERGED in s]


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
def test_a_plan_is_asked_for_once_per_shape(demo_app, always_walk, sql_log):
    """Whether a walk follows an index is asked of SQLite once per SQL text
    (its parameters bound apart): the same list asked again is not asked."""
    who = user(ACCOUNT_ADMIN)
    args = {"f_status": ["active", "barred"], "sort": "monthly", "per_page": "10"}
    first = SERVICE_LIST.page(who, state(SERVICE_LIST, **args))
    asked = [s for s in sql_log if s.startswith("EXPLAIN QUERY PLAN")]
    assert len(asked) == 1 and MERGED in asked[0]
    sql_log.clear()
    again = SERVICE_LIST.page(who, state(SERVICE_LIST, **args))
    assert [r.id for r in again.rows] == [r.id for r in first.rows]
    assert not [s for s in sql_log if s.startswith("EXPLAIN")]
    assert [s for s in sql_log if s.startswith("SELECT") and MERGED in s]


def test_a_walk_that_would_sort_is_not_taken(demo_app, always_walk, sql_log):
    """Sorted by product name (a joined table): no index gives that order,
    walked or merged, so the sub-tree's rows are sorted."""
    who = user(ACCOUNT_ADMIN)
    view_state = state(SERVICE_LIST, f_status=["active", "barred"], sort="product")
    listing = SERVICE_LIST.page(who, view_state)
    assert listing.rows
    (query,) = id_queries(sql_log, "service")
    assert WALKED not in query and MERGED not in query
    assert '("t1"."account_id" IN (SELECT' in query


@pytest.mark.parametrize("username", [ADMIN, STAFF])
def test_whole_organisations_are_never_walked(demo_app, always_walk, sql_log, username):
    who = StaffUser.get(StaffUser.username == username) if username == STAFF else user(username)
    listing = INVOICE_LIST.page(who, state(INVOICE_LIST))
    assert listing.rows
    assert not any(WALKED in s or s.startswith("EXPLAIN") for s in sql_log)


@pytest.mark.sqlite_only  # the walk is SQLite's (see ListView._walk_pays)
def test_the_walk_pays_only_for_a_large_share(demo_app):
    """Without the test's nudge, the demo's sub-tree is small next to its
    organisation: looking its rows up beats walking the organisation's."""
    who = user(ACCOUNT_ADMIN)
    view_state = state(INVOICE_LIST)
    total = INVOICE_LIST.count(who, view_state)
    organisation = INVOICE_LIST.tally.organisation_total(who, view_state)
    assert 0 < total < organisation
    assert not INVOICE_LIST._walk_pays(who, view_state, None, total)
    # A sub-tree holding nearly all of the organisation's invoices would walk
    # (for page 1 that means more than per_page × WALK_COST of them).
    short_pages = state(INVOICE_LIST, per_page="10")
    assert organisation > short_pages.per_page * WALK_COST
    assert INVOICE_LIST._walk_pays(who, short_pages, None, organisation)


def test_a_page_beyond_the_end_shows_the_last_page(demo_app):
    listing = INVOICE_LIST.page(user(ADMIN), state(INVOICE_LIST, page="2000"))
    assert listing.state.page == listing.pages > 1
    assert listing.last == listing.total and listing.rows


# ----------------------------------------------------------------------- page rows


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize("view", [SERVICE_LIST, INVOICE_LIST, CALL_RECORD_LIST])
def test_page_rows_render_as_whole_rows_would(demo_app, username, view):
    """A page's rows load only ``page_fields``: the row template must show
    nothing else, or it would show blanks."""
    import datetime as dt

    from flask import render_template

    from blueprints.calls import DIRECTIONS
    from tables.billing import TRAFFIC_TYPES

    who = user(username)
    listing = view.page(who, state(view, per_page="100", f_status=""))
    assert listing.rows
    ids = [row.id for row in listing.rows]
    whole = {
        row.id: row for row in view._with_rows(view.model.select().where(view.model.id.in_(ids)))
    }
    context = {"lv": view, "today": dt.date.today(), "traffic_types": TRAFFIC_TYPES}
    context["directions"] = DIRECTIONS
    with demo_app.test_request_context(f"/{view.name}"):
        narrow = render_template(view.row_template, lp=listing, **context)
        listing.rows = [whole[i] for i in ids]
        if view.rows_loader:
            view.rows_loader(listing.rows)
        assert render_template(view.row_template, lp=listing, **context) == narrow


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("view", "args"),
    [(INVOICE_LIST, {"f_status": "paid"}), (SERVICE_LIST, {"f_status": ["active", "barred"]})],
)
def test_postgresql_pages_are_never_walked_and_hold_their_slice(
    demo_app, always_walk, sql_log, view, args
):
    who = user(ACCOUNT_ADMIN)
    for page_state, expected in every_page(view, who, args):
        listing = view.page(who, page_state)
        assert [row.id for row in listing.rows] == expected, page_state.page
    assert sql_log
    assert not [s for s in sql_log if s.startswith("EXPLAIN") or WALKED in s or MERGED in s]
