"""Customer organisations, the account tree, contacts, portal users and staff.

Also what access builds on: roles, agreements with price lists, SLA
definitions, tokens, recovery codes, groups, saved filters and shortcuts.
"""

from __future__ import annotations

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from database import BaseModel, is_sqlite, utcnow
from domain.text import N_
from permissions import ACCOUNT_ADMIN, ADMIN, ALL_PERMISSIONS, parse_permissions
from tables.catalogue import Product


class PriceList(BaseModel):
    """Negotiated prices of an agreement (ramavtal)."""

    name = CharField()
    description = TextField(default="")


class PriceListItem(BaseModel):
    price_list = ForeignKeyField(PriceList, backref="items", on_delete="CASCADE")
    product = ForeignKeyField(Product)
    monthly_ore = IntegerField()
    start_ore = IntegerField(default=0)
    binding_months = IntegerField(default=0)

    class Meta:
        indexes = ((("price_list", "product"), True),)


class SLADefinition(BaseModel):
    name = CharField()


class SLATarget(BaseModel):
    """Response and resolution time for one priority (1 Kritiskt … 3 Ringa)."""

    sla = ForeignKeyField(SLADefinition, backref="targets", on_delete="CASCADE")
    priority = IntegerField()
    response_minutes = IntegerField()
    resolution_minutes = IntegerField()

    class Meta:
        indexes = ((("sla", "priority"), True),)


class Organisation(BaseModel):
    """A business customer of the operator (tenant); owns one account tree."""

    name = CharField()
    org_number = CharField(max_length=10)
    active = BooleanField(default=True)
    pin_login_enabled = BooleanField(default=False)  # AUTH-7
    oidc_issuer = CharField(null=True)  # AUTH-6
    oidc_client_id = CharField(null=True)
    oidc_client_secret_enc = TextField(null=True)
    oidc_domains = CharField(default="")  # space separated, lower case
    oidc_create_users = BooleanField(default=False)
    oidc_create_role_id = IntegerField(null=True)  # Role given to users created on sign-in
    oidc_mfa_satisfies = BooleanField(default=False)  # provider's MFA counts for require-2FA
    created_at = DateTimeField(default=utcnow)

    def top_account(self):
        return Account.get_or_none((Account.organisation == self) & Account.parent.is_null())

    def current_agreement(self, today=None):
        """The agreement (ramavtal) in force today, if any."""
        import datetime as dt

        today = today or dt.date.today()
        return (
            Agreement.select()
            .where(
                (Agreement.organisation == self.id)
                & (Agreement.start_date <= today)
                & (Agreement.end_date.is_null() | (Agreement.end_date >= today))
            )
            .order_by(Agreement.start_date.desc())
            .first()
        )

    def profile(self):
        """The Företagsprofil (unsaved defaults when none exists yet)."""
        found = CompanyProfile.get_or_none(CompanyProfile.organisation == self.id)
        return found or CompanyProfile(organisation=self.id)


class CompanyProfile(BaseModel):
    """Företagsprofil: organisation-wide settings kept by its Superusers."""

    organisation = ForeignKeyField(Organisation, unique=True, backref="profiles")
    notify_email = BooleanField(default=True)
    require_2fa = BooleanField(default=False)
    delivery_name = CharField(default="")
    delivery_attention = CharField(default="")
    delivery_street = CharField(default="")
    delivery_postcode = CharField(default="")
    delivery_city = CharField(default="")


class Agreement(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="agreements")
    number = CharField(unique=True)
    name = CharField()
    start_date = DateField()
    end_date = DateField(null=True)
    price_list = ForeignKeyField(PriceList, null=True)
    sla = ForeignKeyField(SLADefinition, null=True)
    notice_months = IntegerField(default=3)


class AgreementProduct(BaseModel):
    """A product the agreement lets the organisation order."""

    agreement = ForeignKeyField(Agreement, backref="products", on_delete="CASCADE")
    product = ForeignKeyField(Product)

    class Meta:
        indexes = ((("agreement", "product"), True),)


INVOICE_DELIVERY = {"email": N_("E-post"), "letter": N_("Brev"), "efaktura": N_("E-faktura")}


class Account(BaseModel):
    """A billing unit (kundnummer). ``path`` is the materialised tree path
    ``/1/5/12/`` so that "this account and everything below it" is one
    indexed range condition."""

    organisation = ForeignKeyField(Organisation, backref="accounts")
    parent = ForeignKeyField("self", null=True, backref="children")
    path = CharField(default="")
    depth = IntegerField(default=0)
    customer_number = CharField(max_length=8, unique=True)
    # Kundnummer + PIN sign-in (AUTH-7, domain/account_pin.py): hashed like a password.
    pin_hash = CharField(null=True)
    org_number = CharField(max_length=10)
    company_name = CharField()
    alias = CharField(default="")
    care_of = CharField(default="")
    street = CharField(default="")
    postcode = CharField(max_length=5, default="")
    city = CharField(default="")
    invoice_reference = CharField(default="")
    invoice_name = CharField(default="")
    invoice_street = CharField(default="")
    invoice_street_number = CharField(default="")
    invoice_postcode = CharField(max_length=5, default="")
    invoice_city = CharField(default="")
    invoice_delivery = CharField(default="email")
    invoice_email = CharField(default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("organisation", "path"), False),
            (("organisation", "company_name"), False),
            (("organisation", "org_number"), False),
            (("parent", "company_name"), False),
        )

    @property
    def display_name(self) -> str:
        """The alias where set, otherwise the company name (Trädvy)."""
        return self.alias or self.company_name

    @staticmethod
    def display_name_sql():
        """``display_name`` in SQL, for lists that show it and sort on it."""
        return fn.COALESCE(fn.NULLIF(Account.alias, ""), Account.company_name)

    @property
    def label(self) -> str:
        return f"{self.customer_number} - {self.company_name}"

    @property
    def address_line(self) -> str:
        parts = [p for p in (self.care_of and f"c/o {self.care_of}", self.street) if p]
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(parts + ([place] if place else []))

    @property
    def invoice_address_line(self) -> str:
        street = " ".join(p for p in (self.invoice_street, self.invoice_street_number) if p)
        place = " ".join(p for p in (self.invoice_postcode, self.invoice_city) if p)
        return ", ".join(p for p in (self.invoice_name, street, place) if p)

    @staticmethod
    def under_path(path: str, field=None):
        """Condition: Account.path (or another ``field`` holding an account's
        path) lies under ``path`` (inclusive)."""
        field = Account.path if field is None else field
        if is_sqlite():
            # '0' is the character after '/': a range any index can serve.
            return (field >= path) & (field < path[:-1] + "0")
        return field.startswith(path)

    def subtree(self):
        return Account.select().where(
            (Account.organisation == self.organisation_id) & Account.under_path(self.path)
        )

    def subtree_ids(self):
        return self.subtree().select(Account.id)

    def is_within(self, other: Account) -> bool:
        return self.path.startswith(other.path)


CONTACT_ROLES = {
    "contact": N_("Kontaktperson"),
    "finance": N_("Ekonomi"),
    "technical": N_("Teknik"),
    "agreement": N_("Kontaktperson för avtal"),
    "management": N_("Ledning"),
}


class Contact(BaseModel):
    """A contact person of the organisation; every portal user is one."""

    organisation = ForeignKeyField(Organisation, backref="contacts")
    account = ForeignKeyField(Account, backref="contacts")
    name = CharField()
    phone = CharField(default="")
    mobile = CharField(default="")
    email = CharField(default="")
    role = CharField(default="contact")
    notify_billing = BooleanField(default=False)
    notify_technical = BooleanField(default=False)
    notify_outage = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "name"), False),)


class Role(BaseModel):
    """A bundle of permissions (Tele2). Operator-wide when organisation is null."""

    organisation = ForeignKeyField(Organisation, null=True, backref="roles")
    name = CharField()
    permissions = TextField(default="")
    is_superuser = BooleanField(default=False)
    assignable_by_superuser_only = BooleanField(default=True)

    @property
    def permission_set(self) -> frozenset[str]:
        return ALL_PERMISSIONS if self.is_superuser else parse_permissions(self.permissions)


class _LoginFields(BaseModel):
    """What portal users and staff share for signing in."""

    username = CharField(unique=True)
    email = CharField()
    name = CharField()
    password_hash = CharField(null=True)  # null until the invitation is accepted
    active = BooleanField(default=True)
    session_version = IntegerField(default=1)  # bumped to end other sessions
    totp_secret_enc = TextField(null=True)
    totp_enabled = BooleanField(default=False)
    totp_last_step = IntegerField(default=0)  # replay protection
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    theme = CharField(default="auto")  # colour scheme: auto, light or dark (domain/themes.py)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False
    # Set on a User by the user loader while staff view the portal as that
    # user (web/auth.py): the StaffUser and the ViewAsSession row.
    viewed_by = None
    view_as = None

    @property
    def is_active(self) -> bool:
        return self.active


class User(_LoginFields):
    """A portal user of a customer organisation."""

    organisation = ForeignKeyField(Organisation, backref="users")
    contact = ForeignKeyField(Contact, backref="users")
    scope_account = ForeignKeyField(Account, backref="scoped_users")
    role = ForeignKeyField(Role, null=True)  # null: Egendefinierad
    permissions = TextField(default="")
    mobile = CharField(default="")
    microsoft_email = CharField(default="")
    language = CharField(default="sv")
    sms_2fa_enabled = BooleanField(default=False)
    restricted = BooleanField(default=False)  # limited to UserObjectAccess rows
    removed_at = DateTimeField(null=True)  # "Ta bort": kept for history, never shown

    is_staff = False

    class Meta:
        indexes = (
            (("organisation", "name"), False),
            (("scope_account",), False),
        )

    def get_id(self) -> str:
        return f"u:{self.id}:{self.session_version}"

    @property
    def user_type(self) -> str:
        """Access to the top account makes an Administratör."""
        return ADMIN if self.scope_account.parent_id is None else ACCOUNT_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.user_type == ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.role_id is not None and self.role.is_superuser

    @property
    def permission_set(self) -> frozenset[str]:
        if self.is_superuser:
            return ALL_PERMISSIONS
        return parse_permissions(self.permissions)

    def has(self, permission: str) -> bool:
        return permission in self.permission_set


# Staff roles (issue 17): what an employee of the operator may do in the
# back office. An Administratör may do everything.
STAFF_ROLES = {
    "support": "Support",  # tickets, outages and coverage, view as customer
    "orders": "Orderdesk",  # orders and service changes
    "billing": "Fakturering",  # invoice imports, invoices, charges
    "admin": "Administratör",  # customers, agreements, catalogue, staff, branding
}


class StaffUser(_LoginFields):
    """An employee of the operator; signs in to the back office."""

    is_admin = BooleanField(default=False)  # kept in step with the "admin" role
    roles = CharField(default="")  # space separated STAFF_ROLES keys
    require_2fa = BooleanField(default=False)  # must enrol a second factor (on when invited)

    is_staff = True

    @property
    def role_keys(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    def has_role(self, *roles: str) -> bool:
        """Whether the employee holds one of ``roles``; Administratör holds all."""
        held = self.role_keys
        return "admin" in held or any(role in held for role in roles)

    def get_id(self) -> str:
        return f"s:{self.id}:{self.session_version}"

    def has(self, permission: str) -> bool:  # staff see everything
        return True


class ViewAsSession(BaseModel):
    """Staff viewing the portal as one of a customer's users, read-only
    (SPEC §1, issue 17): who, as whom, why, from when to when."""

    staff = ForeignKeyField(StaffUser, backref="view_as_sessions", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="viewed_as", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="view_as_sessions")
    reason = CharField(default="")
    ip = CharField(default="")
    started_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)


class AuthToken(BaseModel):
    """Invitation and password-reset links; only the hash is stored."""

    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    staff = ForeignKeyField(StaffUser, null=True, on_delete="CASCADE")
    kind = CharField()  # invite, reset
    token_hash = CharField(unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class LoginSession(BaseModel):
    """A signed-in browser (ASVS 7.4.1): the session cookie carries a random
    key whose SHA-256 is ``key_hash``; the session lives exactly as long as
    its row. Logging out deletes it; a password change, "Logga ut från
    andra enheter", deactivation and removal delete the user's others."""

    key_hash = CharField(unique=True)
    user = ForeignKeyField(User, null=True, backref="login_sessions", on_delete="CASCADE")
    staff = ForeignKeyField(StaffUser, null=True, backref="login_sessions", on_delete="CASCADE")
    # A kundnummer + PIN session (domain/account_pin.py): no user, one account.
    pin_account = ForeignKeyField(Account, null=True, backref="pin_sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    ip = CharField(default="")
    user_agent = CharField(default="")


class RecoveryCode(BaseModel):
    user = ForeignKeyField(User, null=True, backref="recovery_codes", on_delete="CASCADE")
    staff = ForeignKeyField(StaffUser, null=True, on_delete="CASCADE")
    code_hash = CharField()
    used_at = DateTimeField(null=True)


class LoginThrottle(BaseModel):
    """Failed sign-ins per key (``user:<name>`` or ``ip:<addr>``), shared by
    all worker processes because it lives in the database."""

    key = CharField(unique=True)
    failures = IntegerField(default=0)
    first_failure_at = DateTimeField(null=True)
    last_failure_at = DateTimeField(null=True)
    locked_until = DateTimeField(null=True)


class ApiToken(BaseModel):
    """API-nyckel (issue 19): a Bearer secret for the JSON API. Only the
    SHA-256 of the secret is kept; ``prefix`` is its first characters, shown
    so a key can be told apart. ``scopes`` holds the permissions it carries
    (space separated, never more than its creator held), ``account`` the
    optional sub-tree it is limited to."""

    organisation = ForeignKeyField(Organisation, backref="api_tokens")
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    account = ForeignKeyField(Account, null=True)
    name = CharField()
    prefix = CharField(index=True)
    token_hash = CharField(unique=True)
    scopes = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    last_used_ip = CharField(default="")
    expires_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("organisation", "created_at"), False),)


class SavedFilter(BaseModel):
    """A named list state (query string), personal or shared in the organisation."""

    organisation = ForeignKeyField(Organisation)
    user = ForeignKeyField(User, on_delete="CASCADE")
    list_name = CharField()
    name = CharField()
    # The name casefolded: names are unique per list without regard to case,
    # per user and, for shared ones, per organisation (migration 0290).
    name_key = CharField(default="")
    query_string = TextField()
    shared = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("organisation", "list_name"), False),
            (("user", "list_name", "name_key"), True),
        )

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        return super().save(*args, **kwargs)


def name_key(name: str) -> str:
    """What makes two saved filter names the same: case does not count."""
    return (name or "").strip().casefold()


# One shared filter of a name per list in the organisation; a partial index,
# created by migration 0290 and paired here by name.
SavedFilter.add_index(
    SavedFilter.index(
        SavedFilter.organisation,
        SavedFilter.list_name,
        SavedFilter.name_key,
        unique=True,
        name="saved_filter_shared_name_key",
    ).where(SQL("shared"))
)


class Shortcut(BaseModel):
    """Genvägar: a saved link shown on the start page."""

    user = ForeignKeyField(User, backref="shortcuts", on_delete="CASCADE")
    title = CharField()
    url = TextField()
    position = IntegerField(default=0)


class GroupCategory(BaseModel):
    """Gruppkategori (GRP-1), e.g. Avdelning. A removed one (``removed_at``)
    is hidden from choices but kept, so past months still name it."""

    organisation = ForeignKeyField(Organisation, backref="group_categories")
    name = CharField()
    position = IntegerField(default=0)
    description = TextField(default="")
    removed_at = DateTimeField(null=True)


class Group(BaseModel):
    """A group in a category, shown as "Kategori:Grupp"; removed ones are kept."""

    category = ForeignKeyField(GroupCategory, backref="groups", on_delete="CASCADE")
    name = CharField()
    description = TextField(default="")
    removed_at = DateTimeField(null=True)

    @property
    def label(self) -> str:
        return f"{self.category.name}:{self.name}"
