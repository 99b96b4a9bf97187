"""Back office: the whole audit log (every organisation and the back office
itself) and the login lockouts in force, which staff can lift."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.audit import all_entries, columns, show_entry
from blueprints.staff import bp
from database import write_tx
from domain import audit, throttle
from tables.ops import AuditLog
from tables.org import LoginThrottle, StaffUser, User
from web.auth import staff_required
from web.listview import ListView

STAFF_AUDIT_LIST = ListView(
    name="staff-audit",
    model=AuditLog,
    query=all_entries,
    row_template="partials/audit/_rows.html",
    default_sort=("at", "desc"),
    export_title="Granskningslogg",
    columns=columns(with_organisation=True),
    bulk_actions=[],
    essential=("at", "actor", "summary", "details"),  # a phone's card
)


@bp.route("/audit", endpoint="audit")
@staff_required("support")
def audit_index():
    return STAFF_AUDIT_LIST.respond(
        current_user,
        "staff/audit.html",
        detail_endpoint="staff.audit_detail",
        locks=list(throttle.active_locks()),
    )


@bp.route("/audit/<int:entry_id>")
@staff_required("support")
def audit_detail(entry_id):
    entry = AuditLog.get_or_none(AuditLog.id == entry_id)
    if entry is None:
        abort(404)
    return show_entry(entry, "staff.audit")


@bp.post("/audit/locks/<int:lock_id>/lift")
@staff_required("support")
def audit_unlock(lock_id):
    lock = LoginThrottle.get_or_none(LoginThrottle.id == lock_id)
    if lock is None:
        abort(404)
    kind, _sep, name = lock.key.partition(":")
    model = {"user": User, "staff": StaffUser}.get(kind)
    user = model.get_or_none(model.username == name) if model else None
    with write_tx():
        if user is not None:
            throttle.lift(user)
        else:
            LoginThrottle.delete().where(LoginThrottle.id == lock.id).execute()
        audit.record(
            "auth.lockout_lifted",
            user,
            summary=f"Inloggningsspärr för {name} hävd av operatörens personal",
            organisation=getattr(user, "organisation_id", None),
        )
    flash(_("Spärren för %(name)s är hävd.", name=name), "success")
    return redirect(url_for("staff.audit"), code=303)
