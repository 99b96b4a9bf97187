"""Avtal (/staff/agreements, issue 17 item 2): every organisation's
agreements (ramavtal), one agreement's page, creating and editing one.

The rules (unique number, periods of one customer never overlapping, known
price list and SLA) live in domain/agreements.py; this module reads the
form and shows the answers next to the fields. An edit form carries a
fingerprint of the agreement as it was opened, so a save over someone
else's change is refused instead of undoing it.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import Case, fn
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from blueprints.staff import bp
from database import write_tx
from domain import agreements
from domain.agreements import AGREEMENT_STATUSES, AgreementData
from domain.text import Text
from tables.orders import Order
from tables.org import Agreement, AgreementProduct, Organisation, PriceList, SLADefinition
from web.auth import parse_id, staff_required
from web.forms import FlaskForm, select_choices
from web.i18n import N_, tr
from web.listcolumns import ChoiceFilter, Column, date_column, text_column
from web.listview import ListView


def strip(value):
    return value.strip() if isinstance(value, str) else value


def shown_groups(groups):
    """``agreements.catalogue_groups`` with the headings in the page's
    language: a category's name is data; "Tillval: <kind>" is translated
    with its kind (a marked label)."""
    return [(_heading(heading), products) for heading, products in groups]


def _heading(heading):
    if isinstance(heading, Text):
        return _(heading.msgid, **{key: tr(value) for key, value in heading.params.items()})
    return heading


def _status_export():
    today = dt.date.today()
    return Case(
        None,
        [
            (Agreement.start_date > today, AGREEMENT_STATUSES["coming"]),
            (
                Agreement.end_date.is_null(False) & (Agreement.end_date < today),
                AGREEMENT_STATUSES["ended"],
            ),
        ],
        AGREEMENT_STATUSES["current"],
    )


def label_rows(rows):
    today = dt.date.today()
    for row in rows:
        row.status_key = agreements.status_of(row, today)
        row.status_label = AGREEMENT_STATUSES[row.status_key]


AGREEMENT_LIST = ListView(
    name="staff-agreements",
    model=Agreement,
    query=lambda user: Agreement.select(),
    joins=[(Organisation, Agreement.organisation), (PriceList, Agreement.price_list)],
    row_template="partials/staff/_agreements_rows.html",
    default_sort=("customer", "asc"),
    export_title="Avtal",
    bulk_actions=[],
    rows_loader=label_rows,
    empty_text=N_("Det finns inga avtal"),
    columns=[
        text_column("number", N_("Avtalsnummer"), Agreement.number),
        text_column("customer", N_("Kund"), Organisation.name),
        text_column("name", N_("Namn"), Agreement.name),
        date_column("start", N_("Från"), Agreement.start_date),
        date_column("end", N_("Till"), Agreement.end_date),
        text_column("price_list", N_("Prislista"), PriceList.name),
        Column(
            "status",
            N_("Status"),
            filter=ChoiceFilter(
                AGREEMENT_STATUSES, condition=lambda value: agreements.status_condition(value)
            ),
            filter_expr=Agreement.start_date,
            export=_status_export,
        ),
    ],
    essential=("number", "customer", "status"),
)


@bp.route("/agreements", endpoint="agreements")
@staff_required("admin")
def agreements_index():
    organisation_id = parse_id(request.args.get("organisation"))
    organisation = (
        Organisation.get_or_none(Organisation.id == organisation_id) if organisation_id else None
    )
    extra = (Agreement.organisation == organisation.id) if organisation is not None else None
    if request.args.get("organisation") and organisation is None:
        extra = Agreement.id == 0  # an unknown customer has no agreements
    return AGREEMENT_LIST.respond(
        current_user,
        "staff/agreements/index.html",
        extra=extra,
        organisation=organisation,
        organisations=Organisation.select(Organisation.id, Organisation.name).order_by(
            Organisation.name
        ),
    )


def get_agreement_or_404(agreement_id: int) -> Agreement:
    agreement = Agreement.get_or_none(Agreement.id == agreement_id)
    if agreement is None:
        abort(404)
    return agreement


@bp.route("/agreements/<int:agreement_id>", endpoint="agreement")
@staff_required("admin")
def agreement_show(agreement_id: int):
    agreement = get_agreement_or_404(agreement_id)
    included = {
        pid
        for (pid,) in AgreementProduct.select(AgreementProduct.product)
        .where(AgreementProduct.agreement == agreement.id)
        .tuples()
    }
    orders = (
        Order.select(fn.COUNT(Order.id))
        .where(
            (Order.organisation == agreement.organisation_id)
            & (Order.agreement_number == agreement.number)
        )
        .scalar()
    )
    status = agreements.status_of(agreement)
    return render_template(
        "staff/agreements/show.html",
        agreement=agreement,
        groups=shown_groups(agreements.catalogue_groups(only=included)),
        product_count=len(included),
        status=status,
        status_label=AGREEMENT_STATUSES[status],
        period=agreements.period_label(agreement),
        sent_orders=orders,
    )


# --------------------------------------------------------------------------- the form


class AgreementForm(FlaskForm):
    number = StringField(_l("Avtalsnummer"), filters=[strip], validators=[Length(max=40)])
    organisation = SelectField(_l("Kund"), validate_choice=False)
    name = StringField(_l("Namn"), filters=[strip], validators=[Length(max=100)])
    start_date = StringField(_l("Från"), filters=[strip])
    end_date = StringField(_l("Till"), filters=[strip])
    price_list = SelectField(_l("Prislista"), validate_choice=False)
    sla = SelectField(_l("SLA"), validate_choice=False)
    notice_months = StringField(_l("Uppsägningstid (månader)"), filters=[strip])
    fingerprint = HiddenField()


def _choices(form: AgreementForm) -> None:
    form.organisation.choices = select_choices(
        [("", _("Välj kund"))]
        + [(str(o.id), o.name) for o in Organisation.select().order_by(Organisation.name)]
    )
    form.price_list.choices = select_choices(
        [("", _("Ingen prislista (listpris)"))]
        + [(str(p.id), p.name) for p in PriceList.select().order_by(PriceList.name)]
    )
    form.sla.choices = select_choices(
        [("", _("Ingen SLA"))]
        + [(str(s.id), s.name) for s in SLADefinition.select().order_by(SLADefinition.name)]
    )


def _date(text: str, required: bool) -> tuple[dt.date | None, str | None]:
    if not text:
        return None, (N_("Ange datum som ÅÅÅÅ-MM-DD.") if required else None)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, N_("Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2026-01-01.")


def _read(form: AgreementForm, agreement: Agreement | None):
    """(AgreementData, errors by field) from a posted form."""
    errors: dict[str, str] = {}
    start, error = _date(form.start_date.data or "", required=True)
    if error:
        errors["start_date"] = error
    end, error = _date(form.end_date.data or "", required=False)
    if error:
        errors["end_date"] = error
    notice = form.notice_months.data or ""
    notice_months = int(notice) if notice.isdigit() and len(notice) < 4 else None
    product_ids = []
    for raw in request.form.getlist("products")[:5000]:
        product_id = parse_id(raw)
        if product_id is None:
            errors["products"] = N_("En vald produkt finns inte längre. Välj produkterna igen.")
        else:
            product_ids.append(product_id)

    def chosen(value):
        return parse_id(value) if value else None

    data = AgreementData(
        number=form.number.data or "",
        organisation_id=(
            agreement.organisation_id if agreement is not None else chosen(form.organisation.data)
        ),
        name=form.name.data or "",
        start_date=start,
        end_date=end,
        price_list_id=chosen(form.price_list.data),
        sla_id=chosen(form.sla.data),
        notice_months=notice_months,
        product_ids=sorted(set(product_ids)),
    )
    if form.price_list.data and data.price_list_id is None:
        errors["price_list"] = N_("Prislistan finns inte.")
    if form.sla.data and data.sla_id is None:
        errors["sla"] = N_("SLA-nivån finns inte.")
    if agreement is None and form.organisation.data and data.organisation_id is None:
        errors["organisation"] = N_("Kunden finns inte.")
    return data, errors


def _form_page(form, agreement, chosen: set[int], errors=None):
    for key, message in (errors or {}).items():
        if key in form and key != "fingerprint":
            form[key].errors = [*form[key].errors, tr(message)]
        else:
            form.form_errors.append(tr(message))
    return render_template(
        "staff/agreements/form.html",
        form=form,
        agreement=agreement,
        chosen=chosen,
        product_errors=(errors or {}).get("products"),
        groups=shown_groups(agreements.catalogue_groups(keep=chosen)),
    )


def _save(form: AgreementForm, agreement: Agreement | None):
    """The POST of the create and edit forms."""
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        chosen = {p for p in map(parse_id, request.form.getlist("products")) if p}
        return _form_page(form, agreement, chosen)
    data, errors = _read(form, agreement)
    # Checked and written in one write transaction: two saves at once (a
    # double click, two colleagues) are taken one after the other, and the
    # second sees the first (its number, its period, its fingerprint).
    with write_tx():
        if agreement is not None:
            agreement = Agreement.get_by_id(agreement.id)
            if form.fingerprint.data != agreements.agreement_fingerprint(agreement):
                errors[""] = N_(
                    "Avtalet har ändrats av någon annan sedan du öppnade det. "
                    "Ladda om sidan och gör din ändring igen."
                )
        for key, message in agreements.check_agreement(data, agreement).items():
            errors.setdefault(key, message)
        saved = None
        if not errors:
            staff = current_user._get_current_object()
            saved = agreements.save_agreement(data, agreement, staff=staff)
    if saved is None:
        return _form_page(form, agreement, set(data.product_ids), errors)
    flash(
        _("Avtal %(number)s är skapat.", number=saved.number)
        if agreement is None
        else _("Avtal %(number)s är sparat.", number=saved.number),
        "success",
    )
    return redirect(url_for("staff.agreement", agreement_id=saved.id), code=303)


@bp.route("/agreements/new", methods=["GET", "POST"])
@staff_required("admin")
def agreement_new():
    form = AgreementForm()
    _choices(form)
    if request.method == "POST":
        return _save(form, None)
    organisation_id = parse_id(request.args.get("organisation"))
    if organisation_id:
        form.organisation.data = str(organisation_id)
    form.notice_months.data = "3"
    form.start_date.data = dt.date.today().isoformat()
    return _form_page(form, None, set())


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def agreement_edit(agreement_id: int):
    agreement = get_agreement_or_404(agreement_id)
    if request.method == "POST":
        form = AgreementForm()
        _choices(form)
        return _save(form, agreement)
    form = AgreementForm(
        formdata=None,
        number=agreement.number,
        organisation=str(agreement.organisation_id),
        name=agreement.name,
        start_date=agreement.start_date.isoformat(),
        end_date=agreement.end_date.isoformat() if agreement.end_date else "",
        price_list=str(agreement.price_list_id or ""),
        sla=str(agreement.sla_id or ""),
        notice_months=str(agreement.notice_months),
        fingerprint=agreements.agreement_fingerprint(agreement),
    )
    _choices(form)
    chosen = {
        pid
        for (pid,) in AgreementProduct.select(AgreementProduct.product)
        .where(AgreementProduct.agreement == agreement.id)
        .tuples()
    }
    return _form_page(form, agreement, chosen)
