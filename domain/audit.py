"""The audit log: every change records who, what, before/after, when, where."""

from __future__ import annotations

import json
from collections.abc import Callable

from tables.ops import AuditLog


def _no_origin():
    return None, ""


# Who makes a change and from where, when the caller does not say: the
# signed-in user and the client's address during an HTTP request (set by
# ``web.requestcontext``), nobody and no address for the CLI and jobs.
_origin: Callable[[], tuple[object | None, str]] = _no_origin


def set_origin(provider: Callable[[], tuple[object | None, str]]) -> None:
    global _origin
    _origin = provider


# ``organisation=STAFF_ONLY``: a row no organisation's Granskningslogg shows.
STAFF_ONLY = object()


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    action: str,
    obj=None,
    *,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    organisation=None,
    actor=None,
) -> AuditLog:
    """Write one audit row; call inside ``write_tx`` with the change itself."""
    signed_in, ip = _origin()
    if actor is None:
        actor = signed_in
    is_staff = bool(actor is not None and actor.is_staff)
    if organisation is STAFF_ONLY:
        org_id = None
    elif organisation is None:
        org_id = getattr(obj, "organisation_id", None)
        if org_id is None and actor is not None and not is_staff:
            org_id = actor.organisation_id
    else:
        org_id = getattr(organisation, "id", organisation)
    return AuditLog.create(
        organisation=org_id,
        actor_user=None if actor is None or is_staff else actor.id,
        actor_staff=actor.id if is_staff else None,
        actor_label=actor.name if actor is not None else "system",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) else "",
        summary=summary,
        before=_json(before),
        after=_json(after),
        ip=ip,
    )
