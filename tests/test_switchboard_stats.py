"""Köstatistik (issue 21 item 4): the built-in backend's recorded calls to
a molnväxel's queues, in Rapporter per queue, month, hour and agent, and
exported to Excel; scoped to molnväxlar the user may see."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from database import write_tx
from domain import switchboard as sb
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
        sb.record_call(queue, at, True, agent, wait_seconds=10, talk_seconds=100)
        sb.record_call(queue, at + dt.timedelta(minutes=30), True, agent, 20, 300)
        sb.record_call(queue, at + dt.timedelta(minutes=31), False, None, 90, 0)
    return queue, agent, day


def test_statistics_sum_up_answered_abandoned_and_averages(quiet_queue):
    queue, agent, day = quiet_queue
    stats = sb.statistics([queue.id], day, day)
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
        sb.statistics([queue.id], day + dt.timedelta(days=1), day + dt.timedelta(days=2))["queue"]
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
