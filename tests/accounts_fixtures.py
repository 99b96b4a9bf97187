"""Helpers for the account and search tests (on the demo data)."""

from __future__ import annotations

import json

HTMX = {"HX-Request": "true"}

# Demo accounts by kundnummer (seed/demo.py).
TOP = "99012615"  # A3 Demo Connect, alias M2M
SUB1 = "99500852"  # underkonto 1: konto@a3demo.se's scope
SUB11 = "23080667"
SUB12 = "23080670"
SUB2 = "23080671"
LA = "23081096"
STHLM = "23085441"  # inactive, alias Stockholmskontoret
NORRBYGG = "99013377"  # the other organisation


def account(number: str):
    from models import Account

    return Account.get(Account.customer_number == number)


def grant(username: str, *permissions: str) -> None:
    """Give a demo user more permissions (tests only)."""
    from database import write_tx
    from models import User
    from permissions import format_permissions

    user = User.get(User.username == username)
    with write_tx():
        User.update(permissions=format_permissions(user.permission_set | set(permissions))).where(
            User.id == user.id
        ).execute()


def revoke(username: str, *permissions: str) -> None:
    from database import write_tx
    from models import User
    from permissions import format_permissions

    user = User.get(User.username == username)
    with write_tx():
        User.update(
            role=None, permissions=format_permissions(user.permission_set - set(permissions))
        ).where(User.id == user.id).execute()


def row(model, object_id: int) -> dict:
    """Every column of one row, to compare before and after a request."""
    return model.select().where(model.id == object_id).dicts().get()


def audit_count() -> int:
    from models import AuditLog

    return AuditLog.select().count()


def last_audit():
    from models import AuditLog

    return AuditLog.select().order_by(AuditLog.id.desc()).get()


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def sign_in(client, username: str):
    """``login_as`` that also forgets the user Flask-Login cached on ``g``: the
    test app context outlives requests, so switching users in one test would
    otherwise keep the first one."""
    from flask import g

    from tests.conftest import login_as

    user = login_as(client, username)
    g.pop("_login_user", None)
    return user


def add_accounts(parent_number: str, count: int, prefix: str = "Filial") -> list:
    """``count`` new accounts under the demo account ``parent_number``."""
    from database import write_tx
    from domain.accounts import create_account

    parent = account(parent_number)
    with write_tx():
        return [
            create_account(parent.organisation, parent, company_name=f"{prefix} {n:03d}")
            for n in range(count)
        ]
