"""Two-factor sign-in (AUTH-2): the pending state is not a login, codes are
accepted once, expired codes are refused, recovery codes work once, SMS
codes go through the outbox, an organisation can require enrolment, and
the back office has the same flow."""

from __future__ import annotations

import re

import pyotp

from database import write_tx
from domain import twofactor
from models import CompanyProfile, RecoveryCode, StaffUser
from tests.auth_fixtures import (
    actions,
    code_at,
    current_code,
    enable_totp,
    fresh_login_cache,  # noqa: F401
    last_sms,
    post_login,
    reload,
    signed_in,
    user_by_name,
)
from tests.conftest import ADMIN, STAFF


def test_password_alone_is_not_a_login_when_2fa_is_on(demo_client):
    enable_totp(user_by_name(ADMIN))
    response = post_login(demo_client, ADMIN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/verify")
    assert not signed_in(demo_client)
    # Pages stay closed while only the password is done.
    assert demo_client.get("/services").status_code == 302
    assert "/login" in demo_client.get("/services").headers["Location"]


def test_totp_login_and_replay_refused(demo_client):
    user = user_by_name(ADMIN)
    secret = enable_totp(user)
    post_login(demo_client, ADMIN)
    code = current_code(secret)
    response = demo_client.post("/login/verify", data={"method": "totp", "code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(demo_client)
    assert reload(user).totp_last_step >= twofactor.current_step() - 1
    # The same code again (another browser) is refused: its step was used.
    other = demo_client.application.test_client()
    post_login(other, ADMIN)
    response = other.post("/login/verify", data={"method": "totp", "code": code})
    assert response.status_code == 200
    assert "redan använts" in response.get_data(as_text=True)
    assert not signed_in(other)
    assert "auth.2fa_failed" in actions()


def test_expired_and_earlier_codes_refused(demo_client):
    user = user_by_name(ADMIN)
    secret = enable_totp(user)
    now = twofactor.current_step()
    assert not twofactor.matching_step(secret, code_at(secret, now - 3))  # expired
    post_login(demo_client, ADMIN)
    response = demo_client.post(
        "/login/verify", data={"method": "totp", "code": code_at(secret, now - 3)}
    )
    assert response.status_code == 200 and not signed_in(demo_client)
    # A code one step old is fine the first time, but not after a newer one.
    with write_tx():
        assert twofactor.verify_totp(reload(user), code_at(secret, now))
        assert not twofactor.verify_totp(reload(user), code_at(secret, now - 1))
        assert not twofactor.verify_totp(reload(user), code_at(secret, now))


def test_secret_is_stored_encrypted(demo_app):
    user = user_by_name(ADMIN)
    secret = enable_totp(user)
    stored = reload(user).totp_secret_enc
    assert secret not in stored
    assert twofactor.decrypt(stored) == secret


def test_recovery_code_works_once(demo_client):
    user = user_by_name(ADMIN)
    enable_totp(user)
    with write_tx():
        codes = twofactor.new_recovery_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(codes[0].replace("-", "") not in r.code_hash for r in RecoveryCode.select())
    post_login(demo_client, ADMIN)
    response = demo_client.post("/login/verify", data={"method": "recovery", "code": codes[0]})
    assert response.status_code == 302 and signed_in(demo_client)
    assert twofactor.remaining_recovery_codes(user) == 9
    other = demo_client.application.test_client()
    post_login(other, ADMIN)
    response = other.post("/login/verify", data={"method": "recovery", "code": codes[0]})
    assert response.status_code == 200 and not signed_in(other)


def test_sms_code_login(demo_client):
    user = user_by_name(ADMIN)
    with write_tx():
        twofactor.set_sms(user, True)
    post_login(demo_client, ADMIN)
    sms = last_sms()
    assert sms.recipient == user.mobile
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    page = demo_client.get("/login/verify").get_data(as_text=True)
    assert "SMS" in page
    response = demo_client.post("/login/verify", data={"method": "sms", "code": code})
    assert response.status_code == 302 and signed_in(demo_client)
    # The code was single use.
    other = demo_client.application.test_client()
    post_login(other, ADMIN)
    assert other.post("/login/verify", data={"method": "sms", "code": code}).status_code == 200
    assert not signed_in(other)


def test_pending_state_expires(demo_client, monkeypatch):
    secret = enable_totp(user_by_name(ADMIN))
    post_login(demo_client, ADMIN)
    with demo_client.session_transaction() as session:
        session["pending"] = {**session["pending"], "exp": 1}
    response = demo_client.post(
        "/login/verify", data={"method": "totp", "code": current_code(secret)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not signed_in(demo_client)


def test_organisation_requiring_2fa_makes_users_enrol(demo_client):
    user = user_by_name(ADMIN)
    with write_tx():
        CompanyProfile.update(require_2fa=True).where(
            CompanyProfile.organisation == user.organisation_id
        ).execute()
    response = post_login(demo_client, ADMIN)
    assert response.headers["Location"].endswith("/login/setup")
    assert not signed_in(demo_client)
    page = demo_client.get("/login/setup").get_data(as_text=True)
    assert "<svg" in page and "QR" in page
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    wrong = demo_client.post("/login/setup", data={"method": "totp", "code": "000000"})
    assert wrong.status_code == 200 and not signed_in(demo_client)
    response = demo_client.post(
        "/login/setup", data={"method": "totp", "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
    assert signed_in(demo_client)
    shown = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(shown) == 10
    assert reload(user).totp_enabled
    assert "auth.2fa_enabled" in actions()


def test_admin_resets_a_users_2fa(demo_client, login):
    target = user_by_name("konto@a3demo.se")
    enable_totp(target)
    login(demo_client, ADMIN)
    response = demo_client.post(f"/users/{target.id}/reset-2fa")
    assert response.status_code == 303
    target = reload(target)
    assert not target.totp_enabled and target.totp_secret_enc is None
    assert RecoveryCode.select().where(RecoveryCode.user == target.id).count() == 0
    assert "auth.2fa_reset" in actions()


def test_staff_sign_in_with_totp(demo_client):
    staff = StaffUser.get(StaffUser.username == STAFF)
    secret = enable_totp(staff)
    response = post_login(demo_client, STAFF, staff=True)
    assert response.headers["Location"].endswith("/staff/login/verify")
    assert not signed_in(demo_client)
    response = demo_client.post(
        "/staff/login/verify", data={"method": "totp", "code": current_code(secret)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert demo_client.get("/staff/").status_code == 200


def test_profile_enrols_the_app_and_asks_for_the_password(demo_client):
    post_login(demo_client, ADMIN)
    page = demo_client.get("/profile/2fa/app").get_data(as_text=True)
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    code = pyotp.TOTP(secret).now()
    response = demo_client.post(
        "/profile/2fa/app", data={"code": code, "current_password": "fel-lösenord"}
    )
    assert "Fel lösenord" in response.get_data(as_text=True)
    assert not reload(user_by_name(ADMIN)).totp_enabled
    response = demo_client.post(
        "/profile/2fa/app", data={"code": code, "current_password": "Teleportal-demo-2026"}
    )
    assert response.status_code == 200
    assert (
        len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", response.get_data(as_text=True)))
        == 10
    )
    assert reload(user_by_name(ADMIN)).totp_enabled
