"""Tokens for the API tests: made through domain/api_tokens.py as the
API-nycklar page makes them."""

from __future__ import annotations

import datetime as dt

import pytest

from database import write_tx
from domain import api_tokens
from models import User
from permissions import ALL_PERMISSIONS


def make_token(username: str, permissions=None, account=None, expires_on=None):
    """(secret, token row) of a token of ``username``; all their permissions
    by default."""
    user = User.get(User.username == username)
    wanted = permissions if permissions is not None else ALL_PERMISSIONS & user.permission_set
    with write_tx():
        row, secret = api_tokens.create(user, "Test", wanted, account, expires_on)
    return secret, row


def auth(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def token_of():
    return make_token


@pytest.fixture
def future():
    return dt.date.today() + dt.timedelta(days=30)
