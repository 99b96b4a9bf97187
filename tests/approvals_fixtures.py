"""Fixtures for the approval chain tests (ORD-4): an organisation with an
Administratör who orders, approvers, a Superuser, and orders built directly
(status draft, version 0) since the wizard is built elsewhere."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

APPROVE = {"orders.approve", "orders.manage", "orders.create"}
_numbers = itertools.count(7_100_000)


@pytest.fixture
def make_order(app):
    from database import write_tx
    from models import Order

    def factory(org, creator, area="mobile", **fields):
        with write_tx():
            return Order.create(
                organisation=org,
                account=fields.pop("account", None) or org.top_account(),
                number=next(_numbers),
                status="draft",
                version=0,
                product_area=area,
                created_by=creator,
                **fields,
            )

    return factory


@pytest.fixture
def people(make_org, make_user):
    """One organisation: a Superuser, three approvers (Administratörer with
    orders.approve), a creator who may only order, and another organisation's
    Superuser and approver."""
    org = make_org(name="Attest AB")
    other = make_org(name="Annan AB")
    return SimpleNamespace(
        org=org,
        other=other,
        superuser=make_user(org, superuser=True, name="Stina Super"),
        a=make_user(org, permissions=APPROVE, name="Anna Attest"),
        b=make_user(org, permissions=APPROVE, name="Bertil Attest"),
        c=make_user(org, permissions=APPROVE, name="Cecilia Attest"),
        creator=make_user(org, permissions={"orders.create"}, name="Olle Beställare"),
        other_super=make_user(other, superuser=True, name="Annan Super"),
        other_approver=make_user(other, permissions=APPROVE, name="Annan Attest"),
    )


def set_chain(org, area, *users):
    """Put ``users`` in ``area``'s chain directly (the rules are tested elsewhere)."""
    from database import write_tx
    from models import ApproverChainEntry

    with write_tx():
        ApproverChainEntry.delete().where(
            (ApproverChainEntry.organisation == org.id) & (ApproverChainEntry.product_area == area)
        ).execute()
        for position, user in enumerate(users, start=1):
            ApproverChainEntry.create(
                organisation=org, product_area=area, position=position, user=user
            )


def reload(model):
    return type(model).get_by_id(model.id)


def outbox_to(address):
    from tables.ops import OutboxMessage

    return list(
        OutboxMessage.select().where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    )
