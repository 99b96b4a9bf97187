"""Genvägar edited in two tabs, in a real browser: a change from the tab
that shows an older state opens the dialog with the 409's message instead
of changing anything; the tab reloaded, the change goes through. Screenshots
go to ``SCREENSHOT_DIR`` when set."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser
STALE = "Genvägarna har ändrats på en annan sida. Ladda om sidan och försök igen."


def star(page, path: str, title: str) -> None:
    page.goto(path)
    page.click("[data-shortcut-star]")
    dialog = page.locator("#dialog[open]")
    dialog.wait_for()
    dialog.locator("#title").fill(title)
    dialog.locator("button[type=submit]").click()
    page.locator("#dialog[open]").wait_for(state="detached")


def titles(page) -> list[str]:
    return page.locator(".shortcut-admin .shortcut-title").all_inner_texts()


def test_a_change_from_a_stale_tab_shows_the_message(page):
    sign_in(page, "admin@a3demo.se")
    star(page, "/services", "Tjänster")
    star(page, "/invoices", "Fakturor")
    page.goto("/shortcuts")
    other = page.context.new_page()  # a second tab
    other.goto("/shortcuts")
    other.get_by_role("button", name="Flytta ned Tjänster").click()
    other.wait_for_load_state("networkidle")
    assert titles(other) == ["Fakturor", "Tjänster"]

    page.get_by_role("button", name="Ta bort").first.click()
    dialog = page.locator("#dialog[open]")
    expect(dialog).to_contain_text(STALE)
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/shortcuts-stale.png")
    assert titles(page) == ["Tjänster", "Fakturor"]  # the stale tab, unchanged
    dialog.get_by_role("link", name="Ladda om sidan").click()
    page.wait_for_load_state("networkidle")
    assert titles(page) == ["Fakturor", "Tjänster"]
    page.get_by_role("button", name="Ta bort").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".shortcut-admin .shortcut-title")).to_have_text(["Tjänster"])
    # no script errors: at most the console's note of the 409 response itself
    assert all("409" in e for e in page.js_errors), page.js_errors
