"""Real-browser test of the molnväxel administration: the employee dialog
refusing a taken extension next to the field and then adding in place, a
number pausing itself in a queue, and Köstatistik. Screenshots go to
SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_employee_dialog_queue_membership_and_statistics(page):
    sign_in(page, ADMIN)
    page.goto("/services?f_kind=cloud_pbx")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))
    employees = page.locator("section[aria-labelledby=sb-employees-title]")
    expect(employees).to_contain_text("Lena Berg")
    shot(page, "pbx_page")
    page.evaluate("window.__notReloaded = true")
    employees.get_by_role("link", name="Ny medarbetare").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=name]").fill("Webb Läsare")
    dialog.locator("input[name=extension]").fill("201")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog.locator(".field-error")).to_have_text("Anknytningen 201 används redan i växeln.")
    shot(page, "employee_dialog_error")
    dialog.locator("input[name=extension]").fill("250")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    expect(employees).to_contain_text("Webb Läsare")
    assert page.evaluate("window.__notReloaded") is True  # refreshed in place

    page.locator("section[aria-labelledby=sb-queues-title]").get_by_role(
        "link", name="Ny kö"
    ).click()
    expect(dialog).to_be_visible()
    dialog.locator("input[name=name]").fill("Tom kö")
    dialog.locator("input[name=number]").fill("260")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog.locator(".field-error")).to_have_text("En kö måste ha minst en medlem.")
    shot(page, "queue_dialog_error")
    dialog.get_by_role("link", name="Avbryt").click()
    expect(dialog).to_be_hidden()

    # a number of the queue Växel pauses itself from its own page
    page.locator("section[aria-labelledby=pbx-users-title] tbody a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))
    memberships = page.locator("section[aria-labelledby=sb-memberships-title]")
    expect(memberships).to_contain_text("Växel")
    memberships.get_by_role("button", name="Pausa").first.click()
    expect(memberships).to_contain_text("Pausad")
    shot(page, "number_memberships")

    page.goto("/reports/koer")
    expect(page.locator("h2", has_text="Per kö och timme")).to_be_visible()
    shot(page, "queue_report")
    assert page.js_errors == []
