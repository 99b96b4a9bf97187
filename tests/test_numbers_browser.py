"""Readable numbers and the search box as a person sees them in Chromium:
phone numbers grouped and kept on one line at desktop and phone widths,
a number typed the readable way found as you type, and the invoice-only
user's box offering what she can search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN, INVOICES_ONLY

pytestmark = pytest.mark.browser

READABLE = re.compile(r"^0\d{1,3}-\d{2,3}( \d{2,3}){1,3}$")


@pytest.mark.parametrize("width", [1366, 390])
def test_service_numbers_are_grouped_and_on_one_line(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, ADMIN)
    page.goto("/services")
    links = page.locator('td[data-label="Nummer"] a')
    expect(links.first).to_be_visible()
    texts = [t.replace("\u00a0", " ") for t in links.all_inner_texts()]
    assert texts and all(READABLE.match(t) for t in texts), texts
    # one line box each: the number never breaks after its area code
    lines = links.evaluate_all("links => links.map(a => a.getClientRects().length)")
    assert set(lines) == {1}, lines
    assert page.js_errors == []


def test_a_number_typed_the_readable_way_is_found_as_you_type(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    first = page.locator('td[data-label="Nummer"] a').first
    shown = first.inner_text().replace("\u00a0", " ")
    box = page.locator(".globalsearch input[type=search]")
    box.press_sequentially("+46 " + shown[1:], delay=10)
    hit = page.locator(".search-dropdown .search-group", has_text="Tjänster").locator("a").first
    expect(hit).to_contain_text(shown.replace(" ", "\u00a0"))
    expect(hit.locator("mark")).to_have_count(1)


def test_invoice_only_user_is_offered_invoices(page):
    sign_in(page, INVOICES_ONLY)
    box = page.locator(".globalsearch input[type=search]")
    expect(box).to_have_attribute("placeholder", "Sök faktura")
    box.fill("6789")
    groups = page.locator(".search-dropdown .search-group h2")
    expect(groups).to_have_text(["Fakturor"])
    box.fill("Anna")
    expect(page.locator(".search-none")).to_contain_text(
        "Du kan söka efter fakturor (fakturanummer)."
    )
    assert page.js_errors == []
