"""In a real browser: a Superuser puts an ordergodkännare in the Fast
telefoni chain through the Företagsprofil dialog, then finds the demo's
mobile order waiting for her (step 1 of Mobiltelefoni) under Att godkänna
and rejects it through the Avslå dialog, which insists on a comment."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """Screenshots for a reviewer when TELEPORTAL_SCREENSHOTS names a folder."""
    folder = os.environ.get("TELEPORTAL_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_chain_dialog_then_reject_from_att_godkanna(page):
    sign_in(page, ADMIN)
    page.goto("/company")
    section = page.locator("#approvers")
    expect(section.locator("#approvers-mobile")).to_contain_text("Per Holm")
    mobile = section.locator("#approvers-fixed")
    expect(mobile).to_contain_text("Inga ordergodkännare")
    page.evaluate("window.__notReloaded = true")
    mobile.get_by_role("link", name=re.compile("Lägg till")).click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("h2")).to_contain_text("Fast telefoni")
    dialog.get_by_role("button", name="Lägg till").click()  # nobody chosen
    expect(dialog.locator(".field-error")).to_contain_text("Välj en Administratör")
    dialog.locator("select[name=user]").select_option(label="Anna Lind (admin@a3demo.se)")
    dialog.get_by_role("button", name="Lägg till").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#approvers-fixed")).to_contain_text("Anna Lind")
    assert page.evaluate("window.__notReloaded") is True  # the section refreshed in place
    shot(page, "foretagsprofil-ordergodkannare")

    page.goto("/orders")
    page.get_by_role("link", name=re.compile(r"Att godkänna \(1\)")).click()
    page.wait_for_url(re.compile(r"/orders/approvals"))
    rows = page.locator("#list-approvals tbody tr")
    expect(rows).to_have_count(1)
    shot(page, "att-godkanna")
    rows.first.get_by_role("link", name=re.compile("Visa")).click()
    expect(page.locator("#approvals")).to_contain_text("Per Holm")  # step 2, still to come
    page.get_by_role("link", name="Avslå").click()
    expect(dialog.locator("textarea[name=comment]")).to_be_focused()
    dialog.get_by_role("button", name="Avslå").click()
    expect(dialog.locator(".field-error")).to_contain_text("Skriv en kommentar")
    dialog.locator("textarea[name=comment]").fill("Vänta till nästa kvartal.")
    dialog.get_by_role("button", name="Avslå").click()
    expect(page.locator("#approvals")).to_contain_text("Vänta till nästa kvartal.")
    expect(page.locator("#approvals")).to_contain_text("Avslagen")
    expect(page.locator("#approvals").get_by_role("button", name="Godkänn")).to_have_count(0)
    shot(page, "avslagen")
    page.goto("/orders/approvals")
    expect(page.locator("#list-approvals")).to_contain_text("Inga beställningar väntar")
    assert page.js_errors == []
