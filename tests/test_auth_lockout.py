"""Brute-force protection (AUTH-3): throttling, lockout per user name and per
address, stored in the database, expiring, visible and liftable by admins."""

from __future__ import annotations

import datetime as dt

from database import utcnow
from domain import throttle
from models import LoginThrottle
from tests.auth_fixtures import (
    actions,
    fresh_login_cache,  # noqa: F401
    post_login,
    reload,
    signed_in,
    user_by_name,
)
from tests.conftest import ADMIN, DEMO_PASSWORD


class Clock:
    """Moves ``domain.throttle.now`` so waits and lock expiry need no sleeping."""

    def __init__(self, monkeypatch):
        self.at = utcnow()
        monkeypatch.setattr(throttle, "now", lambda: self.at)

    def advance(self, **delta):
        self.at += dt.timedelta(**delta)


def fail(client, clock, username=ADMIN, times=1):
    for _ in range(times):
        response = post_login(client, username, "fel-lösenord")
        clock.advance(seconds=61)  # past any throttling delay
    return response


def test_lockout_after_repeated_failures_and_its_expiry(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    response = fail(demo_client, clock, times=4)
    assert "Fel användarnamn eller lösenord." in response.get_data(as_text=True)
    response = fail(demo_client, clock)  # the fifth
    text = response.get_data(as_text=True)
    assert "tillfälligt spärrad" in text
    user = reload(user_by_name(ADMIN))
    assert user.failed_logins == 5 and user.locked_until is not None
    assert "auth.lockout" in actions()

    # While locked even the right password is refused, without checking it.
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert "tillfälligt spärrad" in response.get_data(as_text=True)
    assert not signed_in(demo_client)

    # After 15 minutes the lock has expired.
    clock.advance(minutes=15)
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(demo_client)
    user = reload(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_lock_doubles_when_failures_go_on(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    fail(demo_client, clock, times=5)
    clock.advance(minutes=16)
    fail(demo_client, clock, times=5)
    row = LoginThrottle.get(LoginThrottle.key == f"user:{ADMIN}")
    assert row.locked_until - clock.at > dt.timedelta(minutes=25)


def test_throttling_asks_to_wait_between_tries(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    for _ in range(3):
        post_login(demo_client, ADMIN, "fel-lösenord")
        clock.advance(seconds=1)
    response = post_login(demo_client, ADMIN, DEMO_PASSWORD)
    assert "Vänta" in response.get_data(as_text=True)
    assert not signed_in(demo_client)
    clock.advance(seconds=60)
    assert post_login(demo_client, ADMIN, DEMO_PASSWORD).status_code == 302


def test_unknown_names_lock_the_same_way(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    response = fail(demo_client, clock, username="finns-inte@example.se", times=5)
    assert "tillfälligt spärrad" in response.get_data(as_text=True)


def test_one_address_trying_many_names_is_locked(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    demo_client.application.config["LOGIN_IP_LOCK_AFTER"] = 6
    for n in range(6):
        response = post_login(demo_client, f"namn{n}@example.se", "Sommar2026!")
        clock.advance(seconds=5)
    assert "tillfälligt spärrad" in response.get_data(as_text=True)
    assert LoginThrottle.get(LoginThrottle.key == "ip:127.0.0.1").locked_until > clock.at
    # Every name, even a right password, is refused from that address for now.
    assert "spärrad" in post_login(demo_client, ADMIN).get_data(as_text=True)


def test_lockouts_hold_across_processes_because_they_live_in_the_database(demo_client, monkeypatch):
    clock = Clock(monkeypatch)
    fail(demo_client, clock, times=5)
    # A different client (think: another gunicorn worker) sees the same lock.
    other = demo_client.application.test_client()
    assert "spärrad" in post_login(other, ADMIN).get_data(as_text=True)


def test_admin_sees_and_lifts_a_lockout(demo_client, monkeypatch, login):
    clock = Clock(monkeypatch)
    victim = user_by_name("konto@a3demo.se")
    fail(demo_client, clock, username=victim.username, times=5)
    admin = demo_client.application.test_client()
    login(admin, ADMIN)
    listing = admin.get("/users?f_status=locked").get_data(as_text=True)
    assert "Karl Berg" in listing and "Spärrad" in listing
    assert admin.post(f"/users/{victim.id}/unlock").status_code == 303
    assert reload(victim).locked_until is None
    assert not LoginThrottle.select().where(LoginThrottle.key == f"user:{victim.username}").exists()
    assert "auth.lockout_lifted" in actions()
    assert post_login(demo_client, victim.username).status_code == 302


def test_staff_see_and_lift_locks(demo_client, monkeypatch, login):
    clock = Clock(monkeypatch)
    fail(demo_client, clock, times=5)
    staff = demo_client.application.test_client()
    login(staff, "staff@teleportal.se")
    page = staff.get("/staff/audit").get_data(as_text=True)
    assert ADMIN in page and "Häv spärr" in page
    lock = LoginThrottle.get(LoginThrottle.key == f"user:{ADMIN}")
    assert staff.post(f"/staff/audit/locks/{lock.id}/lift").status_code == 303
    assert reload(user_by_name(ADMIN)).locked_until is None
