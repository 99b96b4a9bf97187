"""Skapa ärende (TIC-2) and drafts."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import fn
from wtforms import (
    DateField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from blueprints.tickets import CREATE_PERMISSIONS, PRIORITY_CHOICES, bp, strip
from blueprints.tickets.conversation import load_ticket
from database import icontains, write_tx
from domain import attachments as files
from domain import charges, outages, request_types
from domain import tickets as ticketing
from permissions import TICKET_AREA, holds_any
from tables.billing import Invoice
from tables.catalogue import Product
from tables.orders import Order
from tables.org import Account, Contact
from tables.scope import visible_accounts
from tables.services import SERVICE_KINDS, PhoneNumber, Service
from tables.tickets import (
    PRODUCT_AREA_COVERS,
    PRODUCT_AREA_KINDS,
    PRODUCT_AREAS,
    TICKET_CATEGORIES,
    RequestType,
    Ticket,
    TicketMessage,
)
from web.auth import customer_required, get_visible_or_404, parse_id, require
from web.forms import FlaskForm, select_choices
from web.i18n import tr

# --------------------------------------------------------------------------- Skapa ärende (TIC-2)


class TicketForm(FlaskForm):
    category = SelectField(
        _l("Ärendet avser"), validators=[InputRequired(_l("Välj vad ärendet avser."))]
    )
    account = SelectField(_l("Konto"), validate_choice=False)
    product_area = RadioField(
        _l("Produkt"),
        choices=select_choices((k, _l(v)) for k, v in PRODUCT_AREAS.items()),
        validate_choice=False,
    )
    service = StringField(_l("Tjänst som ärendet gäller"), filters=[strip])
    priority = SelectField(
        _l("Prioritet"),
        choices=select_choices((k, _l(v)) for k, v in PRIORITY_CHOICES.items()),
        default="3",
        validate_choice=True,
    )
    subject = StringField(
        _l("Rubrik"),
        filters=[strip],
        validators=[
            DataRequired(_l("Ange en rubrik.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    body = TextAreaField(
        _l("Meddelande"), validators=[Length(max=20000, message=_l("Högst 20 000 tecken."))]
    )
    scheduled_for = DateField(
        _l("Önskat utförandedatum"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    contacts = SelectMultipleField(
        _l("Kontaktpersoner att meddela"), coerce=int, validate_choice=False
    )
    attachments = MultipleFileField(_l("Lägg till bilaga"))

    def validate_scheduled_for(self, field):
        today = dt.date.today()
        if field.data and field.data < today:
            field.errors.append(_("Datumet har redan passerat."))
        elif field.data and field.data > today + dt.timedelta(days=366):
            field.errors.append(_("Välj ett datum inom ett år."))


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
    return parse_id(value) or abort(404)


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
    out = select_choices((k, _(TICKET_CATEGORIES[k])) for k in keys)
    if manage:
        types = RequestType.select().where(RequestType.enabled == True)  # noqa: E712
        out += select_choices(
            ((f"request:{t.key}", t.label) for t in types.order_by(RequestType.position)),
            optgroup=_("Förfrågningar"),
        )
    return out


def request_type_of(category: str | None) -> RequestType | None:
    if not category or not category.startswith("request:"):
        return None
    return RequestType.get_or_none(
        (RequestType.key == category.partition(":")[2]) & (RequestType.enabled == True)  # noqa: E712
    )


def account_choices(user) -> list[SelectChoice]:
    accounts = visible_accounts(user).order_by(Account.path)
    return select_choices(
        (
            str(a.id),
            f"{a.customer_number} - {a.company_name}" + (f" ({a.alias})" if a.alias else ""),
        )
        for a in accounts
    )


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
    service_id = parse_id(value)
    if service_id is None:
        return None
    return (
        Service.visible_to(user)
        .select(Service, Product)
        .join(Product, on=(Service.product == Product.id))
        .where(Service.id == service_id)
        .get_or_none()
    )


SERVICE_RESULTS = 10


def _phone_digits(text: str) -> str:
    """ "070-123 45 67", "+46 70 123 45 67", "0046…" → "0701234567", as numbers are stored."""
    cleaned = re.sub(r"[\s()-]", "", text)
    if cleaned.startswith("+46"):
        return "0" + cleaned[3:]
    if cleaned.startswith("0046"):
        return "0" + cleaned[4:]
    return cleaned


def _mentions(needle: str, label: str) -> bool:
    """The search text is part of a label, in Swedish or the page's language."""
    return needle in label.casefold() or needle in tr(label).casefold()


def service_match(text: str):
    """Services that ``text`` identifies: the number in any form (also a
    switchboard's, trunk's or number series' numbers), the service id, the
    user, the address, the product, the kind or the product area
    ("bredband", "Datanät")."""
    condition = (
        Service.number.contains(text)
        | icontains(Service.user_name, text)
        | icontains(Service.address, text)
        | icontains(Product.name, text)
    )
    digits = _phone_digits(text)
    if digits.isdigit():
        in_range = (
            PhoneNumber.range_end.is_null(False)
            & (fn.LENGTH(PhoneNumber.number) == len(digits))
            & (PhoneNumber.number <= digits)
            & (PhoneNumber.range_end >= digits)
        )
        condition |= Service.number.contains(digits) | Service.id.in_(
            PhoneNumber.select(PhoneNumber.service).where(
                PhoneNumber.number.contains(digits) | in_range
            )
        )
    needle = text.casefold()
    kinds = {kind for kind, label in SERVICE_KINDS.items() if _mentions(needle, label)}
    for area, label in PRODUCT_AREAS.items():
        if _mentions(needle, label):
            kinds.update(PRODUCT_AREA_KINDS[area])
    if kinds:
        condition |= Service.kind.in_(sorted(kinds))
    return condition


def find_services(user, text: str, kinds=None) -> tuple[list[Service], bool]:
    """Running services in scope that ``text`` identifies (the first ten, and
    whether there are more), limited to ``kinds`` when given."""
    search = (
        Service.visible_to(user)
        .select(Service, Product)
        .join(Product, on=(Service.product == Product.id))
        .where(service_match(text) & (Service.status != "terminated"))
    )
    if kinds:
        search = search.where(Service.kind.in_(kinds))
    rows = list(search.order_by(Service.number).limit(SERVICE_RESULTS + 1))
    return rows[:SERVICE_RESULTS], len(rows) > SERVICE_RESULTS


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
            form.service.data = str(ticket.service_id or "")
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
        "product_areas": [
            (key, label, PRODUCT_AREA_COVERS[key]) for key, label in PRODUCT_AREAS.items()
        ],
        "chosen_outages": outages.current_for(chosen) if chosen is not None else [],
        "category": category,
        "request_type": request_type,
        "request_price": charges.request_price(user.organisation_id, request_type)[0],
        "request_fields": request_types.request_type_fields(request_type) if request_type else [],
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
        form.category.errors.append(_("Välj vad ärendet avser."))
        ok = False
    base = "request" if request_type else category
    if base == "fault" and not user.has("faults.create"):
        form.category.errors.append(_("Du har inte behörighet att skapa felanmälan."))
        ok = False
    if base not in ("fault",) and base and not user.has("tickets.manage"):
        form.category.errors.append(_("Du har inte behörighet att skapa ärenden av den typen."))
        ok = False
    if sending and not (form.body.data or "").strip():
        form.body.errors.append(_("Skriv ett meddelande."))
        ok = False
    extra, extra_errors = {}, {}
    if request_type is not None:
        extra, extra_errors = request_types.read_request_fields(request_type, source)
        if extra_errors and sending:
            ok = False
        elif not sending:
            extra_errors = {}
    service = links.service
    if service is None and base in ("support", "fault"):
        service, service_error = _picked_service(user, source, form.product_area.data, base)
        if service_error:
            form.service.errors.append(service_error)
            ok = False
    if base == "fault" and service is not None:
        # The service decides the area: the picker sets it too, as it is chosen.
        form.product_area.data = _area_of(service)
    elif base == "fault" and form.product_area.data not in PRODUCT_AREAS:
        form.product_area.errors.append(_("Välj produkt för felanmälan."))
        ok = False
    account = links.locked_account or (service.account if service is not None else None)
    if account is None:
        account_id = _int(form.account.data) or user.scope_account_id
        account = visible_accounts(user).where(Account.id == account_id).first()
        if account is None:
            form.account.errors.append(_("Välj ett konto."))
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


def _picked_service(user, source, area, base) -> tuple[Service | None, str | None]:
    """The service the form names, or the single one its search text finds
    (as the picker selects it by itself); an error when text was typed but
    no service chosen."""
    if source.get("service"):
        service = service_in_scope(user, source.get("service"))
        return (service, None) if service else (None, _("Tjänsten kunde inte hittas."))
    text = (source.get("service_q") or "").strip()[:60]
    if not text:
        return None, None
    kinds = PRODUCT_AREA_KINDS.get(area) if base == "fault" else None
    found, _more = find_services(user, text, kinds)
    if len(found) == 1:
        return found[0], None
    return (
        None,
        _("Välj tjänsten i listan, eller töm sökfältet om ärendet inte gäller en viss tjänst."),
    )


def _int(value) -> int | None:
    return parse_id(value)


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
        form.attachments.errors = [tr(e) for e in upload_errors]
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
        flash(_("Ärende %(number)s är skickat.", number=ticket.number), "success")
    else:
        flash(
            _(
                "Utkastet %(number)s är sparat. Skicka in det när det är klart.",
                number=ticket.number,
            ),
            "success",
        )
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
    """Tjänst som ärendet gäller: services in scope by anything that identifies
    them. A search that finds one service selects it (``auto``, sent by the
    search box); a Felanmälan's area follows the chosen service."""
    query = (request.args.get("service_q") or "").strip()[:60]
    category = request.args.get("category") or ""
    area = request.args.get("product_area") or ""
    kinds = PRODUCT_AREA_KINDS.get(area) if category == "fault" else None
    chosen = service_in_scope(current_user, request.args.get("service"))
    if chosen is not None and kinds and chosen.kind not in kinds:
        chosen = None  # the area was changed to one the service is not in
    results, more = find_services(current_user, query, kinds) if len(query) >= 2 else ([], False)
    if request.args.get("auto") and len(results) == 1:
        chosen = results[0]
    if chosen is not None:
        results = [chosen] + [s for s in results if s.id != chosen.id]
    chosen_area = _area_of(chosen) if chosen is not None else ""
    return render_template(
        "partials/tickets/_service_results.html",
        results=results,
        more=more,
        chosen=chosen,
        query=query,
        category=category,
        area_label=PRODUCT_AREAS.get(area) if kinds else None,
        chosen_outages=outages.current_for(chosen) if chosen is not None else [],
        # A Felanmälan's Produkt follows the chosen service (out of band).
        area_update=chosen_area if category == "fault" and chosen_area != area else None,
        product_areas=[(k, label, PRODUCT_AREA_COVERS[k]) for k, label in PRODUCT_AREAS.items()],
    )


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
        form.attachments.errors = [tr(e) for e in upload_errors]
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
    flash(
        _("Ärende %(number)s är skickat.", number=ticket.number)
        if sending
        else _("Utkastet är sparat."),
        "success",
    )
    return redirect(url_for("tickets.detail", ticket_id=ticket.id), code=303)


@bp.post("/<int:ticket_id>/delete")
@customer_required
def delete(ticket_id: int):
    ticket = _own_draft(ticket_id)
    with write_tx():
        names = ticketing.delete_draft(ticket)
    for name in names:
        files.remove(name)
    flash(_("Utkastet är borttaget."), "success")
    target = (
        url_for("tickets.index")
        if holds_any(current_user, TICKET_AREA)
        else url_for("dashboard.index")
    )
    return redirect(target, code=303)
