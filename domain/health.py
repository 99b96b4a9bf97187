"""Is this node ready to serve (issue 16)? The parts ``/readyz`` reports —
the database answers, its migrations are current, the job worker was heard
from lately — and the worker's heartbeat, and the queue lengths
``/metrics`` shows. Knows nothing of HTTP: blueprints/health.py and
web/metrics.py ask, worker.py beats.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from pathlib import Path

from peewee import fn
from playhouse.migrations import Runner

from database import db, utcnow, write_tx
from tables.jobs import ExportJob, WorkerHeartbeat
from tables.ops import OutboxMessage

log = logging.getLogger("teleportal.health")

OK = "ok"
# The migrations this release knows (as cli.py applies them).
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def beat(host: str | None = None, now: dt.datetime | None = None) -> None:
    """Record that the worker on ``host`` (this machine) is alive."""
    host = host or socket.gethostname()
    now = now or utcnow()
    with write_tx():
        (
            WorkerHeartbeat.insert(host=host, beat_at=now)
            .on_conflict(conflict_target=[WorkerHeartbeat.host], update={"beat_at": now})
            .execute()
        )


def drop_connection() -> None:
    """Forget this thread's database connection, broken or not, so that the
    next use opens a fresh one (a PostgreSQL connection cut by a restart
    stays broken otherwise: "connection already closed"). Never raises."""
    try:
        database = db.obj
        if database is None:
            return
        try:
            if not database.is_closed():
                database._state.transactions.clear()  # a broken one cannot commit
                database.close()
        finally:
            database._state.reset()
    except Exception:  # the handle may be half dead; forgetting it is enough
        log.debug("closing the database handle failed", exc_info=True)


def check_database() -> str:
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:  # any failure means "not ready"; say which
        log.warning("readiness: database failed: %s", exc)
        drop_connection()
        return "unreachable"
    return OK


def check_migrations(directory: str) -> str:
    """``ok``, or the pending (or unknown) migrations named."""
    try:
        status = Runner(db.obj, directory).status()
    except Exception as exc:
        log.warning("readiness: migrations could not be read: %s", exc)
        return "unknown"
    pending = [m.name for m in status if m.applied is None]
    gone = [m.name for m in status if m.path is None]
    if pending:
        return "pending: " + ", ".join(pending)
    if gone:  # applied by a newer release than the code this node runs
        return "unknown to this release: " + ", ".join(gone)
    return OK


def check_worker(max_age_seconds: int, now: dt.datetime | None = None) -> str:
    """``ok`` when some worker beat within ``max_age_seconds`` (0 disables)."""
    if max_age_seconds <= 0:
        return OK
    try:
        last = WorkerHeartbeat.select(fn.MAX(WorkerHeartbeat.beat_at)).scalar()
    except Exception as exc:
        log.warning("readiness: heartbeat could not be read: %s", exc)
        return "unknown"
    if last is None:
        return "never heard from"
    if isinstance(last, str):  # SQLite MAX() loses the column's type
        last = dt.datetime.fromisoformat(last)
    age = ((now or utcnow()) - last).total_seconds()
    if age > max_age_seconds:
        return f"silent for {int(age)} s"
    return OK


def readiness(migrations_dir: str, worker_seconds: int) -> dict[str, str]:
    """Each part's state; the node is ready when every one is ``ok``.
    A database that does not answer fails the other parts without asking it."""
    database = check_database()
    if database != OK:
        return {"database": database, "migrations": "unknown", "worker": "unknown"}
    return {
        "database": database,
        "migrations": check_migrations(migrations_dir),
        "worker": check_worker(worker_seconds),
    }


def queue_lengths() -> dict[str, int]:
    """Export jobs queued and running, and outbox messages not yet sent."""
    jobs = dict(
        ExportJob.select(ExportJob.status, fn.COUNT(ExportJob.id))
        .where(ExportJob.status.in_(("queued", "running")))
        .group_by(ExportJob.status)
        .tuples()
    )
    outbox = OutboxMessage.select().where(OutboxMessage.status == "pending").count()
    return {
        "jobs_queued": jobs.get("queued", 0),
        "jobs_running": jobs.get("running", 0),
        "outbox_pending": outbox,
    }
