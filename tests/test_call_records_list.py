"""Samtal (/calls): the call record list, its scope and its Excel export."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from models import CallRecord, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN

COUNT_RE = re.compile(r"(\d+) - (\d+) av (\d+) poster")


def shown_total(response) -> int:
    return int(COUNT_RE.search(response.get_data(as_text=True)).group(3))


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_list_counts_exactly_the_records_in_scope(demo_client, login, username):
    who = login(demo_client, username)
    response = demo_client.get("/calls")
    assert response.status_code == 200
    in_scope = CallRecord.visible_to(User.get_by_id(who.id)).count()
    assert in_scope > 0
    assert shown_total(response) == in_scope


def test_account_admin_sees_only_the_sub_tree(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    shown = shown_total(demo_client.get("/calls"))
    admin = User.get(User.username == ADMIN)
    assert 0 < shown < CallRecord.visible_to(admin).count()


def test_traffic_type_filter(demo_client, login):
    who = login(demo_client, ADMIN)
    response = demo_client.get("/calls", query_string={"f_traffic": "sms"})
    sms = (
        CallRecord.visible_to(User.get_by_id(who.id))
        .where(CallRecord.traffic_type == "sms")
        .count()
    )
    assert shown_total(response) == sms
    assert "Samtal till mobil" not in response.get_data(as_text=True).split("<tbody>")[1]


def test_export_holds_every_record_in_scope(demo_client, login):
    who = login(demo_client, ACCOUNT_ADMIN)
    response = demo_client.get("/calls", query_string={"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tid", "Trafiktyp", "Riktning")
    assert len(rows) - 1 == CallRecord.visible_to(User.get_by_id(who.id)).count()


def test_needs_the_reports_permission(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    assert demo_client.get("/calls").status_code == 403
