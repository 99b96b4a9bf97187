"""Export jobs: their rows and the state they pass through (issue 15, item 4).

An export of more rows than ``EXPORT_JOB_ROWS`` becomes an :class:`ExportJob`
(queued) that the worker (worker.py) claims (running, ``attempts`` + 1),
keeps alive with a heartbeat while it writes, and ends done (with a file
kept until ``expires_at``) or failed (with the error, retryable).

A worker killed mid-job leaves its job running with a heartbeat that stops;
:func:`take_up_lost` puts such jobs, and queued jobs no worker picked up,
back in the queue — up to ``MAX_ATTEMPTS`` runs, then the job fails. Claiming
is one conditional UPDATE, so a job taken up again is never run twice.

This module knows nothing of HTTP or huey: web/jobs.py starts and replays
jobs, worker.py runs them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from pathlib import Path

from database import db, utcnow, write_tx
from domain import audit
from tables.jobs import ExportJob

ACTIVE = ("queued", "running")
MAX_ATTEMPTS = 3
# A running job whose heartbeat is older than this was lost with its worker;
# a queued job this old was never picked up (its queue message was lost).
STALE_AFTER = dt.timedelta(minutes=2)
HEARTBEAT_SECONDS = 1.0


def active_duplicate(user, path: str) -> ExportJob | None:
    """The user's queued or running job of the same export (a double click)."""
    return (
        ExportJob.select()
        .where(
            (ExportJob.user == user.id)
            & (ExportJob.path == path)
            & ExportJob.status.in_(ACTIVE)
            & ExportJob.schedule.is_null()
        )
        .order_by(ExportJob.id.desc())
        .first()
    )


def create(user, title: str, path: str, total: int, schedule=None) -> ExportJob:
    """A queued job, audited (``job.start``); call inside ``write_tx``."""
    job = ExportJob.create(
        organisation=user.organisation_id,
        user=user.id,
        schedule=schedule,
        title=title[:200],
        path=path,
        rows_total=total,
        language=getattr(user, "language", None) or "sv",
    )
    audit.record(
        "job.start",
        job,
        summary=f"Export startad: {job.title} ({total} rader)",
        after={"path": path, "rows": total},
        organisation=user.organisation_id,
        actor=None if schedule is not None else user,
    )
    return job


def for_user(user, job_id: int) -> ExportJob | None:
    """The user's own job (None for anyone else's: the caller answers 404)."""
    return ExportJob.get_or_none((ExportJob.id == job_id) & (ExportJob.user == user.id))


def of_user(user):
    """The user's jobs, newest first (Mina rapporter)."""
    return (
        ExportJob.select()
        .where((ExportJob.user == user.id) & ExportJob.schedule.is_null())
        .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
    )


def claim(job_id: int, now: dt.datetime | None = None) -> bool:
    """Take the job for this worker: queued, or running with a stale
    heartbeat (its worker died). False when another worker has it."""
    now = now or utcnow()
    with write_tx():
        return bool(
            ExportJob.update(
                status="running",
                attempts=ExportJob.attempts + 1,
                heartbeat_at=now,
                started_at=now,
                rows_done=0,
                error="",
            )
            .where(
                (ExportJob.id == job_id)
                & (
                    (ExportJob.status == "queued")
                    | (
                        (ExportJob.status == "running")
                        & (ExportJob.heartbeat_at < now - STALE_AFTER)
                    )
                )
            )
            .execute()
        )


def touch(job_id: int, rows_done: int) -> None:
    """The heartbeat: the job lives and has written ``rows_done`` rows."""
    with write_tx():
        ExportJob.update(rows_done=rows_done, heartbeat_at=utcnow()).where(
            (ExportJob.id == job_id) & (ExportJob.status == "running")
        ).execute()


def finish(job_id: int, file: str, rows: int, keep_days: int) -> None:
    now = utcnow()
    with write_tx():
        ExportJob.update(
            status="done",
            file=file,
            rows_done=rows,
            rows_total=rows,
            heartbeat_at=now,
            finished_at=now,
            expires_at=now + dt.timedelta(days=keep_days),
            error="",
        ).where(ExportJob.id == job_id).execute()


def fail(job_id: int, error: str) -> None:
    now = utcnow()
    with write_tx():
        ExportJob.update(status="failed", error=error[:1000], finished_at=now).where(
            ExportJob.id == job_id
        ).execute()


def retry(job: ExportJob, user) -> bool:
    """Försök igen: a failed job back in the queue, audited. False unless failed."""
    with write_tx():
        changed = (
            # heartbeat now: take_up_lost gives the new queue message STALE_AFTER
            ExportJob.update(
                status="queued", error="", rows_done=0, attempts=0, heartbeat_at=utcnow()
            )
            .where((ExportJob.id == job.id) & (ExportJob.status == "failed"))
            .execute()
        )
        if changed:
            audit.record("job.retry", job, summary=f"Export startad igen: {job.title}", actor=user)
    return bool(changed)


def take_up_lost(now: dt.datetime | None = None) -> list[int]:
    """Jobs to queue again: running ones whose heartbeat stopped (their
    worker was killed) and queued ones never picked up. Those that ran
    ``MAX_ATTEMPTS`` times fail instead. Returns the ids to enqueue."""
    now = now or utcnow()
    cutoff = now - STALE_AFTER
    lost = ExportJob.select().where(
        ((ExportJob.status == "running") & (ExportJob.heartbeat_at < cutoff))
        | (
            (ExportJob.status == "queued")
            & (ExportJob.created_at < cutoff)
            & ((ExportJob.heartbeat_at.is_null()) | (ExportJob.heartbeat_at < cutoff))
        )
    )
    again = []
    with write_tx():
        for job in lost:
            if job.attempts >= MAX_ATTEMPTS:
                ExportJob.update(
                    status="failed",
                    error="Exporten avbröts upprepade gånger och har stoppats.",
                    finished_at=now,
                ).where(ExportJob.id == job.id).execute()
                continue
            # Touched now, so the next round waits STALE_AFTER for it again.
            ExportJob.update(status="queued", heartbeat_at=now).where(
                ExportJob.id == job.id
            ).execute()
            again.append(job.id)
    return again


def delete_expired(report_dir: str | Path, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past ``expires_at``; the rows stay (Mina
    rapporter says the file is gone). Returns how many files went."""
    now = now or utcnow()
    expired = list(
        ExportJob.select().where(
            (ExportJob.status == "done") & (ExportJob.expires_at < now) & (ExportJob.file != "")
        )
    )
    for job in expired:
        with contextlib.suppress(FileNotFoundError):
            (Path(report_dir) / job.file).unlink()
        with write_tx():
            ExportJob.update(file="").where(ExportJob.id == job.id).execute()
    return len(expired)


def file_path(report_dir: str | Path, job: ExportJob) -> Path | None:
    """The job's file, when it is done, not expired and still on disk."""
    if job.status != "done" or not job.file:
        return None
    if job.expires_at is not None and job.expires_at < utcnow():
        return None
    path = Path(report_dir) / job.file
    return path if path.is_file() else None


class Heartbeat:
    """Writes the job's progress and heartbeat every HEARTBEAT_SECONDS from
    a thread of its own (its own database connection), so the job shows as
    alive even while a slow query runs and the export's cursor is never
    interrupted by a write. ``rows_done`` is set by the export as it goes."""

    def __init__(self, job_id: int, interval: float = HEARTBEAT_SECONDS):
        self.job_id = job_id
        self.interval = interval
        self.rows_done = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"job-{job_id}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                touch(self.job_id, self.rows_done)  # beats even without progress
        finally:
            if not db.is_closed():
                db.close()
