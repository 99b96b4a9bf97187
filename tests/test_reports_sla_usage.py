"""SLA (agreed and actual times per ticket, met or not; offered only with an
SLA in the agreement; Ticket.visible_to's rights) and the
Förbrukningsrapport (a month's mobile usage and cost, local numbers, chart)."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from database import write_tx
from models import Agreement, MonthlyUsage, SLADefinition, SLATarget, Ticket, next_number
from tests.conftest import login_as
from tests.reports_fixtures import call, people, rows, xlsx  # noqa: F401

SLA = "/reports/sla"
JAN = {"from": "2026-01-01", "to": "2026-01-31"}
T0 = dt.datetime(2026, 1, 10, 8, 0)


def _ticket(org, account, user, subject, *, response=None, resolution=None, answered=None,
            resolved=None, queued=T0, category="other", status="waiting"):  # fmt: skip
    minutes = dt.timedelta(minutes=1)
    with write_tx():
        return Ticket.create(
            organisation=org, account=account, number=next_number("ticket_number"),
            subject=subject, status=status, created_by=user, category=category,
            reply_token=secrets.token_urlsafe(12), created_at=queued or T0, queued_at=queued,
            response_due_at=queued + response * minutes if response else None,
            resolution_due_at=queued + resolution * minutes if resolution else None,
            first_response_at=queued + answered * minutes if answered is not None else None,
            resolved_at=queued + resolved * minutes if resolved is not None else None,
        )  # fmt: skip


@pytest.fixture
def sla_world(people, make_user):  # noqa: F811
    w = people
    with write_tx():
        sla = SLADefinition.create(name="Guld")
        SLATarget.create(sla=sla, priority=1, response_minutes=60, resolution_minutes=240)
        Agreement.create(organisation=w.a, number="RA-1", name="Ramavtal",
                         start_date=dt.date(2025, 1, 1), sla=sla)  # fmt: skip
    w.plain = make_user(w.a, w.top, ("reports.view",))
    w.faults = make_user(w.a, w.top, ("reports.view", "faults.create"))
    _ticket(w.a, w.top, w.admin, "I tid, sent åtgärdat", response=60, resolution=240,
            answered=30, resolved=300)  # fmt: skip
    _ticket(w.a, w.sub, w.konto, "Obesvarat", response=480, resolution=2880)
    _ticket(w.a, w.top, w.admin, "Felanmälan", response=60, resolution=240, answered=60,
            resolved=200, category="fault", status="done")  # fmt: skip
    _ticket(w.a, w.top, w.plain, "Eget, pågår", queued=dt.datetime(2026, 1, 12),
            response=60 * 24 * 365 * 50)  # fmt: skip
    _ticket(w.a, w.top, w.admin, "Utan SLA", response=None, queued=None)
    _ticket(w.b, w.btop, w.other, "Betas", response=60, answered=10)
    return w


def _subjects(rows_):
    return sorted(r["Rubrik"] for r in rows_)


def test_sla_rows_agreed_actual_and_met(client, sla_world):
    login_as(client, sla_world.admin.username)
    assert "/reports/sla" in client.get("/reports").get_data(as_text=True)
    assert _subjects(rows(client, SLA, JAN)) == [
        "Eget, pågår", "Felanmälan", "I tid, sent åtgärdat", "Obesvarat",
    ]  # fmt: skip
    exported = {r["Rubrik"]: r for r in xlsx(client, SLA, JAN)}
    first = exported["I tid, sent åtgärdat"]
    assert (
        first["Avtalad svarstid (min)"],
        first["Faktisk svarstid (min)"],
        first["Svar i tid"],
    ) == (60, 30, "Ja")
    assert (
        first["Avtalad åtgärdstid (min)"],
        first["Faktisk åtgärdstid (min)"],
        first["Åtgärdat i tid"],
    ) == (240, 300, "Nej")
    unanswered = exported["Obesvarat"]
    assert (
        unanswered["Faktisk svarstid (min)"],
        unanswered["Svar i tid"],
        unanswered["Åtgärdat i tid"],
    ) == (None, "Nej", "Nej")
    assert exported["Felanmälan"]["Svar i tid"] == "Ja"  # at the due minute is in time
    assert exported["Eget, pågår"]["Svar i tid"] == "Pågår"
    shown = {r["Rubrik"]: r for r in rows(client, SLA, JAN)}
    assert shown["I tid, sent åtgärdat"]["Svar i tid"] == "Ja"
    assert shown["I tid, sent åtgärdat"]["Åtgärdat i tid"] == "Nej"
    assert shown["I tid, sent åtgärdat"]["Avtalad åtgärdstid (min)"] == "240"


def test_sla_rights_follow_the_ticket_list(client, sla_world):
    login_as(client, sla_world.konto.username)
    assert _subjects(xlsx(client, SLA, JAN)) == ["Obesvarat"]
    login_as(client, sla_world.plain.username)  # no tickets.view: own only
    assert _subjects(rows(client, SLA, JAN)) == ["Eget, pågår"]
    login_as(client, sla_world.faults.username)  # faults.create: the fault reports
    assert _subjects(xlsx(client, SLA, JAN)) == ["Felanmälan"]


def test_sla_not_offered_without_an_sla(client, sla_world):
    login_as(client, sla_world.other.username)
    assert "/reports/sla" not in client.get("/reports").get_data(as_text=True)
    assert client.get(SLA).status_code == 404
    assert client.get(SLA, query_string={**JAN, "export": "xlsx"}).status_code == 404


# ----------------------------------------------------------- Förbrukningsrapport


def _month(back=1):
    today = dt.date.today()
    months = today.year * 12 + today.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 1)


@pytest.fixture
def usage_world(people, make_service):  # noqa: F811
    w = people
    month, before = _month(1), _month(2)
    with write_tx():
        for service, cost, data in ((w.s1, 19900, 1500), (w.s2, 9900, 300), (w.b1, 50000, 9)):
            MonthlyUsage.create(service=service, month=month, cost_ore=cost, data_used_mb=data,
                                calls=4, voice_seconds=600, sms=2)  # fmt: skip
        MonthlyUsage.create(service=w.s1, month=before, cost_ore=12300)
    w.pbx = make_service(w.top, kind="cloud_pbx", number="081000100", user_name="Växel")
    call(w.pbx, f"{month.isoformat()} 12:00:00", seconds=90, ore=250)
    w.month = month
    return w


def test_usage_of_the_month_per_mobile_subscription(client, usage_world):
    w = usage_world
    login_as(client, w.admin.username)
    url = "/reports/forbrukning"
    params = {"month": w.month.strftime("%Y-%m")}
    page = client.get(url, query_string=params).get_data(as_text=True)
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    chart_url = f"/reports/forbrukning/diagram?month={params['month']}"
    assert f'hx-get="{chart_url}"' in page
    chart = client.get(chart_url).get_data(as_text=True).replace("\xa0", " ")
    assert "<svg" in chart
    # the month's two subscriptions (199 + 99 kr) and the month before's 123 kr
    assert "298,00 kr" in chart and "123,00 kr" in chart and "500,00" not in chart
    assert "081-000 100" in page.replace("\xa0", " ") or "08-100 01 00" in page.replace("\xa0", " ")
    assert f"/calls?service={w.pbx.id}" in page
    shown = rows(client, url, params)
    assert sorted((r["Nummer"], r["Kostnad"], r["Data (MB)"]) for r in shown) == [
        ("070-100 00 01", "199,00 kr", "1500"),
        ("070-100 00 02", "99,00 kr", "300"),
    ]
    assert f'href="/services/{w.s1.id}"' in page
    exported = xlsx(client, url, params)
    assert sorted((r["Nummer"], r["Kostnad"], r["Samtalstid (min)"]) for r in exported) == [
        ("0701000001", 199.0, 10.0),
        ("0701000002", 99.0, 10.0),
    ]
    # without a month: the latest with usage
    assert len(rows(client, url)) == 2


def test_usage_scope_and_bad_month(client, usage_world):
    w = usage_world
    params = {"month": w.month.strftime("%Y-%m")}
    login_as(client, w.konto.username)
    assert [r["Nummer"] for r in xlsx(client, "/reports/forbrukning", params)] == ["0701000002"]
    login_as(client, w.other.username)
    assert [r["Nummer"] for r in rows(client, "/reports/forbrukning", params)] == ["070-900 00 01"]
    for bad in ("2019-01", "abc", "2026-13"):
        assert client.get("/reports/forbrukning", query_string={"month": bad}).status_code == 404


def test_a_month_of_more_subscriptions_than_a_page_handles_comes_as_a_file(
    app, client, usage_world, tmp_path
):
    """Beyond REPORT_PREVIEW_ROWS mobile subscriptions in the month the report is
    made by the worker as an Excel file (immediate mode here), with the
    reason on the job's page; the Kontoadmin's one subscription stays on
    screen."""
    w = usage_world
    app.config.update(REPORT_PREVIEW_ROWS=1, REPORT_DIR=str(tmp_path / "reports"))
    params = {"month": w.month.strftime("%Y-%m")}
    login_as(client, w.admin.username)
    response = client.get("/reports/forbrukning", query_string=params)
    assert response.status_code == 303 and "/reports/filer/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fler än 1 mobilabonnemang" in page and "Ladda ner" in page
    login_as(client, w.konto.username)
    assert client.get("/reports/forbrukning", query_string=params).status_code == 200
