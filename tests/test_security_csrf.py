"""Every state-changing route refuses a request without a CSRF token, and
every page carries the hardening headers."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, STAFF

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Exempt from the session's CSRF token on purpose: the one-click unsubscribe
# of a mail client (RFC 8058) posts without one; the signed token in the URL
# is what authorises it (tests/test_notifications_unsubscribe.py).
CSRF_EXEMPT = {"unsubscribe.unsubscribe"}
# The JSON API (/api/v1) is exempt too: it authenticates by a Bearer token
# only and answers 401 to a request that carries just the session cookie, so
# a forged cross-site request has nothing to ride on (checked below).
API_BLUEPRINT = "api"


def is_api(rule) -> bool:
    return rule.endpoint.split(".")[0] == API_BLUEPRINT


def unsafe_routes(app, api=False):
    """(method, url) for every rule that changes state, with sample arguments."""
    routes = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or rule.endpoint == "static" or rule.endpoint in CSRF_EXEMPT:
            continue
        if is_api(rule) != api:
            continue
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg]
            if isinstance(converter, IntegerConverter):
                values[arg] = 1
            elif isinstance(converter, AnyConverter):
                values[arg] = next(iter(converter.items))
            else:
                values[arg] = "x" * 20
        url = rule.build(values, append_unknown=False)[1]
        routes.extend((method, url) for method in sorted(methods))
    return routes


def test_the_app_has_state_changing_routes(demo_app):
    urls = {url for _, url in unsafe_routes(demo_app)}
    for expected in ("/login", "/logout", "/forgot", "/users/new", "/profile/password", "/company"):
        assert expected in urls


@pytest.mark.parametrize("who", [None, ADMIN, STAFF])
def test_every_state_changing_request_without_token_is_refused(demo_app, login, who):
    client = demo_app.test_client()
    if who:
        login(client, who)
    routes = unsafe_routes(demo_app)
    assert len(routes) > 20
    for method, url in routes:
        response = client.open(url, method=method, data={"x": "1"})  # open() adds no token
        assert response.status_code == 400, f"{method} {url} answered {response.status_code}"
        assert "säkerhetstoken" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", [ADMIN, STAFF])
def test_the_api_refuses_a_signed_in_session_without_a_bearer_token(demo_app, login, who):
    client = demo_app.test_client()
    login(client, who)
    routes = unsafe_routes(demo_app, api=True)
    assert len(routes) > 5
    for method, url in routes:
        response = client.open(url, method=method, json={"x": "1"})
        assert response.status_code == 401, f"{method} {url} answered {response.status_code}"
        assert response.headers["Content-Type"].startswith("application/problem+json")


def test_security_headers(demo_client):
    response = demo_client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(demo_app):
    client = demo_app.test_client()
    demo_app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post("/login", data={"username": ADMIN, "password": "Teleportal-demo-2026"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert demo_app.config["SESSION_COOKIE_HTTPONLY"]


def test_no_inline_scripts_or_styles_on_the_sign_in_pages(demo_client, login):
    pages = ["/login", "/forgot", "/staff/login"]
    for path in pages:
        html = demo_client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html
    login(demo_client, ADMIN)
    for path in ["/users", "/users/new", "/profile", "/company", "/audit", "/profile/2fa/app"]:
        html = demo_client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html, path
