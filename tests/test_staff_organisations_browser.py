"""Kunder in a real browser: the list and the organisation page render
under the strict CSP without script errors, the tree is indented by depth,
and Ny kund shows its errors next to the fields. Screenshots go to
``SCREENSHOT_DIR`` when set (for looking at the pages)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from models import Organisation
from tests.browser import sign_in
from tests.conftest import STAFF

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_the_list_and_the_organisation_page(page):
    sign_in(page, STAFF, staff=True)
    page.goto("/staff/organisations")
    expect(page.locator("h1")).to_have_text("Kunder")
    expect(page.get_by_role("link", name="A3 Demo Connect")).to_be_visible()
    shot(page, "organisations-list")

    page.get_by_role("link", name="A3 Demo Connect").click()
    expect(page.locator("h1")).to_have_text("A3 Demo Connect")
    expect(page.locator("a[aria-current=page]")).to_have_text("Kunder")
    expect(page.locator("#users")).to_contain_text("admin@a3demo.se")
    nested = page.locator(".account-tree .tree-name.depth-1").first
    top = page.locator(".account-tree .tree-name.depth-0").first
    assert nested.bounding_box() and top.bounding_box()
    padding = nested.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
    assert padding > top.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
    shot(page, "organisation-page")

    page.get_by_role("link", name="Stäng av kund").click()
    expect(page.locator("h1")).to_have_text("Stäng av kund")
    shot(page, "organisation-suspend-confirm")
    page.get_by_role("link", name="Avbryt").click()
    page.get_by_role("link", name="Ändra").click()
    expect(page.locator("#org_number")).to_have_value("556629-0549")
    shot(page, "organisation-edit")

    page.goto("/staff/organisations/new")
    page.fill("#name", "Kustfrakt AB")
    page.fill("#org_number", "556016-0681")
    page.get_by_role("button", name="Skapa kund och skicka inbjudan").click()
    expect(page.locator("#org_number-error")).to_contain_text("giltigt organisationsnummer")
    expect(page.locator("#admin_email-error")).to_contain_text("e-postadress")
    shot(page, "organisation-new-errors")
    assert not Organisation.select().where(Organisation.name == "Kustfrakt AB").exists()

    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    page.goto(f"/staff/organisations/{org.id}/users/new")
    expect(page.locator("#account")).to_have_value(org.top_account().customer_number)
    shot(page, "organisation-user-new")

    page.goto("/staff/tickets")
    page.get_by_role("link", name="Nytt ärende").click()
    page.select_option("#organisation", label="A3 Demo Connect (556629-0549)")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator("#creator")).to_contain_text("admin@a3demo.se")
    shot(page, "ticket-new")
    assert page.js_errors == []
