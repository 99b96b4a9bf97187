"""Molnväxel administration (issue 21): the employees (Medarbetare) and
queues (Köer) of a molnväxel, each in an in-place dialog from its service
page, and a number's queue memberships (join, leave, pause) from the
number's page. The rules and the backend are in domain/switchboard.py."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField

from blueprints.services import bp
from blueprints.services.forms import add_error as _add_error
from domain import switchboard as sb
from domain import switchboard_orders as sbo
from permissions import holds_any
from tables.services import Service
from tables.switchboard import RING_STRATEGIES, SwitchboardEmployee, SwitchboardQueue
from web import dialogs
from web.auth import get_visible_or_404, require
from web.forms import FlaskForm, select_choices
from web.i18n import N_, error_text, tr

DIALOGS = "partials/services/dialogs/"
# Who may change a molnväxel's employees and queues, and a number's queue
# memberships (like the other service settings; MEX status is the same kind).
MANAGE = "services.addons"
MEMBERSHIP = ("services.addons", "services.mex")
EXTRA_MEMBER_SLOTS = 2


class EmployeeForm(FlaskForm):
    name = StringField(_l("Namn"))
    extension = StringField(_l("Anknytning"))
    mobile = SelectField(_l("Mobilnummer"), validate_choice=False)
    fixed_number = SelectField(_l("Fast nummer"), validate_choice=False)


class QueueForm(FlaskForm):
    name = StringField(_l("Namn"))
    number = StringField(_l("Nummer"))
    strategy = SelectField(_l("Ringstrategi"), validate_choice=False)
    opening_hours = StringField(_l("Öppettider"))
    overflow = StringField(_l("Överflöde"))


class ConfirmForm(FlaskForm):
    pass


def load_pbx(service_id: int):
    """The molnväxel in the user's scope (404 otherwise)."""
    pbx = get_visible_or_404(Service, service_id)
    if pbx.kind != "cloud_pbx":
        abort(404)
    return pbx


def back(pbx) -> str:
    return url_for("services.detail", service_id=pbx.id)


def choices(pbx) -> list:
    visible = {s.id for s in Service.visible_to(current_user).select(Service.id)}
    return [s for s in sb.member_choices(pbx) if s.id in visible]


def _label(service) -> str:
    from domain.numbers import format_phone

    return f"{format_phone(service.number)} {service.user_name}".strip()


def add_error(form, error) -> None:
    """The domain's message next to its field, in the page's language."""
    error.message = error_text(error)
    _add_error(form, error)


def show(name: str, pbx, title: str, **context):
    return dialogs.show(
        f"{DIALOGS}_{name}.html", back(pbx), service=pbx, dialog_title=title, **context
    )


def done(pbx, message: str):
    return dialogs.done(back(pbx), message, serviceChanged=True)


# ----------------------------------------------------------------- employees


def _employee(pbx, employee_id: int):
    employee = SwitchboardEmployee.get_or_none(
        (SwitchboardEmployee.id == employee_id) & (SwitchboardEmployee.pbx == pbx.id)
    )
    if employee is None:
        abort(404)
    return employee


def _employee_dialog(pbx, employee=None):
    data = {}
    if employee is not None:
        data = {
            "name": employee.name,
            "extension": employee.extension,
            "mobile": str(employee.mobile_id or ""),
            "fixed_number": employee.fixed_number,
        }
    form = EmployeeForm(data=data)
    numbers = choices(pbx)
    form.mobile.choices = [("", _("Inget"))] + [(str(s.id), _label(s)) for s in numbers]
    form.fixed_number.choices = [("", _("Inget"))] + [(n, n) for n in sb.fixed_numbers(pbx)]
    title = _("Ändra medarbetare") if employee else _("Ny medarbetare")
    action = (
        url_for("services.employee_edit", service_id=pbx.id, employee_id=employee.id)
        if employee
        else url_for("services.employee_new", service_id=pbx.id)
    )
    if form.validate_on_submit():
        try:
            if form.mobile.data and form.mobile.data not in {str(s.id) for s in numbers}:
                raise sb.SwitchboardError(N_("Numret hör inte till organisationen."), "mobile")
            saved = sbo.save_employee(current_user, pbx, form.data, employee)
        except sb.SwitchboardError as error:
            add_error(form, error)
        else:
            if isinstance(saved, sb.Ordered):
                return done(pbx, tr(saved.message))
            return done(pbx, _("Medarbetaren %(name)s är sparad.", name=saved.name))
    return show("employee", pbx, title, form=form, action=action)


@bp.route("/<int:service_id>/employees/new", methods=["GET", "POST"])
@require(MANAGE)
def employee_new(service_id: int):
    return _employee_dialog(load_pbx(service_id))


@bp.route("/<int:service_id>/employees/<int:employee_id>", methods=["GET", "POST"])
@require(MANAGE)
def employee_edit(service_id: int, employee_id: int):
    pbx = load_pbx(service_id)
    return _employee_dialog(pbx, _employee(pbx, employee_id))


@bp.route("/<int:service_id>/employees/<int:employee_id>/remove", methods=["GET", "POST"])
@require(MANAGE)
def employee_remove(service_id: int, employee_id: int):
    pbx = load_pbx(service_id)
    employee = _employee(pbx, employee_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ordered = sbo.remove_employee(current_user, pbx, employee)
        if ordered:
            return done(pbx, tr(ordered.message))
        return done(pbx, _("Medarbetaren %(name)s är borttagen.", name=employee.name))
    action = url_for("services.employee_remove", service_id=pbx.id, employee_id=employee.id)
    message = _(
        "Ta bort %(name)s (anknytning %(extension)s) ur växeln?",
        name=employee.name,
        extension=employee.extension,
    )
    return show("switchboard_remove", pbx, _("Ta bort medarbetare"), form=form, action=action,
                message=message)  # fmt: skip


# ----------------------------------------------------------------- queues


def _queue(pbx, queue_id: int):
    queue = SwitchboardQueue.get_or_none(
        (SwitchboardQueue.id == queue_id) & (SwitchboardQueue.pbx == pbx.id)
    )
    if queue is None:
        abort(404)
    return queue


def _queue_dialog(pbx, queue=None):
    data = {}
    current = []
    if queue is not None:
        data = {k: getattr(queue, k) for k in ("name", "number", "strategy", "opening_hours",
                                               "overflow")}  # fmt: skip
        current = [str(m.service_id) for m in sb.members_of([queue.id]).get(queue.id, [])]
    form = QueueForm(data=data)
    form.strategy.choices = select_choices([(k, _(v)) for k, v in RING_STRATEGIES.items()])
    numbers = choices(pbx)
    allowed = {str(s.id) for s in numbers}
    chosen = request.form.getlist("members") if request.method == "POST" else current
    member_errors = []
    if form.validate_on_submit():
        try:
            if any(m and m not in allowed for m in chosen):
                raise sb.SwitchboardError(N_("Numret hör inte till organisationen."), "members")
            saved = sbo.save_queue(current_user, pbx, {**form.data, "members": chosen}, queue)
        except sb.SwitchboardError as error:
            if error.field == "members":
                member_errors.append(error_text(error))
            else:
                add_error(form, error)
        else:
            if isinstance(saved, sb.Ordered):
                return done(pbx, tr(saved.message))
            return done(pbx, _("Kön %(name)s är sparad.", name=saved.name))
    slots = [c for c in chosen if c] + [""] * EXTRA_MEMBER_SLOTS
    action = (
        url_for("services.queue_edit", service_id=pbx.id, queue_id=queue.id)
        if queue
        else url_for("services.queue_new", service_id=pbx.id)
    )
    return show(
        "queue", pbx, _("Ändra kö") if queue else _("Ny kö"),
        form=form, action=action, slots=slots, member_errors=member_errors,
        member_options=[(str(s.id), _label(s)) for s in numbers],
    )  # fmt: skip


@bp.route("/<int:service_id>/queues/new", methods=["GET", "POST"])
@require(MANAGE)
def queue_new(service_id: int):
    return _queue_dialog(load_pbx(service_id))


@bp.route("/<int:service_id>/queues/<int:queue_id>", methods=["GET", "POST"])
@require(MANAGE)
def queue_edit(service_id: int, queue_id: int):
    pbx = load_pbx(service_id)
    return _queue_dialog(pbx, _queue(pbx, queue_id))


@bp.route("/<int:service_id>/queues/<int:queue_id>/remove", methods=["GET", "POST"])
@require(MANAGE)
def queue_remove(service_id: int, queue_id: int):
    pbx = load_pbx(service_id)
    queue = _queue(pbx, queue_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ordered = sbo.remove_queue(current_user, pbx, queue)
        if ordered:
            return done(pbx, tr(ordered.message))
        return done(pbx, _("Kön %(name)s är borttagen.", name=queue.name))
    action = url_for("services.queue_remove", service_id=pbx.id, queue_id=queue.id)
    return show("switchboard_remove", pbx, _("Ta bort kö"), form=form, action=action,
                message=_("Ta bort kön %(name)s (%(number)s)?", name=queue.name,
                          number=queue.number))  # fmt: skip


# ----------------------------------------------------------------- a number's memberships


@bp.route("/<int:service_id>/queues/<int:queue_id>/membership", methods=["POST"])
@require(MEMBERSHIP)
def queue_membership(service_id: int, queue_id: int):
    """Join, leave, pause or resume a queue of the number's molnväxel."""
    service = get_visible_or_404(Service, service_id)
    queue = SwitchboardQueue.get_or_none(
        (SwitchboardQueue.id == queue_id)
        & (SwitchboardQueue.organisation == service.organisation_id)
    )
    if queue is None:
        abort(404)
    form = ConfirmForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in sb.MEMBER_ACTIONS:
        abort(400)
    try:
        ordered = sbo.set_membership(current_user, service, queue, action)
    except sb.SwitchboardError as error:
        return dialogs.show(
            DIALOGS + "_refused.html", url_for("services.detail", service_id=service.id),
            service=service, message=error_text(error), dialog_title=_("Köer"),
        ), 409  # fmt: skip
    labels = {"join": N_("Numret är med i kön %(name)s."),
              "leave": N_("Numret har lämnat kön %(name)s."),
              "pause": N_("Numret är pausat i kön %(name)s."),
              "resume": N_("Numret tar emot samtal i kön %(name)s.")}  # fmt: skip
    return dialogs.done(
        url_for("services.detail", service_id=service.id),
        tr(ordered.message) if ordered else _(labels[action], name=queue.name),
        serviceChanged=True,
    )


def panel_context(service, user) -> dict:
    """What the service page shows of the switchboard for ``service``."""
    if service.kind == "cloud_pbx":
        return {
            "sb_employees": sb.employees(service),
            "sb_queues": sb.queues(service),
            "sb_manage": holds_any(user, MANAGE),
        }
    memberships = sb.memberships(service) if service.is_mobile else []
    linked = sb.linked_employees(service) if service.is_mobile else []
    if service.is_mobile and (service.parent_id or memberships or linked):
        return {
            "sb_memberships": memberships,
            "sb_linked": linked,
            "sb_joinable": sb.joinable(service),
            "sb_member_manage": holds_any(user, MEMBERSHIP),
        }
    return {}
