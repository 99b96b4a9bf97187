"""Read-only requests while staff view the portal as a customer (issue 17).

While ``current_user.viewed_by`` is set every request is read-only: a
POST, PUT, PATCH or DELETE answers 403 before its view runs (except ending
the viewing and logging out), and ``database.write_tx`` refuses to open for
the length of the request, so a GET that would write (a queued export, a
lazily built job) is refused as well — nothing the customer could change can
be changed. The machinery's own bookkeeping (the session's last use, ending
the viewing) runs inside ``database.allow_writes``.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user

from database import ReadOnlyRequest, set_read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a viewing employee may still post: ending the viewing, logging out.
ALLOWED_POSTS = frozenset({"staff.view_as_stop", "auth.logout"})


def viewing_staff():
    """The employee viewing the portal as the signed-in customer user, or None."""
    if not current_user or not current_user.is_authenticated:
        return None
    return current_user.viewed_by


def _refusal():
    text = (
        f"Du visar portalen som {current_user.name} och kan inte ändra något. "
        "Avsluta visningen för att arbeta i administrationen."
    )
    return (
        render_template("error.html", code=403, title="Skrivskyddad visning", text=text),
        403,
    )


def init_app(app: Flask) -> None:
    @app.before_request
    def _read_only_while_viewing():
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.startswith("health.") or viewing_staff() is None:
            return None
        set_read_only(f"viewing as user {current_user.id}")
        if request.method not in SAFE_METHODS and request.endpoint not in ALLOWED_POSTS:
            return _refusal()
        return None

    @app.teardown_request
    def _end_read_only(exc):
        set_read_only(None)

    @app.errorhandler(ReadOnlyRequest)
    def _refused_write(exc):
        return _refusal()
