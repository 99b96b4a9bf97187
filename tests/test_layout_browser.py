"""Layout at every width (issue 13 §4), in a real browser at 360, 768, 1024
and 1366 px: no page scrolls sideways, the header is one row from 1024 px
and its parts never overlap, the main menu (behind the Meny button where it
does not fit) and the user menu open inside the screen, a dialog fits; on
phones the list cards show the essential fields, the filters sit behind one
Filter button and the bulk bar sticks to the bottom while rows are ticked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

WIDTHS = (360, 768, 1024, 1366)
PAGES = ("/", "/services", "/accounts", "/invoices")

# The visible parts of the header and their boxes.
HEADER_PARTS = """() => {
  const parts = [".brand", ".menu-button", ".mainmenu", ".globalsearch", ".usermenu summary"];
  return parts.flatMap(sel => [...document.querySelectorAll(".topbar " + sel)])
    .filter(e => getComputedStyle(e).display !== "none" && getComputedStyle(e).position !== "absolute")
    .map(e => { const r = e.getBoundingClientRect();
      return {name: e.className || e.tagName, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
}"""


@pytest.fixture
def at_width(browser, live_server):
    """A signed-in administrator (the longest menu) at a given width."""
    contexts = []

    def open_at(width: int):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 800}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and page.js_errors.append(msg.text))
        sign_in(page, ADMIN)
        return page

    yield open_at
    for context in contexts:
        context.close()


def no_sideways_scroll(page, what: str):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


def inside_viewport(page, locator, what: str):
    width = page.viewport_size["width"]
    height = page.viewport_size["height"]
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None, f"{what} #{i} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{what} #{i} is cut off: {box}"
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
            f"{what} #{i} is cut off: {box}"
        )


def overlapping(boxes) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["left"] < b["right"] - 1
                and b["left"] < a["right"] - 1
                and a["top"] < b["bottom"] - 1
                and b["top"] < a["bottom"] - 1
            ):
                found.append((a["name"], b["name"]))
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_header_and_menus_fit_at_every_width(at_width, width):
    page = at_width(width)
    for path in PAGES:
        page.goto(path)
        no_sideways_scroll(page, f"{path} at {width}px")
        boxes = page.evaluate(HEADER_PARTS)
        assert overlapping(boxes) == [], f"header parts overlap at {width}px on {path}"
        header = page.locator(".topbar").bounding_box()
        if width >= 1024:
            assert header["height"] < 70, f"the header wraps at {width}px: {header['height']}px"

    menu_links = page.locator(".mainmenu a")
    expect(menu_links).to_have_count(
        8
    )  # Översikt … Användare, Rapporter included: the longest menu
    button = page.locator(".menu-button")
    if button.is_visible():
        expect(menu_links.first).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        inside_viewport(page, menu_links, f"main menu link at {width}px")
        page.keyboard.press("Escape")
        expect(menu_links.first).to_be_hidden()
        expect(button).to_have_attribute("aria-expanded", "false")
    else:
        inside_viewport(page, menu_links, f"main menu link at {width}px")

    page.locator(".usermenu summary").click()
    user_links = page.locator(".usermenu-panel a, .usermenu-panel button")
    expect(user_links.last).to_have_text("Logga ut")
    inside_viewport(page, user_links, f"user menu link at {width}px")
    page.keyboard.press("Escape")
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_service_page_and_a_dialog_fit(at_width, width):
    page = at_width(width)
    page.goto("/services?f_kind=mobile&sort=number")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))
    no_sideways_scroll(page, f"the service page at {width}px")
    page.get_by_role("link", name="Avsluta tjänst").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    inside_viewport(page, dialog, f"the dialog at {width}px")
    inside_viewport(page, dialog.locator(".dialog-actions > *"), f"dialog buttons at {width}px")
    no_sideways_scroll(page, f"the service page with a dialog at {width}px")


def test_the_menu_button_is_an_accessible_disclosure(at_width):
    page = at_width(768)
    button = page.get_by_role("button", name="Meny")
    expect(button).to_have_attribute("aria-controls", "mainmenu")
    button.focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Konton")
    ).to_be_visible()
    page.get_by_role("link", name="Konton").focus()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    button.click()
    page.locator("main h1").click()  # a click elsewhere closes it
    expect(button).to_have_attribute("aria-expanded", "false")


def test_phone_cards_show_the_essential_fields(at_width):
    page = at_width(360)
    page.goto("/services")
    card = page.locator("#list-services tbody tr").first
    labels = [
        cell.get_attribute("data-label")
        for cell in card.locator("td[data-label]").all()
        if cell.is_visible()
    ]
    assert labels == ["Status", "Nummer", "Användare", "Produkt"]
    page.set_viewport_size({"width": 1366, "height": 800})
    shown = [
        c.get_attribute("data-label")
        for c in card.locator("td[data-label]").all()
        if c.is_visible()
    ]
    assert len(shown) == 8  # every column on a wide screen


def test_phone_filters_sit_behind_one_filter_button(at_width):
    page = at_width(360)
    page.goto("/services")
    funnel = page.get_by_label("Filtrera Användare")
    expect(funnel).to_be_hidden()
    filter_button = page.get_by_role("button", name=re.compile(r"^Filter"))
    expect(filter_button).to_be_visible()
    filter_button.click()
    expect(filter_button).to_have_attribute("aria-expanded", "true")
    expect(funnel).to_be_visible()
    funnel.click()
    page.locator("input[name=f_user]").fill("Router")
    page.locator("th:has(summary[aria-label='Filtrera Användare']) button[type=submit]").click()
    page.wait_for_url(re.compile(r"f_user=Router"))
    users = page.locator("#list-services tbody td[data-label='Användare']").all_inner_texts()
    assert users and all("Router" in u for u in users)
    no_sideways_scroll(page, "the filtered list")
    # wide screens keep the funnels in the headings and no Filter button
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(page.get_by_role("button", name=re.compile(r"^Filter"))).to_be_hidden()
    expect(page.get_by_label("Filtrera Användare")).to_be_visible()


def test_phone_bulk_bar_sticks_to_the_bottom_while_rows_are_ticked(at_width):
    page = at_width(360)
    page.goto("/invoices")
    bar = page.locator("#list-invoices form[data-bulk]")
    page.locator("#list-invoices input[name=ids]").nth(5).check()
    expect(bar).to_contain_text("1 markerade")
    page.mouse.wheel(0, 1500)
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - 800) <= 1, box
    inside_viewport(page, bar.get_by_role("button"), "the bulk bar's buttons")
    page.locator("#list-invoices input[name=ids]").nth(5).uncheck()
    expect(bar).to_contain_text("0 markerade")
    assert bar.evaluate("e => getComputedStyle(e).position") != "fixed"


def test_a_menu_that_does_not_fit_for_a_long_name_folds_too(at_width):
    page = at_width(1366)
    assert page.locator(".menu-button").is_hidden()  # the menu fits at 1366 px
    # an operator with a long name (OPERATOR_NAME) needs more room for the brand
    page.evaluate(
        "document.querySelector('.brand span').textContent = "
        "'Norrlands Stadsnät och Fiberkommunikation'; window.dispatchEvent(new Event('resize'))"
    )
    expect(page.locator(".topbar")).to_have_class(re.compile(r"\bcompact\b"))
    expect(page.locator(".menu-button")).to_be_visible()
    assert overlapping(page.evaluate(HEADER_PARTS)) == []
    assert page.locator(".topbar").bounding_box()["height"] < 70
    no_sideways_scroll(page, "the top bar with a long name")
    page.locator(".menu-button").click()
    inside_viewport(page, page.locator(".mainmenu a"), "main menu link")
