"""Money on Översikt as a person sees it (issue 13 item 5): overdue invoices
stand out in red beside the unpaid total, at desktop and phone widths, and
lead to the overdue list, whose rows stand out too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

RED = "rgb(179, 38, 30)"  # --bad
RED_BACKGROUND = "rgb(253, 241, 240)"


def tile(page, label: str):
    return page.locator("a.tile").filter(has=page.locator(".tile-label", has_text=label))


def style(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).{prop}")


@pytest.mark.parametrize("width", [1366, 390])
def test_overdue_stands_out_beside_the_unpaid_total(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, ADMIN)
    unpaid, overdue = tile(page, "Obetalda fakturor"), tile(page, "Förfallna fakturor")
    expect(unpaid.locator(".tile-amount")).to_have_text(re.compile(r"^\d[\d\u00a0]*,\d\d\u00a0kr$"))
    expect(overdue.locator(".tile-amount")).to_have_text(
        re.compile(r"^\d[\d\u00a0]*,\d\d\u00a0kr$")
    )
    assert style(overdue, "borderTopColor") == RED
    assert style(overdue.locator(".tile-amount"), "color") == RED
    assert style(unpaid, "borderTopColor") != RED
    assert style(unpaid.locator(".tile-amount"), "color") != RED
    # Side by side, both whole within the screen.
    one, two = unpaid.bounding_box(), overdue.bounding_box()
    assert one["y"] == two["y"] and one["x"] + one["width"] <= two["x"]
    assert two["x"] + two["width"] <= width
    for box, locator in ((one, unpaid), (two, overdue)):
        amount = locator.locator(".tile-amount").bounding_box()
        assert amount["x"] + amount["width"] <= box["x"] + box["width"], "the amount fits"


def test_the_overdue_tile_opens_the_overdue_invoices_marked(page):
    sign_in(page, ADMIN)
    overdue = tile(page, "Förfallna fakturor")
    count = int(overdue.locator(".tile-count").inner_text())
    overdue.click()
    page.wait_for_url(re.compile(r"/invoices\?f_status=overdue$"))
    rows = page.locator("#list-invoices tbody tr")
    expect(rows).to_have_count(count)
    for i in range(count):
        row = rows.nth(i)
        assert style(row, "backgroundColor") == RED_BACKGROUND
        assert row.locator("td[data-label=Belopp]").inner_text().endswith("kr")
        assert style(row.locator(".status"), "color") == RED
