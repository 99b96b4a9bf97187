"""Ändringar (/staff/changes): the service changes waiting for operator staff.

Changes the provisioning backend did not carry out at once (new SIM by post,
change of service, add-ons, move, termination) wait here as Mottagen. Staff
carry them out ("Slutför") or refuse them ("Avvisa", with a reason the
customer sees); both are audited and mailed to the customer who asked.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField

from blueprints.orders import order_number_column, order_type_column
from blueprints.staff import bp
from database import write_tx
from domain import provisioning
from domain.numbers import valid_icc
from domain.service_actions import order_summary
from tables.orders import ORDER_STATUSES, Order
from tables.org import Account, Organisation
from tables.services import Service, SimCard
from web import dialogs
from web.auth import get_visible_or_404, safe_next, staff_required
from web.forms import FlaskForm
from web.i18n import N_, error_text
from web.listcolumns import (
    ChoiceFilter,
    Column,
    TextFilter,
    choice_column,
    date_column,
    number_column,
)
from web.listview import ListView

SHOWN_STATUSES = {
    k: ORDER_STATUSES[k] for k in ("received", "in_progress", "completed", "rejected")
}


def changes_query(user):
    return (
        Order.select(Order, Organisation, Account, Service)
        .join(Organisation, on=(Order.organisation == Organisation.id))
        .switch(Order)
        .join(Account, on=(Order.account == Account.id))
        .switch(Order)
        .join(Service, on=(Order.service == Service.id))
    )


def attach_summaries(orders):
    for order in orders:
        payload = provisioning.payload_of(order)
        order.summary = order_summary(order)
        order.op = payload.get("op", "")
        order.scheduled = bool(payload.get("scheduled"))


CHANGE_LIST = ListView(
    name="changes",
    model=Order,
    query=changes_query,
    row_template="partials/staff/_changes_rows.html",
    default_sort=("date", "asc"),
    export_title="Ändringar",
    rows_loader=attach_summaries,
    bulk_actions=[],
    columns=[
        choice_column(
            "status",
            N_("Status"),
            Order.status,
            ORDER_STATUSES,
            filter=ChoiceFilter(SHOWN_STATUSES, default=provisioning.PENDING_STATUSES),
        ),
        order_number_column(N_("Order")),
        order_type_column(),
        Column(
            "customer",
            N_("Kund"),
            sort=Organisation.name,
            filter=TextFilter(),
            filter_expr=(Organisation.name, Account.customer_number),
            export=Organisation.name,
        ),
        number_column("service", N_("Tjänst"), Service.number),
        Column("change", N_("Ändring")),
        date_column("desired", N_("Önskat datum"), Order.desired_date),
        date_column("date", N_("Beställd"), Order.created_at),
        Column("handle", ""),
    ],
    essential=("status", "number", "customer", "change", "handle"),  # a phone's card
)


@bp.route("/changes")
@staff_required("orders")
def changes():
    return CHANGE_LIST.respond(current_user, "staff/changes.html")


class CompleteForm(FlaskForm):
    comment = TextAreaField(_l("Kommentar till kunden"))
    icc = StringField("ICC")
    imsi = StringField("IMSI")
    pin = StringField("PIN")
    puk = StringField("PUK")


class RejectForm(FlaskForm):
    comment = TextAreaField(_l("Orsak"))


def pending_order(order_id: int):
    order = get_visible_or_404(Order, order_id, Order.select().where(Order.service.is_null(False)))
    order.summary = order_summary(order)
    order.op = provisioning.payload_of(order).get("op", "")
    return order


def back() -> str:
    return safe_next(request.values.get("next"), url_for("staff.changes"))


def handled(order, message: str):
    """Confirm and go back to the list (it drops handled rows)."""
    return dialogs.go(back(), message)


def sim_details(form, order) -> dict | None:
    """A new SIM sent by post: the shipped card's numbers (ICC required)."""
    icc = (form.icc.data or "").replace(" ", "")
    ok = True
    if not valid_icc(icc):
        form.icc.errors = [
            _("ICC ska vara 19 siffror som börjar med 89 och ha giltig kontrollsiffra.")
        ]
        ok = False
    elif (
        SimCard.select()
        .where(
            (SimCard.icc == icc) & ((SimCard.status != "stock") | SimCard.service.is_null(False))
        )
        .exists()
    ):
        form.icc.errors = [_("Det SIM-kortet används redan.")]
        ok = False
    checks = (
        ("imsi", r"\d{15}", _("IMSI är 15 siffror.")),
        ("pin", r"\d{4,8}", _("PIN är 4–8 siffror.")),
        ("puk", r"\d{8}", _("PUK är 8 siffror.")),
    )
    for name, pattern, message in checks:
        value = (form[name].data or "").strip()
        if value and not re.fullmatch(pattern, value):
            form[name].errors = [message]
            ok = False
    if not ok:
        return None
    return {
        "icc": icc,
        "imsi": (form.imsi.data or "").strip(),
        "pin": (form.pin.data or "").strip(),
        "puk": (form.puk.data or "").strip(),
    }


@bp.route("/changes/<int:order_id>/complete", methods=["GET", "POST"])
@staff_required("orders")
def changes_complete(order_id: int):
    """Slutför: carry out the change (or schedule it for its date)."""
    order = pending_order(order_id)
    form = CompleteForm()
    context = {
        "order": order,
        "form": form,
        "next": back(),
        "dialog_title": _("Slutför ändring"),
        "today": dt.date.today(),
    }
    if order.status not in provisioning.PENDING_STATUSES:
        form.form_errors.append(_("Ändringen är redan hanterad."))
        return dialogs.show("partials/staff/_change_complete.html", back(), **context)
    if form.validate_on_submit():
        extra = None
        if order.op == "sim_send":
            extra = sim_details(form, order)
        if order.op != "sim_send" or extra is not None:
            try:
                with write_tx():
                    provisioning.complete(
                        order, current_user, comment=(form.comment.data or "").strip(), extra=extra
                    )
            except provisioning.ProvisioningError as error:
                form.form_errors.append(error_text(error))
            else:
                if order.status == "completed":
                    return handled(order, _("Ändringen %(label)s är genomförd.", label=order.label))
                when = order.desired_date.isoformat()
                return handled(
                    order,
                    _(
                        "Ändringen %(label)s är godkänd och genomförs %(date)s.",
                        label=order.label,
                        date=when,
                    ),
                )
    return dialogs.show("partials/staff/_change_complete.html", back(), **context)


@bp.route("/changes/<int:order_id>/reject", methods=["GET", "POST"])
@staff_required("orders")
def changes_reject(order_id: int):
    """Avvisa: refuse the change with a reason; nothing changes on the service."""
    order = pending_order(order_id)
    form = RejectForm()
    context = {
        "order": order,
        "form": form,
        "next": back(),
        "dialog_title": _("Avvisa ändring"),
    }
    if form.validate_on_submit():
        reason = (form.comment.data or "").strip()
        if not reason:
            form.comment.errors = [_("Ange orsaken; kunden får se den.")]
        else:
            try:
                with write_tx():
                    provisioning.reject(order, current_user, reason)
            except provisioning.ProvisioningError as error:
                form.form_errors.append(error_text(error))
            else:
                return handled(order, _("Ändringen %(label)s är avvisad.", label=order.label))
    return dialogs.show("partials/staff/_change_reject.html", back(), **context)


def payload_lines(order) -> list[tuple[str, str]]:
    """The order's payload as label/value pairs for staff."""
    labels = {
        "method": N_("Metod"),
        "sim_type": N_("SIM-typ"),
        "delivery_name": N_("Mottagare"),
        "delivery_street": N_("Gatuadress"),
        "delivery_postcode": N_("Postnummer"),
        "delivery_city": N_("Ort"),
        "email": N_("E-post"),
        "account": N_("Till konto"),
        "start_date": N_("Debiteras från"),
        "end_date": N_("Tekniskt avslutsdatum"),
        "billed_until": N_("Debiteras t.o.m."),
        "price_plan": N_("Prislista"),
        "data_package": N_("Datapaket"),
        "add": N_("Lägg till"),
        "remove": N_("Ta bort"),
        "effective": N_("Gäller från"),
        "lost_icc": N_("Ersätter förlorat SIM-kort"),
        "network": N_("Nätet"),
    }
    payload = provisioning.payload_of(order)
    out = []
    for key, label in labels.items():
        if payload.get(key) not in (None, "", []):
            value = payload[key]
            out.append((label, ", ".join(value) if isinstance(value, list) else str(value)))
    return out


@bp.app_template_filter("change_details")
def change_details(order) -> list[tuple[str, str]]:
    return payload_lines(order)
