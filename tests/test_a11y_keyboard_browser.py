"""Keyboard and screen-reader behaviour (issue 20 item 3) in a real browser:
the skip link, a visible focus, dialogs that keep the focus inside, close
on Escape and give the focus back, and lists that announce their update in
a live region after an htmx swap and keep the focus where it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

FOCUSED = "document.activeElement"


def test_skip_link_is_first_and_moves_focus_to_the_content(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Hoppa till innehållet")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the focused skip link is shown"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{FOCUSED}.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.closest('main') !== null"), "the next stop is in the content"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible(page, scheme):
    page.emulate_media(color_scheme=scheme)
    sign_in(page, ADMIN)
    page.goto("/services")
    page.locator("main").focus()
    page.keyboard.press("Tab")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; })()"
    )
    assert style[0] == "solid" and style[1] >= 2, style
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert style[2] != background


def open_alias_dialog(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    page.locator("table.list tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    opener = page.locator("a.pencil").first
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#dialog[open]")
    expect(dialog).to_be_visible()
    return opener, dialog


def test_dialog_keeps_focus_inside_with_tab_and_shift_tab(page):
    opener, dialog = open_alias_dialog(page)
    inside = f"document.getElementById('dialog').contains({FOCUSED})"
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(inside), "Tab left the dialog"
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside), "Shift+Tab left the dialog"


def test_dialog_closes_on_escape_and_gives_focus_back(page):
    opener, dialog = open_alias_dialog(page)
    page.keyboard.press("Escape")
    expect(page.locator("#dialog")).not_to_have_attribute("open", "")
    expect(opener).to_be_focused()


def test_dialog_cancel_gives_focus_back(page):
    opener, dialog = open_alias_dialog(page)
    dialog.locator("[data-close-dialog]").last.click()
    expect(page.locator("#dialog")).not_to_have_attribute("open", "")
    expect(opener).to_be_focused()


def test_list_announces_its_update_and_keeps_the_focus(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    status = page.locator("#list-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")
    header = page.locator("table.list thead th a").first
    label = header.inner_text().strip()
    header.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Listan är uppdaterad:")
    expect(status).to_contain_text("poster")
    expect(status).to_contain_text(f"sorterad på {label}")
    # the redrawn list's same heading has the focus, not the page
    assert page.evaluate(f"{FOCUSED}.closest('th') !== null")
    assert page.evaluate(f"{FOCUSED}.textContent").strip().startswith(label)
    # next page, by keyboard
    nxt = page.locator(".pages a[rel=next]")
    nxt.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("21 - ")
    assert page.evaluate(f"{FOCUSED}.closest('.pager') !== null")


def test_filter_by_keyboard_returns_to_the_funnel_and_announces(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    funnel = page.locator("details.col-filter:has(input[type=search]) > summary").first
    label = funnel.get_attribute("aria-label")
    funnel.focus()
    page.keyboard.press("Enter")  # opens the popover
    search = page.locator("details.col-filter[open] input[type=search]")
    expect(search).to_be_visible()
    search.focus()
    page.keyboard.type("zzzz-ingen-träff")
    page.keyboard.press("Enter")
    status = page.locator("#list-status")
    expect(status).to_contain_text("Listan är uppdaterad:")
    expect(page.locator(".filter-notice")).to_be_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    # Escape closes an open popover
    page.keyboard.press("Enter")
    expect(page.locator("details.col-filter[open]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("details.col-filter[open]")).to_have_count(0)


def test_account_tree_by_keyboard(page):
    """Tab reaches an account's link, then its arrow; Enter on the arrow
    opens the branch (its children load), and the children come next."""
    sign_in(page, ADMIN)
    page.goto("/accounts")
    node_id = page.locator(".tree-node:has(> details.tree-branch:not([open]))").first.get_attribute(
        "data-tree-node"
    )
    closed = page.locator(f'.tree-node[data-tree-node="{node_id}"]')
    link = closed.locator("> .tree-link")
    number = link.locator(".tree-number").inner_text()
    link.focus()
    page.keyboard.press("Tab")
    summary = closed.locator("> details > summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("aria-label", f"Visa underkonton till {number}")
    page.keyboard.press("Enter")
    expect(closed.locator("> details")).to_have_attribute("open", "")
    child = closed.locator(".tree-children .tree-link").first
    expect(child).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.tree-children') !== null"), (
        "the first child comes next"
    )
