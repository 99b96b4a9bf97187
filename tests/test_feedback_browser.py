"""Feedback in a real browser (issue 13 §3): the confirmation toast in the
polite live region after an htmx dialog, while a dialog stays open and after
a plain form; submit buttons that show they are working and send once; the
colours of cancel, primary and destructive buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

RED = "rgb(179, 38, 30)"  # --bad


def open_account(page, number: str = "99500852"):
    page.goto("/accounts")
    page.locator("#list-accounts a", has_text=number).click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))


def open_service(page):
    page.goto("/services?f_kind=mobile&sort=number")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))


def hold_posts(page, pattern: str) -> list:
    """Keep the POSTs to ``pattern`` from reaching the server until released,
    so that what the page does while it waits can be seen."""
    held = []
    page.route(
        pattern,
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    return held


def wait_until(page, condition, timeout_ms: int = 10_000):
    """Poll ``condition`` (Python side: the page may be busy navigating)."""
    waited = 0
    while not condition():
        assert waited < timeout_ms, "timed out"
        page.wait_for_timeout(25)
        waited += 25


def test_a_dialog_ends_with_a_toast_in_the_live_region(page):
    sign_in(page, ADMIN)
    open_account(page)
    page.get_by_role("link", name="Redigera alias").first.click()
    dialog = page.locator("#dialog")
    dialog.locator("input[name=alias]").fill("Kontoret")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    region = page.locator("#toasts")
    expect(region.locator(".toast")).to_have_text(re.compile(r"Aliaset är sparat\."))
    assert region.get_attribute("aria-live") == "polite"
    assert region.get_attribute("role") == "status"
    # back outside the closed dialog, where it is not inert
    assert page.evaluate("document.getElementById('toasts').parentElement === document.body")
    region.get_by_role("button", name="Stäng meddelandet").click()
    expect(region.locator(".toast")).to_have_count(0)
    assert page.js_errors == []


def test_a_dialog_that_stays_open_shows_the_toast_above_it(page):
    sign_in(page, ADMIN)
    open_service(page)
    page.get_by_role("link", name="Mobilspärrar").first.click()
    dialog = page.locator("#dialog")
    dialog.locator("select[name=kind]").select_option("roaming")
    dialog.get_by_role("button", name="Lägg till").click()
    toast = page.locator("#toasts .toast")
    expect(toast).to_have_text(re.compile(r"Spärren Roaming är tillagd\."))
    expect(dialog).to_be_visible()
    # Outside a modal dialog everything is inert (not announced, not
    # clickable): the live region is inside the open dialog while it is open.
    assert page.evaluate("!!document.getElementById('toasts').closest('dialog[open]')")
    toast.get_by_role("button", name="Stäng meddelandet").click()
    expect(toast).to_have_count(0)
    dialog.get_by_role("link", name="Stäng").last.click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.getElementById('toasts').parentElement === document.body")
    assert page.js_errors == []


def test_a_plain_form_ends_with_the_same_toast(page):
    sign_in(page, ADMIN)
    page.goto("/company")
    page.locator("form.company-form").get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#toasts .toast")).to_have_text(re.compile(r"Företagsprofilen är sparad\."))
    expect(page.locator(".flash-success")).to_have_count(0)  # shown once, as the toast


def test_a_dialog_submit_is_busy_and_sends_once(page):
    from models import Contact

    sign_in(page, ADMIN)
    open_account(page)
    held = hold_posts(page, "**/contacts/new")
    page.get_by_role("link", name="Lägg till kontaktperson").click()
    dialog = page.locator("#dialog")
    dialog.locator("input[name=name]").fill("Dubbel Klick")
    dialog.locator("input[name=email]").fill("dubbel@a3demo.se")
    button = dialog.get_by_role("button", name="Spara")
    button.dblclick()
    expect(button).to_be_disabled()
    expect(button).to_have_class(re.compile(r"\bis-busy\b"))
    expect(dialog.locator("input[name=name]")).to_be_disabled()
    button.click(force=True)  # a third press while it is busy
    expect(page.locator("#dialog .is-busy")).to_have_count(1)
    assert len(held) == 1
    for route in held:
        route.continue_()
    expect(dialog).to_be_hidden()
    expect(page.locator("#toasts .toast")).to_have_text(re.compile("Dubbel Klick är tillagd"))
    assert len(held) == 1
    assert Contact.select().where(Contact.name == "Dubbel Klick").count() == 1


def test_a_plain_form_submit_sends_once(page):
    sign_in(page, ADMIN)
    page.goto("/company")
    held = hold_posts(page, "**/company")
    box = page.locator("form.company-form").get_by_role("button", name="Spara").bounding_box()
    # (mouse clicks: while the form's navigation waits, locators and
    # page.evaluate wait for it too)
    page.mouse.dblclick(box["x"] + 5, box["y"] + 5)
    wait_until(page, lambda: held)
    page.mouse.click(box["x"] + 5, box["y"] + 5)  # once more while it is sent
    held[0].continue_()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#toasts .toast")).to_have_text(re.compile(r"Företagsprofilen är sparad\."))
    assert len(held) == 1
    # Back to the page: the form can be sent again.
    page.go_back()
    expect(page.locator("form.company-form").get_by_role("button", name="Spara")).to_be_enabled()


def test_cancel_is_neutral_and_a_destructive_action_is_red(page):
    sign_in(page, ADMIN)
    open_service(page)
    page.get_by_role("link", name="Avsluta tjänst").click()
    dialog = page.locator("#dialog")
    confirm = dialog.get_by_role("button", name="Bekräfta")
    cancel = dialog.locator(".dialog-actions").get_by_role("link", name="Avbryt")
    assert confirm.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert cancel.evaluate("e => getComputedStyle(e).color") != RED
    assert cancel.evaluate("e => getComputedStyle(e).borderColor") != RED
    cancel.click()
    expect(dialog).to_be_hidden()
    # an ordinary action's button is the blue primary
    page.get_by_role("link", name="Ändra användare").click()
    save = dialog.get_by_role("button", name="Spara")
    assert save.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 92, 173)"


def test_min_profil_confirms_and_refreshes_in_place(page):
    sign_in(page, ADMIN)
    page.goto("/profile")
    page.evaluate("window.__notReloaded = true")
    page.locator("#profile-grid").get_by_role("link", name="Redigera").click()
    page.locator("#dialog input[name=name]").fill("Anna Lindqvist")
    page.locator("#dialog").get_by_role("button", name="Spara").click()
    expect(page.locator("#toasts .toast")).to_have_text(re.compile(r"Dina uppgifter är sparade\."))
    expect(page.locator("#profile-grid dd").first).to_have_text("Anna Lindqvist")
    expect(page.locator(".usermenu-name")).to_have_text("Anna Lindqvist")  # the top bar too
    assert page.evaluate("window.__notReloaded") is True
    assert page.js_errors == []
