"""Grupper in a real browser: Lägg till i grupp from a service page (the
dialog, an overlap shown next to the field, then saved and the panel
refreshed in place), and Byt grupp on an account."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def test_add_a_service_to_a_group_in_place(page):
    sign_in(page, ADMIN)
    page.goto("/services?q=Router")
    page.locator("table.list tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__notReloaded = true")
    panel = page.locator("#group-panel")
    expect(panel).to_contain_text("Aktiva grupper")

    panel.get_by_role("link", name="Lägg till i grupp").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("Lägg till i grupp")
    dialog.locator("select[name=group]").select_option(label="Kostnadsställe:KS 100")
    dialog.locator("input[name=start_month]").fill("2001-01")
    dialog.get_by_role("button", name="Lägg till grupp").click()
    expect(dialog.locator("#start_month-error")).to_contain_text("Startmånaden kan vara tidigast")

    dialog.locator("select[name=group]").select_option(label="Avdelning:Ekonomi")
    dialog.locator("input[name=start_month]").fill("")
    dialog.get_by_role("button", name="Lägg till grupp").click()
    expect(panel).to_contain_text("Avdelning:Ekonomi sedan")
    assert page.evaluate("window.__notReloaded") is True  # refreshed in place
    assert page.js_errors == []
