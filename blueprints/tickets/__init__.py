"""Ärenden (SPEC §9): the list (TIC-1), Skapa ärende (TIC-2), the
conversation (TIC-3), attachments, closing and reopening (TIC-4), and the
``flask tickets …`` commands for inbound mail and scheduled tickets.

The behaviour lives in domain/tickets.py, domain/attachments.py and
domain/inbound_mail.py; the back-office side is blueprints/staff/tickets.py.
"""

from __future__ import annotations

import os
import sys

import click
from flask import Blueprint, current_app

from database import write_tx
from domain import attachments as files
from domain import ticket_sla
from domain import tickets as ticketing
from tables.tickets import TICKET_PRIORITIES
from web.i18n import locale_code

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

PRIORITY_CHOICES = {str(k): v for k, v in TICKET_PRIORITIES.items()}


CREATE_PERMISSIONS = ("tickets.manage", "faults.create")


def strip(value):
    """Form filter: surrounding whitespace is not content."""
    return value.strip() if isinstance(value, str) else value


@bp.record_once
def _config_defaults(state):
    """Settings of this area, from the environment unless create_app got them."""
    env, config = os.environ.get, state.app.config
    config.setdefault(
        "TICKET_REPLY_ADDRESS", env("TICKET_REPLY_ADDRESS") or ticketing.DEFAULT_REPLY_ADDRESS
    )
    config.setdefault("ATTACHMENT_MAX_MB", float(env("ATTACHMENT_MAX_MB") or files.DEFAULT_MAX_MB))
    for key, default in (
        ("INBOUND_MAIL_PROTOCOL", "imap"),
        ("INBOUND_MAIL_HOST", ""),
        ("INBOUND_MAIL_PORT", ""),
        ("INBOUND_MAIL_USER", ""),
        ("INBOUND_MAIL_PASSWORD", ""),
        ("INBOUND_MAIL_TLS", "ssl"),
        ("INBOUND_MAIL_FOLDER", "INBOX"),
    ):
        config.setdefault(key, env(key) or default)


# --------------------------------------------------------------------------- template helpers


@bp.app_template_global()
def sla_clock(ticket):
    return ticket_sla.current_clock(ticket)


@bp.app_template_global()
def ticket_author(message):
    return ticketing.author_label(message)


@bp.app_template_filter()
def filesize(size: int | None) -> str:
    size = int(size or 0)
    if size >= 1024 * 1024:
        shown = f"{size / (1024 * 1024):.1f}"
        # a decimal comma in Swedish and Danish, a point in English
        return (shown if locale_code() == "en" else shown.replace(".", ",")) + " MB"
    return f"{max(1, round(size / 1024))} kB"


@bp.app_template_filter()
def utc_iso(value) -> str:
    """A stored (naive UTC) timestamp as ISO 8601 with Z, for static/tickets.js."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else ""


# --------------------------------------------------------------------------- CLI


@bp.cli.command("ingest-mail")
def ingest_mail_command():
    """Take one e-mail (RFC 822) from stdin into its ticket.

    Rejected mail is kept for staff (Avvisad e-post); the exit code is 0 either
    way so the mail system does not bounce it.
    """
    from domain import inbound_mail

    row = inbound_mail.ingest(sys.stdin.buffer.read())
    if getattr(row, "duplicate", False):
        click.echo(f"already received ({row.message_id})")
    elif row.status == "accepted":
        click.echo(f"accepted for ticket {row.ticket.number}")
    else:
        click.echo(f"rejected: {row.reason}")


@bp.cli.command("poll-mail")
@click.option("--loop", type=int, default=0, help="Keep polling every N seconds.")
def poll_mail_command(loop):
    """Fetch unread mail from the INBOUND_MAIL_* mailbox (IMAP or POP3)."""
    import time

    from domain import inbound_mail

    config = current_app.config
    if not config.get("INBOUND_MAIL_HOST"):
        raise click.ClickException("INBOUND_MAIL_HOST is not set")
    while True:
        accepted, rejected, duplicates = inbound_mail.poll_mailbox(config)
        click.echo(f"accepted {accepted}, rejected {rejected}, already received {duplicates}")
        if not loop:
            break
        time.sleep(loop)


@bp.cli.command("release-scheduled")
def release_scheduled_command():
    """Move scheduled tickets whose desired date has come to Väntar på hantering."""
    with write_tx():
        released = ticketing.release_scheduled()
    click.echo(f"released {len(released)} scheduled ticket(s)")


# The pages, each in its own module; names other areas use are re-exported here.
from blueprints.tickets import create  # noqa: E402, F401
from blueprints.tickets.conversation import conversation, send_attachment  # noqa: E402, F401
from blueprints.tickets.listing import (  # noqa: E402, F401
    SLA_CHOICES,
    TICKET_LIST,
    shared_columns,
    sla_condition,
    sla_due_expr,
    status_column,
)
