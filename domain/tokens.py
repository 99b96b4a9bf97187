"""Single-use, expiring links (invitations and password resets) and SMS codes.

Only a SHA-256 hash of a link token is stored: the token itself carries 256
random bits, so a plain hash is enough (ASVS §6.4.1) and a copy of the
database opens nothing. Consuming a token marks it used in the same
write transaction that acts on it, so a link works once.

SMS codes (6 digits, ~20 bits, ASVS §6.5.4) are stored as
``<salt>$<sha256(salt:code)>`` and bound to the sign-in attempt that asked
for them by the row id kept in that session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from database import utcnow
from tables.org import AuthToken, StaffUser

INVITE = "invite"
RESET = "reset"
SMS_LOGIN = "sms_login"
SMS_ENROL = "sms_enrol"

LIFETIMES = {
    INVITE: dt.timedelta(days=7),
    RESET: dt.timedelta(hours=1),
    SMS_LOGIN: dt.timedelta(minutes=10),
    SMS_ENROL: dt.timedelta(minutes=10),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(user) -> dict:
    return {"staff": user.id} if isinstance(user, StaffUser) else {"user": user.id}


def _owner_condition(user):
    if isinstance(user, StaffUser):
        return AuthToken.staff == user.id
    return AuthToken.user == user.id


def issue_link(user, kind: str, lifetime: dt.timedelta | None = None) -> str:
    """A new link token for ``user``; earlier unused ones of the kind stop working.

    Call inside ``write_tx``. Returns the token for the e-mail; it is not stored.
    """
    now = utcnow()
    AuthToken.update(used_at=now).where(
        _owner_condition(user) & (AuthToken.kind == kind) & AuthToken.used_at.is_null()
    ).execute()
    token = secrets.token_urlsafe(32)
    AuthToken.create(
        kind=kind,
        token_hash=_hash(token),
        expires_at=now + (lifetime or LIFETIMES[kind]),
        **_owner(user),
    )
    return token


def find_link(token: str, kind: str) -> AuthToken | None:
    """The valid (unused, unexpired) token row, or None. Does not consume it."""
    if not token or len(token) > 200:
        return None
    row = AuthToken.get_or_none((AuthToken.token_hash == _hash(token)) & (AuthToken.kind == kind))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def consume(row: AuthToken) -> bool:
    """Mark ``row`` used; False when another request used it first. Inside ``write_tx``."""
    return bool(
        AuthToken.update(used_at=utcnow())
        .where((AuthToken.id == row.id) & AuthToken.used_at.is_null())
        .execute()
    )


def recent_count(user, kind: str, within: dt.timedelta) -> int:
    return (
        AuthToken.select()
        .where(
            _owner_condition(user)
            & (AuthToken.kind == kind)
            & (AuthToken.created_at >= utcnow() - within)
        )
        .count()
    )


# --------------------------------------------------------------------------- SMS codes


def _code_hash(salt: str, code: str) -> str:
    return f"{salt}${hashlib.sha256(f'{salt}:{code}'.encode()).hexdigest()}"


def issue_code(user, kind: str) -> tuple[AuthToken, str]:
    """A new 6-digit code for ``user``; earlier unused codes of the kind stop working."""
    now = utcnow()
    AuthToken.update(used_at=now).where(
        _owner_condition(user) & (AuthToken.kind == kind) & AuthToken.used_at.is_null()
    ).execute()
    code = f"{secrets.randbelow(10**6):06d}"
    row = AuthToken.create(
        kind=kind,
        token_hash=_code_hash(secrets.token_hex(8), code),
        expires_at=now + LIFETIMES[kind],
        **_owner(user),
    )
    return row, code


def check_code(token_id, user, kind: str, code: str) -> bool:
    """Whether ``code`` is the valid code of token ``token_id``; consumes it when so.

    Call inside ``write_tx``.
    """
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not token_id or len(code) != 6:
        return False
    row = AuthToken.get_or_none(
        (AuthToken.id == token_id) & (AuthToken.kind == kind) & _owner_condition(user)
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return False
    salt = row.token_hash.split("$", 1)[0]
    if not hmac.compare_digest(_code_hash(salt, code), row.token_hash):
        return False
    return consume(row)
