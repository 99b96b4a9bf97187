"""Service actions over the API (issue 19, third part): Ändra tjänst (price
plan / data package), Vidarekopplingar and Ersätt SIM-kort through the same
domain code as the portal's dialogs — the same orders, the portal's
permissions, 422s naming the body's fields, idempotent POSTs."""

from __future__ import annotations

import datetime as dt
import itertools

from domain import service_actions as sa
from models import CallForwarding, Order, Product, Service, User
from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN, OTHER_ORG_ADMIN
from tests.services_fixtures import demo_service, icc, last_order, payload

_keys = itertools.count()


def post(client, secret, service, action, body, key=None):
    headers = auth(secret, **{"Idempotency-Key": key or f"sa-{next(_keys)}"})
    return client.post(f"/api/v1/services/{service.id}/{action}", json=body, headers=headers)


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def orders_of(service) -> int:
    return Order.select().where(Order.service == service.id).count()


def other_org_service() -> Service:
    org = User.get(User.username == OTHER_ORG_ADMIN).organisation_id
    return (
        Service.select()
        .where((Service.organisation == org) & (Service.kind == "mobile"))
        .order_by(Service.id)
        .first()
    )


# ----------------------------------------------------------------- Ändra tjänst


def test_change_orders_the_same_change_as_the_portal_once(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    line = sa.current_data_line(service)
    target = "DATA-15" if line.product.code != "DATA-15" else "DATA-10"
    desired = dt.date.today() + dt.timedelta(days=3)
    body = {"price_plan": "PL-FAST", "data_package": target, "desired_date": desired.isoformat()}
    before = orders_of(service)
    first = post(client, secret, service, "change", body, key="chg-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    again = post(client, secret, service, "change", body, key="chg-1")
    assert again.get_json() == first.get_json()
    assert orders_of(service) == before + 1
    order = last_order(service)
    assert order.id == first.get_json()["id"] and order.type == "change"
    assert payload(order)["op"] == "change_service" and order.desired_date == desired
    assert [x.name for x in order.lines] == ["Fastpris", Product.get(Product.code == target).name]
    assert sa.current_data_line(service).product.code == line.product.code  # not yet


def test_change_refusals_name_the_field(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = demo_service("mobile")
    before = orders_of(service)
    today = dt.date.today()
    cases = [
        ({"data_package": "DATA-99", "desired_date": today.isoformat()}, "data_package"),
        ({"price_plan": "MOB-FAST", "desired_date": today.isoformat()}, "price_plan"),
        (
            {"price_plan": "PL-UTLAND", "desired_date": (today - dt.timedelta(1)).isoformat()},
            "desired_date",
        ),
        ({"price_plan": "PL-UTLAND", "desired_date": "idag"}, "desired_date"),
        ({"price_plan": "PL-UTLAND"}, "desired_date"),
        ({"price_plan": "PL-UTLAND", "desired_date": today.isoformat(), "x": 1}, "x"),
    ]
    for body, field in cases:
        errors = problem(post(client, secret, service, "change", body), 422)["errors"]
        assert errors[0]["name"] == field, (body, errors)
    assert orders_of(service) == before


def test_change_needs_orders_create_and_the_tokens_scope(demo_app):
    client = demo_app.test_client()
    service = demo_service("mobile")
    body = {"price_plan": "PL-UTLAND", "desired_date": dt.date.today().isoformat()}
    secret, _ = make_token(ADMIN, ["services.view", "services.addons"])
    assert "orders.create" in problem(post(client, secret, service, "change", body), 403)["detail"]
    full, _ = make_token(ADMIN)
    problem(post(client, full, other_org_service(), "change", body), 404)
    assert last_order(service) is None or last_order(service).type != "change"


# ----------------------------------------------------------------- Vidarekopplingar


def test_forwardings_set_and_clear_as_in_the_portal(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = demo_service("mobile")
    body = {
        "busy_target": "+46 70-123 45 67",
        "no_answer_target": "0906953200",
        "no_answer_seconds": 20,
    }
    response = post(client, secret, service, "forwardings", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    rows = {f.kind: f for f in CallForwarding.select().where(CallForwarding.service == service.id)}
    assert set(rows) == {"busy", "no_answer"}
    assert rows["busy"].target == "0701234567" and rows["no_answer"].ring_seconds == 20
    order = last_order(service)
    assert order.type == "forwarding" and payload(order)["op"] == "forwarding"
    cleared = post(client, secret, service, "forwardings", {})
    assert cleared.status_code == 201
    assert not CallForwarding.select().where(CallForwarding.service == service.id).exists()
    # nothing to change: refused as a whole
    assert (
        "Inga ändringar" in problem(post(client, secret, service, "forwardings", {}), 409)["detail"]
    )


def test_forwardings_refusals(demo_app):
    client = demo_app.test_client()
    service = demo_service("mobile")
    secret, _ = make_token(ADMIN)
    before = orders_of(service)
    for body, field in [
        ({"direct_target": "hej"}, "direct_target"),
        ({"direct_target": service.number}, "direct_target"),
        ({"no_answer_target": "0701234567", "no_answer_seconds": 2}, "no_answer_seconds"),
        ({"no_answer_target": "0701234567"}, "no_answer_seconds"),
    ]:
        errors = problem(post(client, secret, service, "forwardings", body), 422)["errors"]
        assert errors[0]["name"] == field, (body, errors)
    assert orders_of(service) == before
    limited, _ = make_token(ADMIN, ["services.view"])
    body = {"direct_target": "0701234567"}
    assert (
        "services.addons"
        in problem(post(client, limited, service, "forwardings", body), 403)["detail"]
    )
    problem(post(client, secret, other_org_service(), "forwardings", body), 404)
    assert orders_of(service) == before


# ----------------------------------------------------------------- Ersätt SIM-kort


def test_sim_swap_customer_placed_card_as_in_the_portal(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = demo_service("mobile")
    new_icc = icc("894601998")
    body = {"method": "customer", "msisdn": service.number, "icc": new_icc}
    response = post(client, secret, service, "sim", body, key="sim-1")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert post(client, secret, service, "sim", body, key="sim-1").get_json() == response.get_json()
    assert sa.active_sim(service).icc == new_icc
    order = last_order(service)
    assert order.type == "sim_swap" and payload(order)["op"] == "sim_customer"


def test_sim_swap_sent_esim_and_refusals(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = demo_service("mobile")
    before = orders_of(service)
    for body, field in [
        ({"method": "send", "sim_type": "esim", "email": "nej"}, "email"),
        ({"method": "send", "sim_type": "physical", "delivery_name": "A"}, "delivery_street"),
        ({"method": "send"}, "sim_type"),
        ({"method": "customer", "msisdn": "0701111111", "icc": icc()}, "msisdn"),
        ({"method": "customer", "msisdn": service.number, "icc": "89460100"}, "icc"),
        ({"method": "post"}, "method"),
    ]:
        errors = problem(post(client, secret, service, "sim", body), 422)["errors"]
        assert errors[0]["name"] == field, (body, errors)
    assert orders_of(service) == before
    sent = post(
        client, secret, service, "sim", {"method": "send", "sim_type": "esim", "email": "a@b.se"}
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    assert payload(last_order(service))["op"] == "sim_send"


def test_sim_swap_permissions_and_scope(demo_app):
    client = demo_app.test_client()
    service = demo_service("mobile")
    before = orders_of(service)
    body = {"method": "send", "sim_type": "esim", "email": "a@b.se"}
    no_hw, _ = make_token(ADMIN, ["services.view", "services.allocate_sim"])
    assert "services.hardware" in problem(post(client, no_hw, service, "sim", body), 403)["detail"]
    customer = {"method": "customer", "msisdn": service.number, "icc": icc("894601997")}
    no_alloc, _ = make_token(ADMIN, ["services.view", "services.hardware"])
    assert (
        "services.allocate_sim"
        in problem(post(client, no_alloc, service, "sim", customer), 403)["detail"]
    )
    full, _ = make_token(ADMIN)
    problem(post(client, full, other_org_service(), "sim", body), 404)
    assert orders_of(service) == before


# ----------------------------------------------------------------- account address


def test_account_address_is_edited_with_if_match_as_in_the_portal(demo_app):
    from models import Account, AuditLog

    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["accounts.view", "accounts.edit"])
    org = User.get(User.username == ADMIN).organisation_id
    account = Account.get((Account.organisation == org) & Account.parent.is_null())
    path = f"/api/v1/accounts/{account.id}"
    etag = client.get(path, headers=auth(secret)).headers["ETag"]
    bad = client.patch(
        path,
        json={"address": {"street": "Storgatan 1", "postcode": "9030", "city": "Umeå"}},
        headers=auth(secret, **{"If-Match": etag}),
    )
    errors = problem(bad, 422)["errors"]
    assert "postcode" in errors[0]["name"] and "fem siffror" in errors[0]["detail"]
    missing = client.patch(
        path,
        json={"address": {"street": "Storgatan 1"}},
        headers=auth(secret, **{"If-Match": etag}),
    )
    names = sorted(e["name"] for e in problem(missing, 422)["errors"])
    assert len(names) == 2 and "city" in names[0] and "postcode" in names[1], names
    assert Account.get_by_id(account.id).street == account.street
    done = client.patch(
        path,
        json={"address": {"street": " Storgatan 1 ", "postcode": "90304", "city": "Umeå"}},
        headers=auth(secret, **{"If-Match": etag}),
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["address"] == {
        "care_of": "",
        "street": "Storgatan 1",
        "postcode": "90304",
        "city": "Umeå",
    }
    fresh = Account.get_by_id(account.id)
    assert (fresh.street, fresh.postcode, fresh.city) == ("Storgatan 1", "90304", "Umeå")
    assert (
        AuditLog.select()
        .where((AuditLog.object_id == str(account.id)) & (AuditLog.action == "account.address"))
        .exists()
    )
    stale = client.patch(
        path,
        json={"address": {"street": "X 2", "postcode": "90304", "city": "Umeå"}},
        headers=auth(secret, **{"If-Match": etag}),
    )
    problem(stale, 412)


# ----------------------------------------------------------------- ticket attachments

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_ticket_attachments_on_create_and_reply(demo_app):
    from domain import attachments as files
    from models import Ticket, TicketAttachment

    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    body = {
        "subject": "Med bilaga",
        "body": "Se bifogad skärmbild.",
        "attachments": [{"filename": "skärm.png", "content_base64": b64(PNG)}],
    }
    created = client.post(
        "/api/v1/tickets", json=body, headers=auth(secret, **{"Idempotency-Key": "att-1"})
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    ticket = Ticket.get_by_id(created.get_json()["id"])
    stored = list(TicketAttachment.select().where(TicketAttachment.ticket == ticket.id))
    assert [(a.filename, a.content_type, a.size) for a in stored] == [
        ("skärm.png", "image/png", len(PNG))
    ]
    assert files.read_verified(stored[0].storage_name, stored[0].sha256) == PNG
    assert stored[0].message_id is not None
    reply = client.post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={
            "body": "Logg",
            "attachments": [{"filename": "logg.txt", "content_base64": b64(b"rad 1\nrad 2\n")}],
        },
        headers=auth(secret, **{"Idempotency-Key": "att-2"}),
    )
    assert reply.status_code == 201, reply.get_data(as_text=True)
    names = [
        a.filename
        for a in TicketAttachment.select()
        .where(TicketAttachment.ticket == ticket.id)
        .order_by(TicketAttachment.id)
    ]
    assert names == ["skärm.png", "logg.txt"]


def test_ticket_attachments_refused_by_the_portals_rules(demo_app, monkeypatch):
    from models import Ticket, TicketAttachment

    monkeypatch.setitem(demo_app.config, "ATTACHMENT_MAX_MB", 0.001)  # about 1 kB
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    tickets, attached = Ticket.select().count(), TicketAttachment.select().count()
    for i, (item, words) in enumerate(
        [
            ({"filename": "faktura.pdf", "content_base64": b64(b"<html>hej</html>")}, "Innehållet"),
            ({"filename": "bild.png", "content_base64": b64(b"%PDF-1.4 x")}, "stämmer inte"),
            ({"filename": "prog.exe", "content_base64": b64(b"MZ...")}, "Filtypen"),
            ({"filename": "stor.txt", "content_base64": b64(b"a" * 5000)}, "för stor"),
            ({"filename": "x.txt", "content_base64": "@@inte base64@@"}, "base64"),
        ]
    ):
        response = client.post(
            "/api/v1/tickets",
            json={"subject": "S", "body": "B", "attachments": [item]},
            headers=auth(secret, **{"Idempotency-Key": f"att-bad-{i}"}),
        )
        error = problem(response, 422)["errors"][0]
        assert error["name"] == "attachments/0/content_base64" and words in error["detail"], error
    too_many = [{"filename": f"{n}.txt", "content_base64": b64(b"x")} for n in range(11)]
    response = client.post(
        "/api/v1/tickets",
        json={"subject": "S", "body": "B", "attachments": too_many},
        headers=auth(secret, **{"Idempotency-Key": "att-many"}),
    )
    assert "attachments" in problem(response, 422)["errors"][0]["name"]
    assert (Ticket.select().count(), TicketAttachment.select().count()) == (tickets, attached)
