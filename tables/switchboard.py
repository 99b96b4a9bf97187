"""The built-in switchboard backend's state (domain/switchboard.py): a
molnväxel's employees (Medarbejdere), its queues (Køer) with their members
in order, and the calls the queues received (the queue statistics)."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from database import BaseModel, utcnow
from domain.text import N_
from tables.org import Organisation
from tables.services import Service

RING_STRATEGIES = {
    "ringall": N_("Ring alla samtidigt"),
    "linear": N_("I tur och ordning"),
    "roundrobin": N_("Rundgång"),
    "leastrecent": N_("Längst sedan senaste samtal"),
}


class SwitchboardEmployee(BaseModel):
    """Medarbetare: a person on the molnväxel with an extension and the
    organisation's mobile and fixed numbers that reach them."""

    organisation = ForeignKeyField(Organisation)
    pbx = ForeignKeyField(Service, backref="employees", on_delete="CASCADE")
    name = CharField()
    extension = CharField()  # anknytning, unique per molnväxel
    mobile = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    fixed_number = CharField(default="")  # one of the molnväxel's fixed numbers
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("pbx", "extension"), True),)


class SwitchboardQueue(BaseModel):
    """Kö: calls to its number ring its members by the ring strategy during
    opening hours; otherwise, or when nobody answers, they go to overflow."""

    organisation = ForeignKeyField(Organisation)
    pbx = ForeignKeyField(Service, backref="queues", on_delete="CASCADE")
    name = CharField()
    number = CharField()
    strategy = CharField(default="ringall")
    opening_hours = TextField(default="")  # e.g. "mån–fre 08:00–17:00"
    overflow = CharField(default="")  # a number or extension
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("pbx", "number"), True),)

    @property
    def strategy_label(self) -> str:
        return RING_STRATEGIES.get(self.strategy, self.strategy)


class SwitchboardQueueMember(BaseModel):
    """A number (service) in a queue, in ring order; paused members are skipped."""

    queue = ForeignKeyField(SwitchboardQueue, backref="members", on_delete="CASCADE")
    service = ForeignKeyField(Service, backref="queue_memberships", on_delete="CASCADE")
    position = IntegerField(default=0)
    paused = BooleanField(default=False)

    class Meta:
        indexes = ((("queue", "service"), True), (("service",), False))


class SwitchboardQueueCall(BaseModel):
    """One call to a queue, as the built-in backend records it."""

    queue = ForeignKeyField(SwitchboardQueue, backref="calls", on_delete="CASCADE")
    started_at = DateTimeField()
    answered = BooleanField(default=False)
    agent = ForeignKeyField(Service, null=True, on_delete="SET NULL")
    wait_seconds = IntegerField(default=0)
    talk_seconds = IntegerField(default=0)

    class Meta:
        indexes = ((("queue", "started_at"), False),)
