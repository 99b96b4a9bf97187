"""Kundnummer + PIN sign-in (SPEC AUTH-7, issue 21 item 2).

When the operator turns it on (``PIN_LOGIN_ENABLED``), one account
(kundnummer) may carry a PIN of 4–8 digits, set and removed by staff or by
the organisation's users holding ``accounts.edit`` with the account in
scope. It is hashed like a password (domain/passwords.py) and every change
is audited; setting or removing a PIN ends that account's PIN sessions.

Signing in with kundnummer + PIN gives a :class:`PinUser`: a User that is
never saved, of the account's organisation, whose scope is that one account
only (not its sub-tree) and whose permissions are the read-only
``services.view`` and ``invoices.view``. It goes through the same scope code
as every signed-in user (tables/scope.py), so it sees that account's
services, usage and invoices and nothing else; web/pinsession.py makes each
of its requests read-only.

Writes run inside ``write_tx``.
"""

from __future__ import annotations

import re

from domain import audit
from domain.passwords import hash_password, needs_rehash, verify_password
from domain.text import T_
from tables.org import Account, LoginSession, Organisation, User

PIN_MIN, PIN_MAX = 4, 8
PIN_PERMISSIONS = frozenset({"services.view", "invoices.view"})
PIN_PATTERN = re.compile(rf"^[0-9]{{{PIN_MIN},{PIN_MAX}}}$")
PIN_HINT = T_("%(min)s–%(max)s siffror.", min=PIN_MIN, max=PIN_MAX)


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be an account's PIN, else None."""
    if not PIN_PATTERN.fullmatch(pin or ""):
        return T_("PIN-koden ska bestå av %(min)s–%(max)s siffror.", min=PIN_MIN, max=PIN_MAX)
    return None


def set_pin(account: Account, pin: str, actor=None) -> None:
    """Give ``account`` a new PIN (validated by the caller with ``pin_problem``)."""
    had = account.pin_hash is not None
    account.pin_hash = hash_password(pin)
    Account.update(pin_hash=account.pin_hash).where(Account.id == account.id).execute()
    end_sessions(account)
    audit.record(
        "account.pin_changed" if had else "account.pin_set",
        account,
        summary=f"PIN-kod för kundnummer {account.customer_number} {'ändrad' if had else 'satt'}",
        organisation=account.organisation_id,
        actor=actor,
    )


def remove_pin(account: Account, actor=None) -> bool:
    """Take ``account``'s PIN away; False when it had none."""
    if account.pin_hash is None:
        return False
    account.pin_hash = None
    Account.update(pin_hash=None).where(Account.id == account.id).execute()
    end_sessions(account)
    audit.record(
        "account.pin_removed",
        account,
        summary=f"PIN-kod för kundnummer {account.customer_number} borttagen",
        organisation=account.organisation_id,
        actor=actor,
    )
    return True


def end_sessions(account: Account) -> int:
    return LoginSession.delete().where(LoginSession.pin_account == account.id).execute()


def find_account(customer_number: str) -> Account | None:
    """The open account with this kundnummer, else None (a closed one
    cannot sign in, and answers like an unknown number)."""
    number = (customer_number or "").strip()
    if not number.isdigit() or len(number) > 8:
        return None
    return (
        Account.select(Account, Organisation)
        .join(Organisation)
        .where((Account.customer_number == number) & Account.active)
        .get_or_none()
    )


def check(account: Account | None, pin: str) -> bool:
    """True when ``account`` has a PIN and ``pin`` is it (always hashes once,
    so a missing account or PIN takes as long as a wrong one)."""
    ok = verify_password(account.pin_hash if account is not None else None, pin or "")
    return bool(ok and account is not None and account.pin_hash)


def rehash_if_needed(account: Account, pin: str) -> None:
    if account.pin_hash and needs_rehash(account.pin_hash):
        Account.update(pin_hash=hash_password(pin)).where(Account.id == account.id).execute()


class _OneAccount(Account):
    """The account a PIN session sees: itself, not what lies below it."""

    class Meta:
        table_name = "account"

    without_subtree = True  # tables/tally.py counts this account's rows only

    def subtree_ids(self):
        return Account.select(Account.id).where(Account.id == self.id)

    def save(self, *args, **kwargs):
        raise RuntimeError("a PIN session's account is never saved")


class PinUser(User):
    """Who is signed in with kundnummer + PIN: no user row, a User of the
    account's organisation narrowed to that one account and read-only
    permissions (never saved)."""

    class Meta:
        table_name = "user"

    pin_account = None

    @classmethod
    def of(cls, account: Account) -> PinUser:
        principal = cls(
            id=None,
            organisation=account.organisation_id,
            username=f"kundnummer:{account.customer_number}",
            email="",
            name=f"Kundnummer {account.customer_number}",
            role=None,
            restricted=False,
            active=True,
            session_version=0,
        )
        one = _OneAccount(**account.__data__)
        one._dirty.clear()
        principal.scope_account = one
        principal.pin_account = one
        principal._dirty.clear()
        return principal

    @property
    def permission_set(self) -> frozenset[str]:
        return PIN_PERMISSIONS

    @property
    def is_admin(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has(self, permission: str) -> bool:
        return permission in PIN_PERMISSIONS

    def get_id(self) -> str:
        return f"p:{self.pin_account.id}:0"

    def save(self, *args, **kwargs):
        raise RuntimeError("a PIN session's user is never saved")
