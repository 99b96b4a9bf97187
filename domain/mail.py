"""Outgoing e-mail and SMS through the outbox.

Every message is first written to the outbox table in the same transaction
as the change that caused it, so nothing is sent for a change that rolled
back and nothing is lost when the mail server is away. Delivery then runs:

* right after the request that queued it (best effort, see ``web.requestcontext``), and
* from ``flask outbox deliver`` (cron/systemd timer), which retries failed
  messages with growing back-off until ``MAX_ATTEMPTS``.

Backends (config ``MAIL_BACKEND`` / ``SMS_BACKEND``):

* ``outbox`` (default, development): the message is logged and marked sent;
  read it in the outbox table.
* ``smtp`` (mail): SMTP_HOST, SMTP_PORT, SMTP_TLS (none/starttls/ssl),
  SMTP_USER, SMTP_PASSWORD, MAIL_FROM.
* ``module:function`` (SMS): an operator's gateway, called with
  ``(recipient, text)``; it raises on failure.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from database import utcnow, write_tx
from tables.ops import OutboxMessage

log = logging.getLogger("teleportal.outbox")

MAX_ATTEMPTS = 10
LEASE = dt.timedelta(minutes=10)  # a claimed message is retried after this if the sender died
BACKOFF_MINUTES = [1, 2, 5, 10, 30, 60, 120, 240, 480]

# Told the id of every message queued, so that a request can deliver what it
# queued once its response is done (``web.requestcontext``).
_on_queued: Callable[[int], None] | None = None


def set_on_queued(listener: Callable[[int], None] | None) -> None:
    global _on_queued
    _on_queued = listener


def _queue(channel: str, recipient: str, subject: str, body: str, **fields) -> OutboxMessage:
    message = OutboxMessage.create(
        channel=channel, recipient=recipient, subject=subject, body=body, **fields
    )
    if _on_queued is not None:
        _on_queued(message.id)
    return message


def send_email(
    recipient: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    reply_to: str = "",
    organisation=None,
    attachments: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Queue an e-mail; call inside ``write_tx`` together with the change.

    ``attachments``: files sent with it, each ``{"path", "filename",
    "mime"}``; the file is read when the message is sent, so it must stay
    until then (scheduled reports keep theirs REPORT_FILE_DAYS).
    ``headers``: extra headers, e.g. List-Unsubscribe on broadcast mail."""
    return _queue(
        "email",
        recipient,
        subject,
        body,
        html=html,
        reply_to=reply_to,
        organisation=getattr(organisation, "id", organisation),
        attachments=json.dumps(attachments) if attachments else None,
        headers=json.dumps(headers) if headers else None,
    )


def send_sms(recipient: str, text: str, *, organisation=None) -> OutboxMessage:
    """Queue an SMS; call inside ``write_tx``."""
    return _queue(
        "sms", recipient, "", text, organisation=getattr(organisation, "id", organisation)
    )


# --------------------------------------------------------------------------- delivery


def _smtp_send(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">"))
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    for name, value in json.loads(message.headers or "{}").items():
        email[name] = value
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    for attachment in json.loads(message.attachments or "[]"):
        maintype, _, subtype = attachment["mime"].partition("/")
        with open(attachment["path"], "rb") as fh:
            email.add_attachment(
                fh.read(), maintype=maintype, subtype=subtype, filename=attachment["filename"]
            )
    # Headers unfolded up to RFC 5322's 998 characters: Python's folding of
    # encoded words can drop the space between two of them ("Väntar på" →
    # "Väntarpå"). The body keeps the encoding set_content chose above.
    email.policy = email.policy.clone(max_line_length=998)
    host, port, mode = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TLS"]
    timeout = config.get("SMTP_TIMEOUT", 15)
    if mode == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if mode == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config["SMTP_USER"]:
            server.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        server.send_message(email)


def _deliver_one(message: OutboxMessage, config) -> None:
    """Send one message by its channel's backend; raises on failure."""
    backend = config["MAIL_BACKEND"] if message.channel == "email" else config["SMS_BACKEND"]
    if backend == "outbox":
        log.info(
            "%s to %s: %s %s",
            message.channel,
            message.recipient,
            message.subject,
            message.body[:200],
        )
    elif message.channel == "email" and backend == "smtp":
        _smtp_send(message, config)
    elif ":" in backend:
        module, _, name = backend.partition(":")
        getattr(importlib.import_module(module), name)(message.recipient, message.body)
    else:
        raise RuntimeError(f"unknown {message.channel} backend {backend!r}")


def _claim(message: OutboxMessage) -> bool:
    """Take a pending, due message for this process by pushing its next
    attempt into the future, so two senders never both send it."""
    now = utcnow()
    with write_tx():
        return bool(
            OutboxMessage.update(next_attempt_at=now + LEASE)
            .where(
                (OutboxMessage.id == message.id)
                & (OutboxMessage.status == "pending")
                & (OutboxMessage.next_attempt_at <= now)
            )
            .execute()
        )


def deliver_pending(ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Try to send pending messages that are due (or exactly ``ids``).

    Returns (sent, failed). A failure keeps the message pending with a later
    ``next_attempt_at``; after MAX_ATTEMPTS it is marked failed, never deleted.
    """
    config = current_app.config
    query = OutboxMessage.select().where(OutboxMessage.status == "pending")
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    else:
        query = query.where(OutboxMessage.next_attempt_at <= utcnow())
    sent = failed = 0
    for message in query.order_by(OutboxMessage.id).limit(limit):
        if not _claim(message):
            continue  # another worker or `flask outbox deliver` is sending it
        try:
            _deliver_one(message, config)
        except Exception as exc:  # the server was away, refused, timed out …
            failed += 1
            attempts = message.attempts + 1
            delay = BACKOFF_MINUTES[min(attempts - 1, len(BACKOFF_MINUTES) - 1)]
            with write_tx():
                OutboxMessage.update(
                    attempts=attempts,
                    last_error=f"{type(exc).__name__}: {exc}"[:1000],
                    status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                    next_attempt_at=utcnow() + dt.timedelta(minutes=delay),
                ).where(OutboxMessage.id == message.id).execute()
            log.warning(
                "outbox %s to %s failed (attempt %s): %s",
                message.channel,
                message.recipient,
                attempts,
                exc,
            )
            continue
        sent += 1
        with write_tx():
            OutboxMessage.update(
                status="sent", sent_at=utcnow(), attempts=message.attempts + 1, last_error=""
            ).where(OutboxMessage.id == message.id).execute()
    return sent, failed
