"""Password hashing with argon2id (argon2-cffi) and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
