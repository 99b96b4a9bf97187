"""Tickets (ärenden, SPEC §9): creating them, the conversation, statuses,
the e-mail sent to the customer.

Every function that changes something is called inside ``write_tx`` and
writes its audit row itself. Status flow (BBGRUPPEN):

    Schemalagd → Väntar på hantering → Under hantering ⇄ Väntar på kund → Slutfört

A customer reply while *Väntar på kund* moves the ticket back to *Under
hantering*; the customer may close a ticket and reopen a *Slutfört* one within
``REOPEN_DAYS``. Every status change and every staff reply (never an internal
note) is e-mailed to the ticket's creator and its extra contacts when the
organisation's Företagsprofil switch is on; the reply address carries the
ticket's ``reply_token`` so that answering the mail adds to the ticket
(domain/inbound_mail.py).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from flask import current_app, has_app_context
from peewee import fn

from database import utcnow
from domain import audit, charges
from domain import operator as operators
from domain.mail import send_email
from domain.text import LANGUAGES, N_, T_, Text, translate
from domain.ticket_sla import sla_due_times, start_sla
from tables.org import Contact, User
from tables.tickets import (
    OPEN_TICKET_STATUSES,
    TICKET_STATUSES,
    Ticket,
    TicketAttachment,
    TicketContact,
    TicketMessage,
)

REOPEN_DAYS = 14
DEFAULT_REPLY_ADDRESS = "arende+{token}@teleportal.example"
REPLY_MARKER = N_("-- Skriv ditt svar ovanför denna rad --")

# What staff may set (a draft is the customer's until sent).
STAFF_STATUSES = ("scheduled", "waiting", "in_progress", "waiting_customer", "done")


def _config(key: str, default):
    return current_app.config.get(key, default) if has_app_context() else default


def operator_name() -> str:
    return operators.current().name if has_app_context() else "Teleportal"


def reply_address(ticket: Ticket) -> str:
    return _config("TICKET_REPLY_ADDRESS", DEFAULT_REPLY_ADDRESS).format(token=ticket.reply_token)


def new_reply_token() -> str:
    # Lower-case hex: mail systems may lower-case the address's local part.
    return secrets.token_hex(12)


# --------------------------------------------------------------------------- e-mail


def recipients(ticket: Ticket) -> list[str]:
    """The creator and the extra contacts, when the organisation wants e-mail."""
    if not ticket.organisation.profile().notify_email:
        return []
    addresses = []
    if ticket.created_by_id:
        creator = User.get_or_none(User.id == ticket.created_by_id)
        if creator is not None and creator.active and creator.email:
            addresses.append(creator.email)
    contacts = (
        Contact.select(Contact.email)
        .join(TicketContact, on=(TicketContact.contact == Contact.id))
        .where(TicketContact.ticket == ticket.id)
    )
    addresses += [c.email for c in contacts if c.email]
    seen, out = set(), []
    for address in addresses:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(address.strip())
    return out


def ticket_url(ticket: Ticket) -> str:
    base = _config("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/tickets/{ticket.id}"


def subject_line(ticket: Ticket, headline: str, lang: str = "sv") -> str:
    return translate(
        T_(
            "Ärende %(number)s: %(subject)s – %(headline)s [ref:%(token)s]",
            number=ticket.number,
            subject=ticket.subject,
            headline=_in(headline, lang),
            token=ticket.reply_token,
        ),
        lang,
    )


def reply_markers() -> list[str]:
    """The reply marker in every language (a reply quotes the one it got)."""
    return list(dict.fromkeys(translate(REPLY_MARKER, lang) for lang in LANGUAGES))


def _in(text: str, lang: str) -> str:
    """A marked message in ``lang``; a status label among its values too."""
    if isinstance(text, Text) and "status" in text.params:
        params = {**text.params, "status": translate(text.params["status"], lang)}
        return translate(Text(text.msgid, params), lang)
    return translate(text, lang)


def _languages(ticket: Ticket, addresses: list[str]) -> dict[str, str]:
    """Each address's language: a portal user's own, else the creator's."""
    default = "sv"
    if ticket.created_by_id:
        creator = User.get_or_none(User.id == ticket.created_by_id)
        default = getattr(creator, "language", None) or "sv"
    found = {address.lower(): default for address in addresses}
    users = User.select(User.email, User.language).where(
        (User.organisation == ticket.organisation_id) & fn.LOWER(User.email).in_(list(found))
    )
    for user in users:
        if user.email and user.language in LANGUAGES:
            found[user.email.lower()] = user.language
    return found


def mail_body(ticket: Ticket, intro: str, message: str | None, lang: str = "sv") -> str:
    name = operator_name()
    lines = [
        translate(REPLY_MARKER, lang),
        "",
        translate(N_("Hej!"), lang),
        "",
        _in(intro, lang),
        "",
    ]
    if message:
        lines += [translate(T_("%(name)s skriver:", name=name), lang), "", message.strip(), ""]
    lines += [
        translate(
            T_("Ärende: %(number)s – %(subject)s", number=ticket.number, subject=ticket.subject),
            lang,
        ),
        _in(T_("Status: %(status)s", status=ticket.status_label), lang),
        translate(T_("Visa ärendet: %(url)s", url=ticket_url(ticket)), lang),
        "",
        translate(
            N_("Du kan svara direkt på det här e-postmeddelandet; ditt svar läggs till i ärendet."),
            lang,
        ),
        "",
        translate(T_("Med vänliga hälsningar,\n%(name)s", name=name), lang),
    ]
    return "\n".join(lines)


def notify(ticket: Ticket, headline: str, intro: str, message: str | None = None) -> int:
    """E-mail the creator and extra contacts; returns how many were queued.

    ``message`` is a staff reply's text (never an internal note). The mail is
    signed with the operator's name only. ``headline`` and ``intro`` are
    marked messages: each recipient reads them in their own language.
    """
    to = recipients(ticket)
    if not to:
        return 0
    languages = _languages(ticket, to)
    for address in to:
        lang = languages.get(address.lower(), "sv")
        send_email(
            address,
            subject_line(ticket, headline, lang),
            mail_body(ticket, intro, message, lang),
            reply_to=reply_address(ticket),
            organisation=ticket.organisation_id,
        )
    return len(to)


def _status_mail(ticket: Ticket, message: str | None = None) -> None:
    label = ticket.status_label
    intro = {
        "scheduled": T_(
            "Ditt ärende är registrerat och schemalagt till %(date)s.",
            date=ticket.scheduled_for,
        ),
        "waiting": N_("Ditt ärende är registrerat och väntar på hantering."),
        "in_progress": N_("Ditt ärende är nu under hantering."),
        "waiting_customer": N_(
            "Vi behöver mer information från dig för att gå vidare med ärendet."
        ),
        "done": T_(
            "Ditt ärende är slutfört. Du kan återöppna det inom %(days)s dagar om problemet kvarstår.",
            days=REOPEN_DAYS,
        ),
    }.get(ticket.status, T_("Ärendets status är nu %(status)s.", status=label))
    notify(ticket, label, intro, message)


# --------------------------------------------------------------------------- creating


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
    attachments=(),
) -> Ticket:
    """Create a ticket with its first message; call inside ``write_tx``.

    A desired execution date in the future makes it Schemalagd until then;
    ``status="draft"`` saves it unsent. ``attachments`` are
    (CheckedFile, storage name) pairs from ``domain.attachments.staged``.
    """
    from models import next_number

    now = utcnow()
    if status is None:
        status = "scheduled" if scheduled_for and scheduled_for > dt.date.today() else "waiting"
    ticket = Ticket(
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
        reply_token=new_reply_token(),
    )
    if status == "waiting":
        start_sla(ticket, now)
    ticket.save(force_insert=True)
    message = TicketMessage.create(ticket=ticket, author_user=created_by, body=body, created_at=now)
    _attach(ticket, message, attachments, user=created_by)
    for contact in contacts:
        TicketContact.create(ticket=ticket, contact=contact)
    audit.record(
        "ticket.create",
        ticket,
        organisation=organisation,
        summary=f"Ärende {ticket.number} skapat: {subject}",
        after={"subject": subject, "category": category, "priority": priority, "status": status},
    )
    if status != "draft":
        _status_mail(ticket)
    return ticket


def update_draft(ticket: Ticket, *, contacts=None, attachments=(), body=None, **fields) -> None:
    """Change a draft's fields (and first message); call inside ``write_tx``."""
    before = {"subject": ticket.subject, "category": ticket.category}
    if "extra_fields" in fields:
        fields["extra_fields"] = json.dumps(fields["extra_fields"] or {}, ensure_ascii=False)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save()
    first = ticket.messages.order_by(TicketMessage.created_at, TicketMessage.id).first()
    if body is not None and first is not None:
        first.body = body
        first.save()
    if contacts is not None:
        TicketContact.delete().where(TicketContact.ticket == ticket.id).execute()
        for contact in contacts:
            TicketContact.create(ticket=ticket, contact=contact)
    _attach(ticket, first, attachments, user=ticket.created_by)
    audit.record(
        "ticket.draft_update",
        ticket,
        summary=f"Utkast {ticket.number} ändrat",
        before=before,
        after={"subject": ticket.subject, "category": ticket.category},
    )


def submit_draft(ticket: Ticket) -> None:
    """Send a draft: Schemalagd or Väntar på hantering from now on."""
    now = utcnow()
    scheduled = ticket.scheduled_for and ticket.scheduled_for > dt.date.today()
    ticket.status = "scheduled" if scheduled else "waiting"
    ticket.created_at = now  # Skapat: when it reached the operator
    if not scheduled:
        start_sla(ticket, now)
    ticket.save()
    TicketMessage.update(created_at=now).where(TicketMessage.ticket == ticket.id).execute()
    audit.record(
        "ticket.submit",
        ticket,
        summary=f"Ärende {ticket.number} skickat",
        before={"status": "draft"},
        after={"status": ticket.status},
    )
    _status_mail(ticket)


def delete_draft(ticket: Ticket) -> list[str]:
    """Remove a draft with its messages; returns the stored file names to delete
    once the transaction has committed."""
    names = [a.storage_name for a in ticket.attachments]
    TicketAttachment.delete().where(TicketAttachment.ticket == ticket.id).execute()
    TicketContact.delete().where(TicketContact.ticket == ticket.id).execute()
    TicketMessage.delete().where(TicketMessage.ticket == ticket.id).execute()
    audit.record(
        "ticket.draft_delete",
        ticket,
        summary=f"Utkast {ticket.number} borttaget",
        before={"subject": ticket.subject},
    )
    ticket.delete_instance()
    return names


def _attach(ticket, message, stored, *, user=None, staff=None) -> list[TicketAttachment]:
    rows = []
    for checked, storage_name in stored:
        rows.append(
            TicketAttachment.create(
                ticket=ticket,
                message=message,
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                storage_name=storage_name,
                uploaded_by_user=user,
                uploaded_by_staff=staff,
            )
        )
    return rows


# --------------------------------------------------------------------------- conversation


def may_manage(user, ticket: Ticket) -> bool:
    """Reply, close and reopen: tickets.manage, faults.create for fault
    reports, and always the ticket's own creator."""
    if user.is_staff:
        return False  # staff work in the back office
    if ticket.created_by_id == user.id:
        return True
    if ticket.category == "fault" and user.has("faults.create"):
        return True
    return user.has("tickets.manage")


def can_reopen(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    if ticket.status != "done":
        return False
    since = ticket.resolved_at or ticket.last_action_at or ticket.created_at
    return now - since <= dt.timedelta(days=REOPEN_DAYS)


def add_customer_reply(
    ticket: Ticket, *, body: str, user=None, email: str = "", via="web", attachments=()
) -> TicketMessage:
    """A reply from the customer (portal user or e-mail); call inside ``write_tx``.

    Väntar på kund → Under hantering.
    """
    now = utcnow()
    message = _customer_message(ticket, body, user, email, via, now)
    _attach(ticket, message, attachments, user=user)
    ticket.last_action_at = now
    before = ticket.status
    if ticket.status == "waiting_customer":
        _set_status(ticket, "in_progress", now, user=user, email=email)
    ticket.save()
    audit.record(
        "ticket.reply",
        ticket,
        actor=user,
        organisation=ticket.organisation_id,
        summary=f"Svar i ärende {ticket.number}" + (" via e-post" if via == "email" else ""),
        before={"status": before},
        after={"status": ticket.status, "message": message.id},
    )
    if ticket.status != before:
        _status_mail(ticket)
    return message


def _customer_message(ticket, body, user, email, via, now) -> TicketMessage:
    return TicketMessage.create(
        ticket=ticket,
        author_user=user,
        author_email=email or (user.email if user else ""),
        body=body,
        via=via,
        created_at=now,
    )


def add_staff_reply(
    ticket: Ticket, *, staff, body: str, internal=False, new_status=None, attachments=()
) -> TicketMessage:
    """A staff reply (e-mailed to the customer) or an internal note (never
    shown or sent to the customer); optionally with a new status."""
    now = utcnow()
    message = TicketMessage.create(
        ticket=ticket, author_staff=staff, body=body, internal=internal, created_at=now
    )
    _attach(ticket, message, attachments, staff=staff)
    before = ticket.status
    changed = bool(new_status and new_status != ticket.status)
    if changed:
        _set_status(ticket, new_status, now, staff=staff)
    if not internal:
        ticket.last_action_at = now
        if ticket.first_response_at is None:
            ticket.first_response_at = now
    ticket.save()
    audit.record(
        "ticket.note" if internal else "ticket.staff_reply",
        ticket,
        actor=staff,
        organisation=ticket.organisation_id,
        summary=(
            f"Intern anteckning i ärende {ticket.number}"
            if internal
            else f"Svar till kund i ärende {ticket.number}"
        ),
        before={"status": before},
        after={"status": ticket.status, "message": message.id},
    )
    if not internal:
        intro = (
            T_("%(operator)s har svarat i ditt ärende.", operator=operator_name())
            if not changed
            else T_(
                "%(operator)s har svarat i ditt ärende. Ny status: %(status)s.",
                operator=operator_name(),
                status=ticket.status_label,
            )
        )
        notify(ticket, N_("Nytt svar") if not changed else ticket.status_label, intro, body)
    elif changed:
        _status_mail(ticket)
    return message


def _set_status(ticket, status, now, *, staff=None, user=None, email="") -> None:
    """Move the ticket and put the change in its timeline (no save, no mail)."""
    old = ticket.status
    ticket.status = status
    if status == "done":
        ticket.resolved_at = now
        if staff is not None:  # a billable request becomes a charge (once)
            charges.charge_completed(ticket, staff=staff)
    elif old == "done":
        ticket.resolved_at = None
    if status == "waiting" and old == "scheduled":
        start_sla(ticket, now)
    if staff is not None and ticket.first_response_at is None and status != "waiting":
        ticket.first_response_at = now
    ticket.last_action_at = now
    TicketMessage.create(
        ticket=ticket,
        kind="status",
        author_staff=staff,
        author_user=user,
        author_email=email,
        body=f"{TICKET_STATUSES.get(old, old)} → {TICKET_STATUSES[status]}",
        created_at=now,
    )


def change_status(ticket: Ticket, status: str, *, staff=None, user=None) -> None:
    """A status change by staff (any status but draft) or the customer
    (close, reopen); e-mails the customer. Call inside ``write_tx``."""
    if status not in TICKET_STATUSES or status == "draft" or status == ticket.status:
        raise ValueError(f"bad status change {ticket.status} → {status}")
    before = ticket.status
    _set_status(ticket, status, utcnow(), staff=staff, user=user)
    ticket.save()
    audit.record(
        "ticket.status",
        ticket,
        actor=staff or user,
        organisation=ticket.organisation_id,
        summary=f"Ärende {ticket.number}: {TICKET_STATUSES[before]} → {ticket.status_label}",
        before={"status": before},
        after={"status": status},
    )
    _status_mail(ticket)


def close_by_customer(ticket: Ticket, user, comment: str = "") -> None:
    if ticket.status not in OPEN_TICKET_STATUSES:
        raise ValueError("only an open ticket can be closed")
    if comment:
        _customer_message(ticket, comment, user, "", "web", utcnow())
    change_status(ticket, "done", user=user)


def reopen_by_customer(
    ticket: Ticket, user, comment: str, *, email: str = "", via="web", attachments=()
) -> None:
    """Back to the queue (Väntar på hantering) with the customer's reason."""
    if not can_reopen(ticket):
        raise ValueError("the ticket can no longer be reopened")
    message = _customer_message(ticket, comment, user, email, via, utcnow())
    _attach(ticket, message, attachments, user=user)
    change_status(ticket, "waiting", user=user)


def set_priority(ticket: Ticket, priority: int, *, staff) -> None:
    """New priority; the SLA due times follow it from when the ticket was queued."""
    before = ticket.priority
    ticket.priority = priority
    if ticket.status not in ("draft", "scheduled"):
        start = ticket.queued_at or ticket.created_at
        ticket.response_due_at, ticket.resolution_due_at = sla_due_times(
            ticket.organisation, priority, start
        )
    ticket.save()
    audit.record(
        "ticket.priority",
        ticket,
        actor=staff,
        organisation=ticket.organisation_id,
        summary=f"Ärende {ticket.number}: prioritet {ticket.priority_label}",
        before={"priority": before},
        after={"priority": priority},
    )


def assign(ticket: Ticket, assignee, *, staff) -> None:
    before = ticket.assigned_to.name if ticket.assigned_to_id else None
    ticket.assigned_to = assignee
    ticket.save()
    audit.record(
        "ticket.assign",
        ticket,
        actor=staff,
        organisation=ticket.organisation_id,
        summary=f"Ärende {ticket.number} tilldelat {assignee.name if assignee else 'ingen'}",
        before={"assigned_to": before},
        after={"assigned_to": assignee.name if assignee else None},
    )


def release_scheduled(today: dt.date | None = None) -> list[Ticket]:
    """Scheduled tickets whose date has come enter the queue (Väntar på
    hantering) and their SLA clock starts. Call inside ``write_tx``."""
    today = today or dt.date.today()
    due = list(
        Ticket.select().where((Ticket.status == "scheduled") & (Ticket.scheduled_for <= today))
    )
    for ticket in due:
        _set_status(ticket, "waiting", utcnow())
        ticket.save()
        audit.record(
            "ticket.release",
            ticket,
            organisation=ticket.organisation_id,
            summary=f"Ärende {ticket.number}: önskat utförandedatum {ticket.scheduled_for} nått",
            before={"status": "scheduled"},
            after={"status": "waiting"},
        )
        _status_mail(ticket)
    return due


# --------------------------------------------------------------------------- display


def extra_field_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """(label, value) of the request type's own fields, in the type's order."""
    try:
        values = json.loads(ticket.extra_fields or "{}")
    except ValueError:
        return []
    if not values:
        return []
    labels = {}
    if ticket.request_type_id:
        try:
            labels = {f["name"]: f["label"] for f in json.loads(ticket.request_type.fields)}
        except (ValueError, KeyError, TypeError):
            labels = {}
    order = list(labels) + [k for k in values if k not in labels]
    return [(labels.get(k, k), str(values[k])) for k in order if values.get(k) not in (None, "")]


def author_label(message: TicketMessage, contact_names: dict[str, str] | None = None) -> str:
    """Who wrote a message, as the customer sees it: staff always as the
    operator, never by their own name; a customer by name. A reply e-mailed by
    a contact person is signed with the contact's name from ``contact_names``
    (lower-cased address → name), else with the address."""
    if message.author_staff_id:
        return operator_name()
    if message.author_user_id:
        return message.author_user.name or message.author_user.email
    if message.author_email:
        return (contact_names or {}).get(message.author_email.lower()) or message.author_email
    return operator_name()


def from_operator(message: TicketMessage) -> bool:
    """Written on the operator's side (staff, or the system itself)."""
    return bool(message.author_staff_id) or not (message.author_user_id or message.author_email)


def contact_names(ticket: Ticket, addresses) -> dict[str, str]:
    """Names of the ticket's organisation's contact persons by e-mail address."""
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    contacts = Contact.select(Contact.email, Contact.name).where(
        (Contact.organisation == ticket.organisation_id) & fn.LOWER(Contact.email).in_(wanted)
    )
    return {c.email.lower(): c.name for c in contacts if c.name}
