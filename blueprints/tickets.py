"""Ärenden (SPEC §9): the list (TIC-1), Skapa ärende (TIC-2), the
conversation (TIC-3), attachments, closing and reopening (TIC-4), and the
``flask tickets …`` commands for inbound mail and scheduled tickets.

The behaviour lives in domain/tickets.py, domain/attachments.py and
domain/inbound_mail.py; the back-office side is blueprints/staff/tickets.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from dataclasses import dataclass

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from peewee import JOIN, Case, fn
from wtforms import (
    DateField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from database import utcnow, write_tx
from domain import attachments as files
from domain import tickets as ticketing
from permissions import TICKET_AREA, holds_any
from tables.billing import Invoice
from tables.catalogue import Product
from tables.orders import Order
from tables.org import Account, Contact, StaffUser, User
from tables.scope import visible_accounts
from tables.services import Service
from tables.tickets import (
    OPEN_TICKET_STATUSES,
    PRODUCT_AREA_KINDS,
    PRODUCT_AREAS,
    TICKET_CATEGORIES,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketContact,
    TicketMessage,
)
from web import dialogs, excel
from web.auth import customer_required, get_visible_or_404, require
from web.htmx import is_htmx, render, trigger
from web.listview import ChoiceFilter, Column, DateRangeFilter, ListView, TextFilter

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

PRIORITY_CHOICES = {str(k): v for k, v in TICKET_PRIORITIES.items()}


def options(pairs, optgroup=None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label, optgroup=optgroup) for value, label in pairs]


CREATE_PERMISSIONS = ("tickets.manage", "faults.create")


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


# --------------------------------------------------------------------------- the list (TIC-1)


def tickets_query(user):
    return (
        Ticket.visible_to(user)
        .select(Ticket, Account, Service, RequestType)
        .join(Account, on=(Ticket.account == Account.id))
        .switch(Ticket)
        .join(Service, join_type=JOIN.LEFT_OUTER, on=(Ticket.service == Service.id))
        .switch(Ticket)
        .join(RequestType, join_type=JOIN.LEFT_OUTER, on=(Ticket.request_type == RequestType.id))
    )


def sla_due_expr():
    """The due time a list shows: respond-by until answered, then resolve-by."""
    return Case(
        None,
        (
            (
                Ticket.first_response_at.is_null()
                & Ticket.response_due_at.is_null(False)
                & (Ticket.status != "done"),
                Ticket.response_due_at,
            ),
        ),
        Ticket.resolution_due_at,
    )


SLA_CHOICES = {
    "breached": "Överskriden",
    "soon": "Går ut inom 2 timmar",
    "running": "Inom SLA",
    "none": "Utan SLA",
}


def sla_condition(values):
    """SQL for the SLA filter's choices, evaluated against now."""
    now = utcnow()
    due = sla_due_expr()
    running = Ticket.status.in_(OPEN_TICKET_STATUSES) & due.is_null(False)
    parts = {
        "breached": (running & (due < now))
        | (Ticket.first_response_at > Ticket.response_due_at)
        | (Ticket.resolved_at > Ticket.resolution_due_at),
        "soon": running & (due >= now) & (due < now + ticketing.SOON),
        "running": running & (due >= now),
        "none": Ticket.response_due_at.is_null() & Ticket.resolution_due_at.is_null(),
    }
    condition = None
    for value in values:
        condition = parts[value] if condition is None else (condition | parts[value])
    return condition


def sla_column() -> Column:
    return Column(
        "sla",
        "SLA",
        sort=sla_due_expr,
        filter=ChoiceFilter(SLA_CHOICES, condition=sla_condition),
        text=False,
    )


def shared_columns() -> dict[str, Column]:
    """The columns the customer list and the staff queue share, by key."""
    return {
        "number": Column(
            "number",
            "Ärende #",
            sort=Ticket.number,
            filter=TextFilter(),
            filter_expr=Ticket.number.cast("TEXT"),
            export=Ticket.number,
            text=False,
        ),
        "category": Column(
            "category",
            "Kategori",
            sort=Ticket.category,
            filter=ChoiceFilter(TICKET_CATEGORIES),
            export=fn.COALESCE(RequestType.label, Ticket.category),
            export_format=lambda value: TICKET_CATEGORIES.get(value, value),
        ),
        "priority": Column(
            "priority",
            "Prioritet",
            sort=Ticket.priority,
            filter=ChoiceFilter(PRIORITY_CHOICES),
            export=Ticket.priority,
            export_format=excel.labels(TICKET_PRIORITIES),
        ),
        "created": Column(
            "created",
            "Skapat",
            sort=Ticket.created_at,
            filter=DateRangeFilter(),
            export=Ticket.created_at,
            export_format=excel.to_datetime,
            text=False,
        ),
        "action": Column(
            "action",
            "Åtgärd",
            sort=Ticket.last_action_at,
            filter=DateRangeFilter(),
            export=Ticket.last_action_at,
            export_format=excel.to_datetime,
            text=False,
        ),
    }


def status_column(choices: dict, default=None) -> Column:
    return Column(
        "status",
        "Status",
        sort=Ticket.status,
        filter=ChoiceFilter(choices, default=default),
        export=Ticket.status,
        export_format=excel.labels(TICKET_STATUSES),
    )


_shared = shared_columns()
TICKET_LIST = ListView(
    name="tickets",
    model=Ticket,
    query=tickets_query,
    row_template="partials/tickets/_rows.html",
    default_sort=("created", "desc"),
    export_title="Ärenden",
    columns=[
        status_column(TICKET_STATUSES),
        _shared["number"],
        _shared["category"],
        _shared["priority"],
        Column(
            "subject", "Rubrik", sort=Ticket.subject, filter=TextFilter(), export=Ticket.subject
        ),
        Column(
            "service",
            "Tjänst",
            sort=Service.number,
            filter=TextFilter(),
            filter_expr=(Service.number, Service.user_name),
            export=Service.number,
        ),
        Column(
            "account",
            "Konto",
            sort=Account.display_name_sql,  # what the row shows: the alias where set
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        _shared["created"],
        _shared["action"],
        sla_column(),
    ],
)

# "Visa öppna / Visa historik / Väntar på mig" (Tele2) as status filters,
# so the links are ordinary list states.
QUICK_VIEWS = [
    ("all", "Alla", None),
    ("open", "Visa öppna", list(OPEN_TICKET_STATUSES)),
    ("history", "Visa historik", ["done"]),
    ("mine", "Väntar på mig", ["waiting_customer"]),
]


def _quick_views(user):
    current = sorted(v for v in request.args.getlist("f_status") if v)
    waiting = Ticket.visible_to(user).where(Ticket.status == "waiting_customer").count()
    out = []
    for key, label, statuses in QUICK_VIEWS:
        args = request.args.to_dict(flat=False)
        args.pop("page", None)
        args.pop("f_status", None)
        if statuses:
            args["f_status"] = statuses
        out.append(
            {
                "label": label,
                "url": url_for("tickets.index", **args),
                "active": current == sorted(statuses or []),
                "count": waiting if key == "mine" else None,
            }
        )
    return out


@bp.route("")
@require(TICKET_AREA)
def index():
    return TICKET_LIST.respond(
        current_user,
        "tickets/list.html",
        quick_views=_quick_views(current_user) if not is_htmx() else None,
        period_from=request.args.get("f_created_from", ""),
        period_to=request.args.get("f_created_to", ""),
    )


# --------------------------------------------------------------------------- Skapa ärende (TIC-2)


def strip(value):
    """Form filter: surrounding whitespace is not content."""
    return value.strip() if isinstance(value, str) else value


class TicketForm(FlaskForm):
    category = SelectField("Ärendet avser", validators=[InputRequired("Välj vad ärendet avser.")])
    account = SelectField("Konto", validate_choice=False)
    product_area = SelectField(
        "Produkt",
        choices=options([("", "Välj produkt"), *PRODUCT_AREAS.items()]),
        validate_choice=False,
    )
    priority = SelectField(
        "Prioritet", choices=options(PRIORITY_CHOICES.items()), default="3", validate_choice=True
    )
    subject = StringField(
        "Rubrik",
        filters=[strip],
        validators=[DataRequired("Ange en rubrik."), Length(max=200, message="Högst 200 tecken.")],
    )
    body = TextAreaField(
        "Meddelande", validators=[Length(max=20000, message="Högst 20 000 tecken.")]
    )
    scheduled_for = DateField(
        "Önskat utförandedatum",
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    contacts = SelectMultipleField("Kontaktpersoner att meddela", coerce=int, validate_choice=False)
    attachments = MultipleFileField("Lägg till bilaga")

    def validate_scheduled_for(self, field):
        today = dt.date.today()
        if field.data and field.data < today:
            field.errors.append("Datumet har redan passerat.")
        elif field.data and field.data > today + dt.timedelta(days=366):
            field.errors.append("Välj ett datum inom ett år.")


@dataclass
class Links:
    """What the ticket is created from (pre-linked and locked, UI-5)."""

    account: Account | None = None
    service: Service | None = None
    invoice: Invoice | None = None
    order: Order | None = None

    @property
    def locked_account(self) -> Account | None:
        for obj in (self.service, self.invoice, self.order):
            if obj is not None:
                return obj.account
        return self.account

    def args(self) -> dict:
        return {
            name: getattr(self, name).id
            for name in ("account", "service", "invoice", "order")
            if getattr(self, name) is not None
        }

    def default_category(self) -> str | None:
        if self.invoice:
            return "invoice"
        if self.order:
            return "order"
        if self.service:
            return "support"
        return None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        abort(404)


def links_from_request(user) -> Links:
    """The linked object, looked up in the user's scope (404 outside it)."""
    links = Links()
    if (service_id := _int_arg("service")) is not None:
        links.service = get_visible_or_404(Service, service_id)
    elif (invoice_id := _int_arg("invoice")) is not None:
        if not user.has("invoices.view"):
            abort(404)
        links.invoice = get_visible_or_404(Invoice, invoice_id)
    elif (order_id := _int_arg("order")) is not None:
        links.order = get_visible_or_404(Order, order_id)
    elif (account_id := _int_arg("account")) is not None:
        links.account = get_visible_or_404(Account, account_id, visible_accounts(user))
    return links


def category_choices(user) -> list[SelectChoice]:
    """Ärendet avser: what the user may create, the operator's request types grouped."""
    manage, faults = user.has("tickets.manage"), user.has("faults.create")
    keys = []
    if manage:
        keys += ["order", "invoice", "support"]
    if faults:
        keys.append("fault")
    if manage:
        keys.append("other")
    out = options((k, TICKET_CATEGORIES[k]) for k in keys)
    if manage:
        types = RequestType.select().where(RequestType.enabled == True)  # noqa: E712
        out += options(
            ((f"request:{t.key}", t.label) for t in types.order_by(RequestType.position)),
            optgroup="Förfrågningar",
        )
    return out


def request_type_of(category: str | None) -> RequestType | None:
    if not category or not category.startswith("request:"):
        return None
    return RequestType.get_or_none(
        (RequestType.key == category.partition(":")[2]) & (RequestType.enabled == True)  # noqa: E712
    )


def account_choices(user) -> list[tuple[str, str]]:
    accounts = visible_accounts(user).order_by(Account.path)
    return [
        (
            str(a.id),
            f"{a.customer_number} - {a.company_name}" + (f" ({a.alias})" if a.alias else ""),
        )
        for a in accounts
    ]


def contact_choices(user) -> list[Contact]:
    """Contact persons of the organisation within the user's scope."""
    return list(
        Contact.select()
        .where(
            (Contact.organisation == user.organisation_id)
            & Contact.account.in_(visible_accounts(user).select(Account.id))
            & (Contact.id != user.contact_id)
        )
        .order_by(Contact.name)
    )


def service_in_scope(user, value) -> Service | None:
    try:
        service_id = int(value)
    except (TypeError, ValueError):
        return None
    return (
        Service.visible_to(user)
        .select(Service, Product)
        .join(Product, on=(Service.product == Product.id))
        .where(Service.id == service_id)
        .get_or_none()
    )


def build_form(user, links: Links, formdata=None, ticket=None) -> TicketForm:
    form = TicketForm(formdata=formdata) if formdata is not None else TicketForm()
    form.category.choices = category_choices(user)
    form.account.choices = account_choices(user)
    if formdata is None or not formdata:
        if ticket is not None:
            form.category.data = (
                f"request:{ticket.request_type.key}" if ticket.request_type_id else ticket.category
            )
            form.account.data = str(ticket.account_id)
            form.product_area.data = ticket.product_area or ""
            form.priority.data = str(ticket.priority)
            form.subject.data = ticket.subject
            first = ticket.messages.order_by(TicketMessage.id).first()
            form.body.data = first.body if first else ""
            form.scheduled_for.data = ticket.scheduled_for
            form.contacts.data = [tc.contact_id for tc in ticket.extra_contacts]
        else:
            default = links.default_category()
            keys = [choice.value for choice in form.category.choices]
            form.category.data = default if default in keys else (keys[0] if keys else None)
            form.account.data = str(user.scope_account_id)
            if links.service is not None:
                form.product_area.data = _area_of(links.service)
    return form


def _area_of(service: Service) -> str:
    for area, kinds in PRODUCT_AREA_KINDS.items():
        if service.kind in kinds:
            return area
    return ""


def dependent_context(user, form: TicketForm, links: Links, source, ticket=None) -> dict:
    """What the category-dependent part of the form shows."""
    category = form.category.data or ""
    request_type = request_type_of(category)
    chosen = links.service
    if chosen is None:
        chosen = service_in_scope(user, source.get("service"))
        if chosen is None and ticket is not None and ticket.service_id and not source:
            chosen = ticket.service
    return {
        "category": category,
        "request_type": request_type,
        "request_fields": ticketing.request_type_fields(request_type) if request_type else [],
        "request_values": {k[3:]: v for k, v in source.items() if k.startswith("rt_")}
        if source
        else (_extra_values(ticket) if ticket else {}),
        "shows_service": category in ("support", "fault") or links.service is not None,
        "shows_priority": category in ("support", "fault"),
        "chosen_service": chosen,
    }


def _extra_values(ticket) -> dict:
    try:
        return json.loads(ticket.extra_fields or "{}")
    except ValueError:
        return {}


def form_page(form, links, *, ticket=None, request_errors=None, source=None):
    source = source if source is not None else {}
    context = dependent_context(current_user, form, links, source, ticket)
    return render_template(
        "tickets/new.html",
        form=form,
        links=links,
        ticket=ticket,
        request_errors=request_errors or {},
        contacts=contact_choices(current_user),
        accept=files.ACCEPT_ATTRIBUTE,
        max_bytes=files.max_bytes(),
        allowed_summary=files.allowed_summary(),
        fields_url=url_for("tickets.new_fields", **links.args()),
        today_iso=dt.date.today().isoformat(),
        **context,
    )


def _validate(user, form, links, source, sending: bool):
    """Cross-field checks; returns (values, request type errors) and adds
    field errors to the form. Values are ready for create_ticket."""
    ok = form.validate()
    category = form.category.data or ""
    request_type = request_type_of(category)
    if category.startswith("request:") and request_type is None:
        form.category.errors.append("Välj vad ärendet avser.")
        ok = False
    base = "request" if request_type else category
    if base == "fault" and not user.has("faults.create"):
        form.category.errors.append("Du har inte behörighet att skapa felanmälan.")
        ok = False
    if base not in ("fault",) and base and not user.has("tickets.manage"):
        form.category.errors.append("Du har inte behörighet att skapa ärenden av den typen.")
        ok = False
    if sending and not (form.body.data or "").strip():
        form.body.errors.append("Skriv ett meddelande.")
        ok = False
    if base == "fault" and form.product_area.data not in PRODUCT_AREAS:
        form.product_area.errors.append("Välj produkt för felanmälan.")
        ok = False
    extra, extra_errors = {}, {}
    if request_type is not None:
        extra, extra_errors = ticketing.read_request_fields(request_type, source)
        if extra_errors and sending:
            ok = False
        elif not sending:
            extra_errors = {}
    service = links.service
    if service is None and base in ("support", "fault") and source.get("service"):
        service = service_in_scope(user, source.get("service"))
        if service is None:
            form.category.errors.append("Tjänsten kunde inte hittas.")
            ok = False
    account = links.locked_account or (service.account if service is not None else None)
    if account is None:
        account_id = _int(form.account.data) or user.scope_account_id
        account = visible_accounts(user).where(Account.id == account_id).first()
        if account is None:
            form.account.errors.append("Välj ett konto.")
            ok = False
    allowed_contacts = {c.id: c for c in contact_choices(user)}
    contacts = [allowed_contacts[i] for i in form.contacts.data or [] if i in allowed_contacts]
    values = {
        "account": account,
        "service": service if base in ("support", "fault") or links.service else None,
        "invoice": links.invoice,
        "order": links.order,
        "category": base,
        "request_type": request_type,
        "product_area": form.product_area.data if base == "fault" else None,
        "priority": int(form.priority.data) if base in ("support", "fault") else 3,
        "subject": (form.subject.data or "").strip(),
        "scheduled_for": form.scheduled_for.data,
        "extra_fields": extra,
        "contacts": contacts,
    }
    return ok, values, extra_errors


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/new", methods=["GET", "POST"])
@require(CREATE_PERMISSIONS)
def new():
    links = links_from_request(current_user)
    if request.method == "GET":
        return form_page(build_form(current_user, links, formdata=None), links)
    form = build_form(current_user, links, formdata=request.form)
    sending = request.form.get("action") != "draft"
    ok, values, extra_errors = _validate(current_user, form, links, request.form, sending)
    accepted, upload_errors = files.check_uploads(request.files.getlist("attachments"))
    if upload_errors:
        form.attachments.errors = list(upload_errors)
        ok = False
    if not ok:
        return form_page(form, links, request_errors=extra_errors, source=request.form)
    body = (form.body.data or "").strip()
    with files.staged(accepted) as stored, write_tx():
        ticket = ticketing.create_ticket(
            organisation=current_user.organisation,
            created_by=current_user._get_current_object(),
            body=body,
            status=None if sending else "draft",
            attachments=stored,
            **values,
        )
    if sending:
        flash(f"Ärende {ticket.number} är skickat.", "success")
    else:
        flash(f"Utkastet {ticket.number} är sparat. Skicka in det när det är klart.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id), code=303)


@bp.route("/new/fields")
@require(CREATE_PERMISSIONS)
def new_fields():
    """The category-dependent part of the form (htmx, on changing Ärendet avser)."""
    links = links_from_request(current_user)
    form = build_form(current_user, links, formdata=request.args)
    context = dependent_context(current_user, form, links, request.args)
    return render_template(
        "partials/tickets/_dependent.html",
        form=form,
        links=links,
        request_errors={},
        **context,
    )


@bp.route("/services/lookup")
@require(CREATE_PERMISSIONS)
def service_lookup():
    """Tjänst som ärendet gäller: services in scope by number or user name."""
    query = (request.args.get("service_q") or "").strip()[:40]
    chosen = service_in_scope(current_user, request.args.get("service"))
    results = []
    if len(query) >= 2:
        digits = query.replace(" ", "").replace("-", "")
        if digits.startswith("+46"):
            digits = "0" + digits[3:]
        search = (
            Service.visible_to(current_user)
            .select(Service, Product)
            .join(Product, on=(Service.product == Product.id))
            .where(
                (Service.number.contains(digits) | Service.user_name.contains(query))
                & (Service.status != "terminated")
            )
        )
        area = request.args.get("product_area")
        if request.args.get("category") == "fault" and area in PRODUCT_AREA_KINDS:
            search = search.where(Service.kind.in_(PRODUCT_AREA_KINDS[area]))
        results = list(search.order_by(Service.number).limit(10))
    if chosen is not None:
        results = [chosen] + [s for s in results if s.id != chosen.id]
    return render_template(
        "partials/tickets/_service_results.html",
        results=results,
        chosen=chosen,
        query=query,
    )


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
    for message in messages:
        message.files = by_message.get(message.id, [])
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
        "clocks": ticketing.sla_clocks(ticket),
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


def changed(ticket: Ticket):
    """A dialog's success: close it and refresh the ticket page in place.

    Like ``dialogs.done`` but with the refresh event first: the closeDialog
    handler empties the dialog, and an event htmx fires after that starts from
    a detached form and never reaches ``body``, where the page listens.
    """
    if is_htmx():
        response = make_response("")
        response.headers["Vary"] = "HX-Request"
        return trigger(response, ticketChanged=ticket.id, closeDialog=True)
    return redirect(url_for("tickets.detail", ticket_id=ticket.id), code=303)


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Meddelande",
        filters=[strip],
        validators=[
            DataRequired("Skriv ett meddelande."),
            Length(max=20000, message="Högst 20 000 tecken."),
        ],
    )
    attachments = MultipleFileField("Lägg till bilaga")


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Kommentar", validators=[Length(max=20000, message="Högst 20 000 tecken.")]
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
    """Svara på ärende: Meddelande, bilagor, Spara."""
    ticket = _managed_ticket(ticket_id)
    if ticket.status == "draft":
        abort(404)
    form = ReplyForm()
    if request.method == "GET":
        return _dialog("partials/tickets/_reply_dialog.html", ticket, form)
    ok = form.validate()
    accepted, upload_errors = files.check_uploads(request.files.getlist("attachments"))
    if upload_errors:
        form.attachments.errors = list(upload_errors)
        ok = False
    if ticket.status == "done" and ok:
        form.body.errors.append("Ärendet är slutfört. Återöppna det för att svara.")
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
    return changed(ticket)


@bp.route("/<int:ticket_id>/close", methods=["GET", "POST"])
@customer_required
def close(ticket_id: int):
    ticket = _managed_ticket(ticket_id)
    form = CommentForm()
    if not ticket.is_open:
        form.form_errors.append("Ärendet är inte öppet.")
        return _dialog("partials/tickets/_close_dialog.html", ticket, form)
    if request.method == "GET" or not form.validate():
        return _dialog("partials/tickets/_close_dialog.html", ticket, form)
    with write_tx():
        ticketing.close_by_customer(
            ticket, current_user._get_current_object(), (form.body.data or "").strip()
        )
    return changed(ticket)


@bp.route("/<int:ticket_id>/reopen", methods=["GET", "POST"])
@customer_required
def reopen(ticket_id: int):
    ticket = _managed_ticket(ticket_id)
    form = CommentForm()
    form.body.label.text = "Varför återöppnas ärendet?"
    if not ticketing.can_reopen(ticket):
        form.form_errors.append(
            f"Ett slutfört ärende kan återöppnas inom {ticketing.REOPEN_DAYS} dagar."
        )
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    if request.method == "GET":
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    ok = form.validate()
    if not (form.body.data or "").strip():
        form.body.errors.append("Beskriv varför ärendet ska återöppnas.")
        ok = False
    if not ok:
        return _dialog("partials/tickets/_reopen_dialog.html", ticket, form)
    with write_tx():
        ticketing.reopen_by_customer(
            ticket, current_user._get_current_object(), form.body.data.strip()
        )
    return changed(ticket)


# --------------------------------------------------------------------------- drafts


def _own_draft(ticket_id: int) -> Ticket:
    ticket = load_ticket(ticket_id)
    if ticket.status != "draft" or ticket.created_by_id != current_user.id:
        abort(404)
    return ticket


def _draft_links(ticket: Ticket) -> Links:
    return Links(
        invoice=ticket.invoice if ticket.invoice_id else None,
        order=ticket.order if ticket.order_id else None,
    )


@bp.route("/<int:ticket_id>/edit", methods=["GET", "POST"])
@require(CREATE_PERMISSIONS)
def edit(ticket_id: int):
    """Continue a draft: change it, save it again or send it."""
    ticket = _own_draft(ticket_id)
    links = _draft_links(ticket)
    if request.method == "GET":
        return form_page(build_form(current_user, links, ticket=ticket), links, ticket=ticket)
    form = build_form(current_user, links, formdata=request.form, ticket=ticket)
    sending = request.form.get("action") != "draft"
    ok, values, extra_errors = _validate(current_user, form, links, request.form, sending)
    accepted, upload_errors = files.check_uploads(request.files.getlist("attachments"))
    if upload_errors:
        form.attachments.errors = list(upload_errors)
        ok = False
    if not ok:
        return form_page(
            form, links, ticket=ticket, request_errors=extra_errors, source=request.form
        )
    contacts = values.pop("contacts")
    with files.staged(accepted) as stored, write_tx():
        ticketing.update_draft(
            ticket,
            contacts=contacts,
            attachments=stored,
            body=(form.body.data or "").strip(),
            **values,
        )
        if sending:
            ticketing.submit_draft(ticket)
    flash(f"Ärende {ticket.number} är skickat." if sending else "Utkastet är sparat.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id), code=303)


@bp.post("/<int:ticket_id>/delete")
@customer_required
def delete(ticket_id: int):
    ticket = _own_draft(ticket_id)
    with write_tx():
        names = ticketing.delete_draft(ticket)
    for name in names:
        files.remove(name)
    flash("Utkastet är borttaget.", "success")
    target = (
        url_for("tickets.index")
        if holds_any(current_user, TICKET_AREA)
        else url_for("dashboard.index")
    )
    return redirect(target, code=303)


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


# --------------------------------------------------------------------------- template helpers


@bp.app_template_global()
def sla_clock(ticket):
    return ticketing.current_clock(ticket)


@bp.app_template_global()
def ticket_author(message):
    return ticketing.author_label(message)


@bp.app_template_filter()
def filesize(size: int | None) -> str:
    size = int(size or 0)
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"
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
