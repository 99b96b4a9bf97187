"""One ticket (TIC-3): the conversation, reply, close, reopen, attachments."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from wtforms import (
    MultipleFileField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from blueprints.tickets import bp, strip
from blueprints.tickets.listing import tickets_query
from database import write_tx
from domain import attachments as files
from domain import ticket_sla
from domain import tickets as ticketing
from tables.org import Contact, StaffUser, User
from tables.tickets import (
    Ticket,
    TicketAttachment,
    TicketContact,
    TicketMessage,
)
from web import dialogs
from web.auth import customer_required, get_visible_or_404
from web.forms import FlaskForm
from web.htmx import render
from web.i18n import tr

# --------------------------------------------------------------------------- the ticket (TIC-3)


def load_ticket(ticket_id: int) -> Ticket:
    return get_visible_or_404(Ticket, ticket_id, tickets_query(current_user))


def conversation(ticket: Ticket, *, internal: bool) -> list[TicketMessage]:
    """Messages newest first with their attachments; internal notes only for staff."""
    query = (
        TicketMessage.select(TicketMessage, User, StaffUser)
        .join(User, JOIN.LEFT_OUTER, on=(TicketMessage.author_user == User.id))
        .switch(TicketMessage)
        .join(StaffUser, JOIN.LEFT_OUTER, on=(TicketMessage.author_staff == StaffUser.id))
        .where(TicketMessage.ticket == ticket.id)
    )
    if not internal:
        query = query.where(TicketMessage.internal == False)  # noqa: E712
    messages = list(query.order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc()))
    by_message = {}
    if messages:
        for attachment in TicketAttachment.select().where(
            TicketAttachment.message.in_([m.id for m in messages])
        ):
            by_message.setdefault(attachment.message_id, []).append(attachment)
    names = ticketing.contact_names(
        ticket, [m.author_email for m in messages if not m.author_user_id]
    )
    for message in messages:
        message.files = by_message.get(message.id, [])
        message.sender = ticketing.author_label(message, names)
        message.from_operator = ticketing.from_operator(message)
    return messages


def detail_context(ticket: Ticket) -> dict:
    user = current_user
    contacts = list(
        Contact.select()
        .join(TicketContact, on=(TicketContact.contact == Contact.id))
        .where(TicketContact.ticket == ticket.id)
        .order_by(Contact.name)
    )
    may = ticketing.may_manage(user, ticket)
    is_draft_owner = ticket.status == "draft" and ticket.created_by_id == user.id
    return {
        "ticket": ticket,
        "messages": conversation(ticket, internal=False),
        "contacts": contacts,
        "extra_rows": ticketing.extra_field_rows(ticket),
        "clocks": ticket_sla.sla_clocks(ticket),
        "may_reply": may and ticket.status != "draft",
        "may_close": may and ticket.is_open,
        "may_reopen": may and ticketing.can_reopen(ticket),
        "is_draft_owner": is_draft_owner,
        "reopen_days": ticketing.REOPEN_DAYS,
        "detail_url": url_for("tickets.detail", ticket_id=ticket.id),
        "creator": ticket.created_by if ticket.created_by_id else None,
    }


@bp.route("/<int:ticket_id>")
@customer_required
def detail(ticket_id: int):
    ticket = load_ticket(ticket_id)
    return render("tickets/detail.html", "partials/tickets/_detail.html", **detail_context(ticket))


def changed(ticket: Ticket, message: str):
    """A dialog's success: confirm with ``message``, close the dialog and
    refresh the ticket page in place (without htmx: back to the page)."""
    return dialogs.done(
        url_for("tickets.detail", ticket_id=ticket.id), message, ticketChanged=ticket.id
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Meddelande"),
        filters=[strip],
        validators=[
            DataRequired(_l("Skriv ett meddelande.")),
            Length(max=20000, message=_l("Högst 20 000 tecken.")),
        ],
    )
    attachments = MultipleFileField(_l("Lägg till bilaga"))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Kommentar"), validators=[Length(max=20000, message=_l("Högst 20 000 tecken."))]
    )


def _managed_ticket(ticket_id: int) -> Ticket:
    ticket = load_ticket(ticket_id)
    if not ticketing.may_manage(current_user, ticket):
        abort(403)
    return ticket


def _dialog(template, ticket, form, **context):
    return dialogs.show(
        template,
        url_for("tickets.detail", ticket_id=ticket.id),
        form=form,
        ticket=ticket,
        accept=files.ACCEPT_ATTRIBUTE,
        max_bytes=files.max_bytes(),
        allowed_summary=files.allowed_summary(),
        **context,
    )


@bp.route("/<int:ticket_id>/reply", methods=["GET", "POST"])
@customer_required
def reply(ticket_id: int):
    """Svara på ärende: Meddelande, bilagor, Skicka."""
    ticket = _managed_ticket(ticket_id)
    if ticket.status == "draft":
        abort(404)
    form = ReplyForm()
    if request.method == "GET":
        return _dialog("partials/tickets/_reply_dialog.html", ticket, form)
    ok = form.validate()
    accepted, upload_errors = files.check_uploads(request.files.getlist("attachments"))
    if upload_errors:
        form.attachments.errors = [tr(e) for e in upload_errors]
        ok = False
    if ticket.status == "done" and ok:
        form.body.errors.append(_("Ärendet är slutfört. Återöppna det för att svara."))
        ok = False
    if not ok:
        return _dialog("partials/tickets/_reply_dialog.html", ticket, form)
    with files.staged(accepted) as stored, write_tx():
        ticketing.add_customer_reply(
            ticket,
            body=form.body.data.strip(),
            user=current_user._get_current_object(),
            attachments=stored,
        )
    return changed(ticket, _("Ditt svar är skickat."))


@bp.route("/<int:ticket_id>/close", methods=["GET", "POST"])
@customer_required
def close(ticket_id: int):
    ticket = _managed_ticket(ticket_id)
    form = CommentForm()
    if not ticket.is_open:
        form.form_errors.append(_("Ärendet är inte öppet."))
        return _dialog("partials/tickets/_close_dialog.html", ticket, form)
    if request.method == "GET" or not form.validate():
        return _dialog("partials/tickets/_close_dialog.html", ticket, form)
    with write_tx():
        ticketing.close_by_customer(
            ticket, current_user._get_current_object(), (form.body.data or "").strip()
        )
    return changed(ticket, _("Ärendet är stängt."))


@bp.route("/<int:ticket_id>/reopen", methods=["GET", "POST"])
@customer_required
def reopen(ticket_id: int):
    ticket = _managed_ticket(ticket_id)
    form = CommentForm()
    form.body.label.text = _("Varför återöppnas ärendet?")
    if not ticketing.can_reopen(ticket):
        form.form_errors.append(
            _(
                "Ett slutfört ärende kan återöppnas inom %(days)s dagar.",
                days=ticketing.REOPEN_DAYS,
            )
        )
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    if request.method == "GET":
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    ok = form.validate()
    if not (form.body.data or "").strip():
        form.body.errors.append(_("Beskriv varför ärendet ska återöppnas."))
        ok = False
    if not ok:
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    with write_tx():
        ticketing.reopen_by_customer(
            ticket, current_user._get_current_object(), form.body.data.strip()
        )
    return changed(ticket, _("Ärendet är återöppnat."))


# --------------------------------------------------------------------------- attachments


def send_attachment(attachment: TicketAttachment):
    """The stored file as a download: never shown inline, never sniffed."""
    try:
        data = files.read_verified(attachment.storage_name, attachment.sha256)
    except (OSError, ValueError):
        current_app.logger.exception("attachment %s unreadable", attachment.id)
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    # The stored type as it is: send_file would add a second "; charset=utf-8".
    response.headers["Content-Type"] = attachment.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:ticket_id>/attachments/<int:attachment_id>")
@customer_required
def attachment(ticket_id: int, attachment_id: int):
    """A file of the ticket; files of internal notes never reach customers."""
    ticket = load_ticket(ticket_id)
    found = (
        TicketAttachment.select()
        .join(TicketMessage, JOIN.LEFT_OUTER, on=(TicketAttachment.message == TicketMessage.id))
        .where(
            (TicketAttachment.id == attachment_id)
            & (TicketAttachment.ticket == ticket.id)
            & (TicketMessage.internal.is_null() | (TicketMessage.internal == False))  # noqa: E712
        )
        .get_or_none()
    )
    if found is None:
        abort(404)
    return send_attachment(found)
