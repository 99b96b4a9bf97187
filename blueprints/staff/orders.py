"""Beställningar (/staff/orders): every organisation's orders, for the
operator's staff to process (ORD-5).

The queue lists every sent order of every organisation — Nybeställningar
and offerter as well as the changes asked for from a service page — oldest
first, by default those waiting for staff (Mottagen, Pågår). The order page
shows the order as sent and its history, with the step staff can take:
Påbörja, Slutför (which creates the services, domain/orders/fulfilment.py),
Avbryt with a reason the customer sees, or Besvara an offert with a price.

Service changes are carried out in Ändringar (/staff/changes), whose dialogs
ask for what a change needs (a shipped SIM's ICC); their order page here
links there rather than doing the same thing twice.
"""

from __future__ import annotations

import json
from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField

from blueprints.orders import order_number_column, order_type_column
from blueprints.staff import bp
from database import write_tx
from domain.numbers import format_phone
from domain.orders import drafts, fulfilment
from domain.orders.flow import OrderConflict
from domain.provisioning import PENDING_STATUSES
from domain.service_actions import order_summary
from tables.catalogue import FINISH_FIELDS
from tables.orders import ORDER_STATUSES, Order, OrderApproval, OrderEvent, OrderLine
from tables.org import Account, Organisation
from web.auth import get_visible_or_404, staff_required
from web.forms import FlaskForm
from web.i18n import N_, error_text, tr
from web.listcolumns import (
    ChoiceFilter,
    Column,
    TextFilter,
    choice_column,
    date_column,
    parse_kronor,
)
from web.listview import ListView

# Staff never see a customer's drafts: they are the customer's until sent.
QUEUE_STATUSES = {k: v for k, v in ORDER_STATUSES.items() if k != "draft"}
WAITING = ("received", "in_progress")
KINDS = {"order": N_("Order"), "quote": N_("Offert")}


def queue_query(user):
    return (
        Order.select(Order, Organisation, Account)
        .join(Organisation, on=(Order.organisation == Organisation.id))
        .switch(Order)
        .join(Account, on=(Order.account == Account.id))
        .where(Order.status != "draft")
    )


def attach_products(orders):
    """Produkter: the top lines of each order, or what a service change asks for."""
    names = defaultdict(list)
    lines = (
        OrderLine.select(OrderLine.order, OrderLine.name, OrderLine.quantity)
        .where(OrderLine.order.in_([o.id for o in orders]) & OrderLine.parent.is_null())
        .order_by(OrderLine.order, OrderLine.position, OrderLine.id)
        .tuples()
    )
    for order_id, name, quantity in lines:
        names[order_id].append(f"{quantity} × {name}" if quantity > 1 else name)
    for order in orders:
        order.product_names = ", ".join(names[order.id]) or order_summary(order)


def kind_condition(values):
    return Order.is_quote.in_([value == "quote" for value in values])


QUEUE = ListView(
    name="staff_orders",
    model=Order,
    query=queue_query,
    row_template="partials/staff/_orders_rows.html",
    default_sort=("date", "asc"),
    export_title="Beställningar",
    empty_text=N_("Inga beställningar väntar"),
    rows_loader=attach_products,
    bulk_actions=[],
    preset=N_("Visar beställningar som väntar på er (Mottagen, Pågår) – ändra i kolumnen Status"),
    columns=[
        choice_column(
            "status",
            N_("Status"),
            Order.status,
            ORDER_STATUSES,
            filter=ChoiceFilter(QUEUE_STATUSES, default=WAITING),
        ),
        order_number_column(N_("Order")),
        Column(
            "kind",
            N_("Slag"),
            filter=ChoiceFilter(KINDS, condition=kind_condition),
            export=Order.is_quote,
        ),
        order_type_column(),
        Column(
            "customer",
            N_("Kund"),
            sort=Organisation.name,
            filter=TextFilter(),
            filter_expr=(Organisation.name, Organisation.org_number, Account.customer_number),
            export=Organisation.name,
        ),
        Column("products", N_("Produkter")),
        date_column("desired", N_("Önskat datum"), Order.desired_date),
        date_column("date", N_("Beställd"), Order.created_at),
        Column("show", ""),
    ],
    essential=("status", "number", "customer", "products", "show"),  # a phone's card
)


@bp.route("/orders")
@staff_required("orders")
def orders():
    return QUEUE.respond(current_user, "staff/orders.html")


# ----------------------------------------------------------------- one order


class StepForm(FlaskForm):
    comment = TextAreaField(_l("Kommentar till kunden"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Orsak"))


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Svar till kunden"))


def staff_order_or_404(order_id: int) -> Order:
    return get_visible_or_404(Order, order_id, queue_query(current_user))


DETAIL_LABELS = {
    "end_user": FINISH_FIELDS["end_user"],
    "sim": N_("SIM-kort"),
    "icc": "ICC",
    "esim_email": N_("E-post för eSIM"),
    "number_choice": N_("Nummer"),
    "number": N_("Mobilnummer"),
    "port_org_number": N_("Nuvarande innehavares org.nr"),
    "port_date": N_("Porteringsdatum"),
    "mbb_public_ip": N_("MBB Publik IP"),
    "mbb_contact_number": N_("Kontaktnummer MBB"),
    "address": N_("Installationsadress"),
    "technology": N_("Teknik"),
    "shipment": N_("Leverans"),
}
DETAIL_VALUES = {
    "sim": {"new": N_("Nytt fysiskt SIM-kort"), "esim": "eSIM", "own": N_("Eget SIM-kort (ICC)")},
    "number_choice": {"new": N_("Nytt nummer"), "port": N_("Portering")},
}


def detail_rows(details: dict) -> list[tuple[str, str]]:
    """What Slutför beställningen asked for a line, as label/value pairs."""
    rows = []
    for key, label in DETAIL_LABELS.items():
        value = details.get(key)
        if value in (None, "", {}, []):
            continue
        if key == "address" and isinstance(value, dict):
            value = ", ".join(
                p
                for p in (
                    value.get("street"),
                    f"{value.get('postcode', '')} {value.get('city', '')}",
                )
                if p and p.strip()
            )
        elif key == "shipment" and isinstance(value, dict):
            value = _(
                "Skickad %(date)s (%(quantity)s st) till %(to)s",
                date=value.get("date", ""),
                quantity=value.get("quantity", 1),
                to=value.get("to", ""),
            )
        elif key in ("number", "mbb_contact_number"):
            value = format_phone(value)
        elif isinstance(value, bool):
            value = _("Ja") if value else _("Nej")
        else:
            value = tr(DETAIL_VALUES.get(key, {}).get(value, value))
        rows.append((label, str(value)))
    return rows


def order_lines(order: Order) -> list[dict]:
    """The order's products, each with its options and details."""
    lines = list(
        OrderLine.select()
        .where(OrderLine.order == order.id)
        .order_by(OrderLine.position, OrderLine.id)
    )
    options = defaultdict(list)
    for line in lines:
        if line.parent_id:
            options[line.parent_id].append(line)
    out = []
    for line in lines:
        if line.parent_id:
            continue
        try:
            details = json.loads(line.details or "{}")
        except ValueError:
            details = {}
        chosen = options[line.id]
        out.append(
            {
                "line": line,
                "options": chosen,
                "details": detail_rows(details if isinstance(details, dict) else {}),
                "monthly": (line.monthly_ore + sum(o.monthly_ore for o in chosen)) * line.quantity,
                "start": (line.start_ore + sum(o.start_ore for o in chosen)) * line.quantity,
            }
        )
    return out


def page(order: Order, *, step_form=None, cancel_form=None, answer_form=None, status=200):
    products = order_lines(order)
    service_action = fulfilment.is_service_action(order)
    context = {
        "order": order,
        "products": products,
        "totals": {
            "monthly": sum(p["monthly"] for p in products),
            "start": sum(p["start"] for p in products),
            "binding": max([p["line"].binding_months for p in products] or [0]),
        },
        "events": list(order.events.order_by(OrderEvent.at, OrderEvent.id)),
        "approvals": list(order.approvals.order_by(OrderApproval.position)),
        "statuses": ORDER_STATUSES,
        "service_action": service_action,
        "summary": order_summary(order) if service_action else "",
        "awaits_answer": fulfilment.awaits_answer(order),
        "pending_change": service_action and order.status in PENDING_STATUSES,
        "step_form": step_form or StepForm(formdata=None),
        "cancel_form": cancel_form or CancelForm(formdata=None),
        "answer_form": answer_form or AnswerForm(formdata=None),
    }
    return (
        render_template("staff/order.html", contact_methods=drafts.CONTACT_METHODS, **context),
        status,
    )


@bp.route("/orders/<int:order_id>")
@staff_required("orders")
def orders_detail(order_id: int):
    return page(staff_order_or_404(order_id))


def _done(order: Order, message: str):
    flash(message, "success")
    return redirect(url_for("staff.orders_detail", order_id=order.id), code=303)


def _conflict(order: Order, error: Exception):
    flash(_("%(error)s Sidan visar beställningen som den är nu.", error=error_text(error)), "error")
    return redirect(url_for("staff.orders_detail", order_id=order.id), code=303)


def _step(order_id: int, act, message) -> object:
    """A step without input but a comment (Påbörja, Slutför): done once (the
    status seen is checked), refused by a rule with the reason on the page."""
    order = staff_order_or_404(order_id)
    form = StepForm()
    if not form.validate_on_submit():
        return page(order, step_form=form)
    try:
        with write_tx():
            result = act(order, current_user, (form.comment.data or "").strip())
    except OrderConflict as error:
        return _conflict(order, error)
    except (fulfilment.FulfilmentError, fulfilment.provisioning.ProvisioningError) as error:
        form.form_errors.append(error_text(error))
        return page(staff_order_or_404(order.id), step_form=form)  # as it is now
    return _done(order, message(order, result))


@bp.post("/orders/<int:order_id>/start")
@staff_required("orders")
def orders_start(order_id: int):
    """Påbörja: Mottagen → Pågår."""
    return _step(
        order_id,
        fulfilment.start,
        lambda order, _result: _("Beställning %(number)s är påbörjad.", number=order.number),
    )


def _completed(order: Order, created) -> str:
    if created:
        return _(
            "Beställning %(number)s är slutförd. %(count)s tjänst(er) skapade.",
            number=order.number,
            count=len(created),
        )
    return _("Beställning %(number)s är slutförd.", number=order.number)


@bp.post("/orders/<int:order_id>/complete")
@staff_required("orders")
def orders_complete(order_id: int):
    """Slutför: the order's services are created (or its hardware shipped)."""
    return _step(order_id, fulfilment.complete, _completed)


@bp.post("/orders/<int:order_id>/cancel")
@staff_required("orders")
def orders_cancel(order_id: int):
    """Avbryt with a reason the customer sees."""
    order = staff_order_or_404(order_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return page(order, cancel_form=form)
    reason = (form.reason.data or "").strip()
    if not reason:
        form.reason.errors = [_("Ange orsaken; kunden får se den.")]
        return page(order, cancel_form=form)
    try:
        with write_tx():
            fulfilment.cancel(order, current_user, reason)
    except OrderConflict as error:
        return _conflict(order, error)
    return _done(order, _("Beställning %(number)s är avbruten.", number=order.number))


@bp.post("/orders/<int:order_id>/answer")
@staff_required("orders")
def orders_answer(order_id: int):
    """Besvara an offert: a price per line and a text; → Besvarad."""
    order = staff_order_or_404(order_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return page(order, answer_form=form)
    prices, bad = {}, False
    for line in order.lines:
        try:
            monthly = parse_kronor(request.form.get(f"monthly_{line.id}", "").strip() or "0")
            start = parse_kronor(request.form.get(f"start_{line.id}", "").strip() or "0")
        except ValueError:
            bad = True
            continue
        prices[line.id] = (monthly, start)
    if bad:
        form.form_errors.append(_("Ange priserna i kronor, t.ex. 199 eller 99,50."))
        return page(order, answer_form=form)
    try:
        with write_tx():
            fulfilment.answer(order, current_user, prices, form.text.data)
    except OrderConflict as error:
        return _conflict(order, error)
    except fulfilment.FulfilmentError as error:
        form.form_errors.append(error_text(error))
        return page(order, answer_form=form)
    return _done(order, _("Offert %(number)s är besvarad.", number=order.number))
