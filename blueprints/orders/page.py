"""The order page (ORD-1): a copy of the sent form, its approvals, history
and versions, and what the customer may do with it — Ändra, Ångra
beställning, an answered offert accepted or declined, Skapa ärende.

Every endpoint loads the order through ``Order.visible_to`` (404 outside
it); the rules are domain/orders/changes.py's. Each action is a dialog (an
htmx fragment, or a page of its own without JavaScript); a done action
closes it and the page refreshes itself on ``orderChanged``.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from blueprints.orders import bp
from database import write_tx
from domain.orders import approvals, changes
from domain.orders.flow import OrderConflict
from domain.service_actions import order_summary
from permissions import ORDER_AREA
from tables.orders import (
    ORDER_STATUSES,
    Order,
    OrderEvent,
    OrderLine,
    OrderVersion,
)
from tables.org import Account, Contact, StaffUser, User
from tables.scope import visible_accounts
from web import dialogs
from web.auth import get_visible_or_404, require
from web.forms import FlaskForm, select_choices
from web.htmx import render
from web.i18n import N_, tr

DIALOGS = "partials/orders/dialogs/"

SIM_CHOICES = {"new": N_("Nytt SIM-kort"), "esim": N_("eSIM"), "own": N_("Eget SIM-kort (ICC)")}
NUMBER_CHOICES = {"new": N_("Nytt nummer"), "port": N_("Portering av befintligt nummer")}
CONTACT_METHODS = {"email": N_("E-post"), "phone": N_("Telefon"), "sms": N_("SMS")}


def load(order_id: int) -> Order:
    query = (
        Order.visible_to(current_user)
        .select(Order, Account)
        .join(Account, on=(Order.account == Account.id))
    )
    return get_visible_or_404(Order, order_id, query)


def page_url(order: Order) -> str:
    return url_for("orders.detail", order_id=order.id)


# --------------------------------------------------------------------------- the page


def detail_shown(value, key: str) -> str:
    """A ``details`` value in words (SIM choice, number, address …)."""
    if key == "sim":
        return SIM_CHOICES.get(value, value)
    if key == "number_choice":
        return NUMBER_CHOICES.get(value, value)
    if key == "address" and isinstance(value, dict):
        street = value.get("street", "")
        place = " ".join(p for p in (value.get("postcode", ""), value.get("city", "")) if p)
        return ", ".join(p for p in (street, place) if p)
    return changes._shown(key, value)


def line_tree(order: Order) -> list[OrderLine]:
    """The order's products, each with its option lines and its details in words."""
    lines = list(order.lines.order_by(OrderLine.position, OrderLine.id))
    by_parent: dict[int, list] = {}
    for line in lines:
        by_parent.setdefault(line.parent_id, []).append(line)
    top = by_parent.get(None, [])
    for line in top:
        line.option_lines = by_parent.get(line.id, [])
        details = changes._details(line)
        line.detail_rows = [
            (changes.SNAPSHOT_LABELS.get(key, key), detail_shown(value, key))
            for key, value in details.items()
            if value not in ("", None, False)
        ]
    return top


def totals(order: Order) -> dict:
    """Månadskostnad, Startkostnad, Bindningstid of every line as sent."""
    monthly = start = binding = 0
    for line in order.lines:
        monthly += line.monthly_ore * line.quantity
        start += line.start_ore * line.quantity
        binding = max(binding, line.binding_months)
    return {"monthly": monthly, "start": start, "binding": binding}


def history(order: Order) -> list[OrderEvent]:
    events = list(
        OrderEvent.select(OrderEvent, User, StaffUser)
        .join(User, JOIN.LEFT_OUTER, on=(OrderEvent.user == User.id))
        .switch(OrderEvent)
        .join(StaffUser, JOIN.LEFT_OUTER, on=(OrderEvent.staff == StaffUser.id))
        .where(OrderEvent.order == order.id)
        .order_by(OrderEvent.at, OrderEvent.id)
    )
    for event in events:
        event.is_change = event.from_status == event.to_status
    return events


def _loads(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def versions(order: Order) -> list[OrderVersion]:
    """Each version ("1409583 v0", "v1" …) with what changed from the one before."""
    rows = list(
        OrderVersion.select(OrderVersion, User)
        .join(User, JOIN.LEFT_OUTER, on=(OrderVersion.created_by == User.id))
        .where(OrderVersion.order == order.id)
        .order_by(OrderVersion.version)
    )
    previous = None
    for row in rows:
        current = _loads(row.snapshot)
        row.label = f"{order.number} v{row.version}"
        if "changes" in current:
            row.changes = [tuple(item) for item in current["changes"]]
        elif previous is not None:
            row.changes = changes.differences(previous, current)
        else:
            row.changes = []
        previous = current
    return rows


def page_context(order: Order) -> dict:
    user = current_user
    payload = _loads(order.payload) if order.type != "new" else {}
    return {
        "order": order,
        "lines": line_tree(order),
        "totals": totals(order),
        "approvals": approvals.steps_of(order),
        "events": history(order),
        "versions": versions(order),
        "summary": order_summary(order) if order.type != "new" else "",
        "payload": payload,
        "contact_methods": CONTACT_METHODS,
        "status_labels": ORDER_STATUSES,
        "may_change": changes.change_refusal(user, order) is None,
        "may_undo": changes.undo_refusal(user, order) is None,
        "may_answer_offer": changes.offer_refusal(user, order) is None,
        "may_ticket": user.has("tickets.manage"),
    }


@bp.route("/<int:order_id>")
@require(ORDER_AREA)
def detail(order_id: int):
    order = load(order_id)
    return render("orders/show.html", "partials/orders/_page.html", **page_context(order))


# --------------------------------------------------------------------------- dialogs


def dialog(name: str, order: Order, title: str, **context):
    return dialogs.show(
        f"{DIALOGS}_{name}.html", page_url(order), order=order, dialog_title=title, **context
    )


def refused(order: Order, message: str):
    response = dialog("refused", order, _("Åtgärden kan inte utföras"), message=message)
    response.status_code = 403
    return response


def finished(order: Order, message: str):
    return dialogs.done(page_url(order), message, orderChanged=order.id)


class ChangeForm(FlaskForm):
    version = HiddenField()
    desired_date = StringField(_l("Önskat aktiveringsdatum"))
    end_user = StringField(_l("Slutanvändare/Alias"))
    delivery_name = StringField(_l("Leveransmottagare"))
    delivery_street = StringField(_l("Gatuadress"))
    delivery_postcode = StringField(_l("Postnummer"))
    delivery_city = StringField(_l("Ort"))
    contact_phone = StringField(_l("Kontakttelefon"))
    contact_email = StringField(_l("E-post för kontakt"))
    extra_contact = SelectField(_l("Extra kontaktperson"), validate_choice=False)
    comment = TextAreaField(_l("Kommentar till ändringen"))


def change_form(order: Order) -> ChangeForm:
    data = {name: getattr(order, name) for name in changes.CUSTOMER_FIELDS}
    data["desired_date"] = order.desired_date.isoformat() if order.desired_date else ""
    data["extra_contact"] = str(order.extra_contact_id or "")
    data["version"] = str(order.version)
    form = ChangeForm(data=data)
    contacts = (
        Contact.select()
        .where(
            (Contact.organisation == order.organisation_id)
            & Contact.account.in_(visible_accounts(current_user).select(Account.id))
        )
        .order_by(Contact.name)
    )
    form.extra_contact.choices = select_choices(
        [("", _("Ingen")), *((str(c.id), c.name) for c in contacts)]
    )
    return form


def end_user_lines(order: Order) -> list[OrderLine]:
    """The subscriptions whose Slutanvändare the change dialog offers."""
    lines = order.lines.where(OrderLine.parent.is_null()).order_by(OrderLine.position)
    out = []
    for line in lines:
        details = changes._details(line)
        if "end_user" in details:
            line.end_user = details["end_user"]
            out.append(line)
    return out


def _seen_version(form) -> int | None:
    text = (form.version.data or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@bp.route("/<int:order_id>/change", methods=["GET", "POST"])
@require(ORDER_AREA)
def change(order_id: int):
    """Ändra: the fields a sent order may still change, a new version."""
    order = load(order_id)
    form = change_form(order)
    lines = end_user_lines(order)
    line_errors: dict[str, str] = {}
    context = {
        "form": form,
        "end_user_lines": lines,
        "line_errors": line_errors,
        "today_iso": dt.date.today().isoformat(),
    }
    refusal = changes.change_refusal(current_user, order)
    if refusal:
        return refused(order, refusal)
    if not form.validate_on_submit():
        return dialog("change", order, _("Ändra beställning"), **context)
    values = {name: form[name].data for name in changes.CUSTOMER_FIELDS}
    for line in lines:
        key = f"end_user_{line.id}"
        if key in request.form:
            values[key] = request.form[key]
            line.end_user = request.form[key]
    try:
        with write_tx():
            diff = changes.change_order(
                order, current_user, values, form.comment.data or "", version=_seen_version(form)
            )
    except changes.ChangeError as error:
        message = tr(error.message)
        if error.field and error.field.startswith("end_user_"):
            line_errors[error.field] = message
        elif error.field and hasattr(form, error.field):
            form[error.field].errors = [*form[error.field].errors, message]
        else:
            form.form_errors.append(message)
        return dialog("change", order, _("Ändra beställning"), **context)
    except OrderConflict:
        form.form_errors.append(tr(changes.CONFLICT_MESSAGE))
        return dialog("change", order, _("Ändra beställning"), **context)
    if not diff:
        return finished(order, _("Inget ändrades."))
    return finished(order, _("Beställningen är ändrad och är nu %(order)s.", order=order.label))


class ConfirmForm(FlaskForm):
    seen_status = HiddenField()
    comment = TextAreaField(_l("Kommentar"))


def _confirm(order: Order, name: str, title: str, act, message: str, refusal: str | None):
    """A confirm dialog whose POST does ``act()`` once (the status seen is checked)."""
    if refusal:
        return refused(order, refusal)
    form = ConfirmForm(data={"seen_status": order.status})
    if not form.validate_on_submit():
        return dialog(name, order, title, form=form)
    try:
        if form.seen_status.data != order.status:
            raise OrderConflict(changes.CONFLICT_MESSAGE)
        with write_tx():
            act(form)
    except changes.ChangeError as error:
        form.form_errors.append(tr(error.message))
        return dialog(name, order, title, form=form)
    except OrderConflict:
        form.form_errors.append(tr(changes.CONFLICT_MESSAGE))
        return dialog(name, order, title, form=form)
    return finished(order, message)


@bp.route("/<int:order_id>/undo", methods=["GET", "POST"])
@require(ORDER_AREA)
def undo(order_id: int):
    """Ångra beställning: the order becomes Avbruten."""
    order = load(order_id)
    return _confirm(
        order, "undo", _("Ångra beställning"),
        lambda form: changes.undo(order, current_user),
        _("Beställningen %(number)s är ångrad.", number=order.number),
        changes.undo_refusal(current_user, order),
    )  # fmt: skip


@bp.route("/<int:order_id>/accept", methods=["GET", "POST"])
@require(ORDER_AREA)
def accept_offer(order_id: int):
    order = load(order_id)
    return _confirm(
        order, "accept", _("Acceptera offert"),
        lambda form: changes.accept_offer(order, current_user),
        _("Offerten %(number)s är accepterad och behandlas nu som en beställning.", number=order.number),
        changes.offer_refusal(current_user, order),
    )  # fmt: skip


@bp.route("/<int:order_id>/decline", methods=["GET", "POST"])
@require(ORDER_AREA)
def decline_offer(order_id: int):
    order = load(order_id)
    return _confirm(
        order, "decline", _("Avböj offert"),
        lambda form: changes.decline_offer(order, current_user, form.comment.data or ""),
        _("Offerten %(number)s är avböjd.", number=order.number),
        changes.offer_refusal(current_user, order),
    )  # fmt: skip
