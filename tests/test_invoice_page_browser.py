"""The invoice page in a browser: opened from the list by its number, it
shows the lines by service, the chart beside them, and no script errors
under the Content-Security-Policy."""

from __future__ import annotations

import os

import pytest

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """Screenshots for a reviewer when TELEPORTAL_SCREENSHOTS names a folder."""
    folder = os.environ.get("TELEPORTAL_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_open_an_invoice_from_the_list(page):
    sign_in(page, ADMIN)
    page.goto("/invoices")
    cell = page.locator("table.list tbody tr td[data-label=Fakturanummer]").first
    number = cell.inner_text().strip()
    cell.get_by_role("link", name=number).click()
    page.wait_for_url("**/invoices/*")
    assert page.locator("h1").inner_text() == f"Faktura {number}"
    lines = page.locator("table.lines")
    assert lines.locator("tbody.service-group").count() > 1
    assert lines.locator("tfoot tr.total").inner_text().startswith("Att betala")
    chart = page.locator("figure.chart svg")
    assert chart.is_visible()
    assert chart.locator("rect").count() == 12
    # the chart sits beside the lines on a wide screen
    lines_box, chart_box = lines.bounding_box(), chart.bounding_box()
    assert chart_box["x"] > lines_box["x"] + lines_box["width"]
    shot(page, "invoice-page")
    assert page.js_errors == []
