"""Tickets (ärenden, SPEC §9): messages, attachments, extra contacts,
request types and inbound mail."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from database import BaseModel, utcnow
from domain.text import N_
from tables.billing import Invoice
from tables.orders import Order
from tables.org import Account, Contact, Organisation, StaffUser, User
from tables.scope import scope_condition
from tables.services import Service

TICKET_CATEGORIES = {
    "order": N_("Beställning"),
    "invoice": N_("Faktura"),
    "support": N_("Support"),
    "fault": N_("Felanmälan"),
    "other": N_("Övrigt"),
    "request": N_("Förfrågan"),  # one of the operator's request types
}

TICKET_STATUSES = {
    "draft": N_("Utkast"),
    "scheduled": N_("Schemalagd"),
    "waiting": N_("Väntar på hantering"),
    "in_progress": N_("Under hantering"),
    "waiting_customer": N_("Väntar på kund"),
    "done": N_("Slutfört"),
}
OPEN_TICKET_STATUSES = ("scheduled", "waiting", "in_progress", "waiting_customer")

# Felanmälan by product area (Tele2's names; the same keys key the order
# approval chains), what each covers in words, and the service kinds of each.
PRODUCT_AREAS = {
    "mobile": N_("Mobiltelefoni"),
    "fixed": N_("Fast telefoni"),
    "data": N_("Datanät"),
}
PRODUCT_AREA_COVERS = {
    "mobile": N_("Mobilabonnemang, mobila växelanvändare och mobilt bredband"),
    "fixed": N_("Molnväxel, SIP-trunk och nummerserier"),
    "data": N_("Bredband, fiber, kapacitetstjänster och hosting"),
}
PRODUCT_AREA_KINDS = {
    "mobile": ("mobile", "mobile_pbx", "mbb"),
    "fixed": ("cloud_pbx", "sip_trunk", "number_series"),
    "data": ("broadband", "capacity", "hosting"),
}

TICKET_PRIORITIES = {
    1: N_("Kritiskt fel (Kategori 1)"),
    2: N_("Icke kritiskt fel (Kategori 2)"),
    3: N_("Ringa fel (Kategori 3)"),
}


class RequestType(BaseModel):
    """An operator-enabled request type (BBGRUPPEN), with its own fields."""

    key = CharField(unique=True)
    label = CharField()
    enabled = BooleanField(default=True)
    fields = TextField(default="[]")  # JSON: [{"name", "label", "type", "required"}]
    price_ore = IntegerField(default=0)  # billed per the agreement's price list
    position = IntegerField(default=0)


class Ticket(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="tickets")
    account = ForeignKeyField(Account, backref="tickets")
    service = ForeignKeyField(Service, null=True, backref="tickets")
    invoice = ForeignKeyField(Invoice, null=True, backref="tickets")
    order = ForeignKeyField(Order, null=True, backref="tickets")
    number = IntegerField(unique=True)  # Ärende #
    category = CharField(default="other")
    request_type = ForeignKeyField(RequestType, null=True)
    product_area = CharField(null=True)  # Felanmälan: mobile, fixed, data
    priority = IntegerField(default=3)
    subject = CharField()  # Rubrik
    status = CharField(default="waiting")
    extra_fields = TextField(default="{}")  # JSON: the request type's own fields
    created_by = ForeignKeyField(User, null=True, backref="tickets")
    created_at = DateTimeField(default=utcnow)
    last_action_at = DateTimeField(null=True)  # Åtgärd
    scheduled_for = DateField(null=True)  # önskat utförandedatum
    queued_at = DateTimeField(null=True)  # entered the queue: the SLA clock starts
    assigned_to = ForeignKeyField(StaffUser, null=True)
    response_due_at = DateTimeField(null=True)
    resolution_due_at = DateTimeField(null=True)
    first_response_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    reply_token = CharField(unique=True)  # in the reply address of notification mail

    class Meta:
        indexes = (
            (("organisation", "status", "created_at"), False),
            (("organisation", "created_at"), False),
            (("account", "created_at"), False),
            (("created_by", "created_at"), False),
            (("service",), False),
            (("status", "resolution_due_at"), False),
        )

    @classmethod
    def visible_to(cls, user):
        """Tickets in scope for tickets.view (fault reports also for
        faults.create); everyone sees the ones they created. A draft is seen
        by its creator only, staff never see drafts."""
        if user.is_staff:
            return cls.select().where(cls.status != "draft")
        own = (cls.organisation == user.organisation_id) & (cls.created_by == user.id)
        sent = cls.status != "draft"
        if user.has("tickets.view"):
            in_scope = scope_condition(cls, user, cls.account, cls.service) & sent
            return cls.select().where(in_scope | own)
        if user.has("faults.create"):
            faults = scope_condition(cls, user, cls.account, cls.service) & sent
            return cls.select().where((faults & (cls.category == "fault")) | own)
        return cls.select().where(own)

    @property
    def status_label(self) -> str:
        return TICKET_STATUSES.get(self.status, self.status)

    @property
    def category_label(self) -> str:
        if self.category == "request" and self.request_type_id:
            return self.request_type.label
        return TICKET_CATEGORIES.get(self.category, self.category)

    @property
    def priority_label(self) -> str:
        return TICKET_PRIORITIES.get(self.priority, "")

    @property
    def product_area_label(self) -> str:
        return PRODUCT_AREAS.get(self.product_area or "", "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TICKET_STATUSES


class TicketMessage(BaseModel):
    ticket = ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    author_user = ForeignKeyField(User, null=True)
    author_staff = ForeignKeyField(StaffUser, null=True)
    author_email = CharField(default="")  # replies that came by e-mail
    body = TextField()
    internal = BooleanField(default=False)  # staff notes the customer never sees
    via = CharField(default="web")  # web, email
    kind = CharField(default="message")  # message, status (a status change in the timeline)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("ticket", "created_at"), False),)


class TicketAttachment(BaseModel):
    """A file stored outside static/ under a random name, with its checksum."""

    ticket = ForeignKeyField(Ticket, backref="attachments", on_delete="CASCADE")
    message = ForeignKeyField(TicketMessage, null=True, backref="attachments")
    filename = CharField()
    content_type = CharField()
    size = IntegerField()
    sha256 = CharField(max_length=64)
    storage_name = CharField(unique=True)
    uploaded_by_user = ForeignKeyField(User, null=True)
    uploaded_by_staff = ForeignKeyField(StaffUser, null=True)
    created_at = DateTimeField(default=utcnow)


class TicketContact(BaseModel):
    """An extra contact person notified about the ticket."""

    ticket = ForeignKeyField(Ticket, backref="extra_contacts", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, on_delete="CASCADE")

    class Meta:
        indexes = ((("ticket", "contact"), True),)


class InboundMail(BaseModel):
    """Every e-mail received for tickets; rejected ones are kept for staff."""

    received_at = DateTimeField(default=utcnow)
    sender = CharField()
    recipient = CharField(default="")
    subject = CharField(default="")
    message_id = CharField(default="")  # the Message-ID header: a mail is taken in once
    raw = TextField()
    raw_charset = CharField(default="utf-8")  # latin-1 keeps 8-bit mail byte for byte
    status = CharField(default="accepted")  # accepted, rejected
    reason = CharField(default="")
    ticket = ForeignKeyField(Ticket, null=True)
    handled_at = DateTimeField(null=True)  # staff dealt with a rejected mail
    handled_by = ForeignKeyField(StaffUser, null=True)

    class Meta:
        indexes = (
            (("status", "received_at"), False),
            (("message_id",), False),
        )
