"""Bulk actions on Tjänster (issue 18 item 7, UI-4): the dialog the bulk
bar opens, its confirmation, and the result page of each run.

The selection is either the ticked ids (kept across pages in the browser's
sessionStorage by static/bulk.js) or, after "Markera alla N träffar", the
list's filter (its query string), found again here under the user's scope
when the run starts. Ticked ids are checked against the scope too: an id
outside it answers 404 and nothing is done. Each service then goes through
the single action's own code (domain/bulk_actions.py); up to BULK_JOB_ROWS
services in the request, more in the worker with a progress bar.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Optional

from blueprints.services import bp
from blueprints.services.listing import SERVICE_LIST
from domain import bulk_actions as bulk
from domain import groups as group_rules
from domain.text import Text
from tables.bulk import BulkActionRow
from tables.orders import Order
from tables.services import BARRING_KINDS, Service
from web import dialogs, jobs
from web.auth import require
from web.forms import FlaskForm, select_choices
from web.htmx import is_htmx, render
from web.i18n import tr

DIALOG = "partials/services/dialogs/_bulk.html"
PAGE_ROWS = 500  # rows the result page lists at a time


class BulkForm(FlaskForm):
    action = HiddenField()
    ids = HiddenField()  # ticked services, comma-separated
    all = HiddenField()  # "1": every match of the filter in ``q``
    q = HiddenField()
    step = HiddenField()
    token = HiddenField()
    group = SelectField(_l("Grupp"), validate_choice=False)
    start_month = StringField(_l("Från månad"), validators=[Optional()])
    code = SelectField(_l("Ny"), validate_choice=False)
    desired_date = StringField(_l("Önskad aktivering"), validators=[Optional()])
    kind = SelectField(_l("Spärr"), validate_choice=False)
    invoice_text = StringField(_l("Fakturatext"), validators=[Optional()])


class Selection:
    """The services chosen: their ids, in the list's order, within scope."""

    def __init__(self, ids: list[int], everything: bool, total: int):
        self.ids = ids
        self.everything = everything
        self.total = total


def _list_path() -> str:
    return url_for("services.index")


def _filter_args(q: str) -> MultiDict:
    args = MultiDict(parse_qsl(q or "", keep_blank_values=True))
    for key in ("page", "export", "ids"):
        args.poplist(key)
    return args


def selection(form: BulkForm) -> Selection:
    """The selection re-read on the server: the filter evaluated under the
    user's scope, or the ticked ids (404 if any is outside the scope)."""
    cap = current_app.config["BULK_MAX_ROWS"]
    if form.all.data == "1":
        state = SERVICE_LIST.state(_filter_args(form.q.data), path=_list_path())
        query = SERVICE_LIST.narrowed(current_user, state)
        total = SERVICE_LIST.count(current_user, state)
        if total > cap:
            return Selection([], True, total)
        ids = [row[0] for row in query.select(Service.id).order_by(Service.id).tuples()]
        return Selection(ids, True, len(ids))
    raw = [p for p in (form.ids.data or "").replace(" ", "").split(",") if p]
    try:
        wanted = list(dict.fromkeys(int(p) for p in raw))
    except ValueError:
        abort(400)
    if any(not 0 < i < 2**63 for i in wanted):
        abort(404)
    if len(wanted) > cap:
        return Selection([], False, len(wanted))
    found: set[int] = set()
    for first in range(0, len(wanted), 500):
        chunk = wanted[first : first + 500]
        query = Service.visible_to(current_user).where(Service.id.in_(chunk))
        found.update(row[0] for row in query.select(Service.id).tuples())
    if len(found) != len(wanted):
        abort(404)  # an id outside the user's scope: never acted on
    return Selection(wanted, False, len(wanted))


def _choices(form: BulkForm) -> None:
    org = current_user.organisation_id
    groups = select_choices([("", _("Välj grupp"))])
    for group in group_rules.groups(org):
        groups += select_choices([(str(group.id), group.label)], group.category.name)
    form.group.choices = groups
    kind = "data_package" if form.action.data == "data_package" else "price_plan"
    form.code.choices = select_choices(
        [("", _("Välj..."))] + [(p.code, p.name) for p in bulk.products(kind)]
    )
    form.kind.choices = select_choices(
        [("", _("Välj spärr..."))] + [(key, _(label)) for key, label in BARRING_KINDS.items()]
    )


def shown_summary(text) -> str:
    """What the action does, in the page's language: a barring's kind (a
    marked label among the values) is translated too."""
    if isinstance(text, Text) and "kind" in text.params:
        return _(text.msgid, **{**text.params, "kind": tr(text.params["kind"])})
    return tr(text)


def run_summary(run) -> str:
    """A run's stored (Swedish) summary, described again from its action and
    values so it can be shown in the user's language."""
    try:
        return shown_summary(bulk.describe(run.action, run.values))
    except (KeyError, ValueError, TypeError):
        return run.summary


def _preview(sel: Selection, key: str, params: dict) -> dict:
    """How many will be refused up front and why (a small selection only)."""
    if len(sel.ids) > bulk.PREVIEW_ROWS:
        return {"counted": False}
    reasons: dict[str, int] = {}
    services = Service.visible_to(current_user).where(Service.id.in_(sel.ids))
    for service in services:
        message = bulk.refusal(current_user, service, key, params)
        if message:
            reasons[tr(message)] = reasons.get(tr(message), 0) + 1
    return {"counted": True, "refused": sum(reasons.values()), "reasons": sorted(reasons.items())}


def _dialog(form: BulkForm, kind, sel: Selection | None, step: str, **context):
    cap = current_app.config["BULK_MAX_ROWS"]
    return dialogs.show(
        DIALOG,
        _list_path(),
        dialog_title=tr(kind.label) if kind else _("Massåtgärd"),
        form=form,
        kind=kind,
        sel=sel,
        step=step,
        cap=cap,
        job_rows=current_app.config["BULK_JOB_ROWS"],
        **context,
    )


@bp.route("/bulk", methods=["GET", "POST"])
@require("services.view")
def bulk_dialog():
    """Choose the values → confirm ("Byt prisplan till X för 37 tjänster")
    → run. Answers 403 for an action the user may not use."""
    form = BulkForm(request.form if request.method == "POST" else request.args)
    key = form.action.data or ""
    kind = bulk.KINDS.get(key)
    if kind is None:
        abort(404)
    if not bulk.may_use(current_user, key):
        abort(403)
    _choices(form)
    opening = request.method == "GET" or not form.step.data
    if opening:
        form.start_month.data = group_rules.format_month(group_rules.current_month())
    sel = selection(form)
    if opening or not form.validate():
        return _dialog(form, kind, sel, "choose")
    if not sel.ids:
        return _dialog(form, kind, sel, "choose")
    try:
        params, summary = bulk.clean(current_user.organisation_id, key, request.form)
    except bulk.BulkError as error:
        target = form._fields.get(error.field or "")
        if target is not None:
            target.errors = [*target.errors, tr(error.message)]
        else:
            form.form_errors.append(tr(error.message))
        return _dialog(form, kind, sel, "choose")
    if form.step.data != "run":
        form.token.data = secrets.token_urlsafe(16)
        return _dialog(
            form,
            kind,
            sel,
            "confirm",
            summary=shown_summary(summary),
            preview=_preview(sel, key, params),
        )
    token = (form.token.data or "")[:64]
    if not token:
        abort(400)
    run, started = bulk.start(current_user, key, params, summary, sel.ids, token)
    if run is None:
        abort(400)
    if started:
        if len(sel.ids) > current_app.config["BULK_JOB_ROWS"]:
            jobs.enqueue_bulk(run.id)
        else:
            bulk.run(run.id, current_user)
    return dialogs.go(url_for("services.bulk_result", bulk_id=run.id))


def _run_or_404(bulk_id: int):
    run = bulk.for_user(current_user, bulk_id)
    if run is None:
        abort(404)
    return run


def _rows(run):
    return (
        BulkActionRow.select(BulkActionRow, Service, Order)
        .join(Service, on=(BulkActionRow.service == Service.id))
        .switch(BulkActionRow)
        .join(Order, join_type=JOIN.LEFT_OUTER, on=(BulkActionRow.order == Order.id))
        .where(BulkActionRow.bulk == run.id)
        .order_by(BulkActionRow.status.desc(), BulkActionRow.position)
    )


def _result_context(run) -> dict:
    return {"run": run, "counts": bulk.counts(run), "summary": run_summary(run)}


@bp.route("/bulk/<int:bulk_id>")
@require("services.view")
def bulk_result(bulk_id: int):
    """The result: each service Genomförd (with its order) or Avvisad (why);
    while the run is on its way, a progress bar polled by htmx."""
    run = _run_or_404(bulk_id)
    shown = request.args.get("visa", "")
    rows = _rows(run)
    if shown in ("done", "refused"):
        rows = rows.where(BulkActionRow.status == shown)
    rows = list(rows.limit(PAGE_ROWS))
    return render(
        "services/bulk_result.html",
        "partials/services/_bulk_progress.html",
        rows=rows,
        shown=shown,
        page_rows=PAGE_ROWS,
        **_result_context(run),
    )


@bp.route("/bulk/<int:bulk_id>/progress")
@require("services.view")
def bulk_progress(bulk_id: int):
    """The progress bar ("312 av 1 000"); when the run is done it asks the
    page to load the rows (HX-Refresh)."""
    run = _run_or_404(bulk_id)
    if not is_htmx():
        return redirect(url_for("services.bulk_result", bulk_id=run.id))
    response = render(
        "services/bulk_result.html",
        "partials/services/_bulk_progress.html",
        **_result_context(run),
    )
    if not run.running:
        response.headers["HX-Refresh"] = "true"
    return response
