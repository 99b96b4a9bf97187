"""Köstatistik (issue 21 item 4): the built-in backend's recorded calls to
a molnväxel's queues, in Rapporter per queue, month, hour and agent, and
exported to Excel; scoped to molnväxlar the user may see."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from database import write_tx
from domain import switchboard_stats
from models import Organisation, Service, SwitchboardQueue, SwitchboardQueueCall
from tests.conftest import ACCOUNT_ADMIN
from tests.services_fixtures import demo_service


def pbx():
    return demo_service("cloud_pbx")


@pytest.fixture
def quiet_queue(demo_app):
    """A new queue of the demo molnväxel with three known calls last week
    (UTC 08:10 and 08:40 on a winter/summer day are 09 or 10 local)."""
    p = pbx()
    agent = Service.get((Service.parent == p.id) & (Service.status == "active"))
    day = dt.date.today() - dt.timedelta(days=7)
    at = dt.datetime.combine(day, dt.time(8, 10))
    with write_tx():
        queue = SwitchboardQueue.create(
            organisation=p.organisation_id, pbx=p, name="Provkö", number="277"
        )
        switchboard_stats.record_call(queue, at, True, agent, wait_seconds=10, talk_seconds=100)
        switchboard_stats.record_call(queue, at + dt.timedelta(minutes=30), True, agent, 20, 300)
        switchboard_stats.record_call(queue, at + dt.timedelta(minutes=31), False, None, 90, 0)
    return queue, agent, day


def test_statistics_sum_up_answered_abandoned_and_averages(quiet_queue):
    queue, agent, day = quiet_queue
    stats = switchboard_stats.statistics([queue.id], day, day)
    total = stats["queue"][queue.id]
    assert total == {
        "calls": 3, "answered": 2, "abandoned": 1, "answer_rate": 67,
        "avg_wait": 40, "avg_talk": 200,
    }  # fmt: skip
    assert sum(t["calls"] for t in stats["hour"].values()) == 3
    assert len(stats["hour"]) == 1  # all in one local hour
    assert list(stats["month"]) == [(queue.id, day.strftime("%Y-%m"))]
    assert stats["agent"][agent.id]["answered"] == 2
    # outside the period: nothing
    assert (
        switchboard_stats.statistics(
            [queue.id], day + dt.timedelta(days=1), day + dt.timedelta(days=2)
        )["queue"]
        == {}
    )


def test_demo_molnvaxel_has_queue_calls(demo_app):
    queues = list(SwitchboardQueue.select().where(SwitchboardQueue.pbx == pbx().id))
    assert {q.name for q in queues} == {"Växel", "Support"}
    assert (
        SwitchboardQueueCall.select()
        .where(SwitchboardQueueCall.queue.in_([q.id for q in queues]))
        .count()
        > 500
    )


def test_report_is_offered_and_shows_the_tables(admin):
    index = admin.get("/reports").get_data(as_text=True)
    assert "/reports/koer" in index and "Köstatistik" in index
    text = admin.get("/reports/koer").get_data(as_text=True)
    for heading in ("Per kö", "Per kö och månad", "Per kö och timme", "Per agent"):
        assert heading in text
    assert "Växel" in text and "Support" in text and "Ej besvarade" in text


def test_report_for_a_period_counts_exactly_its_calls(admin, quiet_queue):
    queue, agent, day = quiet_queue
    text = admin.get(f"/reports/koer?pbx={pbx().id}&from={day}&to={day}").get_data(as_text=True)
    assert "Provkö" in text and "67 %" in text and "3:20" in text  # avg talk 200 s


def test_excel_export(admin, quiet_queue):
    queue, agent, day = quiet_queue
    response = admin.get(f"/reports/koer?pbx={pbx().id}&from={day}&to={day}&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Del", "Kö", "Period", "Samtal")
    per_queue = [r for r in rows if r[0] == "Kö" and r[1] == "Provkö"]
    assert per_queue and per_queue[0][3:9] == (3, 2, 1, 67, 40, 200)


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-01-01&to=2025-01-01", "Till kan inte vara före Från."),
        ("from=x&to=2026-01-01", "Från är inte ett datum"),
        ("from=2025-01-01&to=2025-12-01", "Perioden får vara högst 3 månader."),
    ],
)
def test_bad_period_is_shown_next_to_the_field(admin, query, message):
    response = admin.get(f"/reports/koer?{query}")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert admin.get(f"/reports/koer?{query}&export=xlsx").status_code == 400


def test_another_organisations_or_unknown_pbx_is_404(admin):
    other = Organisation.get(Organisation.name != "A3 Demo Connect")
    foreign = Service.get(Service.organisation == other.id)
    assert admin.get(f"/reports/koer?pbx={foreign.id}").status_code == 404
    assert admin.get("/reports/koer?pbx=abc").status_code == 404


def test_a_user_without_the_molnvaxel_in_scope_sees_none(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    response = demo_client.get("/reports/koer")
    assert response.status_code == 200
    assert "Det finns ingen molnväxel som du har behörighet till." in response.get_data(
        as_text=True
    )
    assert demo_client.get(f"/reports/koer?pbx={pbx().id}").status_code == 404


# ----------------------------------------------------------------- Schemalägg


def test_koer_can_be_scheduled_and_a_run_mails_the_workbook(
    demo_app, admin, quiet_queue, smtp_server, tmp_path
):
    import worker
    from models import ExportJob, ScheduledReport
    from web import schedules as web_schedules

    demo_app.config.update(smtp_server.config)
    demo_app.config.update(REPORT_DIR=str(tmp_path / "reports"), PUBLIC_URL="https://portal.test")
    page = admin.get("/reports/koer").get_data(as_text=True)
    href = html.unescape(re.search(r'href="(/reports/scheman/ny[^"]*)">Schemalägg', page).group(1))
    query = parse_qs(urlsplit(href).query)
    # Opened without a period: the schedule keeps the molnväxel only (a rolling period).
    assert query == {"path": [f"/reports/koer?pbx={pbx().id}"], "title": ["Köstatistik"]}
    assert admin.get(href).status_code == 200
    from models import User
    from tests.conftest import ADMIN

    me = User.get(User.username == ADMIN).id
    response = admin.post(
        "/reports/scheman/ny",
        data={
            "path": query["path"][0],
            "title": "Köstatistik",
            "frequency": "weekly",
            "weekday": "1",
            "month_day": "1",
            "hour": "7",
            "recipients": [str(me)],
        },
    )
    assert response.status_code == 303
    schedule = ScheduledReport.get()
    assert web_schedules.run(demo_app, schedule.id) == "done"
    job = ExportJob.get(ExportJob.schedule == schedule.id)
    assert job.status == "done" and job.rows_done > 0
    worker.deliver_outbox.call_local()
    [message] = smtp_server.messages
    [attachment] = list(message.iter_attachments())
    sheet = load_workbook(io.BytesIO(attachment.get_content()), read_only=True).active
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert cells[0][:2] == ("Del", "Kö")
    assert ("Kö", "Provkö", "Hela perioden", 3, 2, 1) in [row[:6] for row in cells]


def test_koer_schedule_link_keeps_a_given_period(admin, quiet_queue):
    _, _, day = quiet_queue
    page = admin.get(f"/reports/koer?pbx={pbx().id}&from={day}&to={day}").get_data(as_text=True)
    href = html.unescape(re.search(r'href="(/reports/scheman/ny[^"]*)">Schemalägg', page).group(1))
    path = parse_qs(urlsplit(href).query)["path"][0]
    assert path == f"/reports/koer?pbx={pbx().id}&from={day}&to={day}"
