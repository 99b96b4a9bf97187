"""POST /api/v1/orders: a Nybeställning through the wizard's own domain
code (domain/orders/placing.py), its 422s naming the request's fields, its
Idempotency-Key, and GET of its status."""

from __future__ import annotations

from models import Account, Order, OrderLine, PoolNumber
from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN


def body(**extra):
    account = Account.get(Account.customer_number == "99012615")
    data = {
        "account_id": account.id,
        "lines": [
            {
                "product": "MOB-FAST",
                "details": {
                    "end_user": "Anna Andersson",
                    "sim": "esim",
                    "esim_email": "a@a3demo.se",
                },
            }
        ],
        "contact_email": "admin@a3demo.se",
    }
    data.update(extra)
    return data


def post(client, secret, data, key="k1"):
    return client.post(
        "/api/v1/orders", json=data, headers=auth(secret, **{"Idempotency-Key": key})
    )


def test_a_subscription_is_ordered_once_and_read_back(demo_app):
    secret, _ = make_token(ADMIN)
    client = demo_app.test_client()
    before = Order.select().count()
    response = post(client, secret, body())
    assert response.status_code == 201, response.text
    out = response.get_json()
    assert out["status"] not in ("draft",) and out["type"] == "new"
    assert response.headers["Location"] == f"/api/v1/orders/{out['id']}"
    order = Order.get_by_id(out["id"])
    line = OrderLine.get((OrderLine.order == order.id) & OrderLine.parent.is_null())
    assert line.product.code == "MOB-FAST"
    # the options the wizard chooses by default, and a free number reserved for it
    assert OrderLine.select().where(OrderLine.parent == line.id).count() >= 1
    assert PoolNumber.get(PoolNumber.order == order.id).status == "reserved"
    # a retry creates nothing
    again = post(client, secret, body())
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == out["id"]
    assert Order.select().count() == before + 1
    read = client.get(f"/api/v1/orders/{out['id']}", headers=auth(secret))
    assert read.status_code == 200 and read.get_json()["status"] == out["status"]


def test_invalid_input_is_422_naming_fields_and_writes_nothing(demo_app):
    secret, _ = make_token(ADMIN)
    client = demo_app.test_client()
    before = Order.select().count()
    bad = body()
    bad["lines"][0]["details"] = {"sim": "esim", "esim_email": "inte-en-adress"}
    response = post(client, secret, bad)
    assert response.status_code == 422, response.text
    names = {e["name"] for e in response.get_json()["errors"]}
    assert {"lines/0/details/end_user", "lines/0/details/esim_email"} <= names
    unknown = post(client, secret, body(lines=[{"product": "NO-SUCH"}]), key="k2")
    assert unknown.status_code == 422
    assert [e["name"] for e in unknown.get_json()["errors"]] == ["lines/0/product"]
    option = post(client, secret, body(lines=[{"product": "MOB-FAST", "options": ["X"]}]), key="k3")
    assert option.status_code == 422
    assert option.get_json()["errors"][0]["name"] == "lines/0/options"
    wrong = post(client, secret, {"account_id": "1", "lines": []}, key="k4")
    assert wrong.status_code == 422
    assert {"account_id", "lines"} <= {e["name"] for e in wrong.get_json()["errors"]}
    assert Order.select().count() == before


def test_an_account_outside_the_token_is_refused(demo_app):
    secret, _ = make_token("admin@norrbygg.se")
    response = post(demo_app.test_client(), secret, body())
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["name"] == "account_id"


def test_a_token_without_orders_create_is_403(demo_app):
    secret, _ = make_token(ADMIN, permissions={"invoices.view"})
    response = post(demo_app.test_client(), secret, body())
    assert response.status_code == 403


def test_the_document_describes_order_creation(demo_app):
    document = demo_app.test_client().get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/api/v1/orders"]["post"]
    assert "201" in create["responses"] and "422" in create["responses"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    assert {"account_id", "lines"} <= set(schema["required"])
    usage = document["paths"]["/api/v1/services/{service_id}/usage"]["get"]
    assert {"cursor", "limit"} <= {p["name"] for p in usage["parameters"]}


def test_order_creation_fuzzed_by_schemathesis(demo_app):
    """POST /orders alone, with more cases than the whole-API contract test:
    never a 5xx, every answer as documented."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from tests.test_api_contract import CHECKS

    demo_app.config["API_RATE_LIMIT"] = 10**9
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    operation = schema["/api/v1/orders"]["POST"]
    secret, _ = make_token(ADMIN)
    statuses = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case):
        case.headers = {**(case.headers or {}), **auth(secret)}
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    fuzz()
    assert statuses and max(statuses) < 500
    assert 422 in statuses


def test_two_subscriptions_get_two_free_numbers_and_a_quote_is_a_quote(demo_app):
    secret, _ = make_token(ADMIN)
    client = demo_app.test_client()
    line = body()["lines"][0]
    response = post(client, secret, body(lines=[line, line]))
    assert response.status_code == 201, response.text
    numbers = [
        p.number for p in PoolNumber.select().where(PoolNumber.order == response.get_json()["id"])
    ]
    assert len(set(numbers)) == 2
    quote = post(client, secret, body(kind="quote"), key="q")
    assert quote.status_code == 201, quote.text
    assert Order.get_by_id(quote.get_json()["id"]).is_quote
