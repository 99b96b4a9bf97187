"""Genvägar and Sparade filter in a real browser: the star saves the list as
htmx left it (sorted in place after the page loaded), and a filter saved from
the list's menu shows in the menu and applies in place."""

from __future__ import annotations

import os

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHORTCUT_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_star_saves_the_list_as_htmx_left_it(page):
    sign_in(page, "admin@a3demo.se")
    page.goto("/services")
    # sort in place: htmx pushes the new address, the star's link is older
    page.click("#list-services th a:has-text('Nummer')")
    page.wait_for_url("**/services?*sort=number*")
    page.click("[data-shortcut-star]")
    dialog = page.locator("#dialog[open]")
    dialog.wait_for()
    assert "sort=number" in dialog.locator("#url").input_value()
    dialog.locator("#title").fill("Tjänster efter nummer")
    shot(page, "shortcut-dialog")
    dialog.locator("button[type=submit]").click()
    page.locator("#dialog[open]").wait_for(state="detached")
    page.locator("[data-shortcut-star].saved").wait_for()
    page.goto("/")
    link = page.locator(".shortcuts-panel a", has_text="Tjänster efter nummer")
    assert "sort=number" in link.get_attribute("href")
    shot(page, "oversikt-shortcuts")
    page.goto("/shortcuts")
    shot(page, "hantera-genvagar")
    assert page.js_errors == []


def test_a_filter_saved_from_the_menu_applies_in_place(page):
    sign_in(page, "admin@a3demo.se")
    page.goto("/services?f_kind=mobile&sort=number&dir=desc")
    page.click("#list-services .saved-filters summary")
    page.click("#list-services .saved-filters a:has-text('Spara filter')")
    dialog = page.locator("#dialog[open]")
    dialog.wait_for()
    dialog.locator("#name").fill("Mobiler, högst nummer först")
    dialog.locator("#shared").check()
    dialog.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto("/services")
    page.click("#list-services .saved-filters summary")
    entry = page.locator("#list-services .saved-filters li a", has_text="Mobiler, högst")
    entry.wait_for()
    shot(page, "sparade-filter-meny")
    entry.click()
    page.wait_for_url("**/services?f_kind=mobile*")
    assert page.locator("#list-services .filter-notice").is_visible()
    assert page.js_errors == []
