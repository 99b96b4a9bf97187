"""Creating tickets (ärenden): numbers, SLA due times, first message, audit."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from database import utcnow
from domain import audit
from tables.org import SLATarget
from tables.tickets import Ticket, TicketContact, TicketMessage


def sla_due_times(organisation, priority: int, start: dt.datetime):
    """(response due, resolution due) from the organisation's agreement SLA, or (None, None)."""
    agreement = organisation.current_agreement()
    if agreement is None or agreement.sla_id is None:
        return None, None
    target = SLATarget.get_or_none(
        (SLATarget.sla == agreement.sla_id) & (SLATarget.priority == priority)
    )
    if target is None:
        return None, None
    return (
        start + dt.timedelta(minutes=target.response_minutes),
        start + dt.timedelta(minutes=target.resolution_minutes),
    )


def create_ticket(
    *,
    organisation,
    account,
    created_by,
    subject: str,
    body: str,
    category: str = "other",
    priority: int = 3,
    service=None,
    invoice=None,
    order=None,
    request_type=None,
    product_area=None,
    scheduled_for=None,
    extra_fields: dict | None = None,
    contacts=(),
    status: str | None = None,
) -> Ticket:
    """Create a ticket with its first message; call inside ``write_tx``.

    A desired execution date in the future makes it Schemalagd until then.
    """
    from models import next_number

    now = utcnow()
    if status is None:
        status = "scheduled" if scheduled_for and scheduled_for > dt.date.today() else "waiting"
    response_due, resolution_due = (None, None)
    if status != "draft":
        response_due, resolution_due = sla_due_times(organisation, priority, now)
    ticket = Ticket.create(
        organisation=organisation,
        account=account,
        service=service,
        invoice=invoice,
        order=order,
        number=next_number("ticket_number"),
        category=category,
        request_type=request_type,
        product_area=product_area,
        priority=priority,
        subject=subject,
        status=status,
        extra_fields=json.dumps(extra_fields or {}, ensure_ascii=False),
        created_by=created_by,
        created_at=now,
        scheduled_for=scheduled_for,
        reply_token=secrets.token_urlsafe(16),
        response_due_at=response_due,
        resolution_due_at=resolution_due,
    )
    TicketMessage.create(ticket=ticket, author_user=created_by, body=body, created_at=now)
    for contact in contacts:
        TicketContact.create(ticket=ticket, contact=contact)
    audit.record(
        "ticket.create",
        ticket,
        organisation=organisation,
        summary=f"Ärende {ticket.number} skapat: {subject}",
        after={"subject": subject, "category": category, "priority": priority, "status": status},
    )
    return ticket
