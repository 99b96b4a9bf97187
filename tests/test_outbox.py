"""Outgoing mail through the outbox: delivered to a real SMTP server, kept
and retried when the server is away."""

from __future__ import annotations

from database import write_tx
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
