"""The periodic work moved from cron onto the worker's schedule (issue 15,
item 4): each task's timing, and each doing what its CLI command does
(the commands stay)."""

from __future__ import annotations

import datetime as dt

import pytest

from database import write_tx
from domain import mail
from models import OutboxMessage, Ticket


def periodic():
    import worker

    names = [task.__name__ for task in worker.huey._registry._periodic_tasks]
    return {name: getattr(worker, name).s() for name in names}


def fires(task, minutes) -> list[int]:
    """The minutes of an hour (at 10:mm) at which ``task`` runs."""
    return [m for m in minutes if task.validate_datetime(dt.datetime(2026, 12, 7, 10, m))]


def test_the_schedule():
    tasks = periodic()
    every = list(range(60))
    assert set(tasks) == {
        "heartbeat",
        "deliver_outbox",
        "take_up_lost_jobs",
        "take_up_lost_bulk",
        "poll_mail",
        "run_due_schedules",
        "release_scheduled_tickets",
        "apply_due_services",
        "delete_expired_reports",
    }
    assert fires(tasks["heartbeat"], every) == every
    assert fires(tasks["deliver_outbox"], every) == every
    assert fires(tasks["take_up_lost_jobs"], every) == every
    assert fires(tasks["take_up_lost_bulk"], every) == every
    assert fires(tasks["poll_mail"], every) == every
    assert fires(tasks["run_due_schedules"], every) == list(range(0, 60, 5))
    assert fires(tasks["release_scheduled_tickets"], every) == list(range(0, 60, 10))
    assert fires(tasks["apply_due_services"], every) == [3]
    assert fires(tasks["delete_expired_reports"], every) == [17]


def test_the_outbox_is_sent(demo_app):
    import worker

    demo_app.config["OUTBOX_DEFER"] = True
    with write_tx():
        message = mail.send_email("someone@example.se", "Hej", "Text")
    assert OutboxMessage.get_by_id(message.id).status == "pending"
    worker.deliver_outbox.call_local()
    assert OutboxMessage.get_by_id(message.id).status == "sent"


def test_scheduled_tickets_are_released(demo_app):
    import worker

    ticket = Ticket.select().where(Ticket.status == "scheduled").first()
    assert ticket is not None
    with write_tx():
        Ticket.update(scheduled_for=dt.date.today()).where(Ticket.id == ticket.id).execute()
    worker.release_scheduled_tickets.call_local()
    assert Ticket.get_by_id(ticket.id).status == "waiting"


def test_services_apply_due_runs(demo_app, monkeypatch):
    import worker

    ran = []
    monkeypatch.setattr(worker, "apply_due", lambda: ran.append(True) or {})
    worker.apply_due_services.call_local()
    assert ran == [True]


@pytest.mark.parametrize("host", ["", "imap.example.se"])
def test_mail_is_polled_only_when_configured(demo_app, monkeypatch, host):
    import worker

    polled = []
    monkeypatch.setattr(worker.inbound_mail, "poll_mailbox", polled.append)
    demo_app.config["INBOUND_MAIL_HOST"] = host
    worker.poll_mail.call_local()
    assert len(polled) == (1 if host else 0)


def test_the_cli_commands_stay(demo_app):
    commands = demo_app.cli.list_commands(None)
    assert "worker" in commands and "outbox" in commands
    runner = demo_app.test_cli_runner()
    assert "released" in runner.invoke(args=["tickets", "release-scheduled"]).output
    assert "sent" in runner.invoke(args=["outbox", "deliver"]).output


def test_lost_bulk_actions_are_taken_up(demo_app, monkeypatch):
    import worker

    ran = []
    monkeypatch.setattr(worker.bulk_actions, "take_up_lost", lambda: [41, 42])
    monkeypatch.setattr(worker, "run_bulk", ran.append)
    assert worker.take_up_lost_bulk.call_local() == [41, 42]
    assert ran == [41, 42]
