"""Two-factor authentication (AUTH-2): TOTP apps, SMS codes, recovery codes.

* TOTP (RFC 6238, pyotp): 160-bit secrets from the CSPRNG, 6 digits, 30 s
  steps, one step of clock drift either way. pyotp accepts a code as often
  as it is shown, so ``totp_last_step`` keeps the time step of the last
  accepted code and a code of that step or earlier is refused (no replay,
  ASVS §6.5.1). The step is claimed with a conditional UPDATE, so two
  workers racing with the same code cannot both win.
* The TOTP secret is stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256)
  under ``TOTP_ENCRYPTION_KEY`` when set, else under a key derived from
  ``SECRET_KEY`` with HKDF. Both keys decrypt, so an installation can move
  to a dedicated key; losing both makes every TOTP enrolment unusable
  (users then sign in with a recovery code or get their 2FA reset).
* Recovery codes: ten per enrolment, 50 random bits each, shown once,
  stored as argon2id hashes, each consumed on use (ASVS §6.5.2).
* SMS codes go through ``domain.mail.send_sms`` (the pluggable SMS gateway)
  and are checked by ``domain.tokens``.
"""

from __future__ import annotations

import base64
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from database import utcnow
from domain import operator as operators
from domain.passwords import hash_password, verify_password
from domain.text import N_, T_, translate
from tables.org import RecoveryCode, StaffUser

INTERVAL = 30
DIGITS = 6
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


# --------------------------------------------------------------------------- secrets at rest


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"teleportal totp secret v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet() -> MultiFernet:
    config = current_app.config
    keys = []
    if config.get("TOTP_ENCRYPTION_KEY"):
        keys.append(Fernet(config["TOTP_ENCRYPTION_KEY"]))
    keys.append(Fernet(_derived_key(config["SECRET_KEY"])))
    return MultiFernet(keys)


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


# --------------------------------------------------------------------------- TOTP


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters = 160 bits


def provisioning_uri(secret: str, account_name: str) -> str:
    issuer = operators.current().name or "Teleportal"
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account_name, issuer_name=issuer
    )


QR_TITLE = N_("QR-kod för appen")


def qr_svg(uri: str, title: str = QR_TITLE) -> str:
    """The QR code of ``uri`` as inline SVG (no scripts, no style attributes);
    ``title`` its tooltip, translated by the caller."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="qr", border=3
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // INTERVAL)


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (now ±1) whose code is ``code``, or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != DIGITS:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now = current_step(at)
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(user, code: str, at: float | None = None) -> bool:
    """Accept ``code`` once: its step must be later than the last accepted one.

    Call inside ``write_tx``; on success the user's ``totp_last_step`` moves on.
    """
    if not user.totp_enabled:
        return False
    secret = decrypt(user.totp_secret_enc)
    step = matching_step(secret, code, at) if secret else None
    if step is None or step <= user.totp_last_step:
        return False
    model = type(user)
    claimed = (
        model.update(totp_last_step=step)
        .where((model.id == user.id) & (model.totp_last_step < step))
        .execute()
    )
    if claimed:
        user.totp_last_step = step
    return bool(claimed)


def enable_totp(user, secret: str, step: int) -> None:
    """Store a confirmed secret (encrypted); ``step`` is the confirming code's."""
    model = type(user)
    model.update(totp_secret_enc=encrypt(secret), totp_enabled=True, totp_last_step=step).where(
        model.id == user.id
    ).execute()
    user.totp_secret_enc, user.totp_enabled, user.totp_last_step = encrypt(secret), True, step


def disable_totp(user) -> None:
    model = type(user)
    model.update(totp_secret_enc=None, totp_enabled=False).where(model.id == user.id).execute()
    user.totp_secret_enc, user.totp_enabled = None, False


# --------------------------------------------------------------------------- SMS


def sms_available(user) -> bool:
    return not isinstance(user, StaffUser) and bool(getattr(user, "mobile", ""))


def sms_enabled(user) -> bool:
    return bool(getattr(user, "sms_2fa_enabled", False))


def set_sms(user, enabled: bool) -> None:
    type(user).update(sms_2fa_enabled=enabled).where(type(user).id == user.id).execute()
    user.sms_2fa_enabled = enabled


def send_sms_code(user, kind: str):
    """Issue a code and queue the SMS; returns the token row. Inside ``write_tx``."""
    from domain import tokens
    from domain.mail import send_sms

    row, code = tokens.issue_code(user, kind)
    operator = operators.current().name or "Teleportal"
    text = T_(
        "%(code)s är din inloggningskod till %(operator)s. Koden gäller i 10 minuter. "
        "Dela den inte med någon.",
        code=code,
        operator=operator,
    )
    send_sms(
        user.mobile,
        translate(text, getattr(user, "language", None)),
        organisation=getattr(user, "organisation_id", None),
    )
    return row


def masked_mobile(number: str) -> str:
    return f"{'•' * max(0, len(number) - 2)}{number[-2:]}" if number else ""


# --------------------------------------------------------------------------- status


def has_2fa(user) -> bool:
    return bool(user.totp_enabled or sms_enabled(user))


def required_for(user) -> bool:
    """Whether ``user`` must use 2FA: the organisation's setting; for staff,
    their own (on by default for staff invited in the back office) or the
    configuration's STAFF_REQUIRE_2FA for all."""
    if isinstance(user, StaffUser):
        return bool(user.require_2fa or current_app.config.get("STAFF_REQUIRE_2FA"))
    return bool(user.organisation.profile().require_2fa)


def methods_label(user) -> str:
    methods = []
    if user.totp_enabled:
        methods.append(N_("App"))
    if sms_enabled(user):
        methods.append("SMS")
    return " + ".join(methods) if methods else N_("Nej")


def reset(user) -> None:
    """Remove every second factor (admin reset, or the user turning 2FA off)."""
    disable_totp(user)
    if sms_enabled(user):
        set_sms(user, False)
    _recovery_owner(user).execute()


# --------------------------------------------------------------------------- recovery codes


def _recovery_owner(user):
    if isinstance(user, StaffUser):
        return RecoveryCode.delete().where(RecoveryCode.staff == user.id)
    return RecoveryCode.delete().where(RecoveryCode.user == user.id)


def _recovery_rows(user):
    field = RecoveryCode.staff if isinstance(user, StaffUser) else RecoveryCode.user
    return RecoveryCode.select().where((field == user.id) & RecoveryCode.used_at.is_null())


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch in RECOVERY_ALPHABET)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once)."""
    _recovery_owner(user).execute()
    codes = []
    owner = {"staff": user.id} if isinstance(user, StaffUser) else {"user": user.id}
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        RecoveryCode.create(code_hash=hash_password(raw), **owner)
    return codes


def remaining_recovery_codes(user) -> int:
    return _recovery_rows(user).count()


def use_recovery_code(user, code: str) -> bool:
    """Consume a matching unused recovery code; inside ``write_tx``."""
    raw = _normalise_code(code)
    if len(raw) != 10:
        return False
    for row in _recovery_rows(user):
        if verify_password(row.code_hash, raw):
            return bool(
                RecoveryCode.update(used_at=utcnow())
                .where((RecoveryCode.id == row.id) & RecoveryCode.used_at.is_null())
                .execute()
            )
    return False
