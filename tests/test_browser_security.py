"""What a person sees of the security work: after choosing a password the
login page is centred and has the user name filled in; a message above the
card keeps it centred; Min profil lists the signed-in devices."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from database import write_tx
from domain import tokens
from models import User
from tests.browser import sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Blåbärssylt på tisdagar 7"


def assert_centred(page, width: int):
    card = page.locator(".login-card").bounding_box()
    middle = card["x"] + card["width"] / 2
    assert abs(middle - width / 2) <= 2, (middle, width)


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("kind", [tokens.RESET, tokens.INVITE])
def test_after_choosing_a_password_the_login_is_centred_with_the_name(page, width, kind):
    page.set_viewport_size({"width": width, "height": 800})
    user = User.get(User.username == "faktura@a3demo.se")
    with write_tx():
        token = tokens.issue_link(user, kind)
    page.goto(f"/{kind}/{token}")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Spara lösenord").click()
    page.wait_for_url("**/login")
    expect(page.locator("#username")).to_have_value("faktura@a3demo.se")
    expect(page.locator("#password")).to_be_focused()
    expect(page.locator("#toasts")).to_contain_text("Ditt lösenord är sparat")
    assert_centred(page, width)
    page.screenshot(path=f"/tmp/login-after-{kind}-{width}.png")
    page.fill("#password", NEW_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    # The name is offered once, not to the next visitor of the login page.
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/login")
    expect(page.locator("#username")).to_have_value("")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_message_above_the_login_card_keeps_it_centred(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/login/verify")  # no sign-in under way: back to the login with a message
    page.wait_for_url("**/login")
    flash = page.locator("main > .flash")
    expect(flash).to_contain_text("Logga in igen")
    assert flash.bounding_box()["y"] < page.locator(".login-card").bounding_box()["y"]
    assert_centred(page, width)


def test_profile_lists_this_device(page):
    sign_in(page, "admin@a3demo.se")
    page.goto("/profile")
    panel = page.locator("#sessions")
    expect(panel.get_by_role("heading", name="Inloggade enheter")).to_be_visible()
    expect(panel).to_contain_text("Den här enheten")
    expect(panel).to_contain_text("Du är inte inloggad på någon annan enhet.")
    page.screenshot(path="/tmp/profile-sessions-1366.png", full_page=True)
