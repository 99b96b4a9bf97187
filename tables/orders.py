"""Orders (SPEC §6) with lines, versions, history and approvals.

Every service action becomes an order too (type SIM-byte, Flytt, Avslut …),
so the orders list shows everything that was asked of the operator.
"""

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
from tables.catalogue import Product
from tables.org import Account, Contact, Organisation, StaffUser, User
from tables.scope import scope_condition
from tables.services import Service

ORDER_TYPES = {
    "new": N_("Nybeställning"),
    "change": N_("Tjänsteförändring"),
    "move": N_("Flytt"),
    "termination": N_("Avslut"),
    "sim_swap": N_("SIM-byte"),
    "topup": N_("Påfyllning"),
    "barring": N_("Spärr"),
    "forwarding": N_("Vidarekoppling"),
    "setting": N_("Inställning"),
    "addon": N_("Tilläggstjänst"),
    "lost_sim": N_("Spärr av förlorat SIM"),
    "lost_sim_lift": N_("Hävd spärr av SIM"),
}

ORDER_STATUSES = {
    "draft": N_("Utkast"),
    "awaiting_approval": N_("Väntar på godkännande"),
    "received": N_("Mottagen"),
    "in_progress": N_("Pågår"),
    "completed": N_("Slutförd"),
    "cancelled": N_("Avbruten"),
    "rejected": N_("Avslagen"),
    # an offert (is_quote) after the approval chain: staff answer it with a
    # price (Besvarad); the customer accepts it (it becomes an order, Mottagen)
    # or declines it (Avböjd)
    "answered": N_("Besvarad"),
    "declined": N_("Avböjd"),
}
CLOSED_ORDER_STATUSES = ("completed", "cancelled", "rejected", "declined")
# Pågående (Visa öppna, the start page's tile): sent and not closed; a draft
# is neither (it has its own filter, Utkast).
OPEN_ORDER_STATUSES = ("awaiting_approval", "received", "in_progress", "answered")

PRODUCT_AREAS = {"mobile": N_("Mobiltelefoni"), "fixed": N_("Fast telefoni"), "data": N_("Datanät")}


class Order(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="orders")
    account = ForeignKeyField(Account, backref="orders")
    service = ForeignKeyField(Service, null=True, backref="orders")
    number = IntegerField(unique=True)  # Ordernummer
    version = IntegerField(default=0)  # rises each time it is changed after submission
    type = CharField(default="new")
    status = CharField(default="draft")
    is_quote = BooleanField(default=False)  # offert: handled manually by the operator
    product_area = CharField(default="mobile")
    created_by = ForeignKeyField(User, null=True, backref="orders")
    created_at = DateTimeField(default=utcnow)
    submitted_at = DateTimeField(null=True)
    desired_date = DateField(null=True)
    completed_at = DateTimeField(null=True)  # Slutdatum
    # Slutför beställningen
    end_user = CharField(default="")  # Slutanvändare/Alias
    sim_choice = CharField(default="")
    mobile_number = CharField(default="")
    delivery_name = CharField(default="")
    delivery_street = CharField(default="")
    delivery_postcode = CharField(default="")
    delivery_city = CharField(default="")
    billing_address = CharField(default="")
    contact_method = CharField(default="")
    contact_phone = CharField(default="")
    extra_contact = ForeignKeyField(Contact, null=True)
    mbb_public_ip = BooleanField(default=False)
    mbb_contact_number = CharField(default="")
    payload = TextField(default="{}")  # JSON: what a service action asked for
    comment = TextField(default="")
    # Ny beställning (issue 14)
    agreement_number = CharField(default="")  # ramavtalsnummer, copied when sent
    batch = CharField(default="", index=True)  # orders sent together (split per area)
    billing_account = ForeignKeyField(Account, null=True)  # Faktureringsadress
    contact_email = CharField(default="")
    changed_at = DateTimeField(null=True)  # optimistic lock: the last change
    answer = TextField(default="")  # staff's answer to an offert, or the reason for Avbryt

    class Meta:
        indexes = (
            (("organisation", "status", "created_at"), False),
            (("organisation", "created_at"), False),
            # a sub-tree's orders counted from the index alone (0120)
            (("account", "organisation", "created_at"), False),
            (("service", "status"), False),
            (("created_by", "created_at"), False),
        )

    @classmethod
    def visible_to(cls, user):
        """Orders in scope for orders.manage; otherwise one's own and those one
        approves."""
        condition = scope_condition(cls, user, cls.account, cls.service)
        if not user.is_staff and not user.has("orders.manage"):
            # one's own, and those one is (or was) asked to approve
            condition &= (cls.created_by == user.id) | cls.id.in_(
                OrderApproval.select(OrderApproval.order).where(OrderApproval.approver == user.id)
            )
        return cls.select().where(condition)

    @property
    def label(self) -> str:
        return f"{self.number} v{self.version}"

    @property
    def type_label(self) -> str:
        return ORDER_TYPES.get(self.type, self.type)

    @property
    def status_label(self) -> str:
        return ORDER_STATUSES.get(self.status, self.status)


class OrderLine(BaseModel):
    """One product of an order. A subscription's configuration (Prislista,
    Datapaket, Tilläggstjänster …) are lines under it (``parent``); what
    Slutför beställningen asked for it is in ``details`` (JSON: end user, SIM
    choice and ICC or eSIM e-mail, number or porting, MBB, address, …).
    Prices are copied from the agreement when the order is sent."""

    order = ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    parent = ForeignKeyField("self", null=True, backref="options", on_delete="CASCADE")
    product = ForeignKeyField(Product, null=True)
    details = TextField(default="{}")
    service = ForeignKeyField(Service, null=True)  # what completing the order created
    name = CharField()
    option_group = CharField(default="")
    quantity = IntegerField(default=1)
    monthly_ore = IntegerField(default=0)
    start_ore = IntegerField(default=0)
    binding_months = IntegerField(default=0)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("order", "position"), False),)


class OrderVersion(BaseModel):
    """A frozen copy of the order form as submitted, one per version."""

    order = ForeignKeyField(Order, backref="versions", on_delete="CASCADE")
    version = IntegerField()
    snapshot = TextField()  # JSON
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True)

    class Meta:
        indexes = ((("order", "version"), True),)


class OrderEvent(BaseModel):
    """The order's history: every status change with who and why."""

    order = ForeignKeyField(Order, backref="events", on_delete="CASCADE")
    at = DateTimeField(default=utcnow)
    from_status = CharField(null=True)
    to_status = CharField()
    user = ForeignKeyField(User, null=True)
    staff = ForeignKeyField(StaffUser, null=True)
    comment = TextField(default="")

    class Meta:
        indexes = ((("order", "at"), False),)


class OrderApproval(BaseModel):
    order = ForeignKeyField(Order, backref="approvals", on_delete="CASCADE")
    position = IntegerField()
    approver = ForeignKeyField(User)
    status = CharField(default="pending")  # pending, approved, rejected
    decided_at = DateTimeField(null=True)
    comment = TextField(default="")

    class Meta:
        indexes = ((("order", "position"), True), (("approver", "status"), False))


NUMBER_STATUSES = {"free": "Ledigt", "reserved": "Reserverat", "used": "Använt"}


class PoolNumber(BaseModel):
    """The operator's pool of numbers to hand out (Mobilnummer in Ny
    beställning). A number is reserved by the order it is chosen in when that
    order is sent, used once the order is completed, and free again if the
    order is rejected, undone or cancelled."""

    number = CharField(unique=True)  # digits, as Service.number
    kind = CharField(default="mobile")  # mobile, fixed
    status = CharField(default="free")
    order = ForeignKeyField(Order, null=True, on_delete="SET NULL")
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kind", "status", "number"), False),)


class Availability(BaseModel):
    """Fixed-network availability: what can be delivered at a postcode
    (Bredband: the answer the wizard gives for an installation address)."""

    postcode = CharField(max_length=5)
    technology = CharField()  # Fiber, Koppar (VDSL), Fast radio …
    down_mbit = IntegerField()
    up_mbit = IntegerField()

    class Meta:
        indexes = ((("postcode", "technology"), True),)


class ApproverChainEntry(BaseModel):
    """Attestering (ORD-4): up to five approvers per product area, in order."""

    organisation = ForeignKeyField(Organisation, backref="approver_chain")
    product_area = CharField()
    position = IntegerField()
    user = ForeignKeyField(User, on_delete="CASCADE")

    class Meta:
        indexes = ((("organisation", "product_area", "position"), True),)
