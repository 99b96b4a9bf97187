"""Operations: outages and coverage, audit log, mail/SMS outbox, scheduled
reports, operator settings and number sequences."""

from __future__ import annotations

import datetime as dt

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from database import BaseModel, utcnow
from domain.text import N_
from tables.org import Contact, Organisation, StaffUser, User

OUTAGE_KINDS = {"fault": N_("Driftstörning"), "maintenance": N_("Planerat avbrott")}


class Outage(BaseModel):
    """Driftinformation. Planned, current or resolved follows from the times;
    ``kind`` says whether it is a fault or planned maintenance."""

    title = CharField()
    kind = CharField(default="fault")  # OUTAGE_KINDS
    description = TextField(default="")
    area = CharField(default="")  # municipality
    postcodes = TextField(default="")  # space separated
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    starts_at = DateTimeField()
    expected_end = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    service_kinds = CharField(default="")  # space separated Service.kind values
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(StaffUser, null=True)
    radius_km = FloatField(null=True)  # drawn on the map around the position
    # The publishing form's one-time token: a double submit finds the outage.
    publish_token = CharField(null=True, unique=True)

    class Meta:
        indexes = ((("resolved_at", "starts_at"), False),)

    def state(self, now: dt.datetime | None = None) -> str:
        now = now or utcnow()
        if self.resolved_at is not None and self.resolved_at <= now:
            return "resolved"
        return "planned" if self.starts_at > now else "current"

    @property
    def kinds(self) -> list[str]:
        return self.service_kinds.split()


class Coverage(BaseModel):
    """Mobile coverage per place and network, imported from the operator."""

    place = CharField()  # address or area
    postcode = CharField(default="", index=True)
    network = CharField()  # 2G, 3G, 4G, 4G+, 5G
    voice = BooleanField(default=True)  # Tal
    data = BooleanField(default=True)  # Surf
    strength = IntegerField(default=2)  # 3 Mycket god, 2 God, 1 Bas
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)


class OutageUpdate(BaseModel):
    """A news item on an outage, shown to customers as "Uppdatering <tid>: <text>"."""

    outage = ForeignKeyField(Outage, backref="updates", on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    text = TextField()
    staff = ForeignKeyField(StaffUser, null=True)

    class Meta:
        indexes = ((("outage", "at"), False),)


class AuditLog(BaseModel):
    """Who changed what, before and after, when and from where."""

    at = DateTimeField(default=utcnow)
    organisation = ForeignKeyField(Organisation, null=True)
    actor_user = ForeignKeyField(User, null=True)
    actor_staff = ForeignKeyField(StaffUser, null=True)
    actor_label = CharField(default="")  # name at the time
    action = CharField()  # e.g. auth.login, account.alias
    object_type = CharField(default="")
    object_id = CharField(default="")
    summary = TextField(default="")
    before = TextField(null=True)  # JSON
    after = TextField(null=True)  # JSON
    ip = CharField(default="")

    class Meta:
        indexes = (
            (("organisation", "at"), False),
            (("organisation", "action", "at"), False),
            (("actor_user", "at"), False),
            (("at",), False),
        )


class OutboxMessage(BaseModel):
    """E-mail and SMS waiting to be sent, sent, or failed (with retries)."""

    channel = CharField()  # email, sms
    organisation = ForeignKeyField(Organisation, null=True)
    recipient = CharField()
    subject = CharField(default="")
    body = TextField()
    html = TextField(null=True)
    reply_to = CharField(default="")
    status = CharField(default="pending")  # pending, sent, failed
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    next_attempt_at = DateTimeField(default=utcnow)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    # JSON list of {"path", "filename", "mime"}: files attached to an e-mail
    attachments = TextField(null=True)
    # JSON object of extra e-mail headers (List-Unsubscribe on broadcast mail)
    headers = TextField(null=True)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


NOTIFICATION_KINDS = {
    "billing": "Fakturor och ekonomi",
    "technical": "Tekniska meddelanden",
    "outage": "Driftstörningar",
}


class NotificationLog(BaseModel):
    """A broadcast mail by preference (SPEC §10) sent to a contact: the
    unique key makes sure nobody gets the same event twice. ``subject_key``
    names the event: ``import:<batch>``, ``outage:<id>:published``,
    ``outage:<id>:updated:<digest>``, ``outage:<id>:resolved``, ``notice:<id>``."""

    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    kind = CharField()  # NOTIFICATION_KINDS
    subject_key = CharField()
    email = CharField(default="")  # the address it went to
    sent_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("contact", "kind", "subject_key"), True),
            (("subject_key",), False),
        )


class TechnicalNotice(BaseModel):
    """A technical notice the operator sent to the contacts who want them
    (/staff/notices). ``token`` is the form's one-time token: a second
    submit of the same form finds it taken and sends nothing."""

    subject = CharField()
    body = TextField()
    audience = TextField(default="{}")  # JSON: {"organisations": [ids] | "all", "kinds": [...]}
    audience_label = TextField(default="")
    recipients = IntegerField(default=0)  # addresses mailed
    token = CharField(unique=True)
    created_by = ForeignKeyField(StaffUser, null=True)
    created_at = DateTimeField(default=utcnow)


class ScheduledReport(BaseModel):
    """A report with its parameters sent on a schedule (issue 15, item 5):
    ``path`` is the report's preview (path and query string) replayed as
    ``user`` at every run; ``recipients`` are user ids, space separated;
    ``day`` is the weekday (1 Monday … 7 Sunday) or the day of the month
    (1–28), ``hour`` the local hour."""

    organisation = ForeignKeyField(Organisation)
    user = ForeignKeyField(User, on_delete="CASCADE")
    report_key = CharField()  # the report's endpoint
    params = TextField(default="{}")
    frequency = CharField(default="monthly")  # weekly, monthly
    recipients = TextField(default="")
    next_run_at = DateTimeField()
    last_run_at = DateTimeField(null=True)
    active = BooleanField(default=True)
    title = CharField(default="")
    path = TextField(default="")
    day = IntegerField(default=1)
    hour = IntegerField(default=7)
    last_status = CharField(default="")  # "", done, failed
    last_error = TextField(default="")
    paused_reason = TextField(default="")


class Setting(BaseModel):
    """Operator settings editable in the back office (name, phone, colours …)."""

    key = CharField(primary_key=True)
    value = TextField()


class Sequence(BaseModel):
    """Next numbers handed out by the system (kundnummer, ordernummer …)."""

    name = CharField(primary_key=True)
    value = IntegerField()
