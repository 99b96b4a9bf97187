"""The background worker: huey's queue, its tasks and the periodic schedule.

Run it beside the web servers (``make run`` does)::

    flask --app app worker            # or: huey_consumer worker.huey -w 2 -k thread

The queue is SQLite in the instance folder (``huey.db``) by default and
Redis when ``REDIS_URL`` is set (several app servers share one queue then;
SQLite only serves one machine). Tasks:

* ``run_job``: one export job (web/jobs.replay);
* ``run_bulk``: one bulk action on Tjänster (web/jobs.run_bulk);
* every minute: record this worker's heartbeat (domain/health.beat, read
  by ``/readyz``), send the outbox (as ``flask outbox deliver``), take up jobs
  a killed worker left (domain/jobs.take_up_lost), poll the inbound mailbox
  when INBOUND_MAIL_HOST is set (as ``flask tickets poll-mail``);
* every five minutes: scheduled reports that are due (web/schedules.py);
* every ten minutes: scheduled tickets whose date has come
  (``flask tickets release-scheduled``);
* hourly: scheduled orders and service ends that are due (``flask services
  apply-due``; it only acts on what is due, so running hourly is safe) and
  the deletion of export files past REPORT_FILE_DAYS.

The CLI commands stay and call the same domain functions, for installations
that prefer cron. Tests run huey in immediate mode (``TESTING``): a task runs
where it is enqueued.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import click
from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from database import db, write_tx
from domain import bulk_actions, health, inbound_mail, jobs, report_schedules, tickets
from domain.mail import deliver_pending
from domain.provisioning import apply_due
from web import jobs as web_jobs
from web import schedules

log = logging.getLogger("teleportal.worker")

ROOT = Path(__file__).resolve().parent


def make_huey():
    """Redis when REDIS_URL is set, else SQLite in the instance folder."""
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("teleportal", url=url)
    instance = Path(os.environ.get("TELEPORTAL_INSTANCE") or ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("teleportal", filename=str(instance / "huey.db"))


huey = make_huey()

# The app tasks run in, when not already inside one (the consumer process).
_app = None


def set_app(app) -> None:
    global _app
    _app = app


@contextlib.contextmanager
def app_context():
    """The Flask app for a task, with a database connection for its thread."""
    global _app
    if has_app_context():
        yield current_app._get_current_object()
        return
    if _app is None:
        from app import create_app

        _app = create_app()
    with _app.app_context():
        opened = db.connect(reuse_if_open=True)
        try:
            yield _app
        finally:
            if opened and not db.is_closed():
                db.close()


# --------------------------------------------------------------------- tasks


@huey.task()
def run_job(job_id: int) -> str:
    with app_context() as app:
        return web_jobs.replay(app, job_id)


@huey.task()
def run_bulk(bulk_id: int) -> str:
    with app_context() as app:
        return web_jobs.run_bulk(app, bulk_id)


@huey.task()
def run_schedule(schedule_id: int) -> str:
    with app_context() as app:
        status = schedules.run(app, schedule_id)
        # The mail it queued goes now, not at the next outbox round.
        deliver_pending(limit=500)
        return status


@huey.periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    with app_context():
        health.beat()


@huey.periodic_task(crontab(minute="*"))
def deliver_outbox() -> None:
    with app_context():
        deliver_pending(limit=500)


@huey.periodic_task(crontab(minute="*"))
def take_up_lost_jobs() -> list[int]:
    with app_context():
        again = jobs.take_up_lost()
    for job_id in again:
        run_job(job_id)
    return again


@huey.periodic_task(crontab(minute="*"))
def take_up_lost_bulk() -> list[int]:
    """Bulk actions a killed worker left: their pending rows go on."""
    with app_context():
        again = bulk_actions.take_up_lost()
    for bulk_id in again:
        run_bulk(bulk_id)
    return again


@huey.periodic_task(crontab(minute="*"))
def poll_mail() -> None:
    with app_context() as app:
        if app.config.get("INBOUND_MAIL_HOST"):
            inbound_mail.poll_mailbox(app.config)


@huey.periodic_task(crontab(minute="*/5"))
def run_due_schedules() -> list[int]:
    with app_context():
        due = report_schedules.claim_due()
    for schedule_id in due:
        run_schedule(schedule_id)
    return due


@huey.periodic_task(crontab(minute="*/10"))
def release_scheduled_tickets() -> None:
    with app_context(), write_tx():
        tickets.release_scheduled()


@huey.periodic_task(crontab(minute="3"))
def apply_due_services() -> None:
    with app_context():
        apply_due()


@huey.periodic_task(crontab(minute="17"))
def delete_expired_reports() -> int:
    with app_context() as app:
        return jobs.delete_expired(app.config["REPORT_DIR"])


# ----------------------------------------------------------------- wiring


def init_app(app) -> None:
    """Exports enqueue through ``run_job``; tests run the queue in place."""
    web_jobs.set_enqueue(run_job, run_bulk)
    if app.config.get("TESTING"):
        huey.immediate = True
    app.cli.add_command(worker_command)


def run_consumer(app, workers: int) -> None:
    """The worker's consumer, run until stopped (``flask worker``)."""
    set_app(app)
    logging.basicConfig(level=logging.INFO)
    try:  # ready at once, not only after the first minute's beat
        with app_context():
            health.beat()
    except Exception:
        log.exception("the first heartbeat failed; the periodic one retries")
    huey.create_consumer(workers=workers, worker_type="thread").run()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker_command(workers):
    """Run the background worker: export jobs and the periodic work."""
    run_consumer(current_app._get_current_object(), workers)
