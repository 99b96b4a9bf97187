"""Signing in and out, shared by the customer portal and the back office.

The flow (AUTH-1/2/3):

1. ``password_step``: the throttle is asked first (a locked name or address
   is refused without looking at the password), then the password is
   checked; a failure is counted and audited with one generic message.
2. ``begin``: the session is cleared (no fixation). A user with 2FA gets a
   short-lived *pending* state in the session — who, which session
   version, until when — and is **not** signed in; a user whose
   organisation requires 2FA but has none is sent to enrol first.
3. ``complete_login`` after the second factor (or right away without one):
   the session is cleared again, a session row is registered on the server
   (``domain.sessions``; its key goes in the cookie), Flask-Login signs the
   user in, the name's failure count is forgotten and the sign-in is audited.

Sessions end after ``SESSION_IDLE_MINUTES`` without a request and
``SESSION_HOURS`` after sign-in, whatever the cookie says
(``enforce_session_limits``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user

from database import allow_writes, utcnow, write_tx
from domain import audit, sessions, throttle, twofactor, view_as
from domain.organisations import SUSPENDED_MESSAGE, is_suspended
from domain.passwords import hash_password, needs_rehash, verify_password
from tables.org import StaffUser, User
from web.i18n import N_
from web.requestcontext import client_ip

GENERIC_ERROR = N_("Fel användarnamn eller lösenord.")
PENDING_SECONDS = 600  # time to type the second factor (an SMS may take a while)


@dataclass(frozen=True)
class Realm:
    """The customer portal or the back office: who signs in and where to."""

    kind: str
    model: type
    login: str
    verify: str
    setup: str
    home: str
    forgot: str
    verify_sms: str
    setup_sms: str


CUSTOMER = Realm(
    kind="u",
    model=User,
    login="auth.login",
    verify="auth.verify",
    setup="auth.setup",
    home="dashboard.index",
    forgot="auth.forgot",
    verify_sms="auth.verify_sms",
    setup_sms="auth.setup_sms",
)
STAFF = Realm(
    kind="s",
    model=StaffUser,
    login="staff.login",
    verify="staff.login_verify",
    setup="staff.login_setup",
    home="staff.index",
    forgot="staff.forgot",
    verify_sms="staff.login_verify_sms",
    setup_sms="staff.login_setup_sms",
)


def _find(model, username: str):
    name = (username or "").strip().lower()
    if not name:
        return None
    query = model.select().where(model.username == name)
    if model is User:
        query = query.where(User.removed_at.is_null())
    return query.get_or_none()


def password_step(realm: Realm, username: str, password: str):
    """(user, None) when the password is right, else (None, message)."""
    model = realm.model
    refusal = throttle.check(throttle.name_key(model, username), throttle.ip_key(client_ip()))
    if refusal is not None:
        return None, refusal.message
    user = _find(model, username)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        with write_tx():
            lock = throttle.record_failure(model, username, client_ip(), user)
            audit.record(
                "auth.login_failed",
                user,
                summary=f"Misslyckad inloggning för {username.strip()[:80]!r}",
                organisation=getattr(user, "organisation_id", None),
                actor=user,
            )
        return None, lock.message if lock else GENERIC_ERROR
    if is_suspended(user):
        # Only after the right password, so the message tells nobody else
        # that the name exists; not counted as a failure.
        with write_tx():
            audit.record(
                "auth.login_suspended",
                user,
                summary=f"Inloggning nekad för {user.username}: kunden är avstängd",
                actor=user,
            )
        return None, SUSPENDED_MESSAGE
    if needs_rehash(user.password_hash):
        with write_tx():
            model.update(password_hash=hash_password(password)).where(model.id == user.id).execute()
    return user, None


PIN_GENERIC_ERROR = N_("Fel kundnummer eller PIN-kod.")


def pin_step(customer_number: str, pin: str):
    """(account, None) when kundnummer and PIN are right, else (None, message).

    Throttled and locked out like passwords, under the name
    ``kundnummer:<number>``; an unknown kundnummer, a wrong PIN and an
    account without PIN give the same message.
    """
    from domain import account_pin

    number = (customer_number or "").strip()[:40]
    name = f"kundnummer:{number}"
    refusal = throttle.check(throttle.name_key(User, name), throttle.ip_key(client_ip()))
    if refusal is not None:
        return None, refusal.message
    account = account_pin.find_account(number)
    if not account_pin.check(account, pin):
        with write_tx():
            lock = throttle.record_failure(User, name, client_ip())
            audit.record(
                "auth.pin_login_failed",
                account,
                summary=f"Misslyckad inloggning med kundnummer {number!r}",
                organisation=account.organisation_id if account is not None else None,
            )
        return None, lock.message if lock else PIN_GENERIC_ERROR
    if is_suspended(account_pin.PinUser.of(account)):
        return None, SUSPENDED_MESSAGE
    with write_tx():
        account_pin.rehash_if_needed(account, pin)
    return account, None


def complete_pin_login(account) -> None:
    """Start a fresh read-only session for ``account`` (web/pinsession.py)."""
    from domain.account_pin import PinUser

    session.clear()
    with write_tx():
        key = sessions.start_pin(account, client_ip(), request.user_agent.string)
        throttle.clear_name(User, f"kundnummer:{account.customer_number}")
        audit.record(
            "auth.pin_login",
            account,
            summary=f"Inloggning med kundnummer {account.customer_number} och PIN-kod "
            "(endast läsning)",
            organisation=account.organisation_id,
            actor=None,
        )
    login_user(PinUser.of(account))
    session.permanent = True
    session["sid"] = key
    session["auth_at"] = session["seen_at"] = int(time.time())


def authenticate(model, username: str, password: str):
    """The user when name and password are right (throttled and audited), else None."""
    realm = STAFF if model is StaffUser else CUSTOMER
    user, _ = password_step(realm, username, password)
    return user


# --------------------------------------------------------------------------- pending


def begin(realm: Realm, user, next_url: str) -> str:
    """After a correct password: sign in, or hold a pending second-factor state.

    Returns what comes next: ``"done"``, ``"verify"`` or ``"setup"``.
    """
    session.clear()
    if twofactor.has_2fa(user):
        mode = "verify"
    elif twofactor.required_for(user):
        mode = "setup"
    else:
        complete_login(user)
        return "done"
    session["pending"] = {
        "k": realm.kind,
        "id": user.id,
        "v": user.session_version,
        "exp": int(time.time()) + PENDING_SECONDS,
        "next": next_url,
        "mode": mode,
    }
    if mode == "verify" and not user.totp_enabled and twofactor.sms_enabled(user):
        send_login_sms(user)
    return mode


def pending(realm: Realm, mode: str | None = None):
    """The user of a live pending sign-in in this realm, else None (and it is dropped)."""
    state = session.get("pending")
    if not state or state.get("k") != realm.kind:
        return None
    if state.get("exp", 0) < time.time() or (mode and state.get("mode") != mode):
        session.pop("pending", None)
        return None
    user = realm.model.get_or_none(realm.model.id == state.get("id"))
    if (
        user is None
        or not user.active
        or user.session_version != state.get("v")
        or getattr(user, "removed_at", None)
        or is_suspended(user)
    ):
        session.pop("pending", None)
        return None
    return user


def pending_state() -> dict:
    return session.get("pending") or {}


def set_pending(**changes) -> None:
    state = dict(session.get("pending") or {})
    state.update(changes)
    session["pending"] = state


def drop_pending() -> None:
    session.pop("pending", None)


def send_login_sms(user) -> None:
    with write_tx():
        row = twofactor.send_sms_code(user, "sms_login")
        audit.record(
            "auth.sms_code_sent",
            user,
            summary=f"Inloggningskod skickad med SMS till {twofactor.masked_mobile(user.mobile)}",
            actor=user,
        )
    set_pending(sms=row.id)


def sms_recently_sent(user, kind: str) -> bool:
    """At most one SMS a minute and five in ten minutes per user (ASVS §6.6.3)."""
    from domain import tokens

    return (
        tokens.recent_count(user, kind, dt.timedelta(minutes=1)) >= 1
        or tokens.recent_count(user, kind, dt.timedelta(minutes=10)) >= 5
    )


def second_factor(realm: Realm, user, code: str, method: str) -> str | None:
    """Check a second factor of a pending sign-in; None when accepted, else a message."""
    from domain import tokens

    refusal = throttle.check(
        throttle.name_key(realm.model, user.username), throttle.ip_key(client_ip())
    )
    if refusal is not None:
        if refusal.locked:
            drop_pending()
        return refusal.message
    with write_tx():
        if method == "recovery":
            ok = twofactor.use_recovery_code(user, code)
        elif method == "sms":
            ok = tokens.check_code(pending_state().get("sms"), user, "sms_login", code)
        else:
            ok = twofactor.verify_totp(user, code)
        if ok:
            if method == "recovery":
                left = twofactor.remaining_recovery_codes(user)
                audit.record(
                    "auth.recovery_code_used",
                    user,
                    summary=f"Återställningskod använd vid inloggning ({left} kvar)",
                    actor=user,
                )
            return None
        lock = throttle.record_failure(realm.model, user.username, client_ip(), user)
        audit.record(
            "auth.2fa_failed",
            user,
            summary="Fel kod i andra steget av inloggningen",
            actor=user,
        )
    if lock is not None:
        drop_pending()
        return lock.message
    return N_("Koden stämmer inte eller har redan använts. Försök igen.")


# --------------------------------------------------------------------------- signed in


def session_limits() -> tuple[int, int]:
    """(idle, lifetime) of a session in seconds."""
    config = current_app.config
    idle = int(config.get("SESSION_IDLE_MINUTES", 60)) * 60
    lifetime = config.get("PERMANENT_SESSION_LIFETIME", 8 * 3600)
    if hasattr(lifetime, "total_seconds"):
        lifetime = lifetime.total_seconds()
    return idle, int(lifetime)


def complete_login(user) -> None:
    """Start a fresh session for ``user`` (no fixation), register it on the
    server (``domain.sessions``) and record it."""
    session.clear()
    model = type(user)
    idle, lifetime = session_limits()
    with write_tx():
        sessions.end_stale(user, idle, lifetime)
        key = sessions.start(user, client_ip(), request.user_agent.string)
        model.update(last_login_at=utcnow()).where(model.id == user.id).execute()
        throttle.clear_name(model, user.username, user)
        audit.record("auth.login", user, summary="Inloggning", actor=user)
    login_user(user)
    session.permanent = True
    session["sid"] = key
    session["auth_at"] = session["seen_at"] = int(time.time())


def relogin(user) -> None:
    """Keep this browser signed in after the user's session version changed."""
    auth_at = session.get("auth_at")
    login_user(user)
    session.permanent = True
    session["auth_at"] = auth_at or int(time.time())
    session["seen_at"] = int(time.time())


def end_session(user) -> None:
    """Log this browser out: its session row goes, so copies of the cookie
    stop too. Staff viewing the portal as a customer end that viewing and
    their own session (the one the browser holds)."""
    staff = getattr(user, "viewed_by", None)
    with allow_writes(), write_tx():
        if staff is not None:
            view_as.stop(user.view_as)
            user = staff
        sessions.end(session.get("sid"))
        pin_account = getattr(user, "pin_account", None)
        if pin_account is not None:  # kundnummer + PIN: filed under the account
            audit.record(
                "auth.pin_logout",
                pin_account,
                summary=f"Utloggning (kundnummer {pin_account.customer_number})",
                organisation=pin_account.organisation_id,
            )
        elif user.is_authenticated:
            audit.record("auth.logout", user, summary="Utloggning", actor=user)
    logout_user()
    session.clear()


def bump_session_version(user) -> None:
    """End every other session of ``user``; inside ``write_tx``.

    Deletes the user's session rows but this browser's (when it is the
    user's own) and bumps the version, which also ends a pending sign-in.
    """
    model = type(user)
    model.update(session_version=model.session_version + 1).where(model.id == user.id).execute()
    user.session_version = model.get_by_id(user.id).session_version
    own = (
        current_user.is_authenticated
        and current_user.is_staff == user.is_staff
        and current_user.id == user.id
    )
    sessions.end_all(user, keep=session.get("sid") if own else None)


def session_expired() -> str | None:
    """Why the signed-in session must end now (idle or too old), else None."""
    now = int(time.time())
    idle, lifetime = session_limits()
    if "seen_at" not in session:  # signed in before these limits existed
        session["auth_at"] = session["seen_at"] = now
        return None
    auth_at = session.get("auth_at", 0)
    if now - session.get("seen_at", 0) > idle:
        return N_("Du har loggats ut efter en tids inaktivitet. Logga in igen.")
    if now - auth_at > lifetime:
        return N_("Din session har gått ut. Logga in igen.")
    if now - session.get("seen_at", 0) > 60:
        session["seen_at"] = now
        with allow_writes(), write_tx():  # "Inloggade enheter" shows when each was last used
            sessions.seen(session.get("sid"))
    return None
