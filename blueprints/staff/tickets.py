"""Back office: the ticket queue (TIC-4, TIC-5) and rejected inbound mail.

All organisations' tickets in one list, sorted by SLA due time; a ticket
page where staff reply (e-mailed to the customer, signed with the operator's
name), add internal notes the customer never sees, change status and
priority and assign the ticket; and the e-mail that could not be matched to
a ticket (Avvisad e-post), kept for staff to look at and file by hand.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN, Case, fn
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from blueprints.staff import bp
from blueprints.tickets import (
    PRIORITY_CHOICES,
    SLA_CHOICES,
    conversation,
    send_attachment,
    shared_columns,
    sla_condition,
    sla_due_expr,
    status_column,
    strip,
)
from database import utcnow, write_tx
from domain import attachments as files
from domain import inbound_mail, request_types, ticket_sla
from domain import tickets as ticketing
from tables.org import Account, Contact, Organisation, StaffUser
from tables.services import Service
from tables.tickets import (
    OPEN_TICKET_STATUSES,
    TICKET_STATUSES,
    InboundMail,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketContact,
)
from web import excel
from web.auth import staff_required
from web.formatting import amount
from web.forms import FlaskForm, select_choices
from web.htmx import confirm, is_htmx, render
from web.i18n import N_, tr
from web.listcolumns import (
    ChoiceFilter,
    Column,
    NumberFilter,
    TextFilter,
    date_column,
    parse_kronor,
    text_column,
)
from web.listview import ListView

FAR_FUTURE = dt.datetime(9999, 12, 31)
STAFF_STATUS_CHOICES = {k: TICKET_STATUSES[k] for k in ticketing.STAFF_STATUSES}


def queue_query(user):
    return (
        Ticket.visible_to(user)
        .select(Ticket, Account, Organisation, Service, RequestType, StaffUser)
        .join(Account, on=(Ticket.account == Account.id))
        .switch(Ticket)
        .join(Organisation, on=(Ticket.organisation == Organisation.id))
        .switch(Ticket)
        .join(Service, join_type=JOIN.LEFT_OUTER, on=(Ticket.service == Service.id))
        .switch(Ticket)
        .join(RequestType, join_type=JOIN.LEFT_OUTER, on=(Ticket.request_type == RequestType.id))
        .switch(Ticket)
        .join(StaffUser, join_type=JOIN.LEFT_OUTER, on=(Ticket.assigned_to == StaffUser.id))
    )


def queue_sort():
    """SLA due time, tickets without one (or finished) last."""
    return Case(
        None,
        ((Ticket.status == "done", FAR_FUTURE),),
        fn.COALESCE(sla_due_expr(), FAR_FUTURE),
    )


_shared = shared_columns()
STAFF_TICKET_LIST = ListView(
    name="staff-tickets",
    model=Ticket,
    query=queue_query,
    row_template="partials/tickets/_staff_rows.html",
    default_sort=("sla", "asc"),
    export_title=N_("Ärenden"),
    columns=[
        Column(
            "sla",
            N_("SLA"),
            sort=queue_sort,
            filter=ChoiceFilter(SLA_CHOICES, condition=sla_condition),
            text=False,
        ),
        status_column(
            {k: v for k, v in TICKET_STATUSES.items() if k != "draft"},
            default=OPEN_TICKET_STATUSES,
        ),
        _shared["number"],
        Column(
            "customer",
            N_("Kund"),
            sort=Organisation.name,
            filter=NumberFilter(),
            filter_expr=(
                Organisation.name,
                Organisation.org_number,
                Account.customer_number,
                Account.company_name,
            ),
            export=Organisation.name,
        ),
        _shared["category"],
        _shared["priority"],
        Column(
            "subject",
            N_("Rubrik"),
            sort=Ticket.subject,
            filter=NumberFilter(),
            filter_expr=(Ticket.subject, Service.number, Service.user_name),
            export=Ticket.subject,
        ),
        # Shown in the Kund and Rubrik cells; own columns in the Excel export.
        Column("account", N_("Konto"), export=Account.customer_number, show=False),
        Column("service", N_("Tjänst"), export=Service.number, show=False),
        Column(
            "assigned",
            N_("Handläggare"),
            sort=StaffUser.name,
            filter=TextFilter(),
            filter_expr=StaffUser.name,
            export=StaffUser.name,
        ),
        _shared["created"],
        _shared["action"],
    ],
    essential=("status", "number", "customer", "subject"),  # a phone's card
)


def _release_due() -> None:
    """Scheduled tickets whose date has come join the queue before it is shown
    (``flask tickets release-scheduled`` does the same from cron)."""
    due = Ticket.select().where(
        (Ticket.status == "scheduled") & (Ticket.scheduled_for <= dt.date.today())
    )
    if due.exists():
        with write_tx():
            ticketing.release_scheduled()


def _queue_links() -> list[dict]:
    me = current_user.name
    rejected = InboundMail.select().where(
        (InboundMail.status == "rejected") & InboundMail.handled_at.is_null()
    )
    return [
        {"label": N_("Öppna ärenden"), "url": url_for("staff.tickets")},
        {"label": N_("Mina ärenden"), "url": url_for("staff.tickets", f_assigned=me)},
        {"label": N_("SLA överskriden"), "url": url_for("staff.tickets", f_sla="breached")},
        {
            "label": N_("Väntar på kund"),
            "url": url_for("staff.tickets", f_status="waiting_customer"),
        },
        {
            "label": N_("Avvisad e-post"),
            "url": url_for("staff.tickets_inbound"),
            "count": rejected.count(),
        },
        {"label": N_("Förfrågningstyper"), "url": url_for("staff.tickets_request_types")},
    ]


@bp.route("/tickets")
@staff_required("support")
def tickets():
    _release_due()
    return STAFF_TICKET_LIST.respond(
        current_user,
        "staff/tickets/list.html",
        queue_links=_queue_links() if not is_htmx() else None,
    )


# --------------------------------------------------------------------------- one ticket


class StaffReplyForm(FlaskForm):
    kind = RadioField(
        _l("Typ"),
        choices=select_choices(
            [("reply", _l("Svar till kunden")), ("note", _l("Intern anteckning"))]
        ),
        default="reply",
    )
    body = TextAreaField(
        _l("Meddelande"),
        filters=[strip],
        validators=[
            DataRequired(_l("Skriv ett meddelande.")),
            Length(max=20000, message=_l("Högst 20 000 tecken.")),
        ],
    )
    # Its own id: the page's Hantera form has a "status" field too.
    status = SelectField(_l("Ny status"), validate_choice=True, id="reply-status")
    attachments = MultipleFileField(_l("Lägg till bilaga"))


class StaffUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), validate_choice=True)
    priority = SelectField(
        _l("Prioritet"), choices=select_choices((k, _l(v)) for k, v in PRIORITY_CHOICES.items())
    )
    assigned_to = SelectField(_l("Handläggare"), validate_choice=True)


def _load(ticket_id: int) -> Ticket:
    ticket = queue_query(current_user).where(Ticket.id == ticket_id).get_or_none()
    if ticket is None:
        abort(404)
    return ticket


def _staff_choices():
    staff = StaffUser.select().where(StaffUser.active == True).order_by(StaffUser.name)  # noqa: E712
    return select_choices([("", _("Ej tilldelad"))] + [(str(s.id), s.name) for s in staff])


def _forms(ticket: Ticket, reply=None, update=None):
    if reply is None:
        reply = StaffReplyForm(formdata=None)
    reply.status.choices = select_choices(
        [("", _("Behåll (%(status)s)", status=tr(ticket.status_label)))]
        + [(k, _(v)) for k, v in STAFF_STATUS_CHOICES.items() if k != ticket.status]
    )
    if update is None:
        update = StaffUpdateForm(
            formdata=None,
            status=ticket.status,
            priority=str(ticket.priority),
            assigned_to=str(ticket.assigned_to_id or ""),
        )
    update.status.choices = select_choices((k, _(v)) for k, v in STAFF_STATUS_CHOICES.items())
    update.assigned_to.choices = _staff_choices()
    return reply, update


def staff_context(ticket: Ticket, reply=None, update=None) -> dict:
    reply, update = _forms(ticket, reply, update)
    contacts = list(
        Contact.select()
        .join(TicketContact, on=(TicketContact.contact == Contact.id))
        .where(TicketContact.ticket == ticket.id)
        .order_by(Contact.name)
    )
    return {
        "ticket": ticket,
        "messages": conversation(ticket, internal=True),
        "contacts": contacts,
        "extra_rows": ticketing.extra_field_rows(ticket),
        "clocks": ticket_sla.sla_clocks(ticket),
        "reply_form": reply,
        "update_form": update,
        "recipients": ticketing.recipients(ticket),
        "notify_on": ticket.organisation.profile().notify_email,
        "accept": files.ACCEPT_ATTRIBUTE,
        "max_bytes": files.max_bytes(),
        "allowed_summary": files.allowed_summary(),
        "attachment_endpoint": "staff.tickets_attachment",
        "creator": ticket.created_by if ticket.created_by_id else None,
        "staff_label": _staff_author,
        "own_side": "operator",
    }


def _staff_author(message) -> str:
    """Staff see who wrote what; the customer only ever sees the operator."""
    if message.author_staff_id:
        return _(
            "%(name)s (visas som %(operator)s)",
            name=message.author_staff.name,
            operator=ticketing.operator_name(),
        )
    return message.sender


def _page(ticket, **forms):
    return render(
        "staff/tickets/detail.html",
        "partials/tickets/_staff_detail.html",
        **staff_context(ticket, **forms),
    )


@bp.route("/tickets/<int:ticket_id>")
@staff_required("support")
def tickets_detail(ticket_id: int):
    return _page(_load(ticket_id))


def _done(ticket: Ticket, message: str):
    if is_htmx():
        return confirm(_page(_load(ticket.id)), message)
    flash(message, "success")
    return redirect(url_for("staff.tickets_detail", ticket_id=ticket.id), code=303)


@bp.post("/tickets/<int:ticket_id>/reply")
@staff_required("support")
def tickets_reply(ticket_id: int):
    """Reply to the customer or add an internal note, optionally with a new status."""
    ticket = _load(ticket_id)
    form = StaffReplyForm()
    _forms(ticket, reply=form)
    ok = form.validate()
    accepted, upload_errors = files.check_uploads(request.files.getlist("attachments"))
    if upload_errors:
        form.attachments.errors = [tr(e) for e in upload_errors]
        ok = False
    if not ok:
        return _page(ticket, reply=form)
    internal = form.kind.data == "note"
    staff = current_user._get_current_object()
    with files.staged(accepted) as stored, write_tx():
        ticketing.add_staff_reply(
            ticket,
            staff=staff,
            body=form.body.data.strip(),
            internal=internal,
            new_status=form.status.data or None,
            attachments=stored,
        )
    return _done(ticket, _("Anteckningen är sparad.") if internal else _("Svaret är skickat."))


@bp.post("/tickets/<int:ticket_id>/update")
@staff_required("support")
def tickets_update(ticket_id: int):
    """Change status, priority and handler in one go."""
    ticket = _load(ticket_id)
    form = StaffUpdateForm()
    _forms(ticket, update=form)
    if not form.validate():
        return _page(ticket, update=form)
    staff = current_user._get_current_object()
    assignee = (
        StaffUser.get_or_none(StaffUser.id == int(form.assigned_to.data))
        if form.assigned_to.data
        else None
    )
    with write_tx():
        if int(form.priority.data) != ticket.priority:
            ticketing.set_priority(ticket, int(form.priority.data), staff=staff)
        if (assignee.id if assignee else None) != ticket.assigned_to_id:
            ticketing.assign(ticket, assignee, staff=staff)
        if form.status.data != ticket.status:
            ticketing.change_status(ticket, form.status.data, staff=staff)
    return _done(ticket, _("Ärendet är uppdaterat."))


@bp.route("/tickets/<int:ticket_id>/attachments/<int:attachment_id>")
@staff_required("support")
def tickets_attachment(ticket_id: int, attachment_id: int):
    ticket = _load(ticket_id)
    found = TicketAttachment.get_or_none(
        (TicketAttachment.id == attachment_id) & (TicketAttachment.ticket == ticket.id)
    )
    if found is None:
        abort(404)
    return send_attachment(found)


# --------------------------------------------------------------------------- inbound mail

INBOUND_STATUSES = {"rejected": N_("Avvisad"), "accepted": N_("Mottagen")}
HANDLED_CHOICES = {"no": N_("Ej hanterad"), "yes": N_("Hanterad")}


def _handled_condition(values):
    condition = None
    for value in values:
        part = (
            InboundMail.handled_at.is_null()
            if value == "no"
            else InboundMail.handled_at.is_null(False)
        )
        condition = part if condition is None else (condition | part)
    return condition


def inbound_query(user):
    return InboundMail.select(InboundMail, Ticket).join(
        Ticket, join_type=JOIN.LEFT_OUTER, on=(InboundMail.ticket == Ticket.id)
    )


INBOUND_LIST = ListView(
    name="inbound-mail",
    model=InboundMail,
    query=inbound_query,
    row_template="partials/tickets/_inbound_rows.html",
    default_sort=("received", "desc"),
    export_title=N_("Inkommande e-post"),
    bulk_actions=[],
    columns=[
        Column(
            "status",
            N_("Status"),
            sort=InboundMail.status,
            filter=ChoiceFilter(INBOUND_STATUSES, default=("rejected",)),
            export=InboundMail.status,
            export_format=excel.labels(INBOUND_STATUSES),
        ),
        Column(
            "handled",
            N_("Hanterad"),
            sort=InboundMail.handled_at,
            filter=ChoiceFilter(HANDLED_CHOICES, default=("no",), condition=_handled_condition),
            export=InboundMail.handled_at,
            export_format=excel.to_datetime,
            text=False,
        ),
        date_column("received", N_("Mottaget"), InboundMail.received_at),
        text_column("sender", N_("Från"), InboundMail.sender),
        text_column("subject", N_("Ämne"), InboundMail.subject),
        text_column("reason", N_("Orsak"), InboundMail.reason),
        Column("ticket", N_("Ärende"), sort=Ticket.number, export=Ticket.number, text=False),
    ],
    essential=("status", "received", "sender", "subject"),  # a phone's card
)


@bp.route("/tickets/inbound")
@staff_required("support")
def tickets_inbound():
    return INBOUND_LIST.respond(current_user, "staff/tickets/inbound.html")


class FileMailForm(FlaskForm):
    number = StringField(
        _l("Ärendenummer"),
        validators=[InputRequired(_l("Ange ärendenumret.")), Length(max=12)],
    )


def _mail(mail_id: int) -> InboundMail:
    mail = inbound_query(current_user).where(InboundMail.id == mail_id).get_or_none()
    if mail is None:
        abort(404)
    return mail


def _mail_page(mail: InboundMail, form=None):
    message = inbound_mail.parsed(mail)
    return render_template(
        "staff/tickets/inbound_detail.html",
        mail=mail,
        text=inbound_mail.body_text(message),
        reply=inbound_mail.strip_quoted(inbound_mail.body_text(message)),
        attachments=[(name, len(data)) for name, data in inbound_mail.mail_attachments(message)],
        form=form or FileMailForm(formdata=None),
    )


@bp.route("/tickets/inbound/<int:mail_id>")
@staff_required("support")
def tickets_inbound_detail(mail_id: int):
    return _mail_page(_mail(mail_id))


@bp.post("/tickets/inbound/<int:mail_id>/file")
@staff_required("support")
def tickets_inbound_file(mail_id: int):
    """Staff judged a rejected mail genuine: add it to the ticket they name."""
    mail = _mail(mail_id)
    form = FileMailForm()
    if mail.status != "rejected" or mail.handled_at is not None:
        form.form_errors.append(_("E-postmeddelandet är redan hanterat."))
        return _mail_page(mail, form)
    if not form.validate():
        return _mail_page(mail, form)
    number = form.number.data.strip()
    ticket = (
        Ticket.get_or_none((Ticket.number == int(number)) & (Ticket.status != "draft"))
        if number.isdigit()
        else None
    )
    if ticket is None:
        form.number.errors.append(_("Det finns inget ärende med det numret."))
        return _mail_page(mail, form)
    message = inbound_mail.file_manually(mail, ticket, current_user._get_current_object())
    if message is None:
        form.form_errors.append(_("Meddelandet saknar text och bilagor som kan tas emot."))
        return _mail_page(mail, form)
    flash(_("E-postmeddelandet är tillagt i ärende %(number)s.", number=ticket.number), "success")
    return redirect(url_for("staff.tickets_detail", ticket_id=ticket.id), code=303)


@bp.post("/tickets/inbound/<int:mail_id>/handled")
@staff_required("support")
def tickets_inbound_handled(mail_id: int):
    mail = _mail(mail_id)
    if mail.handled_at is None:
        from domain import audit

        with write_tx():
            InboundMail.update(handled_at=utcnow(), handled_by=current_user.id).where(
                InboundMail.id == mail.id
            ).execute()
            audit.record(
                "inbound_mail.handled",
                mail,
                summary=f"Avvisad e-post från {mail.sender} markerad som hanterad",
            )
    flash(_("Markerad som hanterad."), "success")
    return redirect(url_for("staff.tickets_inbound"), code=303)


# --------------------------------------------------------------------------- request types


class RequestTypeForm(FlaskForm):
    label = StringField(
        _l("Namn"),
        filters=[strip],
        validators=[DataRequired(_l("Ange ett namn.")), Length(max=100)],
    )
    enabled = BooleanField(_l("Kunderna kan välja typen"))
    price = StringField(_l("Pris per begäran (kr)"), filters=[strip])
    fields = TextAreaField(_l("Egna fält (JSON)"))


def _request_type_forms(errors_for=None, form=None):
    types = list(RequestType.select().order_by(RequestType.position, RequestType.id))
    forms = {}
    for request_type in types:
        if errors_for == request_type.id and form is not None:
            forms[request_type.id] = form
            continue
        forms[request_type.id] = RequestTypeForm(
            formdata=None,
            prefix=f"t{request_type.id}",
            label=request_type.label,
            enabled=request_type.enabled,
            price=amount(request_type.price_ore) if request_type.price_ore else "",
            fields=json.dumps(
                request_types.request_type_fields(request_type), ensure_ascii=False, indent=2
            ),
        )
    return render_template(
        "staff/tickets/request_types.html",
        types=types,
        forms=forms,
        field_types=request_types.FIELD_TYPES,
    )


@bp.route("/tickets/request-types")
@staff_required("support")
def tickets_request_types():
    """The operator's request types (BBGRUPPEN): on or off, price, own fields."""
    return _request_type_forms()


@bp.post("/tickets/request-types/<int:type_id>")
@staff_required("support")
def tickets_request_type_save(type_id: int):
    request_type = RequestType.get_or_none(RequestType.id == type_id)
    if request_type is None:
        abort(404)
    form = RequestTypeForm(prefix=f"t{request_type.id}")
    ok = form.validate()
    price_ore = 0
    if form.price.data:
        try:
            price_ore = parse_kronor(form.price.data)
        except ValueError:
            form.price.errors.append(_("Ange ett belopp i kronor, t.ex. 150 eller 99,50."))
            ok = False
    fields, error = request_types.parse_field_definitions(form.fields.data)
    if error:
        form.fields.errors.append(tr(error))
        ok = False
    if not ok:
        return _request_type_forms(errors_for=request_type.id, form=form)
    with write_tx():
        request_types.save_request_type(
            request_type,
            label=form.label.data,
            enabled=form.enabled.data,
            price_ore=max(0, price_ore),
            fields=fields,
            staff=current_user._get_current_object(),
        )
    flash(_("%(name)s är sparad.", name=request_type.label), "success")
    return redirect(url_for("staff.tickets_request_types") + f"#type-{request_type.id}", code=303)
