"""Ids no database integer can hold (2**63 and above) name nothing: every
route answers 404 (or the form's message), never 500 — whether the id is in
the path, a query string or a form field."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from models import Account, Barring, Service, Ticket
from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, STAFF

HUGE = [2**63, 2**64, 10**30]


PLACEHOLDER = re.compile(r"<(?:[^:>]+:)?(\w+)>")


def int_routes(app, method: str, value: int) -> list[str]:
    """Paths of every rule answering ``method`` that has an ``<int:…>``
    argument, with each such argument set to ``value``. Built by hand:
    ``Rule.build`` refuses values beyond the converter's range."""
    paths = []
    for rule in app.url_map.iter_rules():
        if method not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        converters = rule._converters
        if not any(isinstance(c, IntegerConverter) for c in converters.values()):
            continue

        def sample(match, converters=converters):
            converter = converters[match.group(1)]
            if isinstance(converter, IntegerConverter):
                return str(value)
            if isinstance(converter, AnyConverter):
                return next(iter(converter.items))
            return "x"

        paths.append(PLACEHOLDER.sub(sample, rule.rule))
    return paths


def test_the_walk_finds_the_routes_the_review_named(demo_app):
    urls = int_routes(demo_app, "GET", 2**63)
    assert len(urls) > 20
    for expected in ("/audit/", "/users/", "/staff/tickets/"):
        assert any(url.startswith(expected + str(2**63)) for url in urls), expected


@pytest.mark.parametrize("who", [ADMIN, STAFF])
@pytest.mark.parametrize("value", HUGE)
def test_every_get_route_with_a_huge_id_answers_404(demo_app, login, who, value):
    client = demo_app.test_client()
    login(client, who)
    failures = []
    for url in int_routes(demo_app, "GET", value):
        response = client.get(url)
        if response.status_code != 404:
            failures.append((url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("who", [ADMIN, STAFF])
def test_every_post_route_with_a_huge_id_answers_404(demo_app, login, who):
    client = demo_app.test_client()
    login(client, who)
    failures = []
    for url in int_routes(demo_app, "POST", 2**64):
        response = client.post(url, data={})
        if response.status_code != 404:
            failures.append((url, response.status_code))
    assert failures == []


def test_the_guarded_limit_is_exact(demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get(f"/audit/{2**63 - 1}").status_code == 404
    assert demo_client.get(f"/audit/{2**63}").status_code == 404


# ------------------------------------------------------------ ids in query strings and forms

BIG = str(2**64)


def _top(org=1):
    return Account.get(Account.parent.is_null() & (Account.organisation == org))


@pytest.mark.parametrize(
    "query",
    [
        {"current": BIG},
        {"current": "-1"},
        {"current": "abc"},
    ],
)
def test_account_tree_with_a_huge_current_id(demo_client, login, query):
    login(demo_client, ADMIN)
    assert demo_client.get("/accounts/tree", query_string=query).status_code == 200
    children = demo_client.get(
        f"/accounts/tree/{_top().id}", query_string={**query, "offset": BIG, "skip": BIG}
    )
    assert children.status_code == 200


@pytest.mark.parametrize("value", [BIG, str(2**63), "0", "-3", "x"])
def test_new_account_with_a_bad_parent_answers_404(demo_client, login, value):
    login(demo_client, ADMIN)
    assert demo_client.get("/accounts/new", query_string={"parent": value}).status_code == 404


def test_barring_remove_with_a_huge_barring_id_says_it_is_gone(demo_client, login):
    login(demo_client, ADMIN)
    barring = Barring.select().join(Service).where(Service.organisation == 1).first()
    before = Barring.select().count()
    response = demo_client.post(
        f"/services/{barring.service_id}/barrings/remove", data={"barring": BIG}
    )
    assert response.status_code == 200
    assert "Spärren finns inte längre." in response.get_data(as_text=True)
    assert Barring.select().count() == before


def test_new_ticket_with_a_huge_account_id_uses_the_users_own_account(demo_client, login):
    user = login(demo_client, ADMIN)
    response = demo_client.post(
        "/tickets/new",
        data={
            "category": "support",
            "account": BIG,
            "contacts": BIG,
            "subject": "Huge ids",
            "body": "Text",
        },
    )
    assert response.status_code == 303
    ticket = Ticket.get(Ticket.subject == "Huge ids")
    assert ticket.account_id == user.scope_account_id
