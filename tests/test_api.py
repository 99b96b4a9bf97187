"""The JSON API (issue 19): authentication, problems, bad input, paging,
reads, ETags, idempotent POSTs, the rate limit across app instances, the
OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openapi_spec_validator import validate

from database import write_tx
from domain import api_tokens
from models import (
    Account,
    ApiToken,
    AuditLog,
    Barring,
    CallRecord,
    Invoice,
    Order,
    Service,
    Ticket,
    User,
)
from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN

PROBLEM = "application/problem+json"


def admin_org() -> int:
    return User.get(User.username == ADMIN).organisation_id


def run(query):
    with write_tx():
        return query.execute()


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


# ----------------------------------------------------------------- authentication


def test_without_a_token_every_operation_answers_401(demo_app):
    from web.api.operations import OPERATIONS

    client = demo_app.test_client()
    for op in OPERATIONS:
        path = "/api/v1" + op.rule.replace("<int:", "<").replace("<", "").replace(">", "")
        for name in ("account_id", "service_id", "invoice_id", "order_id", "ticket_id"):
            path = path.replace(name, "1")
        response = client.open(path, method=op.method, json={})
        body = is_problem(response, 401)
        assert "Bearer" in body["detail"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_expired_and_revoked_tokens_answer_401(demo_app):
    client = demo_app.test_client()
    secret, row = make_token(ADMIN, ["accounts.view"])
    assert client.get("/api/v1/accounts", headers=auth(secret)).status_code == 200
    assert (
        "not valid"
        in is_problem(client.get("/api/v1/accounts", headers=auth(secret[:-2] + "xx")), 401)[
            "detail"
        ]
    )
    assert is_problem(client.get("/api/v1/accounts", headers=auth("nonsense")), 401)
    run(ApiToken.update(expires_at=dt.datetime(2020, 1, 1)).where(ApiToken.id == row.id))
    assert (
        "expired" in is_problem(client.get("/api/v1/accounts", headers=auth(secret)), 401)["detail"]
    )
    run(ApiToken.update(expires_at=None).where(ApiToken.id == row.id))
    with write_tx():
        api_tokens.revoke(ApiToken.get_by_id(row.id))
    assert (
        "revoked" in is_problem(client.get("/api/v1/accounts", headers=auth(secret)), 401)["detail"]
    )


def test_a_signed_in_session_opens_nothing_of_the_api(demo_app, login):
    client = demo_app.test_client()
    login(client, ADMIN)
    assert client.get("/accounts").status_code == 200
    is_problem(client.get("/api/v1/accounts"), 401)


def test_a_token_of_a_user_who_lost_a_permission_loses_it_too(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["accounts.view", "invoices.view"])
    user = User.get(User.username == ADMIN)
    assert client.get("/api/v1/invoices", headers=auth(secret)).status_code == 200
    run(User.update(permissions="accounts.view", role=None).where(User.id == user.id))
    is_problem(client.get("/api/v1/invoices", headers=auth(secret)), 403)
    run(User.update(active=False).where(User.id == user.id))
    is_problem(client.get("/api/v1/accounts", headers=auth(secret)), 401)


def test_a_token_limited_to_invoices_cannot_touch_services(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["invoices.view"])
    service = Service.get(Service.organisation == admin_org())
    assert client.get("/api/v1/invoices", headers=auth(secret)).status_code == 200
    for method, path, body in [
        ("GET", "/api/v1/services", None),
        ("GET", f"/api/v1/services/{service.id}", None),
        ("POST", f"/api/v1/services/{service.id}/bar", {"kind": "roaming"}),
        ("GET", "/api/v1/accounts", None),
        ("GET", "/api/v1/orders", None),
    ]:
        headers = auth(secret, **{"Idempotency-Key": "k1"})
        response = demo_app.test_client().open(path, method=method, json=body, headers=headers)
        assert "does not carry" in is_problem(response, 403)["detail"], path
    assert (
        Order.select().where(Order.service == service.id).count()
        == Order.select().where(Order.service == service.id).count()
    )


def test_new_addresses_are_audited_once_and_last_use_shown(demo_app):
    secret, row = make_token(ADMIN, ["accounts.view"])
    for ip in ("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1"):
        client = demo_app.test_client()
        client.environ_base["REMOTE_ADDR"] = ip
        assert client.get("/api/v1/accounts", headers=auth(secret)).status_code == 200
    entries = AuditLog.select().where(AuditLog.action == "api_token.new_address")
    assert sorted(json.loads(e.after)["ip"] for e in entries) == ["10.0.0.1", "10.0.0.2"]
    fresh = ApiToken.get_by_id(row.id)
    assert fresh.last_used_ip == "10.0.0.1" and fresh.last_used_at is not None


def test_cors_stays_off(demo_app):
    secret, _ = make_token(ADMIN, ["accounts.view"])
    client = demo_app.test_client()
    response = client.get("/api/v1/accounts", headers=auth(secret, Origin="https://evil.example"))
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        "/api/v1/accounts",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


# ----------------------------------------------------------------- reads and paging


def walk(client, path, secret) -> list[dict]:
    items, seen = [], 0
    while path:
        response = client.get(path, headers=auth(secret))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items.extend(body["items"])
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        path = body["next"]
        seen += 1
        assert seen < 500
    return items


def test_accounts_page_by_cursor_through_every_visible_account(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["accounts.view"])
    items = walk(client, "/api/v1/accounts?limit=2", secret)
    expected = Account.select().where(Account.organisation == admin_org()).count()
    assert len(items) == expected > 2
    numbers = [a["customer_number"] for a in items]
    assert numbers == sorted(numbers) and len(set(numbers)) == expected
    backwards = walk(client, "/api/v1/accounts?limit=3&sort=company_name&dir=desc", secret)
    assert {a["id"] for a in backwards} == {a["id"] for a in items}
    tree = client.get("/api/v1/accounts/tree", headers=auth(secret)).get_json()["items"]
    assert len(tree) == expected and tree[0]["parent_id"] is None and tree[0]["depth"] == 0
    seen = set()
    for node in tree:  # each after its parent
        assert node["parent_id"] is None or node["parent_id"] in seen
        seen.add(node["id"])


def test_services_list_uses_the_lists_filters_and_sorts(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["services.view"])
    org = admin_org()
    live = Service.select().where(
        (Service.organisation == org)
        & Service.status.in_(("active", "barred"))
        & (Service.hidden == False)  # noqa: E712
    )
    items = walk(client, "/api/v1/services?limit=50", secret)
    assert len(items) == live.count()
    assert [i["number"] for i in items] == sorted(i["number"] for i in items)
    first = items[0]
    assert first["monthly"]["currency"] == "SEK" and isinstance(first["monthly"]["amount_ore"], int)
    mobile = walk(client, "/api/v1/services?f_kind=mobile&sort=monthly&dir=desc&limit=7", secret)
    assert mobile and all(i["kind"] == "mobile" for i in mobile)
    amounts = [i["monthly"]["amount_ore"] for i in mobile]
    assert amounts == sorted(amounts, reverse=True)
    every = walk(client, "/api/v1/services?f_status=terminated&f_status=active&limit=200", secret)
    assert {i["status"] for i in every} <= {"terminated", "active"}
    bad = client.get("/api/v1/services?sort=nope&dir=up&limit=0", headers=auth(secret))
    names = {e["name"] for e in is_problem(bad, 400)["errors"]}
    assert names == {"sort", "dir", "limit"}
    bad = client.get("/api/v1/services?cursor=!!!", headers=auth(secret))
    assert is_problem(bad, 400)["errors"][0]["name"] == "cursor"


def test_invoices_read_with_lines_and_pdf(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["invoices.view"])
    items = walk(client, "/api/v1/invoices?limit=20", secret)
    assert len(items) == Invoice.select().where(Invoice.organisation == admin_org()).count()
    dues = [i["due_date"] for i in items]
    assert dues == sorted(dues, reverse=True)
    one = client.get(f"/api/v1/invoices/{items[0]['id']}", headers=auth(secret)).get_json()
    assert one["amount"]["currency"] == "SEK" and isinstance(one["lines"], list)
    dt.date.fromisoformat(one["invoice_date"])
    pdf = client.get(one["pdf"], headers=auth(secret))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_orders_and_call_records(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    orders = walk(client, "/api/v1/orders?limit=25", secret)
    assert orders and all(o["status"] != "x" for o in orders)
    one = client.get(f"/api/v1/orders/{orders[0]['id']}", headers=auth(secret)).get_json()
    assert one["id"] == orders[0]["id"] and one["created_at"].endswith("Z")
    total = CallRecord.select().where(CallRecord.organisation == admin_org()).count()
    calls = walk(client, "/api/v1/call-records?limit=200", secret)
    assert len(calls) == total
    times = [(c["started_at"], c["id"]) for c in calls]
    assert times == sorted(times)
    bad = client.get("/api/v1/call-records?from=igår", headers=auth(secret))
    assert is_problem(bad, 400)["errors"][0]["name"] == "from"


# ----------------------------------------------------------------- bad input


def test_tickets_list_is_the_portals_without_drafts(demo_app):
    client = demo_app.test_client()
    admin = User.get(User.username == ADMIN)
    secret, _ = make_token(ADMIN, ["tickets.view", "tickets.manage"])
    draft = Ticket.visible_to(admin).where(Ticket.status == "draft").first()
    if draft is None:  # one of the admin's own, never sent
        draft = Ticket.visible_to(admin).order_by(Ticket.id).first()
        run(Ticket.update(status="draft", created_by=admin.id).where(Ticket.id == draft.id))
    sent = Ticket.visible_to(admin).where(Ticket.status != "draft")
    expected = {t.id for t in sent}
    items = walk(client, "/api/v1/tickets?limit=2", secret)
    assert {t["id"] for t in items} == expected and len(items) == len(expected) > 2
    assert draft.id not in {t["id"] for t in items}
    created = [t["created_at"] for t in items]
    assert created == sorted(created, reverse=True)  # the list's default: newest first
    done = walk(client, "/api/v1/tickets?f_status=done&sort=number&dir=asc", secret)
    assert {t["id"] for t in done} == {t.id for t in sent.where(Ticket.status == "done")}
    assert [t["number"] for t in done] == sorted(t["number"] for t in done)
    bad = client.get("/api/v1/tickets?sort=subject", headers=auth(secret))
    assert is_problem(bad, 400)["errors"][0]["name"] == "sort"
    other, _ = make_token("admin@norrbygg.se")
    theirs = walk(client, "/api/v1/tickets?limit=200", other)
    assert not {t["id"] for t in theirs} & expected


def test_bad_bodies_get_precise_problems(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["accounts.view", "accounts.edit"])
    account = Account.get((Account.organisation == admin_org()) & Account.parent.is_null())
    path = f"/api/v1/accounts/{account.id}"
    etag = client.get(path, headers=auth(secret)).headers["ETag"]
    headers = auth(secret, **{"If-Match": etag})
    malformed = client.patch(
        path, data='{"alias": ', headers=headers, content_type="application/json"
    )
    assert "not valid JSON" in is_problem(malformed, 400)["detail"]
    text = client.patch(path, data="alias=x", headers=headers, content_type="text/plain")
    is_problem(text, 415)
    wrong = client.patch(path, json={"alias": 12, "invoice_reference": ["x"]}, headers=headers)
    assert {e["name"] for e in is_problem(wrong, 422)["errors"]} == {"alias", "invoice_reference"}
    unknown = client.patch(path, json={"alias": "Ny", "colour": "red"}, headers=headers)
    errors = is_problem(unknown, 422)["errors"]
    assert errors == [{"name": "colour", "pointer": "#/colour", "detail": "Unknown field."}]
    control = client.patch(path, json={"alias": "a\u202eb"}, headers=headers)
    assert is_problem(control, 422)["errors"][0]["name"] == "alias"
    array = client.patch(path, json=["alias"], headers=headers)
    is_problem(array, 422)
    huge = client.patch(path, json={"alias": "x" * 300_000}, headers=headers)
    is_problem(huge, 413)
    assert Account.get_by_id(account.id).alias == account.alias


def test_an_id_beyond_a_database_integer_is_404(demo_app):
    secret, _ = make_token(ADMIN, ["accounts.view"])
    response = demo_app.test_client().get(f"/api/v1/accounts/{2**64}", headers=auth(secret))
    is_problem(response, 404)


# ----------------------------------------------------------------- ETags


def test_account_edit_needs_the_current_etag(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN, ["accounts.view", "accounts.edit"])
    account = Account.get((Account.organisation == admin_org()) & Account.parent.is_null())
    path = f"/api/v1/accounts/{account.id}"
    read = client.get(path, headers=auth(secret))
    etag = read.headers["ETag"]
    is_problem(client.patch(path, json={"alias": "Nytt"}, headers=auth(secret)), 428)
    stale = client.patch(path, json={"alias": "Nytt"}, headers=auth(secret, **{"If-Match": '"x"'}))
    is_problem(stale, 412)
    done = client.patch(
        path,
        json={"alias": " Nytt alias ", "invoice_reference": "Ref 7"},
        headers=auth(secret, **{"If-Match": etag}),
    )
    assert done.status_code == 200 and done.get_json()["alias"] == "Nytt alias"
    assert done.headers["ETag"] != etag
    fresh = Account.get_by_id(account.id)
    assert (fresh.alias, fresh.invoice_reference) == ("Nytt alias", "Ref 7")
    actions = {e.action: e for e in AuditLog.select().where(AuditLog.object_id == str(account.id))}
    assert "account.alias" in actions and "account.reference" in actions
    assert "API-nyckel" in actions["account.alias"].actor_label
    again = client.patch(path, json={"alias": "Tredje"}, headers=auth(secret, **{"If-Match": etag}))
    is_problem(again, 412)
    readonly, _ = make_token(ADMIN, ["accounts.view"])
    is_problem(
        client.patch(path, json={"alias": "x"}, headers=auth(readonly, **{"If-Match": etag})), 403
    )


# ----------------------------------------------------------------- idempotent POSTs


def mobile_service() -> Service:
    return (
        Service.select()
        .where(
            (Service.organisation == admin_org())
            & (Service.kind == "mobile")
            & (Service.status == "active")
            & (Service.hidden == False)  # noqa: E712
        )
        .order_by(Service.id)
        .first()
    )


def test_barring_is_ordered_once_per_idempotency_key(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = mobile_service()
    run(Barring.delete().where(Barring.service == service.id))
    path = f"/api/v1/services/{service.id}/bar"
    before = Order.select().where(Order.service == service.id).count()
    missing = client.post(path, json={"kind": "roaming"}, headers=auth(secret))
    assert is_problem(missing, 400)["errors"][0]["name"] == "Idempotency-Key"
    headers = auth(secret, **{"Idempotency-Key": "bar-1"})
    first = client.post(path, json={"kind": "roaming"}, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    order = first.get_json()
    assert (
        order["type"] == "barring" and first.headers["Location"] == f"/api/v1/orders/{order['id']}"
    )
    retry = client.post(
        path, data=' {"kind" :  "roaming"}', headers=headers, content_type="application/json"
    )
    assert retry.status_code == 201 and retry.get_json() == order
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Order.select().where(Order.service == service.id).count() == before + 1
    other = client.post(path, json={"kind": "premium"}, headers=headers)
    assert is_problem(other, 422)["errors"][0]["name"] == "Idempotency-Key"
    assert Order.select().where(Order.service == service.id).count() == before + 1
    stored = Order.get_by_id(order["id"])
    assert json.loads(stored.payload)["op"] == "barring_add"
    bad_kind = client.post(
        path, json={"kind": "everything"}, headers=auth(secret, **{"Idempotency-Key": "bar-2"})
    )
    assert is_problem(bad_kind, 422)["errors"][0]["name"] == "kind"


def test_an_error_is_not_stored_so_the_key_may_be_retried(demo_app):
    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    service = mobile_service()
    run(Barring.delete().where(Barring.service == service.id))
    headers = auth(secret, **{"Idempotency-Key": "unbar-1"})
    path = f"/api/v1/services/{service.id}/unbar"
    refused = client.post(path, json={"kind": "roaming"}, headers=headers)
    assert is_problem(refused, 422)["errors"][0]["name"] == "kind"
    with write_tx():
        Barring.create(service=service.id, kind="roaming")
    assert client.post(path, json={"kind": "roaming"}, headers=headers).status_code == 201


def test_tickets_created_and_answered_once(demo_app):
    from models import Ticket, TicketMessage

    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    before = Ticket.select().count()
    headers = auth(secret, **{"Idempotency-Key": "t-1"})
    body = {"subject": "Från HR-systemet", "body": "Ny anställd börjar måndag."}
    created = client.post("/api/v1/tickets", json=body, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    again = client.post("/api/v1/tickets", json=body, headers=headers)
    assert again.get_json() == created.get_json()
    assert Ticket.select().count() == before + 1
    ticket_id = created.get_json()["id"]
    assert client.get(created.headers["Location"], headers=auth(secret)).status_code == 200
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Tillägg."},
        headers=auth(secret, **{"Idempotency-Key": "t-2"}),
    )
    assert reply.status_code == 201
    assert TicketMessage.select().where(TicketMessage.ticket == ticket_id).count() == 2
    empty = client.post(
        "/api/v1/tickets",
        json={"subject": "", "body": "x"},
        headers=auth(secret, **{"Idempotency-Key": "t-3"}),
    )
    assert is_problem(empty, 422)["errors"][0]["name"] == "subject"


# ----------------------------------------------------------------- rate limit


def test_the_rate_limit_is_counted_across_app_instances(demo_app):
    from app import create_app

    demo_app.config["API_RATE_LIMIT"] = 5
    other = create_app({**demo_app.config, "API_RATE_LIMIT": 5})
    secret, _ = make_token(ADMIN, ["accounts.view"])
    answers = []
    for n in range(6):
        app = demo_app if n % 2 == 0 else other
        with app.test_client() as client:
            answers.append(client.get("/api/v1/accounts?limit=1", headers=auth(secret)))
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert answers[0].headers["RateLimit-Policy"] == '"per-token";q=5;w=60'
    assert answers[0].headers["RateLimit"].startswith('"per-token";r=4;t=')
    assert answers[4].headers["RateLimit"].startswith('"per-token";r=0;t=')
    limited = answers[5]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    is_problem(limited, 429)
    # another token has its own budget
    fresh, _ = make_token(ADMIN, ["accounts.view"])
    assert demo_app.test_client().get("/api/v1/accounts", headers=auth(fresh)).status_code == 200


# ----------------------------------------------------------------- the document


def test_the_openapi_document_is_valid_and_complete(demo_app):
    from web.api.operations import OPERATIONS

    response = demo_app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    declared = {
        ("/api/v1" + op.rule.replace("<int:", "{").replace(">", "}"), op.method.lower())
        for op in OPERATIONS
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert declared == documented
    bar = document["paths"]["/api/v1/services/{service_id}/bar"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in bar["parameters"])
    services = document["paths"]["/api/v1/services"]["get"]
    assert {"f_status", "f_number", "f_kind", "sort", "cursor"} <= {
        p["name"] for p in services["parameters"]
    }


def test_every_list_sort_key_exists_in_its_list():
    from blueprints.api import invoices, orders, services, tickets
    from blueprints.invoices.views import INVOICE_LIST
    from blueprints.orders.listing import ORDER_LIST
    from blueprints.services.listing import SERVICE_LIST
    from blueprints.tickets.listing import TICKET_LIST

    for module, view in (
        (services, SERVICE_LIST),
        (orders, ORDER_LIST),
        (invoices, INVOICE_LIST),
        (tickets, TICKET_LIST),
    ):
        for key in module.SORTS:
            assert view.by_key[key].sort is not None, (view.name, key)


@pytest.mark.parametrize("path", ["/api/docs"])
def test_the_docs_page_has_its_own_narrow_csp(demo_app, path):
    response = demo_app.test_client().get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp
    assert "redoc-3.0.1.standalone.js" in response.get_data(as_text=True)
    other = demo_app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in other


@pytest.mark.parametrize("who", [ADMIN, "konto@a3demo.se"])
def test_a_call_record_page_after_a_cursor_walks_an_index_without_sorting(demo_app, who):
    """Each page of call records starts its index walk at the cursor, in the
    list's order, with no sort of the rows in reach: the cost of a page does
    not grow with how deep it lies (SQLite's plan)."""
    from database import db, is_sqlite
    from domain.api_tokens import authenticate
    from web.api.paging import encode_cursor, page_ids

    if not is_sqlite():
        pytest.skip("SQLite's query plan")
    secret, _ = make_token(who, ["reports.view"])
    user, _ = authenticate(secret)
    record = CallRecord.select().order_by(CallRecord.started_at).first()
    cursor = encode_cursor(record.started_at, record.id)
    captured = {}
    original = db.obj.execute_sql

    def capture(sql, params=None, *args, **kwargs):
        captured.setdefault("sql", (sql, params))
        return original(sql, params, *args, **kwargs)

    with demo_app.test_request_context(f"/?cursor={cursor}"):
        db.obj.execute_sql = capture
        try:
            ids, _ = page_ids(
                CallRecord.visible_to(user), CallRecord.started_at, CallRecord.id, False, 50
            )
        finally:
            db.obj.execute_sql = original
    sql, params = captured["sql"]
    plan = " | ".join(row[-1] for row in db.obj.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "USE TEMP B-TREE" not in plan, plan
    assert "started_at>?" in plan.replace(" ", ""), plan
    assert ids and record.id not in ids


def test_a_key_is_remembered_for_a_day(demo_app):
    from models import ApiIdempotency, Ticket

    client = demo_app.test_client()
    secret, _ = make_token(ADMIN)
    headers = auth(secret, **{"Idempotency-Key": "day-1"})
    body = {"subject": "Dag ett", "body": "Första."}
    assert client.post("/api/v1/tickets", json=body, headers=headers).status_code == 201
    before = Ticket.select().count()
    run(
        ApiIdempotency.update(
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=25)
        )
    )
    again = client.post("/api/v1/tickets", json=body, headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert Ticket.select().count() == before + 1
    assert ApiIdempotency.select().count() == 1
