"""Bulk actions on the Tjänster list (issue 18 item 7, UI-4): one run of an
action on many services, and one row per service with its outcome, kept so
the result page can be reopened. A run of more than ``BULK_JOB_ROWS`` rows
is carried out by the worker (worker.py); the rows still ``pending`` are
what is left, so a run taken up again never acts on a service twice."""

from __future__ import annotations

import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from database import BaseModel, utcnow
from domain.text import N_
from tables.orders import Order
from tables.org import Organisation, User
from tables.services import Service

BULK_STATUSES = {
    "queued": N_("I kö"),
    "running": N_("Pågår"),
    "done": N_("Klar"),
    "failed": N_("Avbruten"),
}
ROW_STATUSES = {"pending": N_("Väntar"), "done": N_("Genomförd"), "refused": N_("Avvisad")}


class BulkAction(BaseModel):
    """One bulk run: who, which action with which values (``params``, JSON),
    on how many services, and how far it got. ``token`` is the confirming
    form's own (a double click finds the run it already started); ``key``
    is the action, values and services, so the same run is not started
    twice while one is on its way."""

    organisation = ForeignKeyField(Organisation)
    user = ForeignKeyField(User, on_delete="CASCADE")
    action = CharField()
    params = TextField(default="{}")
    summary = CharField(default="")
    token = CharField(unique=True)
    key = CharField()
    status = CharField(default="queued")  # BULK_STATUSES
    rows_total = IntegerField(default=0)
    rows_done = IntegerField(default=0)
    attempts = IntegerField(default=0)
    error = TextField(default="")
    heartbeat_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "bulk_action"
        indexes = (
            (("user", "key", "status"), False),
            (("status", "heartbeat_at"), False),
        )

    @property
    def values(self) -> dict:
        try:
            return json.loads(self.params or "{}")
        except ValueError:
            return {}

    @property
    def status_label(self) -> str:
        return BULK_STATUSES.get(self.status, self.status)

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total)


class BulkActionRow(BaseModel):
    """One service of a bulk run: pending, done (with the order the single
    action made, when it makes one) or refused (with the domain's reason)."""

    bulk = ForeignKeyField(BulkAction, backref="rows", on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    position = IntegerField()
    status = CharField(default="pending")  # ROW_STATUSES
    order = ForeignKeyField(Order, null=True, on_delete="SET NULL")
    message = TextField(default="")
    done_at = DateTimeField(null=True)

    class Meta:
        table_name = "bulk_action_row"
        indexes = (
            (("bulk", "position"), True),
            (("bulk", "status"), False),
        )

    @property
    def status_label(self) -> str:
        return ROW_STATUSES.get(self.status, self.status)
