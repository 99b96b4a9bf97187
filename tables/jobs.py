"""Background export jobs (issue 15, item 4): an export or report too big
for the web request, run by the worker (worker.py) and kept as a file under
``REPORT_DIR`` until ``expires_at``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from database import BaseModel, utcnow
from domain.text import N_
from tables.ops import ScheduledReport
from tables.org import Organisation, User

JOB_STATUSES = {
    "queued": N_("I kö"),
    "running": N_("Pågår"),
    "done": N_("Klar"),
    "failed": N_("Misslyckades"),
}


class ExportJob(BaseModel):
    """One export run outside the request: who asked, what to replay
    (``path``: the request path and query string), how far it got, and the
    file it made. ``heartbeat_at`` is touched while it runs; a running job
    whose heartbeat stops was lost with its worker and is taken up again."""

    organisation = ForeignKeyField(Organisation)
    user = ForeignKeyField(User, on_delete="CASCADE")
    schedule = ForeignKeyField(ScheduledReport, null=True, on_delete="SET NULL")
    title = CharField()
    path = TextField()
    status = CharField(default="queued")  # JOB_STATUSES
    rows_done = IntegerField(default=0)
    rows_total = IntegerField(default=0)
    file = CharField(default="")  # name under REPORT_DIR; "" before done and once deleted
    error = TextField(default="")
    attempts = IntegerField(default=0)
    heartbeat_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    # The language of the user who asked (issue 20): the file's headings.
    language = CharField(default="sv")

    class Meta:
        indexes = (
            (("user", "created_at"), False),
            (("status", "heartbeat_at"), False),
        )

    @property
    def status_label(self) -> str:
        return JOB_STATUSES.get(self.status, self.status)

    @property
    def parameters(self) -> str:
        """The report's parameters as chosen, to tell files apart:
        "2026-09-01 – 2026-11-30, 070-123 45 67"."""
        query = parse_qs(urlsplit(self.path).query)
        first = {key: values[0] for key, values in query.items() if values and values[0]}
        parts = []
        if "from" in first or "to" in first:
            parts.append(f"{first.get('from', '')} – {first.get('to', '')}")
        for key in ("month", "number"):
            if key in first:
                parts.append(first[key])
        return ", ".join(parts)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class WorkerHeartbeat(BaseModel):
    """When the job worker on ``host`` was last heard from (issue 16): one
    row per worker host, written every minute by worker.py's heartbeat task
    and read by ``/readyz`` (domain/health.py)."""

    host = CharField(primary_key=True)
    beat_at = DateTimeField(default=utcnow)
