"""Brute-force protection (AUTH-3): throttling and temporary lockout.

Failed sign-ins (wrong password, wrong second-factor code) are counted in
the ``LoginThrottle`` table under two keys, so the count holds across every
gunicorn worker and app server sharing the database:

* ``user:<user name>`` (``staff:<user name>`` in the back office), whether
  or not such a user exists, so the answers never tell which names exist.
  After ``LOGIN_THROTTLE_AFTER`` (3) consecutive failures each further try
  must wait 2, 4, 8 … (at most 60) seconds; after ``LOGIN_LOCK_AFTER`` (5)
  the name is locked for ``LOGIN_LOCK_MINUTES`` (15), doubling for every
  further five failures up to a day. A complete sign-in (both factors) or a
  password reset clears it.
* ``ip:<client address>``: ``LOGIN_IP_LOCK_AFTER`` (30) failures within
  ``LOGIN_IP_WINDOW_MINUTES`` (15) lock the address for
  ``LOGIN_LOCK_MINUTES`` — against one password tried on many names.

* ``ip:oidc:<client address>``: failed "Logga in med Microsoft" steps (an
  e-mail domain without a provider, a failed callback). ``OIDC_IP_LOCK_AFTER``
  (10) within ``LOGIN_IP_WINDOW_MINUTES`` lock the Microsoft sign-in from that
  address for ``LOGIN_LOCK_MINUTES`` (``record_address_failure``).

A locked key refuses without checking the password. For a user that exists,
``User.failed_logins`` and ``locked_until`` mirror the name's row, so the
Users screen can show and lift lockouts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app, has_app_context

from database import utcnow
from domain import audit
from domain.formats import stamp
from domain.text import T_
from tables.org import LoginThrottle, StaffUser

DEFAULTS = {
    "LOGIN_THROTTLE_AFTER": 3,
    "LOGIN_LOCK_AFTER": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_IP_LOCK_AFTER": 30,
    "LOGIN_IP_WINDOW_MINUTES": 15,
    "OIDC_IP_LOCK_AFTER": 10,
}
MAX_DELAY_SECONDS = 60
MAX_LOCK = dt.timedelta(days=1)


def setting(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def now() -> dt.datetime:
    """The clock (tests move it)."""
    return utcnow()


def name_key(model, username: str) -> str:
    prefix = "staff" if model is StaffUser else "user"
    return f"{prefix}:{username.strip().lower()[:200]}"


def ip_key(address: str) -> str:
    return f"ip:{address or 'unknown'}"


@dataclass
class Refusal:
    """Why a sign-in attempt is refused before the password is checked."""

    locked: bool
    seconds: int

    @property
    def message(self) -> str:
        if self.locked:
            minutes = max(1, math.ceil(self.seconds / 60))
            if minutes == 1:
                return T_(
                    "För många misslyckade inloggningar. Inloggningen är tillfälligt spärrad i "
                    "1 minut. Försök igen senare eller använd Glömt lösenordet?"
                )
            return T_(
                "För många misslyckade inloggningar. Inloggningen är tillfälligt spärrad i "
                "%(minutes)s minuter. Försök igen senare eller använd Glömt lösenordet?",
                minutes=minutes,
            )
        return T_(
            "För många misslyckade försök. Vänta %(seconds)s sekunder och försök igen.",
            seconds=self.seconds,
        )


def _delay(failures: int) -> int:
    after = setting("LOGIN_THROTTLE_AFTER")
    if failures < after:
        return 0
    return min(2 ** (failures - after + 1), MAX_DELAY_SECONDS)


def check(*keys: str) -> Refusal | None:
    """A refusal when any key is locked or must still wait; None to go ahead."""
    moment = now()
    worst: Refusal | None = None
    for row in LoginThrottle.select().where(LoginThrottle.key.in_(keys)):
        if row.locked_until and row.locked_until > moment:
            seconds = int((row.locked_until - moment).total_seconds()) + 1
            candidate = Refusal(locked=True, seconds=seconds)
        elif not row.key.startswith("ip:") and row.last_failure_at:
            wait = _delay(row.failures) - (moment - row.last_failure_at).total_seconds()
            if wait <= 0:
                continue
            candidate = Refusal(locked=False, seconds=math.ceil(wait))
        else:
            continue
        if worst is None or (candidate.locked, candidate.seconds) > (worst.locked, worst.seconds):
            worst = candidate
    return worst


def _lock_length(failures: int) -> dt.timedelta | None:
    """The lock a name gets at this failure count (every LOCK_AFTER-th failure)."""
    after = setting("LOGIN_LOCK_AFTER")
    if failures < after or failures % after:
        return None
    steps = failures // after - 1
    return min(dt.timedelta(minutes=setting("LOGIN_LOCK_MINUTES")) * 2**steps, MAX_LOCK)


def record_failure(model, username: str, address: str, user=None) -> Refusal | None:
    """Count a failure under the name and the address; inside ``write_tx``.

    Returns the refusal when this failure started a lockout.
    """
    moment = now()
    started: Refusal | None = None
    for key in (name_key(model, username), ip_key(address)):
        row = LoginThrottle.get_or_none(LoginThrottle.key == key)
        if row is None:
            row = LoginThrottle.create(key=key, failures=0, first_failure_at=moment)
        failures = row.failures + 1
        first = row.first_failure_at or moment
        lock = None
        if key.startswith("ip:"):
            window = dt.timedelta(minutes=setting("LOGIN_IP_WINDOW_MINUTES"))
            if moment - first > window:
                failures, first = 1, moment
            if failures >= setting("LOGIN_IP_LOCK_AFTER"):
                lock = dt.timedelta(minutes=setting("LOGIN_LOCK_MINUTES"))
                failures, first = 0, moment
        else:
            lock = _lock_length(failures)
        changes = {"failures": failures, "first_failure_at": first, "last_failure_at": moment}
        if lock is not None:
            changes["locked_until"] = moment + lock
            started = Refusal(locked=True, seconds=int(lock.total_seconds()))
            audit.record(
                "auth.lockout",
                user if not key.startswith("ip:") else None,
                summary=(
                    f"Inloggning spärrad till {_local(moment + lock)} efter {row.failures + 1} "
                    f"misslyckade försök ({'adress ' + address if key.startswith('ip:') else 'användarnamn ' + username.strip()[:80]})"
                ),
                organisation=getattr(user, "organisation_id", None),
                actor=user,
            )
        LoginThrottle.update(changes).where(LoginThrottle.id == row.id).execute()
        if user is not None and not key.startswith("ip:"):
            mirror = {"failed_logins": failures}
            if lock is not None:
                mirror["locked_until"] = moment + lock
            type(user).update(mirror).where(type(user).id == user.id).execute()
    return started


def oidc_key(address: str) -> str:
    """The key counting failed Microsoft sign-in steps from one address."""
    return f"ip:oidc:{address or 'unknown'}"


def record_address_failure(key: str, address: str, lock_after: str, what: str) -> Refusal | None:
    """Count one failure under an address key only (windowed like ``ip:``);
    inside ``write_tx``. ``lock_after`` names the setting with the limit.

    Returns the refusal when this failure started a lockout (audited).
    """
    moment = now()
    row = LoginThrottle.get_or_none(LoginThrottle.key == key)
    if row is None:
        row = LoginThrottle.create(key=key, failures=0, first_failure_at=moment)
    failures = row.failures + 1
    first = row.first_failure_at or moment
    if moment - first > dt.timedelta(minutes=setting("LOGIN_IP_WINDOW_MINUTES")):
        failures, first = 1, moment
    changes = {"failures": failures, "first_failure_at": first, "last_failure_at": moment}
    started = None
    if failures >= setting(lock_after):
        lock = dt.timedelta(minutes=setting("LOGIN_LOCK_MINUTES"))
        changes.update(failures=0, first_failure_at=moment, locked_until=moment + lock)
        started = Refusal(locked=True, seconds=int(lock.total_seconds()))
        audit.record(
            "auth.lockout",
            None,
            summary=(
                f"{what} spärrad till {_local(moment + lock)} efter {failures} "
                f"misslyckade försök (adress {address or 'okänd'})"
            )[:250],
        )
    LoginThrottle.update(changes).where(LoginThrottle.id == row.id).execute()
    return started


def clear_name(model, username: str, user=None) -> None:
    """Forget a name's failures (complete sign-in, reset, lifted lock); inside ``write_tx``."""
    LoginThrottle.delete().where(LoginThrottle.key == name_key(model, username)).execute()
    if user is not None:
        type(user).update(failed_logins=0, locked_until=None).where(
            type(user).id == user.id
        ).execute()


def is_locked(user) -> bool:
    return bool(user.locked_until and user.locked_until > now())


def lift(user) -> None:
    """An administrator lifts a user's lockout; inside ``write_tx`` (audited by the caller)."""
    clear_name(type(user), user.username, user)


def active_locks():
    """Rows locked right now (staff see them all)."""
    return (
        LoginThrottle.select()
        .where(LoginThrottle.locked_until > now())
        .order_by(LoginThrottle.locked_until.desc())
    )


def _local(moment: dt.datetime) -> str:
    return stamp(moment)
