"""Bulk actions in a real browser: ticks on page 1 and page 2 of Tjänster
survive paging (the selection is kept in sessionStorage, static/bulk.js),
then Lägg till i grupp on all of them: the dialog, its confirmation and the
result page."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("BULK_SCREENSHOTS")  # a folder: screenshots of each step


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def ticked_ids(page) -> list[str]:
    return page.locator("table.list tbody input[name=ids]:checked").evaluate_all(
        "boxes => boxes.map(b => b.value)"
    )


def test_tick_across_pages_and_add_to_a_group(page):
    sign_in(page, ADMIN)
    page.goto("/services?per_page=10&f_kind=mobile")
    boxes = page.locator("table.list tbody input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    first_page = ticked_ids(page)
    expect(page.locator("[data-bulk-count]")).to_have_text("2 markerade")

    page.get_by_role("link", name="Nästa sida").first.click()
    expect(page.locator(".pager .current")).to_have_text("2")
    page.locator("table.list tbody input[name=ids]").nth(0).check()
    expect(page.locator("[data-bulk-count]")).to_have_text("3 markerade")
    shot(page, "1-list")

    # back on page 1 the ticks are still there
    page.get_by_role("link", name="Föregående sida").first.click()
    expect(page.locator(".pager .current")).to_have_text("1")
    assert ticked_ids(page) == first_page

    # Exportera markerade takes the ticks of both pages
    with page.expect_download() as download:
        page.get_by_role("button", name="Exportera markerade").click()
    data = io.BytesIO(Path(download.value.path()).read_bytes())
    sheet = openpyxl.load_workbook(data).active
    assert sheet.max_row == 1 + 3  # the heading and the three services

    page.locator("[data-bulk-run=group]").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("3 markerade tjänster")
    shot(page, "2-dialog")
    dialog.locator("select[name=group]").select_option(label="Avdelning:Ekonomi")
    dialog.get_by_role("button", name="Nästa »").click()
    expect(dialog).to_contain_text("Lägg till i Avdelning:Ekonomi")
    expect(dialog).to_contain_text("för 3 tjänster")
    shot(page, "3-confirm")
    dialog.get_by_role("button", name="Genomför").click()

    page.wait_for_url("**/services/bulk/*")
    expect(page.locator("#bulk-status")).to_contain_text("3 av 3")
    expect(page.locator("table.bulk-rows tbody tr")).to_have_count(3)
    expect(page.locator("table.bulk-rows")).to_contain_text("Genomförd")
    shot(page, "4-result")
    # the selection was used up
    page.goto("/services?per_page=10&f_kind=mobile")
    expect(page.locator("[data-bulk-count]")).to_have_text("0 markerade")
    assert page.js_errors == []


def test_select_every_match(page):
    sign_in(page, ADMIN)
    page.goto("/services?per_page=10")
    page.locator("[data-select-all]").check()
    everything = page.locator("[data-bulk-all]")
    expect(everything).to_be_visible()
    everything.click()
    expect(page.locator("[data-bulk-count]")).to_contain_text("träffar markerade")
    page.get_by_role("link", name="Nästa sida").first.click()
    expect(page.locator(".pager .current")).to_have_text("2")
    assert len(ticked_ids(page)) == 10  # every match: page 2 too
    page.locator("[data-bulk-run=invoice_text]").click()
    expect(page.locator("#dialog")).to_contain_text("Alla")
    shot(page, "5-all")
    assert page.js_errors == []
