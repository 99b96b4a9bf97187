"""Fixtures for the ticket tests (``pytest_plugins = ["tests.tickets_fixtures"]``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_ticket():
    """Create a ticket through domain.tickets.create_ticket (needs app or demo_app)."""
    from database import write_tx
    from domain.tickets import create_ticket

    def factory(user, account=None, status=None, **fields):
        fields.setdefault("subject", "Testärende")
        fields.setdefault("body", "Det fungerar inte.")
        fields.setdefault("category", "support")
        with write_tx():
            return create_ticket(
                organisation=user.organisation,
                account=account or user.scope_account,
                created_by=user,
                status=status,
                **fields,
            )

    return factory
