"""Signing in and out (AUTH-1): generic errors, CSRF, safe redirects, cookie
flags, security headers and the audit log."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from flask import Config

from app import load_config
from database import write_tx
from models import AuditLog, Invoice, User
from tests.conftest import ADMIN, DEMO_PASSWORD, STAFF

GENERIC = "Fel användarnamn eller lösenord."


def signed_in_id(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def post_login(client, username, password, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def audit_rows(action):
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def test_login_page_renders(demo_client):
    response = demo_client.get("/login")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'name="username"' in text and 'name="password"' in text
    assert 'name="csrf_token"' in text


def test_correct_password_signs_in_and_redirects(demo_client):
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    user = User.get(User.username == ADMIN)
    assert signed_in_id(demo_client) == user.get_id()
    page = demo_client.get("/")
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)
    assert User.get_by_id(user.id).last_login_at is not None


def test_user_name_is_not_case_sensitive(demo_client):
    response = post_login(demo_client, "  " + ADMIN.upper(), DEMO_PASSWORD)
    assert response.status_code == 302
    assert signed_in_id(demo_client) is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (ADMIN, "wrong-password"),
        (ADMIN, DEMO_PASSWORD.lower()),
        ("nobody@example.se", DEMO_PASSWORD),
        (STAFF, DEMO_PASSWORD),  # staff sign in at /staff/login, not here
    ],
)
def test_failed_login_gives_the_same_generic_message(demo_client, username, password):
    response = post_login(demo_client, username, password)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert GENERIC in text
    assert "finns inte" not in text.lower()
    assert signed_in_id(demo_client) is None
    assert demo_client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(demo_client):
    def error_part(response):
        text = response.get_data(as_text=True)
        start = text.index('<form method="post"')
        return text[start : text.index("</form>", start)]

    wrong = post_login(demo_client, ADMIN, "wrong-password")
    unknown = post_login(demo_client, "nobody@example.se", "wrong-password")
    strip = lambda s: s.replace(ADMIN, "X").replace("nobody@example.se", "X")  # noqa: E731
    wrong_form, unknown_form = strip(error_part(wrong)), strip(error_part(unknown))
    # the CSRF token differs per request; everything else is the same
    token = re.compile(r'value="[^"]*" id="csrf_token"|id="csrf_token"[^>]*value="[^"]*"')
    assert token.sub("", wrong_form) == token.sub("", unknown_form)


def test_inactive_user_cannot_sign_in(demo_client):
    with write_tx():
        User.update(active=False).where(User.username == ADMIN).execute()
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert signed_in_id(demo_client) is None


def test_empty_form_is_refused_without_signing_in(demo_client):
    response = post_login(demo_client, "", "")
    assert response.status_code == 200
    assert signed_in_id(demo_client) is None
    assert "Ange ditt användarnamn." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(demo_client):
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD, csrf=False)
    assert response.status_code == 400
    assert signed_in_id(demo_client) is None
    assert not audit_rows("auth.login")


def test_login_with_a_forged_csrf_token_is_refused(demo_client):
    response = post_login(
        demo_client, ADMIN, DEMO_PASSWORD, csrf=False, headers={"X-CSRFToken": "forged"}
    )
    assert response.status_code == 400
    assert signed_in_id(demo_client) is None


def test_session_is_renewed_at_login(demo_client):
    """No session fixation: what was in the session before login is gone."""
    with demo_client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_login(demo_client, ADMIN, DEMO_PASSWORD)
    with demo_client.session_transaction() as session:
        assert "planted" not in session


# ------------------------------------------------------------------- logout


def test_logout_requires_post(demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get("/logout").status_code == 405
    assert signed_in_id(demo_client) is not None
    assert demo_client.get("/").status_code == 200


def test_logout_without_csrf_token_is_refused(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.post("/logout", csrf=False)
    assert response.status_code == 400
    assert signed_in_id(demo_client) is not None
    assert demo_client.get("/").status_code == 200


def test_logout_ends_the_session(demo_client):
    post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert demo_client.get("/").status_code == 200
    response = demo_client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert signed_in_id(demo_client) is None
    after = demo_client.get("/")
    assert after.status_code == 302
    assert urlsplit(after.headers["Location"]).path == "/login"
    assert [r.actor_user_id for r in audit_rows("auth.logout")] == [
        User.get(User.username == ADMIN).id
    ]


def test_logout_form_is_a_post_with_a_token(demo_client, login):
    login(demo_client, ADMIN)
    text = demo_client.get("/").get_data(as_text=True)
    start = text.index('action="/logout"')
    form = text[text.rindex("<form", 0, start) : text.index("</form>", start)]
    assert 'method="post"' in form
    assert 'name="csrf_token"' in form


# -------------------------------------------------------------------- next


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/invoices", "/invoices"),
        ("/invoices?f_status=paid&sort=amount", "/invoices?f_status=paid&sort=amount"),
        ("https://evil.example/", "/"),
        ("http://evil.example/invoices", "/"),
        ("//evil.example/", "/"),
        ("///evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("\\\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example/", "/"),
        ("/\n/evil.example/", "/"),
        ("/\r\n/evil.example/", "/"),
        (" //evil.example/", "/"),
        ("", "/"),
    ],
)
def test_next_follows_only_local_paths(demo_client, target, landing):
    response = demo_client.post(
        "/login",
        query_string={"next": target},
        data={"username": ADMIN, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == landing
    parts = urlsplit(location)
    assert not parts.netloc and not parts.scheme
    assert signed_in_id(demo_client) is not None


def test_redirect_to_login_carries_next_and_returns_there(demo_client):
    response = demo_client.get("/invoices?f_status=paid")
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    back = demo_client.post(login_url, data={"username": ADMIN, "password": DEMO_PASSWORD})
    assert back.headers["Location"] == "/invoices?f_status=paid"


# --------------------------------------------------- cookies and headers


def test_session_cookie_flags(demo_client):
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    flags = [part.strip().lower() for part in cookies[0].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_session_cookie_is_secure_by_default(demo_app, monkeypatch):
    """Outside tests and the plain-http demo the cookie is Secure."""
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    fresh = SimpleNamespace(instance_path=demo_app.instance_path, config=Config(demo_app.root_path))
    load_config(fresh)
    assert fresh.config["SESSION_COOKIE_SECURE"] is True
    assert fresh.config["SESSION_COOKIE_HTTPONLY"] is True
    assert fresh.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("path", ["/login", "/", "/invoices", "/nonexistent", "pdf"])
def test_security_headers(demo_client, login, path):
    if path == "pdf":
        path = f"/invoices/{Invoice.select().first().id}/pdf"
    if path != "/login":
        login(demo_client, ADMIN)
    response = demo_client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert "default-src" in directives
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_not_cached(demo_client, login):
    login(demo_client, ADMIN)
    assert "no-store" in demo_client.get("/invoices").headers["Cache-Control"]


def test_pages_have_no_inline_scripts_or_handlers(demo_client, login):
    login(demo_client, ADMIN)
    for path in ("/login", "/", "/services", "/invoices", "/orders", "/tickets"):
        text = demo_client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "style=" not in text, path


# ---------------------------------------------------------------- audit log


def test_audit_log_records_login_and_failures(demo_client):
    admin = User.get(User.username == ADMIN)
    post_login(demo_client, ADMIN, "wrong-password")
    post_login(demo_client, "nobody@example.se", "whatever")
    post_login(demo_client, ADMIN, DEMO_PASSWORD)

    failed = audit_rows("auth.login_failed")
    assert len(failed) == 2
    assert failed[0].actor_user_id == admin.id
    assert failed[0].organisation_id == admin.organisation_id
    assert failed[1].actor_user_id is None
    assert "nobody@example.se" in failed[1].summary
    assert "whatever" not in failed[1].summary and "wrong-password" not in failed[0].summary
    logins = audit_rows("auth.login")
    assert [(r.actor_user_id, r.organisation_id) for r in logins] == [
        (admin.id, admin.organisation_id)
    ]
    assert all(r.ip == "127.0.0.1" for r in failed + logins)


@pytest.mark.parametrize(
    ("target", "landing"),
    [("/staff/", "/staff/"), ("https://evil.example/", "/staff/"), ("/\t/evil.example", "/staff/")],
)
def test_staff_login_follows_only_local_paths(demo_client, target, landing):
    response = demo_client.post(
        "/staff/login",
        query_string={"next": target},
        data={"username": STAFF, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_signed_out_htmx_request_redirects_the_browser(demo_client):
    response = demo_client.get(
        "/services?page=2",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/services?page=2"},
    )
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert "services" in response.headers["HX-Redirect"]
