"""Scheduled reports (issue 15, item 5): who may receive one, the form and
list, a run e-mailed to the local SMTP server (attachment, or a link for
reports with B-numbers), and a schedule that pauses when its owner lost
access."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from database import utcnow, write_tx
from domain import report_schedules
from models import AuditLog, ExportJob, ScheduledReport, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from web import schedules as web_schedules

PREVIEW = "/reports/abonnemang?sort=user"


def user(username) -> User:
    return User.get(User.username == username)


@pytest.fixture
def mail_app(demo_app, smtp_server, tmp_path):
    demo_app.config.update(smtp_server.config)
    demo_app.config.update(REPORT_DIR=str(tmp_path / "reports"), PUBLIC_URL="https://portal.test")
    return demo_app


def schedule_for(owner, path=PREVIEW, recipients=(), **fields) -> ScheduledReport:
    fields = {"frequency": "weekly", "day": 1, "hour": 7, **fields}
    return report_schedules.create(
        owner,
        title=fields.pop("title", "Översikt – Abonnemang"),
        path=path,
        report_key="reports.subscriptions",
        recipient_ids=[u.id for u in recipients] or [owner.id],
        **fields,
    )


def colleague_of(owner) -> User:
    """A second Superuser at the owner's organisation's top account."""
    from models import Contact, Role

    top = owner.organisation.top_account()
    with write_tx():
        contact = Contact.create(
            organisation=owner.organisation_id, account=top, name="Kollega", email="kollega@a3.se"
        )
        return User.create(
            organisation=owner.organisation_id,
            contact=contact,
            scope_account=top,
            role=Role.get(Role.is_superuser == True),  # noqa: E712
            username="kollega@a3.se",
            email="kollega@a3.se",
            name="Kollega",
        )


def deliver():
    import worker

    worker.deliver_outbox.call_local()


# ------------------------------------------------------------------ the rule


def test_who_may_receive_a_report(demo_app, make_org, make_account, make_user):
    org = make_org()
    sub = make_account(org)
    below = make_account(org, parent=sub)
    owner = make_user(org, account=sub, permissions=["reports.view", "services.view"])
    top = make_user(org, permissions=["reports.view"])
    same = make_user(org, account=sub, permissions=["reports.view"])
    narrower = make_user(org, account=below, permissions=["reports.view"])
    no_reports = make_user(org, permissions=["services.view"])
    restricted = make_user(org, permissions=["reports.view"], restricted=True)
    inactive = make_user(org, permissions=["reports.view"], active=False)
    stranger = make_user(make_org(), permissions=["reports.view"], superuser=True)
    may = {u.username: report_schedules.may_receive(owner, u) for u in (
        owner, top, same, narrower, no_reports, restricted, inactive, stranger
    )}  # fmt: skip
    assert may == {
        owner.username: True,
        top.username: True,
        same.username: True,
        narrower.username: False,  # sees only part of the owner's scope
        no_reports.username: False,
        restricted.username: False,
        inactive.username: False,
        stranger.username: False,
    }
    # The report's own permission too (one of a tuple suffices).
    assert report_schedules.may_receive(owner, top, ["services.view"]) is False
    assert report_schedules.may_receive(owner, same, [("services.view", "reports.view")])


def test_the_next_run_is_local_time():
    monday = dt.datetime(2026, 12, 7, 6, 0)  # UTC = 07:00 in Stockholm (winter)
    assert report_schedules.next_run("weekly", 1, 7, monday - dt.timedelta(hours=1)) == monday
    assert report_schedules.next_run("weekly", 1, 7, monday) == monday + dt.timedelta(days=7)
    summer = report_schedules.next_run("monthly", 15, 7, dt.datetime(2026, 6, 1))
    assert summer == dt.datetime(2026, 6, 15, 5, 0)  # 07:00 CEST


# ------------------------------------------------------------------- the pages


def test_the_preview_links_to_scheduling(demo_client, login):
    login(demo_client, ADMIN)
    page = demo_client.get(PREVIEW + "&page=2").get_data(as_text=True)
    href = html.unescape(re.search(r'href="(/reports/scheman/ny[^"]*)"', page).group(1))
    query = parse_qs(urlsplit(href).query)
    assert query == {"path": [PREVIEW], "title": ["Översikt – Abonnemang"]}
    assert demo_client.get(href).status_code == 200
    index = demo_client.get("/reports").get_data(as_text=True)
    assert "/reports/mina" in index and "Mina rapporter" in index


@pytest.mark.parametrize(
    ("path", "title"),
    [("/reports/abonnemang", "Översikt – Abonnemang"), ("/calls", "Samtal")],
)
def test_without_a_title_the_form_names_the_report(demo_client, login, path, title):
    login(demo_client, ADMIN)
    page = demo_client.get("/reports/scheman/ny", query_string={"path": path})
    assert f"<strong>{title}</strong>" in page.get_data(as_text=True)


def test_the_form_offers_only_recipients_who_may_receive(demo_client, login):
    who = login(demo_client, ADMIN)
    page = demo_client.get("/reports/scheman/ny", query_string={"path": PREVIEW, "title": "Abb"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    offered = {int(i) for i in re.findall(r'name="recipients"[^>]*value="(\d+)"', text)}
    assert who.id in offered
    for username in (ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN):
        assert user(username).id not in offered


def test_scheduling_a_report(demo_client, login):
    who = login(demo_client, ADMIN)
    response = demo_client.post(
        "/reports/scheman/ny",
        data={
            "path": PREVIEW,
            "title": "Abonnemang per användare",
            "frequency": "monthly",
            "weekday": "1",
            "month_day": "5",
            "hour": "8",
            "recipients": [str(who.id)],
        },
    )
    assert response.status_code == 303
    schedule = ScheduledReport.get()
    assert (schedule.path, schedule.frequency, schedule.day, schedule.hour) == (
        PREVIEW,
        "monthly",
        5,
        8,
    )
    assert schedule.next_run_at > utcnow() and schedule.active
    assert AuditLog.get(AuditLog.action == "report_schedule.create").object_id == str(schedule.id)
    listing = demo_client.get("/reports/scheman").get_data(as_text=True)
    assert "Abonnemang per användare" in listing and "Den 5 varje månad kl. 08" in listing
    assert "Inte körd ännu" in listing


def test_bad_input_is_answered_next_to_the_field(demo_client, login):
    login(demo_client, ADMIN)
    stranger = user(OTHER_ORG_ADMIN)
    response = demo_client.post(
        "/reports/scheman/ny",
        data={
            "path": PREVIEW,
            "frequency": "monthly",
            "month_day": "31",
            "hour": "25",
            "recipients": [str(stranger.id)],
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Ange en dag 1–28." in text and "Ange en timme 0–23." in text
    assert ScheduledReport.select().count() == 0


@pytest.mark.parametrize(
    "path", ["/reports/mina", "/accounts", "https://evil.example/reports/abonnemang", "", "/nope"]
)
def test_only_reports_can_be_scheduled(demo_client, login, path):
    login(demo_client, ADMIN)
    assert demo_client.get("/reports/scheman/ny", query_string={"path": path}).status_code == 404


def test_pause_resume_and_remove_are_the_owners(demo_client, login):
    owner = user(ADMIN)
    schedule = schedule_for(owner)
    login(demo_client, ACCOUNT_ADMIN)
    for action in ("pausa", "ateruppta", "ta-bort"):
        assert demo_client.post(f"/reports/scheman/{schedule.id}/{action}").status_code == 404
    assert demo_client.get(f"/reports/scheman/{schedule.id}").status_code == 404
    login(demo_client, ADMIN)
    demo_client.post(f"/reports/scheman/{schedule.id}/pausa")
    assert ScheduledReport.get_by_id(schedule.id).active is False
    assert "(pausad)" in demo_client.get("/reports/scheman").get_data(as_text=True)
    demo_client.post(f"/reports/scheman/{schedule.id}/ateruppta")
    assert ScheduledReport.get_by_id(schedule.id).active is True
    assert demo_client.get(f"/reports/scheman/{schedule.id}").status_code == 200
    changed = demo_client.post(
        f"/reports/scheman/{schedule.id}",
        data={"frequency": "weekly", "weekday": "5", "month_day": "1", "hour": "16",
              "recipients": [str(owner.id)]},
    )  # fmt: skip
    assert changed.status_code == 303
    row = ScheduledReport.get_by_id(schedule.id)
    assert (row.frequency, row.day, row.hour) == ("weekly", 5, 16)
    assert "Varje fredag kl. 16" in demo_client.get("/reports/scheman").get_data(as_text=True)
    demo_client.post(f"/reports/scheman/{schedule.id}/ta-bort")
    assert ScheduledReport.select().count() == 0
    actions = {a.action for a in AuditLog.select().where(AuditLog.action.startswith("report_"))}
    assert actions >= {
        "report_schedule.pause",
        "report_schedule.resume",
        "report_schedule.change",
        "report_schedule.remove",
    }


# ------------------------------------------------------------------- the runs


def test_a_due_report_is_emailed_as_an_attachment(mail_app, smtp_server):
    owner = user(ADMIN)
    colleague = colleague_of(owner)
    below = user(ACCOUNT_ADMIN)  # a narrower scope: never receives it
    schedule = schedule_for(owner, recipients=[owner, colleague, below])
    with write_tx():
        ScheduledReport.update(next_run_at=utcnow() - dt.timedelta(minutes=1)).execute()
    import worker

    assert worker.run_due_schedules.call_local() == [schedule.id]  # immediate: run at once
    deliver()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([owner.email, colleague.email])
    message = smtp_server.messages[0]
    assert message["Subject"] == "Schemalagd rapport: Översikt – Abonnemang"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content()), read_only=True).active
    job = ExportJob.get(ExportJob.schedule == schedule.id)
    assert len(list(sheet.iter_rows())) - 1 == job.rows_done > 0
    schedule = ScheduledReport.get_by_id(schedule.id)
    assert schedule.last_status == "done" and schedule.last_run_at is not None
    assert schedule.next_run_at > utcnow()
    assert worker.run_due_schedules.call_local() == []  # not due again


def test_call_data_arrives_as_a_link_for_recipients_only(mail_app, smtp_server, demo_client, login):
    owner = user(ADMIN)
    colleague = colleague_of(owner)
    schedule = schedule_for(owner, path="/calls?sort=started", recipients=[owner, colleague])
    assert web_schedules.run(mail_app, schedule.id) == "done"
    deliver()
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        assert list(message.iter_attachments()) == []
        body = message.get_body(("plain",)).get_content()
        assert "B-nummer" in body
    link = re.search(r"https://portal\.test(/reports/filer/\d+/ladda-ner)", body).group(1)
    login(demo_client, colleague.username)
    assert demo_client.get(link).status_code == 200
    login(demo_client, ACCOUNT_ADMIN)  # same organisation, not a recipient
    assert demo_client.get(link).status_code == 404
    with write_tx():  # the colleague loses reports.view: the link stops working
        User.update(role=None, permissions="services.view").where(User.id == colleague.id).execute()
    login(demo_client, colleague.username)
    assert demo_client.get(link).status_code == 404


def test_a_schedule_whose_owner_lost_access_pauses_and_says_so(mail_app, smtp_server):
    owner = user(ACCOUNT_ADMIN)
    top = user(ADMIN)
    schedule = schedule_for(owner, recipients=[owner, top])
    with write_tx():
        User.update(role=None, permissions="services.view").where(User.id == owner.id).execute()
    assert web_schedules.run(mail_app, schedule.id) == "paused"
    deliver()
    [message] = smtp_server.messages
    assert message["To"] == owner.email
    assert "pausad" in message["Subject"]
    schedule = ScheduledReport.get_by_id(schedule.id)
    assert schedule.active is False and "behörighet" in schedule.paused_reason
    assert web_schedules.run(mail_app, schedule.id) == "skipped"


def test_a_recipient_who_lost_access_is_skipped(mail_app, smtp_server):
    owner = user(ADMIN)
    colleague = colleague_of(owner)
    schedule = schedule_for(owner, recipients=[owner, colleague])
    with write_tx():
        User.update(role=None, permissions="services.view").where(User.id == colleague.id).execute()
    assert web_schedules.run(mail_app, schedule.id) == "done"
    deliver()
    assert [m["To"] for m in smtp_server.messages] == [owner.email]


def test_a_deactivated_owners_schedule_pauses(mail_app, smtp_server):
    owner = user(ADMIN)
    schedule = schedule_for(owner)
    with write_tx():
        User.update(active=False).where(User.id == owner.id).execute()
    assert web_schedules.run(mail_app, schedule.id) == "paused"
    deliver()
    assert [m["To"] for m in smtp_server.messages] == [owner.email]
    assert ScheduledReport.get_by_id(schedule.id).active is False
    assert ExportJob.select().count() == 0


def test_ta_bort_asks_first_and_a_second_submit_finds_nothing(demo_client, login):
    schedule = schedule_for(user(ADMIN))
    login(demo_client, ADMIN)
    url = f"/reports/scheman/{schedule.id}/ta-bort"
    asked = demo_client.get(url)
    assert asked.status_code == 200 and "slutar skickas" in asked.get_data(as_text=True)
    assert ScheduledReport.get_or_none(ScheduledReport.id == schedule.id) is not None
    assert demo_client.post(url).status_code == 303
    assert ScheduledReport.get_or_none(ScheduledReport.id == schedule.id) is None
    assert demo_client.post(url).status_code == 404
