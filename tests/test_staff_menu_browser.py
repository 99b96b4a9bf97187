"""The back office's top menu (issue 18 loose end): the less used pages sit
under "Mer", a <details> drop-down, so the bar stays on one row at 1280 and
800 px; Mer opens by mouse and keyboard, its links work, and the page shown
is highlighted inside it (and Mer itself). Screenshots go to
``SCREENSHOT_DIR`` when set."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import STAFF

pytestmark = pytest.mark.browser

# Utkorg is listed in STAFF_MORE_MENU but has no page (staff.outbox) yet, so
# it does not show.
MORE = ["Avtal", "Produkter", "Driftinformation", "Fakturaimport"]
BAR = ["Översikt", "Ärenden", "Ändringar", "Beställningar", "Kunder"]


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png")


def bar_geometry(page) -> dict:
    """Where the bar's entries are: one row, inside the window and the bar."""
    return page.evaluate(
        """() => {
        const bar = document.querySelector('.topbar').getBoundingClientRect();
        const menu = document.querySelector('.mainmenu');
        const items = [...menu.querySelectorAll(':scope > a, :scope > details > summary')]
          .map(e => { const r = e.getBoundingClientRect();
                      return {text: e.textContent.trim(), top: r.top, bottom: r.bottom,
                              left: r.left, right: r.right, height: r.height}; });
        return {bar: {top: bar.top, bottom: bar.bottom, right: bar.right, height: bar.height},
                items, scroll: document.documentElement.scrollWidth,
                width: window.innerWidth,
                menuOverflow: menu.scrollWidth - menu.clientWidth,
                compact: document.querySelector('.topbar').classList.contains('compact')};
    }"""
    )


@pytest.mark.parametrize("width", [1280, 800])
def test_the_staff_menu_fits_on_one_row_and_mer_opens(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, STAFF, staff=True)
    page.goto("/staff")
    geometry = bar_geometry(page)
    assert not geometry["compact"]  # not hidden behind the Meny button
    texts = [item["text"] for item in geometry["items"]]
    assert texts == [*BAR, "Mer"]
    first = geometry["items"][0]
    for item in geometry["items"]:
        assert abs(item["top"] - first["top"]) < 1, item  # one row: no wrap
        assert item["right"] <= geometry["width"], item  # nothing past the window
        assert item["bottom"] <= geometry["bar"]["bottom"], item
    assert geometry["menuOverflow"] <= 1
    assert geometry["scroll"] <= geometry["width"]  # no sideways scrolling
    assert geometry["bar"]["height"] < 70  # one row of the top bar
    expect(page.locator(".menu-button")).to_be_hidden()

    more = page.locator("details.more-menu")
    panel = more.locator(".more-menu-panel")
    expect(panel).to_be_hidden()
    more.locator("summary").click()
    expect(panel).to_be_visible()
    expect(panel.locator("a")).to_have_text(MORE)
    for link in panel.locator("a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    shot(page, f"staff-menu-open-{width}")
    # a click elsewhere closes it
    page.locator("h1").click()
    expect(panel).to_be_hidden()

    more.locator("summary").click()
    panel.get_by_role("link", name="Produkter").click()
    page.wait_for_url("**/staff/catalogue**")
    # the page shown is highlighted inside Mer, and Mer with it
    expect(page.locator(".more-menu summary")).to_have_class("has-current")
    expect(page.locator(".more-menu summary")).to_contain_text("Produkter (aktuell sida)")
    expect(page.locator(".mainmenu a[aria-current=page]")).to_have_text("Produkter")
    page.locator(".more-menu summary").click()
    shot(page, f"staff-menu-current-{width}")
    assert page.js_errors == []


def test_mer_by_keyboard(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, STAFF, staff=True)
    page.goto("/staff")
    summary = page.locator(".more-menu summary")
    panel = page.locator(".more-menu-panel")
    summary.focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    page.keyboard.press("Tab")
    expect(panel.locator("a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(summary).to_be_focused()
    page.keyboard.press("Space")
    expect(panel).to_be_visible()
    for _ in range(3):  # Avtal, Produkter, Driftinformation
        page.keyboard.press("Tab")
    expect(panel.get_by_role("link", name="Driftinformation")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/outages**")
    expect(page.locator(".mainmenu a[aria-current=page]")).to_have_text("Driftinformation")
    # a page of the bar: Mer is not highlighted
    page.goto("/staff/tickets")
    expect(page.locator(".mainmenu > a[aria-current=page]")).to_have_text("Ärenden")
    expect(page.locator(".more-menu summary")).not_to_have_class("has-current")
    assert page.js_errors == []


def test_on_a_phone_the_bar_folds_behind_meny_with_mer_inside(page):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, STAFF, staff=True)
    page.goto("/staff")
    expect(page.locator(".topbar")).to_have_class(re.compile(r"\bcompact\b"))
    page.locator(".menu-button").click()
    page.locator(".more-menu summary").click()
    links = page.locator(".mainmenu a")
    expect(links).to_have_text([*BAR, *MORE])
    for link in links.all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    shot(page, "staff-menu-360")
    page.locator(".more-menu-panel").get_by_role("link", name="Avtal").click()
    page.wait_for_url("**/staff/agreements**")
    assert page.js_errors == []
