"""Signing in and out, shared by the customer portal and the back office."""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from database import utcnow, write_tx
from domain import audit
from domain.passwords import hash_password, needs_rehash, verify_password

GENERIC_ERROR = "Fel användarnamn eller lösenord."


def authenticate(model, username: str, password: str):
    """The active user with this user name and password, else None.

    Unknown user names cost the same hashing time as known ones.
    """
    user = model.get_or_none(model.username == username.strip().lower())
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        with write_tx():
            audit.record(
                "auth.login_failed",
                summary=f"Misslyckad inloggning för {username.strip()[:80]!r}",
                organisation=getattr(user, "organisation_id", None),
                actor=user,
            )
        return None
    return user


def complete_login(user, password: str | None = None) -> None:
    """Start a fresh session for ``user`` (no fixation) and record it."""
    session.clear()
    login_user(user)
    session.permanent = True
    with write_tx():
        changes = {"last_login_at": utcnow(), "failed_logins": 0}
        if password and needs_rehash(user.password_hash):
            changes["password_hash"] = hash_password(password)
        type(user).update(changes).where(type(user).id == user.id).execute()
        audit.record("auth.login", user, summary="Inloggning", actor=user)


def end_session(user) -> None:
    if user.is_authenticated:
        with write_tx():
            audit.record("auth.logout", user, summary="Utloggning", actor=user)
    logout_user()
    session.clear()
