"""Kostnader per grupp and Summa per grupp in a real browser, on the demo's
groups (seed/demo_groups.py): choose a category, see the table with Utan
grupp and totals; on Fakturor choose a category and the panel loads by htmx
(GRP-4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def test_costs_per_group_report(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/reports")
    page.get_by_role("link", name="Kostnader per grupp", exact=True).click()
    page.wait_for_url(re.compile(r"/reports/kostnader-per-grupp$"))
    page.get_by_label("Gruppkategori").select_option(label="Avdelning")
    page.screenshot(path=str(tmp_path / "group-costs-form.png"), full_page=True)
    page.get_by_role("button", name="Skapa rapport").click()
    page.wait_for_url(re.compile(r"kategori=\d+"))
    table = page.locator("table.group-costs")
    expect(table).to_be_visible()
    expect(table.locator("tbody th", has_text="Utan grupp")).to_be_visible()
    expect(table.locator("tfoot th", has_text="Totalt")).to_be_visible()
    # the category, twelve months and Totalt
    assert table.locator("thead th").count() == 14
    page.screenshot(path=str(tmp_path / "group-costs.png"), full_page=True)
    page.get_by_role("link", name="Ändra parametrar").click()
    expect(page.get_by_label("Gruppkategori")).to_have_value(
        re.search(r"kategori=(\d+)", page.url)[1]
    )
    assert page.js_errors == []


def test_summa_per_grupp_on_fakturor(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/invoices")
    slot = page.locator("#list-invoices .group-totals-slot")
    slot.get_by_label("Summa per grupp").select_option(label="Avdelning")
    slot.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"kategori=\d+"))
    panel = page.locator("#group-totals-invoices .group-totals-table")
    expect(panel).to_be_visible()
    expect(panel.locator("tbody th", has_text="Utan grupp")).to_be_visible()
    expect(panel.locator("tfoot")).to_contain_text("kr")
    page.screenshot(path=str(tmp_path / "summa-per-grupp.png"), full_page=True)
    assert page.js_errors == []
