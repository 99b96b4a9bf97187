"""Portal users: who may manage whom, and the changes themselves (SPEC §1).

Rules, enforced here on the server whatever the form sent:

* A manager (users.manage) sees and manages users of their own
  organisation whose scope account lies in the manager's own sub-tree
  (a Kontoadministratör only inside theirs); anything else is not found.
* Nobody grants a permission, a role or account access beyond their own:
  the scope account and narrowed objects must be visible to the manager,
  permissions a manager lacks can be neither added nor removed, a role is
  assignable only when its permissions are the manager's too (Superuser and
  roles marked so only by Superusers).
* Nobody changes a user holding more than they do (that would allow taking
  the account over, e.g. by changing its e-mail address), and only a
  Superuser changes a Superuser.
* Nobody changes their own access, deactivates or removes themselves.
* The last active Superuser of an organisation cannot be demoted,
  deactivated or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import JOIN

from database import utcnow
from domain import audit, sessions, throttle, tokens, twofactor, usermail
from domain.numbers import format_phone
from domain.text import N_, T_
from permissions import ALL_PERMISSIONS, PERMISSION_LABELS, PERMISSIONS, format_permissions
from tables.org import Account, Contact, Role, User
from tables.scope import visible_accounts
from tables.services import Service, UserObjectAccess


class Refused(Exception):
    """A change the rules do not allow; the message is for the user."""


# --------------------------------------------------------------------------- who sees whom


def manageable_users(manager):
    """Users ``manager`` may see in the Users screen (not removed ones)."""
    query = (
        User.select(User, Account, Role, Contact)
        .join(Account, on=(User.scope_account == Account.id))
        .switch(User)
        .join(Role, JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .switch(User)
        .join(Contact, on=(User.contact == Contact.id))
        .where((User.organisation == manager.organisation_id) & User.removed_at.is_null())
    )
    if not manager.is_admin:
        query = query.where(Account.under_path(manager.scope_account.path))
    return query


def assignable_accounts(manager):
    return visible_accounts(manager).order_by(Account.path)


def assignable_roles(manager):
    roles = Role.select().where(
        Role.organisation.is_null() | (Role.organisation == manager.organisation_id)
    )
    if manager.is_superuser:
        return list(roles.order_by(Role.is_superuser.desc(), Role.name))
    own = manager.permission_set
    return [
        role
        for role in roles.order_by(Role.name)
        if not role.is_superuser
        and not role.assignable_by_superuser_only
        and role.permission_set <= own
    ]


def visible_contacts(manager):
    return (
        Contact.select()
        .where(
            (Contact.organisation == manager.organisation_id)
            & Contact.account.in_(visible_accounts(manager).select(Account.id))
        )
        .order_by(Contact.name)
    )


def active_superusers(organisation_id) -> int:
    return (
        User.select()
        .join(Role, on=(User.role == Role.id))
        .where(
            (User.organisation == organisation_id)
            & Role.is_superuser
            & User.active
            & User.removed_at.is_null()
        )
        .count()
    )


def can_manage(manager, target) -> bool:
    """Whether ``manager`` may change ``target`` at all (not whom they may see)."""
    if target.is_superuser and not manager.is_superuser:
        return False
    return target.permission_set <= manager.permission_set


def type_label(account: Account) -> str:
    return N_("Administratör") if account.parent_id is None else N_("Kontoadministratör")


def _same(text: str) -> str:
    return text


def permission_summary(user, tr=_same) -> str:
    """The role and rights in a line; ``tr`` translates a marked label (the
    web layer's ``tr``; Swedish by default)."""
    if user.is_superuser:
        return tr(T_("%(role)s: alla rättigheter", role=user.role.name))
    labels = [tr(PERMISSION_LABELS[key]) for key, _, _ in PERMISSIONS if key in user.permission_set]
    prefix = user.role.name if user.role_id else tr(N_("Rättigheter"))
    if not labels:
        return tr(T_("%(role)s: inga", role=prefix))
    return f"{prefix}: " + ", ".join([labels[0]] + [label.lower() for label in labels[1:]])


def rights_in_brief(user, tr=_same) -> str:
    """What the user may do, in a few words beside the type in the users list:
    the role's name (Superuser included), else up to two rights by name, else
    "Egendefinierad: N behörigheter" — so an Administratör who may only see
    invoices reads "Administratör · Visa fakturor"."""
    if user.role_id:
        return user.role.name
    labels = [tr(PERMISSION_LABELS[key]) for key, _, _ in PERMISSIONS if key in user.permission_set]
    if not labels:
        return tr(N_("Inga behörigheter"))
    if len(labels) <= 2:
        return ", ".join([labels[0]] + [label.lower() for label in labels[1:]])
    return tr(T_("Egendefinierad: %(count)s behörigheter", count=len(labels)))


def role_label(user) -> str:
    return user.role.name if user.role_id else N_("Egendefinierad")


# --------------------------------------------------------------------------- changes


@dataclass
class Access:
    """The access part of a user: scope, role, permissions and narrowing."""

    scope_account: Account
    role: Role | None
    permissions: frozenset[str]
    restricted: bool = False
    accounts: list[Account] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


def current_access(user) -> Access:
    rows = list(UserObjectAccess.select().where(UserObjectAccess.user == user.id))
    accounts = Account.select().where(Account.id.in_([r.account_id for r in rows if r.account_id]))
    services = Service.select().where(Service.id.in_([r.service_id for r in rows if r.service_id]))
    return Access(
        scope_account=user.scope_account,
        role=user.role if user.role_id else None,
        permissions=user.permission_set,
        restricted=user.restricted,
        accounts=list(accounts),
        services=list(services),
    )


def resolve_access(manager, target, wanted: Access) -> Access:
    """Check ``wanted`` against the rules and settle the role; raises Refused.

    ``target`` is None for a new user.
    """
    own = manager.permission_set
    current = target.permission_set if target is not None else frozenset()
    if target is not None and target.id == manager.id:
        before = current_access(target)
        unchanged = (
            wanted.scope_account.id == before.scope_account.id
            and (wanted.role.id if wanted.role else None) == (target.role_id)
            and frozenset(wanted.permissions) == current
            and wanted.restricted == before.restricted
            and {a.id for a in wanted.accounts} == {a.id for a in before.accounts}
            and {s.id for s in wanted.services} == {s.id for s in before.services}
        )
        if not unchanged:
            raise Refused(N_("Du kan inte ändra dina egna behörigheter eller din egen åtkomst."))
        return before

    # Account access: only what the manager sees.
    allowed = assignable_accounts(manager)
    if not allowed.where(Account.id == wanted.scope_account.id).exists():
        raise Refused(
            N_("Du kan inte ge åtkomst till ett konto som du inte själv har tillgång till.")
        )

    # Permissions: those the manager lacks stay as they are.
    wanted_perms = frozenset(wanted.permissions) & ALL_PERMISSIONS
    beyond = (wanted_perms - own) - current
    if beyond:
        labels = ", ".join(PERMISSION_LABELS[p] for p in sorted(beyond))
        raise Refused(
            T_("Du kan inte ge behörigheter som du inte själv har: %(labels)s.", labels=labels)
        )
    final = (wanted_perms & own) | (current - own)

    # Role: assignable ones only; a role whose boxes were changed is Egendefinierad.
    role = wanted.role
    if role is not None:
        unchanged_role = target is not None and target.role_id == role.id
        if not unchanged_role and role.id not in {r.id for r in assignable_roles(manager)}:
            raise Refused(T_("Du kan inte tilldela rollen %(role)s.", role=role.name))
        if role.is_superuser and not manager.is_superuser:
            raise Refused(N_("Bara en Superuser kan göra någon till Superuser."))
        if role.permission_set != final:
            role = None
    if role is not None and role.is_superuser:
        final = ALL_PERMISSIONS

    # Narrowed access (Tilldela objekt): inside the scope and visible to the manager.
    if manager.restricted and not wanted.restricted:
        raise Refused(
            N_(
                "Din egen åtkomst är begränsad till vissa konton och tjänster; "
                "välj vilka den nya användaren ska få se."
            )
        )
    accounts, services = [], []
    if wanted.restricted:
        scope_path = wanted.scope_account.path
        for account in wanted.accounts:
            inside = account.path.startswith(scope_path)
            if not inside or not allowed.where(Account.id == account.id).exists():
                raise Refused(
                    T_(
                        "Kontot %(account)s ligger utanför den valda åtkomsten.",
                        account=account.customer_number,
                    )
                )
            accounts.append(account)
        visible_services = Service.visible_to(manager)
        for service in wanted.services:
            account = Account.get_by_id(service.account_id)
            if (
                not account.path.startswith(scope_path)
                or not visible_services.where(Service.id == service.id).exists()
            ):
                raise Refused(
                    T_(
                        "Tjänsten %(number)s ligger utanför den valda åtkomsten.",
                        number=format_phone(service.number),
                    )
                )
            services.append(service)

    return Access(
        scope_account=wanted.scope_account,
        role=role,
        permissions=final,
        restricted=wanted.restricted,
        accounts=accounts,
        services=services,
    )


def _access_snapshot(access: Access) -> dict:
    return {
        "konto": access.scope_account.customer_number,
        "typ": type_label(access.scope_account),
        "roll": access.role.name if access.role else "Egendefinierad",
        "behörigheter": sorted(access.permissions),
        "begränsad": access.restricted,
        "konton": sorted(a.customer_number for a in access.accounts),
        "tjänster": sorted(s.number for s in access.services),
    }


def _details_snapshot(user) -> dict:
    return {
        "namn": user.name,
        "användarnamn": user.username,
        "e-post": user.email,
        "mobil": user.mobile,
        "microsoft": user.microsoft_email,
    }


def _check_last_superuser(target, demoted: bool) -> None:
    last = target.is_superuser and target.active and active_superusers(target.organisation_id) <= 1
    if demoted and last:
        raise Refused(
            N_("Organisationen måste ha minst en Superuser. Gör någon annan till Superuser först.")
        )


def _save_access(user, access: Access) -> None:
    User.update(
        scope_account=access.scope_account.id,
        role=access.role.id if access.role else None,
        permissions=format_permissions(access.permissions),
        restricted=access.restricted,
    ).where(User.id == user.id).execute()
    UserObjectAccess.delete().where(UserObjectAccess.user == user.id).execute()
    for account in access.accounts:
        UserObjectAccess.create(user=user.id, account=account.id)
    for service in access.services:
        UserObjectAccess.create(user=user.id, service=service.id)


def username_taken(username: str, except_id=None, organisation=None) -> bool:
    """Whether a user has ``username`` (in ``organisation`` when given)."""
    query = User.select().where(User.username == username.strip().lower())
    if except_id:
        query = query.where(User.id != except_id)
    if organisation is not None:
        query = query.where(User.organisation == organisation)
    return query.exists()


def create_user(manager, details: dict, contact: Contact | None, wanted: Access) -> User | None:
    """Create and invite a user; inside ``write_tx``. ``contact`` None: a new one.

    A user name that belongs to someone in another organisation is not
    refused, which would tell the manager that it exists there (ASVS 6.3.8):
    the form is accepted with the same answer as an invitation, the person
    who has the name gets a notice instead, and no user is created (None).
    """
    access = resolve_access(manager, None, wanted)
    if username_taken(details["username"], organisation=manager.organisation_id):
        raise Refused(N_("Användarnamnet används redan."))
    elsewhere = User.get_or_none(User.username == details["username"])
    if contact is None:
        contact = Contact.create(
            organisation=manager.organisation_id,
            account=access.scope_account.id,
            name=details["name"],
            email=details["email"],
            mobile=details["mobile"],
            role="contact",
        )
        audit.record(
            "contact.create",
            contact,
            summary=f"Kontaktperson {contact.name} skapad för en ny användare",
            after={"namn": contact.name, "e-post": contact.email, "mobil": contact.mobile},
        )
    if elsewhere is not None:
        usermail.username_in_use_elsewhere(elsewhere, manager.organisation.name)
        audit.record(
            "user.create_name_elsewhere",
            elsewhere,
            summary=(
                f"{manager.organisation.name} försökte skapa en användare med användarnamnet "
                f"{elsewhere.username}, som hör till {elsewhere.organisation.name}; inget skapat"
            ),
            organisation=audit.STAFF_ONLY,  # neither organisation learns about the other
        )
        return None
    # The new user starts in the language of the one who invites them (their
    # invitation is written in it); Min profil → Språk changes it.
    user = User.create(
        organisation=manager.organisation_id,
        contact=contact.id,
        scope_account=access.scope_account.id,
        password_hash=None,
        **{"language": getattr(manager, "language", None) or "sv", **details},
    )
    _save_access(user, access)
    user = User.get_by_id(user.id)
    audit.record(
        "user.create",
        user,
        summary=f"Användare {user.name} ({user.username}) skapad och inbjuden",
        after={**_details_snapshot(user), **_access_snapshot(access)},
    )
    invite(user, manager)
    return user


def invite(user, manager=None) -> None:
    token = tokens.issue_link(user, tokens.INVITE)
    usermail.invitation(user, token, invited_by=manager.name if manager else "")
    audit.record("user.invite", user, summary=f"Inbjudan skickad till {user.email}")


def update_user(manager, target, details: dict, contact: Contact | None, wanted: Access) -> User:
    """Change a user's details and access; inside ``write_tx``."""
    if target.id != manager.id and not can_manage(manager, target):
        raise Refused(N_("Du kan inte ändra en användare som har fler behörigheter än du."))
    before_access = current_access(target)
    access = resolve_access(manager, target, wanted)
    demoted = access.role is None or not access.role.is_superuser
    _check_last_superuser(target, demoted)
    before = _details_snapshot(target)
    if contact is None:
        contact = Contact.create(
            organisation=manager.organisation_id,
            account=access.scope_account.id,
            name=details["name"],
            email=details["email"],
            mobile=details["mobile"],
            role="contact",
        )
    User.update(contact=contact.id, **details).where(User.id == target.id).execute()
    if details["mobile"] != target.mobile and twofactor.sms_enabled(target):
        twofactor.set_sms(target, False)  # SMS codes must go to a verified number
    _save_access(target, access)
    updated = User.get_by_id(target.id)
    after = _details_snapshot(updated)
    if before != after:
        audit.record(
            "user.update",
            updated,
            summary=f"Uppgifter för {updated.name} ändrade",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
        if before["e-post"] != after["e-post"]:
            usermail.security_notice(
                updated, N_("Din e-postadress har ändrats av en administratör"), before["e-post"]
            )
    old, new = _access_snapshot(before_access), _access_snapshot(access)
    if old != new:
        audit.record(
            "user.permissions",
            updated,
            summary=f"Behörigheter och åtkomst för {updated.name} ändrade",
            before={k: v for k, v in old.items() if new[k] != v},
            after={k: v for k, v in new.items() if old[k] != v},
        )
    return updated


SELF_REFUSALS = {
    "inaktivera": N_("Du kan inte inaktivera dig själv."),
    "aktivera": N_("Du kan inte aktivera dig själv."),
    "ta bort": N_("Du kan inte ta bort dig själv."),
}


def _require_other_manageable(manager, target, what: str) -> None:
    if target.id == manager.id:
        raise Refused(SELF_REFUSALS[what])
    if not can_manage(manager, target):
        raise Refused(N_("Du kan inte ändra en användare som har fler behörigheter än du."))


def set_active(manager, target, active: bool) -> None:
    """Deactivate (ends every session) or reactivate; inside ``write_tx``."""
    _require_other_manageable(manager, target, "inaktivera" if not active else "aktivera")
    if not active:
        _check_last_superuser(target, True)
    changes = {"active": active}
    if not active:
        changes["session_version"] = User.session_version + 1
    User.update(changes).where(User.id == target.id).execute()
    if not active:
        sessions.end_all(target)
    audit.record(
        "user.activate" if active else "user.deactivate",
        target,
        summary=f"Användare {target.name} {'aktiverad' if active else 'inaktiverad'}",
        before={"aktiv": target.active},
        after={"aktiv": active},
    )


def remove(manager, target) -> None:
    """Ta bort: the row stays for history, but the user is gone from the portal."""
    _require_other_manageable(manager, target, "ta bort")
    _check_last_superuser(target, True)
    User.update(
        active=False,
        removed_at=utcnow(),
        session_version=User.session_version + 1,
        username=f"~{target.id}~{target.username}"[:255],
        totp_secret_enc=None,
        totp_enabled=False,
        sms_2fa_enabled=False,
    ).where(User.id == target.id).execute()
    UserObjectAccess.delete().where(UserObjectAccess.user == target.id).execute()
    sessions.end_all(target)
    twofactor.reset(User.get_by_id(target.id))
    audit.record(
        "user.remove",
        target,
        summary=f"Användare {target.name} ({target.username}) borttagen",
        before=_details_snapshot(target),
    )


def reset_2fa(manager, target) -> None:
    """An administrator removes a user's second factors (lost phone); audited."""
    if target.id != manager.id and not can_manage(manager, target):
        raise Refused(N_("Du kan inte ändra en användare som har fler behörigheter än du."))
    before = twofactor.methods_label(target)
    twofactor.reset(target)
    User.update(session_version=User.session_version + 1).where(User.id == target.id).execute()
    sessions.end_all(target)
    audit.record(
        "auth.2fa_reset",
        target,
        summary=f"Tvåfaktorsautentisering för {target.name} återställd av administratör",
        before={"2fa": before},
        after={"2fa": "Nej"},
    )
    usermail.security_notice(
        target, N_("Din tvåstegsverifiering har återställts av en administratör")
    )


def lift_lockout(target) -> None:
    throttle.lift(target)
    audit.record(
        "auth.lockout_lifted",
        target,
        summary=f"Inloggningsspärr för {target.name} hävd",
    )
