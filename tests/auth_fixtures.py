"""Helpers for the sign-in, users and profile tests."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import g

from database import write_tx
from domain import twofactor
from models import AuditLog, OutboxMessage, User
from tests.conftest import DEMO_PASSWORD, CsrfClient


@pytest.fixture(autouse=True)
def fresh_login_cache(monkeypatch):
    """The test app context stays pushed for the whole test, so ``g`` (where
    Flask-Login caches the signed-in user) would outlive a request and leak
    from one test client to the next; forget it before each request, as a
    real server does. Autouse in every module that imports it."""
    original = CsrfClient.open

    def open_fresh(self, *args, **kwargs):
        g.pop("_login_user", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CsrfClient, "open", open_fresh)


def post_login(client, username, password=DEMO_PASSWORD, staff=False, **kwargs):
    path = "/staff/login" if staff else "/login"
    return client.post(path, data={"username": username, "password": password}, **kwargs)


def signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def enable_totp(user, secret=None) -> str:
    """Give ``user`` an enrolled authenticator app; returns the secret."""
    secret = secret or pyotp.random_base32()
    with write_tx():
        twofactor.enable_totp(user, secret, twofactor.current_step() - 5)
        twofactor.new_recovery_codes(user)
    return secret


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def current_code(secret: str) -> str:
    return code_at(secret, int(time.time()) // 30)


def last_mail(recipient: str | None = None) -> OutboxMessage:
    query = OutboxMessage.select().where(OutboxMessage.channel == "email")
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    return query.order_by(OutboxMessage.id.desc()).get()


def last_sms() -> OutboxMessage:
    return (
        OutboxMessage.select()
        .where(OutboxMessage.channel == "sms")
        .order_by(OutboxMessage.id.desc())
        .get()
    )


def link_in(text: str, kind: str) -> str:
    """The path of the invite/reset link in a mail body."""
    match = re.search(rf"https?://[^/\s]+(/(?:staff/)?{kind}/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def actions() -> list[str]:
    return [row.action for row in AuditLog.select().order_by(AuditLog.id)]


def reload(user):
    return type(user).get_by_id(user.id)


def user_by_name(username: str) -> User:
    return User.get(User.username == username)


_numbers = iter(range(1, 10_000))


def add_user(org, account, permissions=(), superuser=False, password=DEMO_PASSWORD, **fields):
    """A user in the current database (conftest's ``make_user`` opens an empty one)."""
    from domain.passwords import hash_password
    from models import Contact, Role
    from permissions import format_permissions

    n = next(_numbers)
    username = fields.pop("username", f"kollega{n}@a3demo.se")
    with write_tx():
        role = Role.get(Role.is_superuser == True) if superuser else None  # noqa: E712
        contact = Contact.create(
            organisation=org, account=account, name=f"Kollega {n}", email=username
        )
        return User.create(
            organisation=org,
            contact=contact,
            scope_account=account,
            role=role,
            username=username,
            email=username,
            name=fields.pop("name", f"Kollega {n}"),
            password_hash=hash_password(password),
            permissions=format_permissions(permissions),
            **fields,
        )
