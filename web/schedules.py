"""Running scheduled reports (issue 15, item 5); the rules are in
domain/report_schedules.py.

A run is an export job of the schedule's report replayed as its owner
(web/jobs.replay: the view's ``@require`` and scope run again), then an
e-mail through the outbox to each recipient who passes
``report_schedules.may_receive`` now: the workbook attached, or for reports
with B-numbers a link to ``/reports/filer/<id>/ladda-ner`` that needs
signing in. An owner who lost access (or was removed) gets the schedule
paused and an e-mail saying so.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from database import write_tx
from domain import jobs, mail, report_schedules
from domain.text import N_, T_, translate
from tables.jobs import ExportJob
from tables.ops import ScheduledReport
from tables.org import User
from web import excel
from web import jobs as web_jobs

# The views a schedule may replay: the reports and Samtal.
OWN_ENDPOINTS = ("reports.index",)


def match(app, path: str):
    """(endpoint, view function) of a GET of ``path``, or None."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint, app.view_functions[endpoint]


def schedulable(app, path: str) -> str | None:
    """The endpoint of a report that can be scheduled at ``path``, or None."""
    found = match(app, path)
    if found is None:
        return None
    endpoint, _ = found
    if endpoint == "calls.index":
        return endpoint
    if endpoint.startswith("reports.") and endpoint not in OWN_ENDPOINTS:
        return endpoint
    return None


def required_permissions(app, path: str) -> list:
    """The permissions the report's view requires (each ``@require`` on it)."""
    found = match(app, path)
    if found is None:
        return ["reports.view"]
    view, needed = found[1], []
    while view is not None:
        if hasattr(view, "required_permission"):
            needed.append(view.required_permission)
        view = getattr(view, "__wrapped__", None)
    return needed


def allowed_recipients(app, owner, path: str, users) -> list:
    permissions = required_permissions(app, path)
    return [u for u in users if report_schedules.may_receive(owner, u, permissions)]


def may_download(user, job: ExportJob) -> bool:
    """The user who asked, or a recipient of the job's schedule who may
    receive it now."""
    if job.user_id == user.id:
        return True
    if job.schedule_id is None or job.organisation_id != user.organisation_id:
        return False
    schedule = ScheduledReport.get_or_none(ScheduledReport.id == job.schedule_id)
    if schedule is None or user.id not in report_schedules.recipient_ids(schedule):
        return False
    owner = web_jobs.load_user(job.user_id)
    if owner is None:
        return False
    permissions = required_permissions(current_app, schedule.path)
    return report_schedules.may_receive(owner, user, permissions)


def run(app, schedule_id: int) -> str:
    """One run of a schedule: "done", "failed", "paused" or "skipped"."""
    schedule = ScheduledReport.get_or_none(ScheduledReport.id == schedule_id)
    if schedule is None or not schedule.active:
        return "skipped"
    owner = web_jobs.load_user(schedule.user_id)
    if owner is None:  # deactivated or removed: paused, and told (their address remains)
        report_schedules.pause_for(schedule, web_jobs.NO_USER)
        _tell_owner_paused(app, schedule, User.get_by_id(schedule.user_id))
        return "paused"
    with write_tx():
        job = jobs.create(owner, schedule.title, schedule.path, 0, schedule=schedule.id)
    status = web_jobs.replay(app, job.id)
    job = ExportJob.get_by_id(job.id)
    if status != "done":
        if job.error in (web_jobs.NO_ACCESS, web_jobs.NO_USER):
            report_schedules.pause_for(schedule, job.error)
            _tell_owner_paused(app, schedule, owner)
            return "paused"
        report_schedules.record_run(schedule, "failed", job.error)
        return "failed"
    users = allowed_recipients(app, owner, schedule.path, report_schedules.recipients(schedule))
    _send(app, schedule, owner, job, users)
    report_schedules.record_run(schedule, "done", "")
    return "done"


def _url(app, path: str) -> str:
    return app.config["PUBLIC_URL"].rstrip("/") + path


def _send(app, schedule, owner, job, users) -> None:
    """The report to each recipient, in the recipient's language."""
    days = app.config["REPORT_FILE_DAYS"]
    link = report_schedules.carries_call_data(schedule.path)
    with write_tx():
        for user in users:
            lang = getattr(user, "language", None)

            def t(text, lang=lang):
                return translate(text, lang)

            title = translate(schedule.title, lang)
            when = translate(report_schedules.describe(schedule), lang)
            lines = [
                t(N_("Hej!")),
                "",
                t(
                    T_(
                        "Här är rapporten %(title)s (%(rows)s rader), schemalagd av %(owner)s"
                        " (%(when)s).",
                        title=title,
                        rows=job.rows_done,
                        owner=owner.name,
                        when=when.lower(),
                    )
                ),
                "",
            ]
            attachments = None
            if link:
                lines += [
                    t(
                        N_(
                            "Rapporten innehåller samtalsuppgifter (B-nummer) och skickas därför"
                            " inte som bilaga. Logga in för att ladda ner den:"
                        )
                    ),
                    _url(app, f"/reports/filer/{job.id}/ladda-ner"),
                    "",
                    t(T_("Filen finns kvar i %(days)s dagar.", days=days)),
                ]
            else:
                lines.append(t(N_("Rapporten finns som bilaga (Excel).")))
                attachments = [
                    {
                        "path": str(web_jobs.report_dir() / job.file),
                        "filename": f"{title} {job.finished_at:%Y-%m-%d}.xlsx",
                        "mime": excel.XLSX_MIME,
                    }
                ]
            lines += [
                "",
                t(T_("Dina schemalagda rapporter: %(url)s", url=_url(app, "/reports/scheman"))),
            ]
            mail.send_email(
                user.email,
                t(T_("Schemalagd rapport: %(title)s", title=title)),
                "\n".join(lines),
                organisation=schedule.organisation_id,
                attachments=attachments,
            )


def _tell_owner_paused(app, schedule, owner) -> None:
    """The owner is told, in their language (Swedish when they are gone)."""
    lang = getattr(owner, "language", None)
    title = translate(schedule.title, lang)
    body = "\n\n".join(
        [
            translate(N_("Hej!"), lang),
            translate(
                T_(
                    "Den schemalagda rapporten %(title)s kunde inte skapas: du har inte längre"
                    " behörighet till den eller ditt konto är inaktiverat. Schemat är pausat och"
                    " inga rapporter skickas.",
                    title=title,
                ),
                lang,
            ),
            translate(
                T_("Dina schemalagda rapporter: %(url)s", url=_url(app, "/reports/scheman")), lang
            ),
        ]
    )
    with write_tx():
        mail.send_email(
            owner.email,
            translate(T_("Schemalagd rapport pausad: %(title)s", title=title), lang),
            body + "\n",
            organisation=schedule.organisation_id,
        )
