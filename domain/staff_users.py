"""The operator's staff (issue 17, item 6): invited by an Administratör at
/staff/users, each with roles that decide what they may do in the back
office (tables.org.STAFF_ROLES) and, by default, a second factor they must
set up at their first sign-in. Deactivating ends every session at once.

The back office always keeps an active Administratör: the last one can
neither be deactivated nor lose the role. Call inside ``write_tx``.
"""

from __future__ import annotations

from domain import audit, sessions, tokens, usermail
from domain.text import N_, T_
from tables.org import STAFF_ROLES, StaffUser


class Refused(Exception):
    """The change would break a rule; the message says which, in Swedish."""


def role_labels(staff: StaffUser) -> str:
    held = [label for key, label in STAFF_ROLES.items() if key in staff.role_keys]
    return ", ".join(held) or N_("Inga roller")


def _roles_value(roles) -> str:
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise Refused(T_("Okänd roll: %(roles)s", roles=", ".join(sorted(unknown))))
    if not roles:
        raise Refused(N_("Välj minst en roll."))
    return " ".join(key for key in STAFF_ROLES if key in roles)


def _other_active_admins(staff: StaffUser) -> int:
    return (
        StaffUser.select()
        .where(StaffUser.active & (StaffUser.id != staff.id) & StaffUser.roles.contains("admin"))
        .count()
    )


def _snapshot(staff: StaffUser) -> dict:
    return {
        "namn": staff.name,
        "roller": role_labels(staff),
        "kräv tvåstegsverifiering": "Ja" if staff.require_2fa else "Nej",
        "aktiv": "Ja" if staff.active else "Nej",
    }


def email_taken(email: str, except_id: int | None = None) -> bool:
    query = StaffUser.select().where(StaffUser.username == email.strip().lower())
    if except_id is not None:
        query = query.where(StaffUser.id != except_id)
    return query.exists()


def invite(manager: StaffUser, name: str, email: str, roles, require_2fa: bool = True) -> StaffUser:
    """Create an employee and e-mail an invitation to choose a password."""
    email = email.strip().lower()
    if email_taken(email):
        raise Refused(T_("Det finns redan personal med e-postadressen %(email)s.", email=email))
    value = _roles_value(roles)
    staff = StaffUser.create(
        username=email,
        email=email,
        name=name.strip(),
        roles=value,
        is_admin="admin" in value.split(),
        require_2fa=require_2fa,
    )
    _send_invitation(manager, staff)
    audit.record(
        "staff.invite",
        staff,
        summary=f"Personal {staff.name} ({email}) inbjuden: {role_labels(staff)}",
        after=_snapshot(staff),
        organisation=audit.STAFF_ONLY,
    )
    return staff


def resend_invitation(manager: StaffUser, staff: StaffUser) -> None:
    if staff.password_hash is not None:
        raise Refused(T_("%(name)s har redan valt ett lösenord.", name=staff.name))
    _send_invitation(manager, staff)
    audit.record(
        "staff.invite",
        staff,
        summary=f"Inbjudan skickad igen till {staff.email}",
        organisation=audit.STAFF_ONLY,
    )


def _send_invitation(manager: StaffUser, staff: StaffUser) -> None:
    token = tokens.issue_link(staff, tokens.INVITE)
    usermail.invitation(staff, token, invited_by=manager.name)


def update(manager: StaffUser, staff: StaffUser, name: str, roles, require_2fa: bool) -> None:
    """Change an employee's name, roles and 2FA requirement."""
    value = _roles_value(roles)
    losing_admin = "admin" in staff.role_keys and "admin" not in value.split()
    if losing_admin and staff.active and not _other_active_admins(staff):
        raise Refused(N_("Det måste finnas minst en aktiv administratör."))
    before = _snapshot(staff)
    staff.name, staff.roles = name.strip(), value
    staff.is_admin = "admin" in value.split()
    staff.require_2fa = require_2fa
    StaffUser.update(
        name=staff.name, roles=value, is_admin=staff.is_admin, require_2fa=require_2fa
    ).where(StaffUser.id == staff.id).execute()
    audit.record(
        "staff.update",
        staff,
        summary=f"Personal {staff.name} ändrad",
        before=before,
        after=_snapshot(staff),
        organisation=audit.STAFF_ONLY,
    )


def set_active(manager: StaffUser, staff: StaffUser, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an employee."""
    if not active:
        if staff.id == manager.id:
            raise Refused(N_("Du kan inte inaktivera dig själv."))
        if "admin" in staff.role_keys and not _other_active_admins(staff):
            raise Refused(N_("Det måste finnas minst en aktiv administratör."))
    if staff.active == active:
        return
    before = _snapshot(staff)
    changes = {"active": active}
    if not active:
        changes["session_version"] = StaffUser.session_version + 1
    StaffUser.update(changes).where(StaffUser.id == staff.id).execute()
    if not active:
        sessions.end_all(staff)
    staff.active = active
    audit.record(
        "staff.activate" if active else "staff.deactivate",
        staff,
        summary=f"Personal {staff.name} {'aktiverad' if active else 'inaktiverad'}",
        before=before,
        after=_snapshot(staff),
        organisation=audit.STAFF_ONLY,
    )
