"""Password hashing with argon2id (argon2-cffi) and the password rules.

Hashing (OWASP ASVS 5.0 §6.2, OWASP Password Storage Cheat Sheet): argon2id
with 64 MiB memory, 3 passes, parallelism 2 — above OWASP's minimum
(19 MiB, 2 passes). Hashes made with older, weaker parameters are upgraded
at the next successful sign-in (``needs_rehash``).

Rules (ASVS §6.2.1, 6.2.4, 6.2.5, 6.2.9, 6.2.11): at least 8 characters,
up to 128 (more than the 64 ASVS asks for; longer input is refused rather
than truncated), not on the list of the 20,000 most common passwords (plus
a Swedish supplement, ``domain/data``), not the user's own user name,
e-mail or name. No composition rules (upper/lower/digit) and no expiry.
"""

from __future__ import annotations

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.text import N_, T_

MIN_LENGTH = 8
MAX_LENGTH = 128

DATA = Path(__file__).resolve().parent / "data"

# argon2id, 64 MiB, 3 passes: above OWASP's minimum (19 MiB, 2 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


def configure(time_cost: int, memory_kib: int) -> None:
    """Cheaper hashing for the test suite only (see tests/conftest.py)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one hash."""
    if not password_hash:
        _hasher.hash(password)  # same time whether or not the user exists
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    words: set[str] = set()
    for name in ("common-passwords.txt", "common-passwords-sv.txt"):
        with open(DATA / name, encoding="utf-8") as fh:
            words.update(line.strip().lower() for line in fh if line.strip())
    return frozenset(words)


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def password_problems(password: str, *, username: str = "", email: str = "", name: str = ""):
    """What is wrong with ``password``, as messages for the form (empty: fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(T_("Lösenordet måste ha minst %(count)s tecken.", count=MIN_LENGTH))
    elif len(password) > MAX_LENGTH:
        problems.append(T_("Lösenordet får ha högst %(count)s tecken.", count=MAX_LENGTH))
    elif is_common(password):
        problems.append(
            N_("Lösenordet är ett av de vanligaste lösenorden och lätt att gissa. Välj ett annat.")
        )
    else:
        lowered = password.lower()
        own = {v.strip().lower() for v in (username, email, name, email.split("@")[0]) if v}
        if any(len(v) >= 4 and v in lowered for v in own):
            problems.append(
                N_(
                    "Lösenordet får inte innehålla ditt användarnamn, din e-postadress eller "
                    "ditt namn."
                )
            )
    return problems


PASSWORD_HINT = T_(
    "Minst %(count)s tecken. Ett långt lösenord eller en lösenfras är säkrast; "
    "vanliga lösenord och ditt eget namn godtas inte.",
    count=MIN_LENGTH,
)
