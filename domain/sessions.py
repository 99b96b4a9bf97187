"""The server-side session registry (ASVS 7.4.1, 7.4.3, 7.5.2).

A signed-in browser's cookie carries a random key (256 bits); the database
keeps only its SHA-256 in a ``LoginSession`` row, with who, when and from
where. The user loader (``web.auth.load_session_user``) accepts a cookie only
while its row exists, in the same query that loads the user, so ending a
session is deleting its row — at once, for every worker and app server that
shares the database, whatever copies of the cookie exist.

Writes run inside ``write_tx``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from database import utcnow
from domain.text import N_, T_
from tables.org import LoginSession, StaffUser

USER_AGENT_LENGTH = 200


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _owner_field(user):
    return LoginSession.staff if isinstance(user, StaffUser) else LoginSession.user


def start(user, ip: str = "", user_agent: str = "") -> str:
    """A new session for ``user``; returns the key for the cookie (not stored)."""
    key = secrets.token_urlsafe(32)
    owner = "staff" if isinstance(user, StaffUser) else "user"
    LoginSession.create(
        key_hash=key_hash(key),
        ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
        **{owner: user.id},
    )
    return key


def start_pin(account, ip: str = "", user_agent: str = "") -> str:
    """A new kundnummer + PIN session for ``account`` (domain/account_pin.py)."""
    key = secrets.token_urlsafe(32)
    LoginSession.create(
        key_hash=key_hash(key),
        ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
        pin_account=account.id,
    )
    return key


def end(key: str | None) -> None:
    """End one session (logging out)."""
    if key:
        LoginSession.delete().where(LoginSession.key_hash == key_hash(key)).execute()


def end_all(user, keep: str | None = None) -> int:
    """End every session of ``user`` except the one with key ``keep``; returns how many."""
    query = LoginSession.delete().where(_owner_field(user) == user.id)
    if keep:
        query = query.where(LoginSession.key_hash != key_hash(keep))
    return query.execute()


def _stale(idle_seconds: int, lifetime_seconds: int):
    now = utcnow()
    return (LoginSession.last_seen_at < now - dt.timedelta(seconds=idle_seconds)) | (
        LoginSession.created_at < now - dt.timedelta(seconds=lifetime_seconds)
    )


def end_stale(user, idle_seconds: int, lifetime_seconds: int) -> int:
    """Forget sessions of ``user`` that the idle or absolute limit has ended."""
    stale = _stale(idle_seconds, lifetime_seconds)
    return LoginSession.delete().where((_owner_field(user) == user.id) & stale).execute()


def seen(key: str | None) -> None:
    """Note that the session was used now (called at most once a minute)."""
    if key:
        LoginSession.update(last_seen_at=utcnow()).where(
            LoginSession.key_hash == key_hash(key)
        ).execute()


def of(user, idle_seconds: int, lifetime_seconds: int) -> list[LoginSession]:
    """The user's live sessions, the latest used first."""
    return list(
        LoginSession.select()
        .where((_owner_field(user) == user.id) & ~_stale(idle_seconds, lifetime_seconds))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))  # fmt: skip
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
            ("iPad", "iPad"), ("Mac OS X", "Mac"), ("Linux", "Linux"))  # fmt: skip


def device_label(user_agent: str) -> str:
    """A person's name for the browser ("Chrome på Windows"); enough to tell
    one's own devices apart, not an exact identification."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    if browser and system:
        return T_("%(browser)s på %(system)s", browser=browser, system=system)
    return browser or system or N_("Okänd webbläsare")
