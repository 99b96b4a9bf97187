"""Exports as background jobs: started from a request, replayed by the worker.

Every list and report export goes through ``ListView.export_response``.
When the filtered rows number more than ``EXPORT_JOB_ROWS`` it calls
:func:`start`: an export job is created (or the same user's identical
queued/running one reused — a double click on Exportera starts one job) and
the answer is the job's page, ``/reports/filer/<id>``, with its progress bar.

The worker runs :func:`replay`: it builds a request context for the stored
path and query string, signs the job's user in to it (checking that the
user still exists and is active) and dispatches the request to the list's
own view, so the view's ``@require`` and scope code run exactly as for the
user's own request: a user who lost the permission gets a failed job, not a
file. Inside the replay ``export_response`` calls :func:`write_file`, which
writes the workbook under ``REPORT_DIR`` and reports progress through
``excel.write_rows``'s callback and the job's heartbeat.

Staff exports (the back office) stay in the request: an ExportJob belongs to
a portal user.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import current_app, flash, g, make_response, redirect, request, url_for
from peewee import JOIN
from werkzeug.exceptions import HTTPException

from database import db, write_tx
from domain import jobs
from tables.jobs import ExportJob
from tables.org import Account, Role, User
from web import excel
from web.i18n import N_, force_locale

log = logging.getLogger("teleportal.jobs")

# Set by worker.py: puts a job id (a bulk run's id) on the huey queue.
_enqueue: Callable[[int], None] | None = None
_enqueue_bulk: Callable[[int], None] | None = None


def set_enqueue(
    enqueue: Callable[[int], None] | None, enqueue_bulk: Callable[[int], None] | None = None
) -> None:
    global _enqueue, _enqueue_bulk
    _enqueue = enqueue
    _enqueue_bulk = enqueue_bulk


def enqueue_bulk(bulk_id: int) -> None:
    """A bulk action on Tjänster to the worker (domain/bulk_actions.py)."""
    if _enqueue_bulk is None:
        raise RuntimeError("no job queue: worker.init_app was not called")
    _enqueue_bulk(bulk_id)


def run_bulk(app, bulk_id: int) -> str:
    """Run a bulk action in the worker as its user, in a request context of
    its own so the audit rows of each service name that user."""
    from domain import bulk_actions
    from tables.bulk import BulkAction

    run = BulkAction.get_or_none(BulkAction.id == bulk_id)
    if run is None:
        return "skipped"
    user = load_user(run.user_id)
    with app.app_context(), app.test_request_context("/services"):
        db.connect(reuse_if_open=True)
        g._login_user = user
        try:
            return bulk_actions.run(bulk_id, user)
        except Exception:
            log.exception("bulk action %s failed", bulk_id)
            raise


def enqueue(job_id: int) -> None:
    if _enqueue is None:
        raise RuntimeError("no job queue: worker.init_app was not called")
    _enqueue(job_id)


def report_dir() -> Path:
    path = Path(current_app.config["REPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def replaying() -> ExportJob | None:
    """The job this request replays in the worker, if it is one."""
    return g.get("export_job")


def runs_later(user, total: int) -> bool:
    """Whether an export of ``total`` rows becomes a background job."""
    if replaying() is not None or getattr(user, "is_staff", True):
        return False
    return total > current_app.config["EXPORT_JOB_ROWS"]


def request_path() -> str:
    """This request's path and query string, as the job replays it."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def start(user, title: str, total: int, reason: str | None = None):
    """The export as a job (or the same one already on its way): 303 to its
    page. ``total`` 0: not counted in the request (the worker's progress then
    shows rows so far); ``reason``: why a report came as a file instead of on
    screen, shown on the job's page."""
    if reason:
        flash(reason, "info")
    path = request_path()
    job = jobs.active_duplicate(user, path)
    if job is None:
        with write_tx():
            job = jobs.create(user, title, path, total)
        enqueue(job.id)
    return redirect(url_for("myreports.job", job_id=job.id), 303)


def write_file(title: str, headers, rows, formats, escape, number_formats):
    """In a replay: the workbook into REPORT_DIR, progress on the job's row."""
    job = replaying()
    directory = report_dir()
    name = f"{job.id}-{secrets.token_hex(8)}.xlsx"
    part = directory / f"{name}.part"
    with jobs.Heartbeat(job.id) as beat, part.open("wb") as fileobj:

        def progress(count: int) -> None:
            beat.rows_done = count

        count = excel.write_rows(
            fileobj, title, headers, rows, formats, escape, number_formats, progress=progress
        )
    part.rename(directory / name)
    g.export_written = (name, count)
    return make_response("", 204)


def load_user(user_id: int) -> User | None:
    """The job's user as a request would see them, or None when the user
    was removed or deactivated."""
    user = (
        User.select(User, Account, Role)
        .join(Account, on=(User.scope_account == Account.id))
        .switch(User)
        .join(Role, join_type=JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .where(User.id == user_id)
        .get_or_none()
    )
    if user is None or not user.active or user.removed_at is not None:
        return None
    return user


# Stored on the job (and a paused schedule) in Swedish, shown with tr().
NO_USER = N_("Användaren finns inte längre eller är inaktiverad.")
NO_ACCESS = N_("Du har inte längre behörighet till den här rapporten.")
BAD_PARAMETERS = N_("Rapporten kunde inte skapas med de valda parametrarna.")
CRASHED = N_("Exporten misslyckades på grund av ett internt fel. Försök igen.")


def with_export(path: str) -> str:
    """``path`` asking for the Excel export (a schedule stores the preview)."""
    if "export=xlsx" in path.split("?", 1)[-1].split("&"):
        return path
    return f"{path}{'&' if '?' in path else '?'}export=xlsx"


def replay(app, job_id: int) -> str:
    """Run one job (in the worker): its final status, or "skipped" when
    another worker has it or it is not waiting."""
    if not jobs.claim(job_id):
        return "skipped"
    job = ExportJob.get_by_id(job_id)
    user = load_user(job.user_id)
    if user is None:
        jobs.fail(job_id, NO_USER)
        return "failed"
    written, code = None, None
    # A fresh app context: its own ``g`` (the signed-in user), even when an
    # immediate-mode queue runs the job inside another request.
    with app.app_context(), app.test_request_context(with_export(job.path)):
        db.connect(reuse_if_open=True)
        g._login_user = user  # Flask-Login's current_user for this request
        g.export_job = job
        try:
            # The file in the language the user had when asking (issue 20).
            with force_locale(job.language or "sv"):
                response = app.make_response(app.dispatch_request())
            code = response.status_code
        except HTTPException as exc:
            code = exc.code
        except Exception:
            log.exception("export job %s failed", job_id)
            jobs.fail(job_id, CRASHED)
            return "failed"
        written = g.get("export_written")
    if written is not None:
        name, count = written
        jobs.finish(job_id, name, count, app.config["REPORT_FILE_DAYS"])
        return "done"
    if code in (302, 401, 403, 404):
        jobs.fail(job_id, NO_ACCESS)
    else:
        jobs.fail(job_id, BAD_PARAMETERS)
    return "failed"
