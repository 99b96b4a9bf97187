"""Languages in a browser (issue 20): the sign-in page's switch, then the
user's own language from Min profil drives the menu and the Tjänster list."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("I18N_SCREENSHOTS")  # a folder: keep screenshots to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_switch_on_the_sign_in_page(page):
    page.goto("/login")  # the test browser is Swedish (tests/browser.py)
    expect(page.locator("h1")).to_have_text("Logga in på ditt konto")
    page.get_by_role("link", name="Dansk").click()
    expect(page.locator("h1")).to_have_text("Log ind på din konto")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in to your account")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    shot(page, "login-en")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.locator("h1")).to_have_text("Forgot your password?")  # the cookie keeps it
    assert not page.js_errors


def test_english_browser_gets_english_sign_in(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in to your account")
    page.get_by_role("link", name="Svenska").click()
    expect(page.locator("h1")).to_have_text("Logga in på ditt konto")
    context.close()


def test_language_from_the_profile(page):
    sign_in(page, ADMIN)
    page.goto("/profile/details")
    page.select_option("select[name=language]", "en")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    page.goto("/services")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#mainmenu a[aria-current=page]")).to_have_text("Services")
    expect(page.locator("thead")).to_contain_text("Price plan")
    expect(page.get_by_text("Export to Excel")).to_be_visible()
    expect(page.locator(".pager .count")).to_contain_text(" of ")
    shot(page, "services-en")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Overview")
    shot(page, "dashboard-en")
    assert not page.js_errors
