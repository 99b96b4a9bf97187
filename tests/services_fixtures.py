"""Helpers for the service tests: demo services by kind, htmx posts and a
snapshot of everything a service action could change."""

from __future__ import annotations

import itertools
import json

import pytest

from models import (
    AuditLog,
    Barring,
    CallForwarding,
    MonthlyUsage,
    Order,
    OrderEvent,
    Organisation,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
    SpendingLimit,
    TopUp,
)
from tests.conftest import ADMIN

HX = {"HX-Request": "true"}
_users = itertools.count(1)

CHANGEABLE = [
    Service,
    ServiceLine,
    SimCard,
    Barring,
    CallForwarding,
    SpendingLimit,
    ServiceAddon,
    TopUp,
    MonthlyUsage,
    Order,
    OrderEvent,
    AuditLog,
]


def snapshot() -> dict:
    """Every row of every table a service action may write."""
    return {model.__name__: list(model.select().order_by(model.id).dicts()) for model in CHANGEABLE}


def a3():
    return Organisation.get(Organisation.name == "A3 Demo Connect")


def demo_service(kind="mobile", status="active", **where) -> Service:
    query = Service.select().where(
        (Service.organisation == a3().id)
        & (Service.kind == kind)
        & (Service.status == status)
        & (Service.hidden == False)  # noqa: E712
    )
    for key, value in where.items():
        query = query.where(getattr(Service, key) == value)
    return query.order_by(Service.id).first()


def reload(service) -> Service:
    return Service.get_by_id(service.id)


def last_order(service) -> Order | None:
    return Order.select().where(Order.service == service.id).order_by(Order.id.desc()).first()


def payload(order) -> dict:
    return json.loads(order.payload)


def post(client, url: str, data: dict | None = None, htmx: bool = True):
    return client.post(url, data=data or {}, headers=HX if htmx else {})


def audit_actions(service) -> list[str]:
    return [
        a.action
        for a in AuditLog.select()
        .where((AuditLog.object_type == "Service") & (AuditLog.object_id == str(service.id)))
        .order_by(AuditLog.id)
    ]


def add_user(org, account, permissions=(), name="Test Person"):
    """A portal user of ``org`` scoped to ``account`` with ``permissions``."""
    from database import write_tx
    from models import Contact, User
    from permissions import format_permissions

    n = next(_users)
    username = f"svc{n}@example.se"
    with write_tx():
        contact = Contact.create(organisation=org, account=account, name=name, email=username)
        return User.create(
            organisation=org,
            contact=contact,
            scope_account=account,
            username=username,
            email=username,
            name=name,
            permissions=format_permissions(permissions),
        )


def icc(body: str = "89460100000000") -> str:
    """A valid ICC (19 digits, Luhn) starting with ``body``."""
    from domain.numbers import luhn_digit

    digits = (body + "0" * 18)[:18]
    return digits + luhn_digit(digits)


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


def url(service, action):
    return f"/services/{service.id}/{action}"


def assert_refused_in_dialog(response, message: str, before: dict):
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert "<html" not in text
    assert "closeDialog" not in response.headers.get("HX-Trigger", "")
    assert snapshot() == before


def assert_recorded(service, order_type: str, op: str, status: str) -> Order:
    order = last_order(service)
    assert order is not None
    assert (order.type, order.status) == (order_type, status)
    assert payload(order)["op"] == op
    assert order.created_by.username == ADMIN
    assert order.number and order.version == 0  # v0 as requested (docs/ORDERS.md)
    assert [e.to_status for e in order.events.order_by(order.events.model.id)] == (
        ["received", "completed"] if status == "completed" else ["received"]
    )
    audited = f"service.{op}" if status == "completed" else f"service.{op}.requested"
    assert audited in audit_actions(service)
    return order
