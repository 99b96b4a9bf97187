"""The global search box (UI-2) in a real browser: grouped hits as you type,
keyboard navigation, Escape, and Enter for the whole results page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN

pytestmark = pytest.mark.browser


def test_search_as_you_type_and_open_a_hit(page):
    sign_in(page, ADMIN)
    page.goto("/invoices")
    box = page.locator(".globalsearch input[type=search]")
    requests = []
    page.on("request", lambda r: "/search?" in r.url and requests.append(r.url))
    box.press_sequentially("underkonto 1", delay=20)
    dropdown = page.locator(".search-dropdown")
    expect(dropdown).to_be_visible()
    expect(dropdown.locator(".search-group h2")).to_have_text(["Konton"])
    expect(dropdown.locator(".search-group a")).to_have_count(3)
    expect(dropdown.locator("mark").first).to_have_text("underkonto 1")
    assert len(requests) <= 3  # debounced, not one request per key

    # Escape closes it; typing again opens it
    box.press("Escape")
    expect(dropdown).to_have_count(0)
    box.press_sequentially(".1", delay=20)
    expect(page.locator(".search-dropdown .search-group a")).to_have_count(1)

    # arrow down to the hit, Enter opens the account
    box.press("ArrowDown")
    expect(page.locator(".search-dropdown a").first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    expect(page.locator("h1")).to_have_text("Konto: 23080667 A3 Demo Connect underkonto 1.1")
    assert page.js_errors == []


def test_search_groups_and_the_results_page(page):
    sign_in(page, ADMIN)
    page.goto("/")
    box = page.locator(".globalsearch input[type=search]")
    box.fill("07")
    dropdown = page.locator(".search-dropdown")
    expect(dropdown.locator(".search-group h2").first).to_have_text("Tjänster")
    expect(dropdown.locator(".search-group", has_text="Tjänster").locator("li")).to_have_count(5)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=07$"))
    expect(page.locator("h1")).to_have_text("Sök: ”07”")
    assert page.locator(".search-page .search-group", has_text="Tjänster").locator("li").count() > 5
    # clicking elsewhere closes the drop-down
    box = page.locator(".globalsearch input[type=search]")
    box.fill("underkonto")
    expect(page.locator(".search-dropdown")).to_be_visible()
    page.locator("h1").click()
    expect(page.locator(".search-dropdown")).to_have_count(0)
    assert page.js_errors == []


def test_search_stays_in_scope_for_an_account_administrator(page):
    sign_in(page, ACCOUNT_ADMIN)
    page.goto("/")
    page.locator(".globalsearch input[type=search]").fill("A3 Demo")
    dropdown = page.locator(".search-dropdown")
    expect(dropdown).to_be_visible()
    hits = dropdown.locator(".search-group", has_text="Konton").locator(".search-title")
    expect(hits).to_have_count(3)
    for text in hits.all_inner_texts():
        assert text.split()[0] in {"99500852", "23080667", "23080670"}
