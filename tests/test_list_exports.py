"""Exports of the list engine at scale: tables looked up once instead of
joined (web/lookup.py), and on PostgreSQL rows streamed off a server-side
cursor; checked on the demo data against the joined queries."""

from __future__ import annotations

import re

import pytest

import web.lookup
from blueprints.calls import CALL_RECORD_LIST
from blueprints.invoices import INVOICE_LIST
from blueprints.services import SERVICE_LIST
from database import write_tx
from models import Service, StaffUser
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF
from tests.test_list_scaling import _copy_service, state, user

# ----------------------------------------------------------------------- export look-ups


def exported(view, who, **args):
    """The export's cell values (raw values through their formats)."""
    _, rows, formats = view.export_rows(who, state(view, **args))
    return [
        tuple(
            f(v) if f is not None and v is not None else v
            for f, v in zip(formats, row, strict=True)
        )
        for row in rows
    ]


EXPORT_CASES = [
    (SERVICE_LIST, {"f_status": ""}),
    (SERVICE_LIST, {"f_account": "99500852", "sort": "product"}),
    (INVOICE_LIST, {}),
    (INVOICE_LIST, {"sort": "account", "dir": "desc"}),
    (CALL_RECORD_LIST, {"f_traffic": ["mobile", "sms"]}),
]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize(("view", "args"), EXPORT_CASES)
def test_looked_up_exports_equal_joined_ones(demo_app, monkeypatch, username, view, args):
    who = user(username)
    looked_up = exported(view, who, **args)
    monkeypatch.setattr(web.lookup, "LOOKUP_SPAN", -1)
    assert looked_up
    assert looked_up == exported(view, who, **args)


def test_staff_exports_look_up_across_organisations(demo_app):
    staff = StaffUser.get(StaffUser.username == STAFF)
    looked_up = exported(CALL_RECORD_LIST, staff)
    assert {row[-1] for row in looked_up} >= {"99500852", "23080667"}
    web.lookup.LOOKUP_SPAN, saved = -1, web.lookup.LOOKUP_SPAN
    try:
        assert looked_up == exported(CALL_RECORD_LIST, staff)
    finally:
        web.lookup.LOOKUP_SPAN = saved


@pytest.mark.parametrize(("view", "args"), [EXPORT_CASES[0], EXPORT_CASES[2], EXPORT_CASES[4]])
def test_long_exports_read_the_looked_up_table_at_once(demo_app, monkeypatch, sql_log, view, args):
    """Past ONE_BY_ONE keys, the rest of the table in reach is read in one
    query; the export stays the same as with every key asked alone."""
    who = user(ADMIN)
    one_by_one = exported(view, who, **args)
    monkeypatch.setattr(web.lookup.LookUp, "ONE_BY_ONE", 1)
    sql_log.clear()
    assert exported(view, who, **args) == one_by_one
    single = [s for s in sql_log if s.startswith('SELECT "t1"."customer_number" FROM "account"')]
    whole = [s for s in sql_log if s.startswith('SELECT "t1"."id", "t1"."customer_number" FROM')]
    assert len(single) == 1 and len(whole) == 1, sql_log


def export_sql(statements, table):
    """The export's query (on PostgreSQL declared as a server-side cursor)."""
    queries = (re.sub(r"^DECLARE \w+ NO SCROLL CURSOR FOR ", "", s) for s in statements)
    return next(s for s in queries if s.startswith("SELECT") and f'FROM "{table}"' in s)


def test_small_tables_are_looked_up_not_joined(demo_app, sql_log):
    exported(INVOICE_LIST, user(ADMIN))
    assert 'JOIN "account"' not in export_sql(sql_log, "invoice")
    assert any(s.startswith('SELECT "t1"."customer_number" FROM "account"') for s in sql_log)


def test_a_table_the_filter_uses_stays_joined(demo_app, sql_log):
    exported(INVOICE_LIST, user(ADMIN), f_account="A3")
    assert 'JOIN "account"' in export_sql(sql_log, "invoice")


def test_big_tables_stay_joined(demo_app, monkeypatch, sql_log):
    """With room for the organisation's 7 accounts but not its 38 services,
    accounts are looked up and services joined."""
    monkeypatch.setattr(web.lookup, "LOOKUP_SPAN", 20)
    rows = exported(CALL_RECORD_LIST, user(ADMIN))
    query = export_sql(sql_log, "call_record")
    assert 'JOIN "service"' in query and 'JOIN "account"' not in query
    monkeypatch.setattr(web.lookup, "LOOKUP_SPAN", -1)
    assert rows == exported(CALL_RECORD_LIST, user(ADMIN))


def test_services_are_looked_up_in_the_call_record_export(demo_app, sql_log):
    """An organisation's services lie within LOOKUP_SPAN ids: the call
    records' export reads their user names once instead of joining."""
    rows = exported(CALL_RECORD_LIST, user(ADMIN))
    query = export_sql(sql_log, "call_record")
    assert 'JOIN "service"' not in query and 'JOIN "account"' not in query
    names = {row[5] for row in rows}
    in_org = Service.select(Service.user_name).where(
        Service.organisation == user(ADMIN).organisation_id
    )
    assert names and names <= {name for (name,) in in_org.tuples()}


def test_the_read_table_answers_every_key_as_the_database_does(demo_app, monkeypatch):
    """Read into a list by id: ids of other organisations in between are
    holes, asked for alone; equal values share one cell, made once."""
    admin, other = user(ADMIN), user(OTHER_ORG_ADMIN)
    mine = (
        Service.select().where(Service.organisation == admin.organisation_id).order_by(Service.id)
    )
    theirs = Service.select().where(Service.organisation == other.organisation_id).first()
    with write_tx():
        hole = _copy_service(theirs)
        after = _copy_service(mine.first(), user_name="Efter Hålet")
    made = []

    def then(value):
        made.append(value)
        return value.upper()

    monkeypatch.setattr(web.lookup.LookUp, "ONE_BY_ONE", 0)
    lookup = web.lookup.LookUp(Service.user_name, then, web.lookup.in_reach(Service, admin))
    below = [mine.first().id - 1, 0, -1]  # no negative index into the table
    keys = [after.id, *(s.id for s in Service.select().order_by(Service.id.desc())), *below]
    cells = [lookup(key) for key in keys]

    expected = {s.id: s.user_name.upper() for s in Service.select()}
    assert cells == [expected.get(key) for key in keys]
    assert lookup.table[hole.id - lookup.first] is web.lookup.MISSING
    assert lookup.table[after.id - lookup.first] == "EFTER HÅLET"
    assert len(lookup.table) == after.id - mine.first().id + 1
    in_reach = [name for (name,) in mine.select(Service.user_name).tuples()]
    assert sorted(made[: len(set(in_reach))]) == sorted(set(in_reach))


@pytest.mark.postgres_only
def test_postgresql_exports_stream_through_a_server_side_cursor(demo_app, monkeypatch, sql_log):
    """psycopg2 would fetch a whole result before its first row; an export
    reads a batch at a time off a cursor declared on the server instead."""
    import web.excel

    whole = exported(CALL_RECORD_LIST, user(ADMIN))
    monkeypatch.setattr(web.excel, "BATCH", 7)
    sql_log.clear()
    assert exported(CALL_RECORD_LIST, user(ADMIN)) == whole
    assert any(s.startswith("DECLARE export_") for s in sql_log)
    fetches = [s for s in sql_log if s.startswith("FETCH FORWARD 7 FROM export_")]
    assert len(fetches) == -(-len(whole) // 7) + 1  # every batch, then the empty one
