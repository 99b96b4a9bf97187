"""Mina rapporter: background exports (issue 15, item 4) and scheduled
reports (item 5).

* ``/reports/filer/<id>``: one export job — its progress bar (htmx polls the
  fragment every two seconds while it is queued or running), then "Ladda
  ner", or the error and "Försök igen".
* ``/reports/filer/<id>/ladda-ner``: the file, for the user who asked (and
  for a scheduled report's recipients who may see it); anyone else 404.
* ``/reports/mina``: the user's own jobs with status and download.
* ``/reports/scheman``: the user's scheduled reports (last run and its
  result, pause/resume, remove); ``/reports/scheman/ny?path=…`` schedules
  the report previewed at ``path``.

Jobs and files need only a signed-in portal user (an export of Tjänster is
the user's even without reports.view); schedules need reports.view.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.reports.common import TITLES
from domain import jobs, report_schedules
from tables.jobs import ExportJob
from tables.org import Account, User
from web import dialogs, excel
from web import jobs as web_jobs
from web import schedules as web_schedules
from web.auth import customer_required, require
from web.forms import FlaskForm, select_choices
from web.htmx import confirm, render
from web.i18n import N_, tr

bp = Blueprint("myreports", __name__, url_prefix="/reports")


# ------------------------------------------------------------------ export jobs


def _own_job(job_id: int) -> ExportJob:
    job = jobs.for_user(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/filer/<int:job_id>")
@customer_required
def job(job_id):
    job = _own_job(job_id)
    has_file = web_jobs_file(job) is not None
    return render("myreports/job.html", "myreports/_job.html", job=job, has_file=has_file)


def web_jobs_file(job: ExportJob):
    return jobs.file_path(current_app.config["REPORT_DIR"], job)


@bp.route("/filer/<int:job_id>/ladda-ner")
@customer_required
def download(job_id):
    job = ExportJob.get_or_none(ExportJob.id == job_id)
    if job is None or not web_schedules.may_download(current_user, job):
        abort(404)
    path = web_jobs_file(job)
    if path is None:
        abort(404)
    stamp = (job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return send_file(
        path,
        mimetype=excel.XLSX_MIME,
        as_attachment=True,
        download_name=f"{tr(job.title)} {stamp}.xlsx",
    )


@bp.route("/filer/<int:job_id>/forsok-igen", methods=["POST"])
@customer_required
def retry(job_id):
    job = _own_job(job_id)
    if jobs.retry(job, current_user):
        web_jobs.enqueue(job.id)
    return redirect(url_for("myreports.job", job_id=job.id), 303)


@bp.route("/mina")
@customer_required
def mine():
    rows = list(jobs.of_user(current_user).limit(200))
    files = {job.id: web_jobs_file(job) is not None for job in rows}
    return render_template("myreports/list.html", jobs=rows, files=files)


# ------------------------------------------------------------ scheduled reports


class ScheduleForm(FlaskForm):
    path = HiddenField()
    title = HiddenField()
    frequency = SelectField(
        _l(N_("Hur ofta")),
        choices=select_choices(
            (key, _l(label)) for key, label in report_schedules.FREQUENCIES.items()
        ),
        validators=[InputRequired(_l(N_("Välj hur ofta.")))],
    )
    weekday = SelectField(
        _l(N_("Veckodag (varje vecka)")),
        choices=select_choices(
            (str(i), _l(name)) for i, name in enumerate(report_schedules.WEEKDAY_NAMES, 1)
        ),
        default="1",
    )
    month_day = IntegerField(
        _l(N_("Dag i månaden (varje månad, 1–28)")),
        default=1,
        validators=[
            InputRequired(_l(N_("Ange en dag 1–28."))),
            NumberRange(1, 28, _l(N_("Ange en dag 1–28."))),
        ],
    )
    hour = IntegerField(
        _l(N_("Klockan (timme 0–23)")),
        default=7,
        validators=[
            InputRequired(_l(N_("Ange en timme 0–23."))),
            NumberRange(0, 23, _l(N_("Ange en timme 0–23."))),
        ],
    )
    recipients = SelectMultipleField(
        _l(N_("Mottagare")),
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[lambda form, field: _at_least_one(field)],
    )


def _at_least_one(field) -> None:
    """At least one recipient (not the HTML ``required``, which would ask
    for every checkbox)."""
    if not field.data:
        raise ValidationError(_("Välj minst en mottagare."))


def _candidates(path: str) -> list[User]:
    """The organisation's users who may receive the report (owner first)."""
    users = (
        User.select(User, Account)
        .join(Account, on=(User.scope_account == Account.id))
        .where(
            (User.organisation == current_user.organisation_id)
            & User.active
            & User.removed_at.is_null()
        )
        .order_by(User.name)
    )
    allowed = web_schedules.allowed_recipients(current_app, current_user, path, users)
    return sorted(allowed, key=lambda u: (u.id != current_user.id, u.name))


def report_title(endpoint: str) -> str:
    """A schedulable report's title from Rapporter's list (Samtal for /calls)."""
    return TITLES.get(endpoint) or (N_("Samtal") if endpoint == "calls.index" else endpoint)


@bp.route("/scheman/ny", methods=["GET", "POST"])
@require("reports.view")
def schedule_new():
    path = (request.values.get("path") or "").strip()
    endpoint = web_schedules.schedulable(current_app, path) if len(path) <= 2000 else None
    if endpoint is None:
        abort(404)
    form = ScheduleForm()
    if request.method == "GET":
        form.path.data = path
        form.title.data = (request.args.get("title") or report_title(endpoint))[:200]
        form.recipients.data = [current_user.id]
    candidates = _candidates(path)
    form.recipients.choices = select_choices((u.id, f"{u.name} ({u.email})") for u in candidates)
    if form.validate_on_submit():
        frequency = form.frequency.data
        day = int(form.weekday.data) if frequency == "weekly" else form.month_day.data
        schedule = report_schedules.create(
            current_user,
            title=(form.title.data or report_title(endpoint)).strip()[:200],
            path=path,
            report_key=endpoint,
            frequency=frequency,
            day=day,
            hour=form.hour.data,
            recipient_ids=form.recipients.data,
        )
        response = redirect(url_for("myreports.schedules"), 303)
        return confirm(response, _("Rapporten är schemalagd: %(title)s", title=tr(schedule.title)))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "myreports/schedule_form.html",
        form=form,
        path=path,
        link_only=report_schedules.carries_call_data(path),
    ), status


@bp.route("/scheman")
@require("reports.view")
def schedules():
    rows = list(report_schedules.of_user(current_user))
    return render_template(
        "myreports/schedules.html",
        schedules=rows,
        describe=report_schedules.describe,
        recipients={s.id: report_schedules.recipients(s) for s in rows},
    )


def _own_schedule(schedule_id: int):
    schedule = report_schedules.for_user(current_user, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


@bp.route("/scheman/<int:schedule_id>", methods=["GET", "POST"])
@require("reports.view")
def schedule_edit(schedule_id):
    """Ändra: when and to whom (the report and its parameters stay)."""
    schedule = _own_schedule(schedule_id)
    form = ScheduleForm()
    if request.method == "GET":
        form.frequency.data = schedule.frequency
        form.weekday.data = str(schedule.day) if schedule.frequency == "weekly" else "1"
        form.month_day.data = schedule.day if schedule.frequency == "monthly" else 1
        form.hour.data = schedule.hour
        form.recipients.data = report_schedules.recipient_ids(schedule)
    form.path.data, form.title.data = schedule.path, schedule.title
    candidates = _candidates(schedule.path)
    form.recipients.choices = select_choices((u.id, f"{u.name} ({u.email})") for u in candidates)
    if form.validate_on_submit():
        frequency = form.frequency.data
        day = int(form.weekday.data) if frequency == "weekly" else form.month_day.data
        report_schedules.change(
            schedule,
            current_user,
            frequency=frequency,
            day=day,
            hour=form.hour.data,
            recipient_ids=form.recipients.data,
        )
        response = redirect(url_for("myreports.schedules"), 303)
        return confirm(response, _("Schemat är ändrat: %(title)s", title=tr(schedule.title)))
    return render_template(
        "myreports/schedule_form.html",
        form=form,
        path=schedule.path,
        schedule=schedule,
        link_only=report_schedules.carries_call_data(schedule.path),
    ), 400 if request.method == "POST" else 200


@bp.route("/scheman/<int:schedule_id>/pausa", methods=["POST"])
@require("reports.view")
def schedule_pause(schedule_id):
    report_schedules.set_active(_own_schedule(schedule_id), False, current_user)
    return redirect(url_for("myreports.schedules"), 303)


@bp.route("/scheman/<int:schedule_id>/ateruppta", methods=["POST"])
@require("reports.view")
def schedule_resume(schedule_id):
    report_schedules.set_active(_own_schedule(schedule_id), True, current_user)
    return redirect(url_for("myreports.schedules"), 303)


class RemoveForm(FlaskForm):
    """Ta bort, after a confirmation: a form for its CSRF token."""


@bp.route("/scheman/<int:schedule_id>/ta-bort", methods=["GET", "POST"])
@require("reports.view")
def schedule_remove(schedule_id):
    """Ta bort asks first (a dialog); a second submit of a removed schedule is 404."""
    schedule = _own_schedule(schedule_id)
    back = url_for("myreports.schedules")
    form = RemoveForm()
    if form.validate_on_submit():
        report_schedules.remove(schedule, current_user)
        return dialogs.go(
            back, _("Den schemalagda rapporten är borttagen: %(title)s", title=tr(schedule.title))
        )
    return dialogs.show(
        "partials/myreports/_remove.html",
        back,
        schedule=schedule,
        form=form,
        dialog_title=_("Ta bort schemalagd rapport"),
    )
