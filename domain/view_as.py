"""Staff viewing the portal as a customer's user (SPEC §1, issue 17).

An employee with the Support role opens one of a customer's portal users
"as" that user: they see exactly what the user sees (the same scope,
permissions and menus), read-only. Each viewing is a ``ViewAsSession`` row
and two audit rows (started, ended) filed under the customer's organisation,
so its administrators see in Granskningslogg who looked, as whom, why and
for how long. The read-only rule itself is enforced per request by
web/viewas.py: every write transaction is refused while viewing.

Call inside ``write_tx``.
"""

from __future__ import annotations

from database import utcnow
from domain import audit
from domain.text import N_
from tables.org import StaffUser, User, ViewAsSession

REASON_LENGTH = 200


class Refused(ValueError):
    """The user cannot be viewed (removed, deactivated)."""


def start(staff: StaffUser, user: User, reason: str = "", ip: str = "") -> ViewAsSession:
    """Begin viewing as ``user``; ends any viewing ``staff`` still had open."""
    if user.removed_at is not None or not user.active:
        raise Refused(N_("Användaren är borttagen eller inaktiverad och kan inte visas."))
    for row in open_sessions(staff):
        stop(row)
    row = ViewAsSession.create(
        staff=staff.id,
        user=user.id,
        organisation=user.organisation_id,
        reason=reason.strip()[:REASON_LENGTH],
        ip=(ip or "")[:64],
    )
    because = f" Anledning: {row.reason}." if row.reason else ""
    audit.record(
        "staff.view_as_started",
        user,
        summary=f"{staff.name} (operatörens personal) visar portalen som {user.name}, "
        f"skrivskyddat.{because}",
        organisation=user.organisation_id,
        actor=staff,
    )
    return row


def stop(row: ViewAsSession) -> None:
    """End a viewing (idempotent: an ended one stays as it was)."""
    if row.ended_at is not None:
        return
    ended = utcnow()
    updated = (
        ViewAsSession.update(ended_at=ended)
        .where((ViewAsSession.id == row.id) & ViewAsSession.ended_at.is_null())
        .execute()
    )
    row.ended_at = ended
    if not updated:  # another request ended it first
        return
    minutes = max(1, round((ended - row.started_at).total_seconds() / 60))
    audit.record(
        "staff.view_as_ended",
        row.user,
        summary=f"{row.staff.name} slutade visa portalen som {row.user.name} "
        f"(efter {minutes} min).",
        organisation=row.organisation_id,
        actor=row.staff,
    )


def open_sessions(staff: StaffUser):
    return ViewAsSession.select().where(
        (ViewAsSession.staff == staff.id) & ViewAsSession.ended_at.is_null()
    )


def find_open(staff: StaffUser, session_id) -> ViewAsSession | None:
    """The staff member's open viewing with this id, else None."""
    if not isinstance(session_id, int):
        return None
    return open_sessions(staff).where(ViewAsSession.id == session_id).get_or_none()
