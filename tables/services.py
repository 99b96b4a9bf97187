"""Services of every kind (SPEC §5) and what hangs off them: SIM cards,
devices, barrings, call forwardings, numbers, usage, limits, add-ons,
top-ups and monitoring samples."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from database import BaseModel, utcnow
from domain.text import N_, NC_
from tables.catalogue import Product
from tables.org import Account, Agreement, Group, Organisation, User
from tables.scope import scope_condition

SERVICE_KINDS = {
    "mobile": N_("Mobiltelefoni"),
    "mobile_pbx": N_("Mobil växelanvändare"),
    "mbb": N_("Mobilt bredband"),
    "broadband": N_("Bredband"),
    "capacity": N_("Kapacitetstjänst"),
    "cloud_pbx": N_("Molnväxel"),
    "sip_trunk": N_("SIP-trunk"),
    "number_series": N_("Nummerserie"),
    "hosting": N_("Hosting"),
}
MOBILE_KINDS = ("mobile", "mobile_pbx", "mbb")

SERVICE_STATUSES = {
    "ordered": N_("Beställd"),
    "active": N_("Aktiv"),
    "barred": N_("Spärrad"),
    "terminating": N_("Uppsagd"),
    "terminated": NC_("tjänst", "Avslutad"),
}
# Live subscriptions: what Tjänster shows as it opens and the start page's
# Aktiva tjänster tile counts (SPEC UI-1, SRV-1). Spärrad is live: a customer
# who just blocked a lost phone must still find it.
LIVE_STATUSES = ("active", "barred")

BARRING_KINDS = {
    "incoming": N_("Inkommande samtal"),
    "outgoing": N_("Utgående samtal"),
    "international": N_("Utlandssamtal"),
    "premium": N_("Betalsamtal"),
    "roaming": N_("Roaming"),
}

FORWARDING_KINDS = {
    "direct": N_("Direkt vidarekoppling"),
    "unavailable": N_("Vidarekoppla vid ej tillgänglig"),
    "busy": N_("Vidarekoppla vid upptaget"),
    "no_answer": N_("Vidarekoppla efter ringtid"),
}

LINE_SECTIONS = {
    "start": N_("Startpaket"),
    "data": N_("Datapaket"),
    "handset": N_("Handtag"),
    "addon": N_("Tilläggstjänster"),
}


class Service(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="services")
    account = ForeignKeyField(Account, backref="services")
    parent = ForeignKeyField("self", null=True, backref="members")  # PBX user → molnväxel
    kind = CharField()
    number = CharField()  # phone number, or the service id (NRS-2852640)
    user_name = CharField(default="")  # Användare: shown in the portal and on invoices
    external_username = CharField(default="")
    product = ForeignKeyField(Product)  # Tjänst
    price_plan = ForeignKeyField(Product, null=True)  # Prislista
    status = CharField(default="active")
    monthly_ore = IntegerField(default=0)  # Månadsavg.: sum of the specification lines
    hidden = BooleanField(default=False)  # the operator hides it from the portal
    # contract terms
    agreement = ForeignKeyField(Agreement, null=True)
    start_date = DateField(null=True)
    binding_end = DateField(null=True)
    notice_months = IntegerField(default=0)
    end_date = DateField(null=True)  # technical end (Uppsagd → Avslutad)
    # Stofa mobile administration (SRV-4)
    invoice_text = CharField(default="")
    caller_id_hidden = BooleanField(default=False)
    caller_id = CharField(default="")  # number shown on outgoing calls; "" = own number
    directory_listed = BooleanField(default=False)
    roaming_voice = BooleanField(default=True)
    roaming_data = BooleanField(default=True)
    auto_upgrade = BooleanField(default=False)
    mex_status = CharField(null=True)  # växelanvändare in/out of the switchboard
    profile_name = CharField(default="")
    profile_address = CharField(default="")
    profile_user_email = CharField(default="")
    profile_admin_email = CharField(default="")
    # broadband / capacity / hosting
    bandwidth = CharField(default="")
    address = CharField(default="")  # installation address (capacity: its A end first)
    postcode = CharField(max_length=5, default="")  # the installation address's, for outages
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("organisation", "hidden", "status", "number"), False),
            (("organisation", "hidden", "status", "user_name"), False),
            (("organisation", "hidden", "status", "monthly_ore", "account"), False),
            (("organisation", "hidden", "kind", "status"), False),
            # Historik – Avslutade tjänster: the ended ones by end date (no
            # "hidden": with it SQLite took this index for every list).
            (("organisation", "status", "end_date", "hidden"), False),
            # A Kontoadministratör's lists: the sub-tree's accounts, then what
            # they filter and sort on, so counting and sorting need no rows.
            (
                (
                    "organisation",
                    "account",
                    "hidden",
                    "status",
                    "number",
                    "user_name",
                    "monthly_ore",
                ),
                False,
            ),
            (("number",), False),
            (("user_name",), False),
            # Call record exports show the service's user: joining through
            # this narrow index reads 3 MB instead of 25 MB of service rows.
            (("id", "user_name"), False),
            (("price_plan",), False),
            (("product",), False),
            (("postcode",), False),  # which services an outage touches
        )

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(
            scope_condition(cls, user, cls.account, cls.id) & (cls.hidden == False)  # noqa: E712
        )

    @property
    def kind_label(self) -> str:
        return SERVICE_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return SERVICE_STATUSES.get(self.status, self.status)

    @property
    def is_mobile(self) -> bool:
        return self.kind in MOBILE_KINDS


class ServiceLine(BaseModel):
    """A line of the Tjänstespecifikation."""

    service = ForeignKeyField(Service, backref="lines", on_delete="CASCADE")
    section = CharField()  # start, data, handset, addon
    product = ForeignKeyField(Product, null=True)
    name = CharField()
    monthly_ore = IntegerField(default=0)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("service", "position"), False),)


class SimCard(BaseModel):
    service = ForeignKeyField(Service, null=True, backref="sim_cards")
    organisation = ForeignKeyField(Organisation, null=True)  # customer-placed stock
    icc = CharField(max_length=19, unique=True)
    imsi = CharField(max_length=15)
    pin = CharField(max_length=8)
    puk = CharField(max_length=8)
    pin_changed = BooleanField(default=False)
    sim_type = CharField(default="physical")  # physical, esim
    status = CharField(default="active")  # active, stock, replaced, blocked
    activated_at = DateTimeField(null=True)
    # Spärra förlorat SIM-kort: when, and the service's status before the block
    # made it Spärrad (what Häv spärr or the replacement card gives back).
    blocked_at = DateTimeField(null=True)
    blocked_status = CharField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("service", "status"), False),)


class Device(BaseModel):
    service = ForeignKeyField(Service, backref="devices", on_delete="CASCADE")
    imei = CharField(max_length=16)
    model = CharField()
    seen_at = DateTimeField(default=utcnow)


class Barring(BaseModel):
    service = ForeignKeyField(Service, backref="barrings", on_delete="CASCADE")
    kind = CharField()
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True)

    class Meta:
        indexes = ((("service", "kind"), True),)


class CallForwarding(BaseModel):
    service = ForeignKeyField(Service, backref="forwardings", on_delete="CASCADE")
    kind = CharField()
    target = CharField()
    ring_seconds = IntegerField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("service", "kind"), True),)


class PhoneNumber(BaseModel):
    """A number of a PBX user, molnväxel, SIP trunk or number series."""

    service = ForeignKeyField(Service, backref="numbers", on_delete="CASCADE")
    number = CharField(index=True)
    range_end = CharField(null=True)  # number series: last number of the range
    number_type = CharField(default="fixed")  # mobile, fixed
    is_main = BooleanField(default=False)
    position = IntegerField(default=0)


class MonthlyUsage(BaseModel):
    service = ForeignKeyField(Service, backref="usage", on_delete="CASCADE")
    month = DateField()  # first day of the month
    data_used_mb = IntegerField(default=0)
    data_quota_mb = IntegerField(default=0)
    topup_mb = IntegerField(default=0)
    voice_seconds = IntegerField(default=0)
    calls = IntegerField(default=0)
    sms = IntegerField(default=0)
    mms = IntegerField(default=0)
    cost_ore = IntegerField(default=0)

    class Meta:
        indexes = ((("service", "month"), True),)


class SpendingLimit(BaseModel):
    """Stofa: call limit (kr) and Speed Stop data limit (MB)."""

    service = ForeignKeyField(Service, backref="limits", on_delete="CASCADE")
    kind = CharField()  # call, data
    amount_ore = IntegerField(null=True)
    data_mb = IntegerField(null=True)
    active = BooleanField(default=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("service", "kind"), True),)


class ServiceAddon(BaseModel):
    """An add-on subscription on a service for a period."""

    service = ForeignKeyField(Service, backref="addons", on_delete="CASCADE")
    product = ForeignKeyField(Product)
    start_date = DateField()
    end_date = DateField(null=True)
    created_at = DateTimeField(default=utcnow)


class TopUp(BaseModel):
    """Fyll på data: extra data valid for the month it was bought in."""

    service = ForeignKeyField(Service, backref="topups", on_delete="CASCADE")
    product = ForeignKeyField(Product)
    month = DateField()
    data_mb = IntegerField(default=0)
    price_ore = IntegerField()
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True)


class MonitoringSample(BaseModel):
    """Traffic of a broadband/capacity service (Övervakning), bits per second."""

    service = ForeignKeyField(Service, backref="samples", on_delete="CASCADE")
    at = DateTimeField()
    rx_bps = BigIntegerField(default=0)
    tx_bps = BigIntegerField(default=0)

    class Meta:
        indexes = ((("service", "at"), False),)


class UserObjectAccess(BaseModel):
    """Narrower access (Tele2 "Tilldela objekt"): one allowed account or service."""

    user = ForeignKeyField(User, backref="object_access", on_delete="CASCADE")
    account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
    service = ForeignKeyField(Service, null=True, on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "account", "service"), False),)


class GroupMembership(BaseModel):
    """An account or a service in a group for a period of months (GRP-2)."""

    group = ForeignKeyField(Group, backref="memberships", on_delete="CASCADE")
    account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
    service = ForeignKeyField(Service, null=True, on_delete="CASCADE")
    start_month = DateField()  # first day of the month
    end_month = DateField(null=True)

    class Meta:
        indexes = (
            (("account", "start_month"), False),
            (("service", "start_month"), False),
            (("group", "start_month"), False),
            # The group filter's look-ups (tables/group_filter.py): this
            # account's or service's membership of these groups in a month.
            (("account", "group", "start_month"), False),
            (("service", "group", "start_month"), False),
        )
