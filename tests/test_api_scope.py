"""The API's scope matrix (issue 19): tokens of two organisations and a
token limited to a sub-tree, against every object endpoint and every list —
an object outside the token's scope is 404, exactly as in the portal, and
never appears in a list."""

from __future__ import annotations

import itertools

from models import Account, Invoice, Order, Service, Ticket, User
from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN, OTHER_ORG_ADMIN
from web.api.operations import OPERATIONS

MODELS = {
    "account_id": Account,
    "service_id": Service,
    "invoice_id": Invoice,
    "order_id": Order,
    "ticket_id": Ticket,
}
BODIES = {
    "api.account_edit": {"alias": "Utanför"},
    "api.service_bar": {"kind": "roaming"},
    "api.service_unbar": {"kind": "roaming"},
    "api.ticket_reply": {"body": "Hej"},
    "api.service_change": {"price_plan": "X", "desired_date": "2030-01-01"},
    "api.service_forwardings": {"direct_target": "0701234567"},
    "api.service_sim": {"method": "send", "sim_type": "esim", "email": "a@example.se"},
}
_keys = itertools.count()


def objects(org: int, inside: Account | None = None, outside_of: Account | None = None) -> dict:
    """One object of each kind of ``org``: within ``inside``'s sub-tree, or
    outside ``outside_of``'s."""
    found = {}
    for name, model in MODELS.items():
        if model is Account:
            query = Account.select().where(Account.organisation == org)
        else:
            query = (
                model.select(model)
                .join(Account, on=(model.account == Account.id))
                .where(model.organisation == org)
            )
        if model is Service:
            query = query.where(Service.hidden == False)  # noqa: E712
        if model is Order:
            query = query.where(Order.status != "draft")
        if model is Ticket:
            query = query.where(Ticket.status != "draft")
        if inside is not None:
            query = query.where(Account.path.startswith(inside.path))
        if outside_of is not None:
            query = query.where(~Account.path.startswith(outside_of.path))
        row = query.order_by(model.id).first()
        assert row is not None, (name, org)
        found[name] = row.id
    return found


def call(client, op, secret, ids: dict):
    path = "/api/v1" + op.rule
    for name in MODELS:
        path = path.replace(f"<int:{name}>", str(ids[name]))
    headers = auth(secret, **{"Idempotency-Key": f"scope-{next(_keys)}", "If-Match": "*"})
    return client.open(path, method=op.method, json=BODIES.get(op.endpoint), headers=headers)


def sub_account(org: int) -> Account:
    """A sub-account of ``org`` with services, invoices, orders and tickets
    below it, and others outside it."""
    for account in Account.select().where(
        (Account.organisation == org) & Account.parent.is_null(False)
    ):
        try:
            objects(org, inside=account)
            objects(org, outside_of=account)
        except AssertionError:
            continue
        return account
    raise AssertionError("no sub-account with objects inside and outside")


def test_every_object_endpoint_answers_404_outside_the_tokens_scope(demo_app):
    client = demo_app.test_client()
    org_a = User.get(User.username == ADMIN).organisation_id
    org_b = User.get(User.username == OTHER_ORG_ADMIN).organisation_id
    a_secret, _ = make_token(ADMIN)
    b_secret, _ = make_token(OTHER_ORG_ADMIN)
    sub = sub_account(org_a)
    sub_secret, _ = make_token(ADMIN, account=sub)
    cases = [
        ("org A token, org B objects", a_secret, objects(org_b)),
        ("org B token, org A objects", b_secret, objects(org_a)),
        ("sub-tree token, org A objects outside it", sub_secret, objects(org_a, outside_of=sub)),
    ]
    object_ops = [op for op in OPERATIONS if "<int:" in op.rule]
    assert len(object_ops) >= 10
    leaks, walked = [], 0
    for label, secret, ids in cases:
        for op in object_ops:
            walked += 1
            response = call(client, op, secret, ids)
            if response.status_code != 404 or response.mimetype != "application/problem+json":
                leaks.append((label, op.method, op.rule, response.status_code))
    assert walked == 3 * len(object_ops)
    assert leaks == []


def test_the_same_endpoints_open_within_scope(demo_app):
    """The other side of the 404s: the sub-tree token reads its own objects."""
    client = demo_app.test_client()
    org_a = User.get(User.username == ADMIN).organisation_id
    sub = sub_account(org_a)
    secret, _ = make_token(ADMIN, account=sub)
    ids = objects(org_a, inside=sub)
    for op in OPERATIONS:
        if "<int:" in op.rule and op.method == "GET":
            response = call(client, op, secret, ids)
            assert response.status_code == 200, (op.rule, response.get_data(as_text=True))


def test_lists_hold_nothing_outside_the_tokens_scope(demo_app):
    client = demo_app.test_client()
    org_a = User.get(User.username == ADMIN).organisation_id
    sub = sub_account(org_a)
    below = {a.id for a in Account.select().where(Account.path.startswith(sub.path))}
    sub_secret, _ = make_token(ADMIN, account=sub)
    b_secret, _ = make_token(OTHER_ORG_ADMIN)
    a_ids = {
        "accounts": {a.id for a in Account.select().where(Account.organisation == org_a)},
        "services": {s.id for s in Service.select().where(Service.organisation == org_a)},
        "invoices": {i.id for i in Invoice.select().where(Invoice.organisation == org_a)},
        "orders": {o.id for o in Order.select().where(Order.organisation == org_a)},
    }
    for name in ("accounts", "services", "invoices", "orders"):
        path = f"/api/v1/{name}?limit=200"
        b_items = client.get(path, headers=auth(b_secret)).get_json()["items"]
        assert b_items and not {i["id"] for i in b_items} & a_ids[name], name
        sub_items = client.get(path, headers=auth(sub_secret)).get_json()["items"]
        assert sub_items, name
        for item in sub_items:
            account = item.get("account", {}).get("id") if "account" in item else None
            account = account or item.get("account_id") or item["id"]
            assert account in below, (name, item["id"])
    tree = client.get("/api/v1/accounts/tree", headers=auth(sub_secret)).get_json()["items"]
    assert {n["id"] for n in tree} == below and tree[0]["id"] == sub.id
    calls = client.get("/api/v1/call-records?limit=200", headers=auth(sub_secret)).get_json()
    assert all(c["account_id"] in below for c in calls["items"])
