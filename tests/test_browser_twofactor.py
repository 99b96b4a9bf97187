"""Real browser: enrol the authenticator app from Min profil, sign out, sign
in with password and a code, and see a replayed code refused."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_out(page):
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/login$"))


def test_totp_enrolment_and_login(page):
    sign_in(page, ADMIN)
    page.goto("/profile")
    page.get_by_role("link", name="Aktivera app").click()
    expect(page.locator("svg.qr")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.fill("#current_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Aktivera").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Jag har sparat koderna").click()
    expect(page.locator("h1")).to_have_text("Min profil")
    expect(page.locator(".profile-grid")).to_contain_text("Aktiverad")
    sign_out(page)

    # Password first: not signed in yet, the second step asks for the code.
    sign_in(page, ADMIN)
    expect(page.locator("h1")).to_have_text("Tvåstegsverifiering")
    page.goto("/services")
    assert "/login" in page.url
    sign_in(page, ADMIN)
    later = totp.at(time.time() + 30)  # the next step: later than the enrolment's code
    page.fill("#code", later)
    page.get_by_role("button", name="Verifiera").click()
    expect(page.locator("h1")).to_have_text("Översikt")
    sign_out(page)

    # The same code again is refused.
    sign_in(page, ADMIN)
    page.fill("#code", later)
    page.get_by_role("button", name="Verifiera").click()
    expect(page.locator(".form-error")).to_contain_text("redan använts")

    # A recovery code gets in, once.
    page.get_by_role("link", name="Använd en återställningskod").click()
    page.fill("#code", codes[0])
    page.get_by_role("button", name="Verifiera").click()
    expect(page.locator("h1")).to_have_text("Översikt")
    assert page.js_errors == []
