"""Customer organisations as the operator manages them (issue 17): creating
one with its top account and first Superuser, changing its name and org.nr,
suspending it, and the operator's changes to its portal users.

Every function that changes something is called inside ``write_tx`` and
writes its audit row itself, with ``organisation=`` the customer's, so the
customer's administrators see the operator's changes in Granskningslogg.

The operator's changes to portal users go through domain/users.py, the rules
the customer's own administrators follow, with :class:`OperatorManager` as the
manager: a Superuser of that organisation who is nobody in it, so that
removing or resetting anyone is allowed, but the organisation's last
Superuser is still never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import audit, throttle
from domain import users as rules
from domain.accounts import create_account
from domain.numbers import format_org_number, normalise_org_number
from domain.text import N_, T_
from domain.tickets import operator_name
from permissions import ALL_PERMISSIONS, format_permissions
from tables.org import (
    Account,
    CompanyProfile,
    Contact,
    LoginSession,
    Organisation,
    Role,
    User,
)

SUSPENDED_MESSAGE = N_(
    "Ert företags tillgång till portalen är avstängd. Kontakta kundtjänst om ni har frågor."
)


class Refused(Exception):
    """A change the rules refuse; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _message(error: Exception) -> str:
    """An error's message as raised (a marked Text keeps its msgid and values)."""
    return error.args[0] if error.args and isinstance(error.args[0], str) else str(error)


# --------------------------------------------------------------------------- checks


def org_number_problem(text: str, except_id=None) -> str | None:
    """Why ``text`` cannot be a new (or this) organisation's org.nr, or None."""
    number = normalise_org_number(text)
    if number is None:
        return N_("Ange ett giltigt organisationsnummer (10 siffror, t.ex. 556677-8899).")
    query = Organisation.select().where(Organisation.org_number == number)
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    if query.exists():
        return T_(
            "Det finns redan en kund med organisationsnummer %(number)s.",
            number=format_org_number(number),
        )
    return None


def username_problem(email: str) -> str | None:
    """Portal user names are unique over all organisations; staff may be told."""
    name = (email or "").strip().lower()
    if User.select().where(User.username == name).exists():
        return N_("Det finns redan en portalanvändare med den e-postadressen som användarnamn.")
    return None


def superuser_role() -> Role:
    found = Role.get_or_none(Role.is_superuser == True)  # noqa: E712
    return found or Role.create(name="Superuser", is_superuser=True)


# --------------------------------------------------------------------------- create and edit


@dataclass
class NewCustomer:
    """What creating a customer takes (already normalised: org.nr digits,
    postcode digits or empty, e-mail in lower case)."""

    name: str
    org_number: str
    admin_name: str
    admin_email: str
    admin_mobile: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    customer_number: str | None = None
    require_2fa: bool = False


def create_organisation(new: NewCustomer, *, how: str = "i administrationen"):
    """Create the organisation, its Företagsprofil, its top account and its
    first Superuser, who is invited by e-mail (AUTH-4); inside ``write_tx``.

    Raises :class:`Refused` for a bad or taken org.nr or a taken user name.
    Returns (organisation, top account, Superuser).
    """
    problem = org_number_problem(new.org_number)
    if problem:
        raise Refused(problem, "org_number")
    problem = username_problem(new.admin_email)
    if problem:
        raise Refused(problem, "admin_email")
    name = new.name.strip()
    org = Organisation.create(name=name, org_number=normalise_org_number(new.org_number))
    CompanyProfile.create(
        organisation=org,
        require_2fa=new.require_2fa,
        delivery_name=name,
        delivery_street=new.street,
        delivery_postcode=new.postcode,
        delivery_city=new.city,
    )
    top = create_account(
        org,
        None,
        new.customer_number,
        company_name=name,
        street=new.street,
        postcode=new.postcode,
        city=new.city,
    )
    role = superuser_role()
    email = new.admin_email.strip().lower()
    contact = Contact.create(
        organisation=org,
        account=top,
        name=new.admin_name.strip(),
        email=email,
        mobile=new.admin_mobile,
    )
    user = User.create(
        organisation=org,
        contact=contact,
        scope_account=top,
        role=role,
        permissions=format_permissions(role.permission_set),
        username=email,
        email=email,
        name=new.admin_name.strip(),
        mobile=new.admin_mobile,
        password_hash=None,
    )
    audit.record(
        "staff.organisation_create",
        org,
        summary=f"Organisation {org.name} skapad {how} med Superuser {email}",
        after={
            "namn": org.name,
            "org.nr": format_org_number(org.org_number),
            "kundnummer": top.customer_number,
            "superuser": email,
        },
        organisation=org.id,
    )
    rules.invite(user)
    return org, top, user


def update_organisation(org: Organisation, name: str, org_number: str) -> bool:
    """Change the name and org.nr; inside ``write_tx``. False when unchanged."""
    problem = org_number_problem(org_number, except_id=org.id)
    if problem:
        raise Refused(problem, "org_number")
    before = {"namn": org.name, "org.nr": format_org_number(org.org_number)}
    number = normalise_org_number(org_number)
    after = {"namn": name.strip(), "org.nr": format_org_number(number)}
    if before == after:
        return False
    Organisation.update(name=name.strip(), org_number=number).where(
        Organisation.id == org.id
    ).execute()
    if number != org.org_number:
        # A corrected number: the accounts that carried the old one follow
        # (an account with another company's number keeps its own).
        moved = (
            Account.update(org_number=number)
            .where((Account.organisation == org.id) & (Account.org_number == org.org_number))
            .execute()
        )
        after["konton med nytt org.nr"] = moved
    audit.record(
        "staff.organisation_update",
        org,
        summary=f"Kunduppgifter för {after['namn']} ändrade av operatören",
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
        organisation=org.id,
    )
    return True


def set_suspended(org: Organisation, suspended: bool) -> bool:
    """Stäng av kund / Återaktivera; inside ``write_tx``. False when already so.

    Suspending ends every open session of the organisation's users (their
    session version is bumped and their session rows deleted, which also
    drops a half-done sign-in); sign-in refuses them while suspended
    (web/signin.py). Nothing is deleted: reactivating lets them in again.
    """
    changed = (
        Organisation.update(active=not suspended)
        .where((Organisation.id == org.id) & (Organisation.active == suspended))
        .execute()
    )
    if not changed:
        return False
    if suspended:
        members = User.select(User.id).where(User.organisation == org.id)
        User.update(session_version=User.session_version + 1).where(
            User.organisation == org.id
        ).execute()
        LoginSession.delete().where(LoginSession.user.in_(members)).execute()
        # Kundnummer + PIN sessions of its accounts (domain/account_pin.py) end too.
        accounts = Account.select(Account.id).where(Account.organisation == org.id)
        LoginSession.delete().where(LoginSession.pin_account.in_(accounts)).execute()
    audit.record(
        "staff.organisation_suspend" if suspended else "staff.organisation_reactivate",
        org,
        summary=(
            f"Kunden {org.name} avstängd av operatören; användarna kan inte logga in"
            if suspended
            else f"Kunden {org.name} återaktiverad av operatören"
        ),
        before={"status": "Aktiv" if suspended else "Avstängd"},
        after={"status": "Avstängd" if suspended else "Aktiv"},
        organisation=org.id,
    )
    return True


def is_suspended(user) -> bool:
    """Whether a portal user's organisation is suspended (staff never are)."""
    if getattr(user, "is_staff", True):
        return False
    return (
        not Organisation.select()
        .where((Organisation.id == user.organisation_id) & Organisation.active)
        .exists()
    )


# --------------------------------------------------------------------------- portal users


class OperatorManager:
    """The operator acting on an organisation's users through domain/users.py:
    an administrator of the whole organisation holding every permission,
    whose id matches no user (so no change counts as one to oneself)."""

    id = 0
    is_staff = False
    is_admin = True
    is_superuser = True
    restricted = False
    permission_set = ALL_PERMISSIONS

    def __init__(self, organisation: Organisation, name: str = ""):
        self.organisation = organisation
        self.organisation_id = organisation.id
        # Named in the invitation ("<name> har bjudit in dig"): the operator.
        self.name = name or operator_name()
        self.scope_account = organisation.top_account()

    def has(self, permission: str) -> bool:
        return True


def add_user(
    org: Organisation, *, name: str, email: str, mobile: str, account: Account, role: Role | None
) -> User:
    """Create and invite a portal user of ``org`` (inside ``write_tx``).

    ``account`` is the scope: the top account makes an Administratör, one
    below it a Kontoadministratör; ``role`` gives the permissions (Superuser:
    all). Raises :class:`Refused` (users.Refused is turned into it).
    """
    email = email.strip().lower()
    problem = username_problem(email)
    if problem:
        raise Refused(problem, "email")
    if account.organisation_id != org.id:
        raise Refused(N_("Kontot hör inte till kunden."), "account")
    manager = OperatorManager(org)
    wanted = rules.Access(
        scope_account=account,
        role=role,
        permissions=role.permission_set if role else frozenset(),
    )
    details = {
        "name": name.strip(),
        "email": email,
        "username": email,
        "mobile": mobile,
        "microsoft_email": "",
    }
    try:
        user = rules.create_user(manager, details, None, wanted)
    except rules.Refused as refused:
        raise Refused(_message(refused)) from refused
    return user


def remove_user(org: Organisation, user: User) -> None:
    """Ta bort, as the customer's administrators remove: kept for history."""
    try:
        rules.remove(OperatorManager(org), user)
    except rules.Refused as refused:
        raise Refused(_message(refused)) from refused


def reset_user_2fa(org: Organisation, user: User) -> None:
    """The user's second factors are removed; they enrol again at next sign-in
    when 2FA is required, and their sessions end."""
    rules.reset_2fa(OperatorManager(org), user)


def unlock_user(user: User) -> None:
    rules.lift_lockout(user)


def is_locked(user: User) -> bool:
    return throttle.is_locked(user)
