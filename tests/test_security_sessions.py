"""Sessions end on the server (ASVS 7.4.1): a copy of the session cookie
taken before logout, "Logga ut från andra enheter", a password change, a
deactivation, removal or 2FA reset stops working at once — in every worker."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app import create_app
from database import write_tx
from domain import sessions
from domain import users as rules
from models import LoginSession, StaffUser, User
from tests.auth_fixtures import fresh_login_cache, post_login  # noqa: F401
from tests.conftest import ADMIN, DEMO_PASSWORD, STAFF, CsrfClient, _config

NEW_PASSWORD = "Blåbärssylt på tisdagar 7"


def copy_of(client, app=None):
    """Another browser holding a copy of ``client``'s session cookie."""
    other = (app or client.application).test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client, home="/profile", login="/login") -> bool:
    """GET and POST both: a page, or the login redirect."""
    response = client.get(home)
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == login
        posted = client.post(home + "/details" if login == "/login" else "/staff/security/password")
        assert posted.status_code == 302
        assert urlsplit(posted.headers["Location"]).path == login
        return False
    assert response.status_code == 200
    return True


def test_a_copied_cookie_stops_at_logout(demo_client):
    post_login(demo_client, ADMIN)
    copy = copy_of(demo_client)
    assert signed_in(copy)
    demo_client.post("/logout")
    assert not signed_in(demo_client)
    assert not signed_in(copy)
    assert not LoginSession.select().where(LoginSession.user == user(ADMIN).id).exists()


def test_a_copied_staff_cookie_stops_at_logout(demo_client):
    post_login(demo_client, STAFF, staff=True)
    copy = copy_of(demo_client)
    assert signed_in(copy, "/staff/", "/staff/login")
    demo_client.post("/logout")
    assert not signed_in(copy, "/staff/", "/staff/login")


def user(name) -> User:
    return User.get(User.username == name)


def two_devices(demo_app):
    first, second = demo_app.test_client(), demo_app.test_client()
    post_login(first, ADMIN)
    post_login(second, ADMIN)
    return first, second


def test_log_out_other_devices_ends_the_others_only(demo_app):
    here, there = two_devices(demo_app)
    copy_there = copy_of(there)
    response = here.post("/profile/sessions", data={"current_password": DEMO_PASSWORD})
    assert response.status_code in (200, 303)
    assert signed_in(here)
    assert not signed_in(there) and not signed_in(copy_there)
    assert LoginSession.select().where(LoginSession.user == user(ADMIN).id).count() == 1


def test_a_password_change_ends_the_other_devices(demo_app):
    here, there = two_devices(demo_app)
    copy_there = copy_of(there)
    here.post(
        "/profile/password",
        data={"current_password": DEMO_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert signed_in(here)
    assert not signed_in(there) and not signed_in(copy_there)


@pytest.mark.parametrize("action", ["deactivate", "remove", "reset-2fa"])
def test_an_administrators_action_ends_every_session_of_the_user(demo_app, login, action):
    victim = demo_app.test_client()
    post_login(victim, "konto@a3demo.se")
    copy = copy_of(victim)
    assert signed_in(victim)
    admin = demo_app.test_client()
    login(admin, ADMIN)
    target = user("konto@a3demo.se")
    response = admin.post(f"/users/{target.id}/{action}")
    assert response.status_code in (200, 303)
    assert not signed_in(victim) and not signed_in(copy)
    assert not LoginSession.select().where(LoginSession.user == target.id).exists()


def test_the_domain_ends_sessions_of_a_removed_user(demo_app):
    """The rule holds below the HTTP layer too (e.g. for a future API)."""
    target = user("konto@a3demo.se")
    with write_tx():
        sessions.start(target)
        rules.remove(user(ADMIN), target)
    assert not LoginSession.select().where(LoginSession.user == target.id).exists()


def test_staff_2fa_reset_from_the_command_line_ends_their_sessions(demo_app):
    desk = demo_app.test_client()
    post_login(desk, STAFF, staff=True)
    assert signed_in(desk, "/staff/", "/staff/login")
    result = demo_app.test_cli_runner().invoke(args=["reset-2fa", STAFF, "--staff"])
    assert result.exit_code == 0, result.output
    assert not signed_in(desk, "/staff/", "/staff/login")
    staff = StaffUser.get(StaffUser.username == STAFF)
    assert not LoginSession.select().where(LoginSession.staff == staff.id).exists()


def test_a_cookie_without_a_session_row_is_not_signed_in(demo_client, login):
    """A cookie signed before this registry existed (no session key) or
    whose key was never registered does not sign anyone in."""
    login(demo_client, ADMIN)
    with demo_client.session_transaction() as session:
        session["sid"] = "made-up"
    assert not signed_in(demo_client)
    with demo_client.session_transaction() as session:
        session.pop("sid", None)
    assert not signed_in(demo_client)


def test_logout_in_one_worker_ends_the_copy_in_another(demo_app, tmp_path):
    """Two app instances on one database, as two gunicorn workers."""
    other_worker = create_app(_config(demo_app.config["DATABASE_URL"], tmp_path))
    other_worker.test_client_class = CsrfClient
    here = demo_app.test_client()
    post_login(here, ADMIN)
    there = copy_of(here, other_worker)
    with other_worker.app_context():
        assert signed_in(there)
    here.post("/logout")
    with other_worker.app_context():
        assert not signed_in(there)


def test_profile_lists_the_signed_in_devices(demo_app):
    here = demo_app.test_client()
    post_login(here, ADMIN, headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0"})
    there = demo_app.test_client()
    post_login(
        there, ADMIN, headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/605"}
    )
    html = here.get("/profile").get_data(as_text=True)
    panel = html[html.index('id="sessions"') :]
    panel = panel[: panel.index("</section>")]
    assert "Chrome på Windows" in panel and "Safari på iPhone" in panel
    assert panel.count("Den här enheten") == 1
    assert panel.index("Chrome på Windows") < panel.index("Den här enheten")
    assert "Logga ut från andra enheter" in panel
