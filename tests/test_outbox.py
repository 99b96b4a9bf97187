"""Outgoing mail through the outbox: delivered to a real SMTP server, kept
and retried when the server is away."""

from __future__ import annotations

import datetime as dt

from database import utcnow, write_tx
from domain.mail import deliver_pending, send_email, send_sms
from models import OutboxMessage
from tests.smtp import free_port


def test_mail_is_delivered_to_the_smtp_server(app, smtp_server):
    app.config.update(smtp_server.config)
    with write_tx():
        send_email(
            "kund@example.se", "Ärende 5515458: Väntar på kund", "Hej!\nVi behöver mer information."
        )
    assert deliver_pending() == (1, 0)
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "kund@example.se"
    assert received["Subject"] == "Ärende 5515458: Väntar på kund"
    assert "Vi behöver mer information." in received.get_content()
    assert OutboxMessage.get().status == "sent"


def test_unreachable_server_keeps_the_mail_for_a_retry(app, smtp_server):
    app.config.update(smtp_server.config, SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    with write_tx():
        send_email("kund@example.se", "Hej", "Text")
    assert deliver_pending() == (0, 1)
    message = OutboxMessage.get()
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error
    # The server is back: the retry (when due) delivers it.
    app.config.update(SMTP_PORT=smtp_server.port)
    with write_tx():
        OutboxMessage.update(next_attempt_at=message.created_at).execute()
    assert deliver_pending() == (1, 0)
    assert OutboxMessage.get().status == "sent"
    assert len(smtp_server.messages) == 1


def test_rolled_back_change_sends_nothing(app):
    try:
        with write_tx():
            send_email("kund@example.se", "Hej", "Text")
            raise ValueError("the change failed")
    except ValueError:
        pass
    assert OutboxMessage.select().count() == 0


def test_sms_outbox_backend_marks_sent(app):
    with write_tx():
        send_sms("0701234567", "Din kod är 123456")
    assert deliver_pending() == (1, 0)
    message = OutboxMessage.get()
    assert (message.channel, message.status, message.recipient) == ("sms", "sent", "0701234567")


def _make_due():
    """The back-off has passed (BACKOFF_MINUTES): every pending message is due."""
    with write_tx():
        OutboxMessage.update(next_attempt_at=utcnow() - dt.timedelta(seconds=1)).where(
            OutboxMessage.status == "pending"
        ).execute()


def test_mail_queued_by_the_portal_while_smtp_is_down_goes_when_it_is_back(
    demo_app, demo_client, smtp_server
):
    """Issue 16, item 4: users go on working while the mail server is down;
    their mail waits in the outbox through the worker's rounds and is
    delivered, once each, by the first round after the server is back."""
    import worker

    demo_app.config.update(smtp_server.config, SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    recipients = {"admin@a3demo.se", "konto@a3demo.se"}
    for username in sorted(recipients):
        response = demo_client.post("/forgot", data={"username": username})
        assert response.status_code == 200
        assert "Kolla din e-post" in response.get_data(as_text=True)
    queued = list(OutboxMessage.select().where(OutboxMessage.recipient.in_(recipients)))
    assert len(queued) == 2
    assert {m.status for m in queued} == {"pending"}

    # A round of the worker while the server is still away: kept, retried later.
    _make_due()
    worker.deliver_outbox.call_local()
    kept = list(OutboxMessage.select().where(OutboxMessage.recipient.in_(recipients)))
    assert {m.status for m in kept} == {"pending"}
    assert all(m.attempts >= 1 and m.last_error for m in kept)
    assert all(m.next_attempt_at > utcnow() for m in kept)  # backing off
    assert smtp_server.messages == []

    # The server is back: the next round after the back-off delivers each once.
    demo_app.config.update(SMTP_PORT=smtp_server.port)
    worker.deliver_outbox.call_local()
    assert smtp_server.messages == []  # not due yet: the back-off is kept
    _make_due()
    worker.deliver_outbox.call_local()
    worker.deliver_outbox.call_local()
    sent = list(OutboxMessage.select().where(OutboxMessage.recipient.in_(recipients)))
    assert {m.status for m in sent} == {"sent"}
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(recipients)
    assert all("lösenord" in m["Subject"].lower() for m in smtp_server.messages)
