"""Konton in a real browser: the tree opening and closing in place, the tree
search, tabs loaded in place, and dialogs that show errors and then save."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def toggle(page, number: str):
    """Click a branch's arrow (not its link)."""
    page.locator(f".tree-branch > summary:has(.tree-number:text-is('{number}'))").click(
        position={"x": 4, "y": 9}
    )


def test_tree_expands_collapses_in_place_and_searches(page):
    sign_in(page, ADMIN)
    page.goto("/accounts")
    page.evaluate("window.__notReloaded = true")
    branch_requests = []
    page.on("request", lambda r: "/accounts/tree/" in r.url and branch_requests.append(r.url))

    child = page.locator(".tree-number", has_text="23080667")
    expect(child).to_have_count(0)  # not loaded until the branch is opened
    toggle(page, "99500852")
    expect(child).to_be_visible()
    expect(page.locator(".tree-number", has_text="23080670")).to_be_visible()
    assert len(branch_requests) == 1

    toggle(page, "99500852")  # closes in place
    expect(child).to_be_hidden()
    toggle(page, "99500852")  # opens again without asking the server
    expect(child).to_be_visible()
    assert len(branch_requests) == 1

    # the alias is shown instead of the name
    expect(page.locator(".tree .tree-link", has_text="23085441")).to_contain_text(
        "Stockholmskontoret"
    )

    # search: hits with their path, and back to the tree when emptied
    page.fill("#tree-q", "1.2")
    hit = page.locator(".tree-results li")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("23080670")
    expect(hit.locator(".tree-path")).to_have_text("M2M › A3 Demo Connect underkonto 1")
    page.fill("#tree-q", "")
    expect(page.locator("ul.tree")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True

    # a click on the name opens the account
    hit_link = page.locator(".tree-link", has_text="23080671")
    hit_link.click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    expect(page.locator("h1")).to_have_text("Konto: 23080671 A3 Demo Connect underkonto 2")
    assert page.js_errors == []


def test_tabs_load_in_place_with_their_own_urls(page):
    sign_in(page, ADMIN)
    page.goto("/accounts")
    page.locator("#list-accounts a", has_text="99500852").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    account_url = page.url
    page.evaluate("window.__notReloaded = true")

    page.locator("nav.tabs a", has_text="Tjänster").click()
    page.wait_for_url(re.compile(r"/services$"))
    expect(page.locator(".scope-select label")).to_have_text("Tjänster för:")
    expect(page.locator("#scope-services")).to_have_value("this")
    this_only = page.locator("#list-services .count").inner_text()

    page.select_option("#scope-services", "subtree")
    page.wait_for_url(re.compile(r"scope=subtree"))
    expect(page.locator("#list-services .count")).not_to_have_text(this_only)

    # sorting inside the tab swaps only the list and keeps the scope
    page.locator("#list-services th a", has_text="Användare").click()
    page.wait_for_url(re.compile(r"scope=subtree.*sort=user|sort=user.*scope=subtree"))
    expect(page.locator("#scope-services")).to_have_value("subtree")
    expect(page.locator(".scope-select")).to_have_count(1)
    assert page.evaluate("window.__notReloaded") is True

    page.locator("nav.tabs a", has_text="Fakturor").click()
    page.wait_for_url(re.compile(r"/invoices$"))
    expect(page.locator("#list-invoices")).to_be_visible()

    # back, one step at a time, through every state
    page.go_back()
    page.wait_for_url(re.compile(r"sort=user"))
    expect(page.locator("#list-services")).to_be_visible()
    page.go_back()
    page.wait_for_url(re.compile(r"scope=subtree$"))
    expect(page.locator("#list-services th[aria-sort]")).to_contain_text("Nummer")
    expect(page.locator("#scope-services")).to_have_value("subtree")
    page.go_back()
    page.wait_for_url(re.compile(r"/services$"))
    expect(page.locator("#scope-services")).to_have_value("this")
    page.go_back()
    page.wait_for_url(account_url)
    expect(page.locator("#account-details")).to_be_visible()
    assert page.js_errors == []


def test_dialog_shows_errors_in_place_then_saves_and_refreshes(page):
    sign_in(page, ADMIN)
    page.goto("/accounts")
    page.locator("#list-accounts a", has_text="99500852").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    page.evaluate("window.__notReloaded = true")

    page.get_by_role("link", name="Redigera adress").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("label[for=street]")).to_have_class("required")
    page.fill("#street", "Box 3124")
    page.fill("#postcode", "9030")
    page.fill("#city", "")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog.locator(".field-error")).to_have_count(2)
    expect(dialog.locator("#postcode-error")).to_have_text(
        "Ange postnumret med fem siffror, t.ex. 903 04."
    )
    expect(dialog.locator("#city-error")).to_have_text("Ange en ort.")
    expect(page.locator("#postcode")).to_be_focused()  # the first field in error
    expect(page.locator("#account-details")).to_contain_text("Gata 1, 90155 Umeå")

    page.fill("#postcode", "903 04")
    page.fill("#city", "Umeå")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#account-details")).to_contain_text("Box 3124, 90304 Umeå")

    # the alias shows up in the panel and in the tree, still without a reload
    page.get_by_role("link", name="Redigera alias").click()
    page.fill("#alias", "Huvudkontoret")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#account-details")).to_contain_text("Huvudkontoret")
    expect(page.locator(".tree-link[aria-current=page] .tree-name")).to_have_text("Huvudkontoret")
    assert page.evaluate("window.__notReloaded") is True
    assert page.js_errors == []


def test_contacts_and_sub_accounts_in_place(page):
    sign_in(page, ADMIN)
    page.goto("/accounts")
    page.locator("#list-accounts a", has_text="99500852").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    page.evaluate("window.__notReloaded = true")
    dialog = page.locator("#dialog")

    # a contact needs a way to reach them
    page.get_by_role("link", name="Lägg till kontaktperson").click()
    page.fill("#name", "Greta Ek")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog.locator("#reach-error")).to_contain_text("minst ett av")
    page.fill("#mobile", "070-123 45 67")
    page.select_option("#role", "finance")
    page.check("#notify_outage")
    page.fill("#email", "greta@a3demo.se")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    card = page.locator(".contact", has_text="Greta Ek")
    expect(card).to_contain_text("Ekonomi")
    expect(card).to_contain_text("070-123 45 67")
    expect(card).to_contain_text("Driftstörningar")

    # the portal user's contact stays, and says why
    page.locator(".contact", has_text="Karl Berg").get_by_role("link", name="Ta bort").click()
    expect(dialog).to_contain_text("kan inte tas bort")
    dialog.locator(".dialog-actions").get_by_role("link", name="Stäng").click()
    expect(dialog).to_be_hidden()

    # a new sub-account: copy the parent's details, then it appears in the tree
    page.get_by_role("link", name="Lägg till underkonto").click()
    expect(page.locator("#parent")).to_have_value("99500852")
    page.fill("#alias", "Norr")
    dialog.get_by_role("button", name="Använd samma uppgifter som huvudkonto »").click()
    expect(page.locator("#company_name")).to_have_value("A3 Demo Connect underkonto 1")
    expect(page.locator("#alias")).to_have_value("Norr")
    page.fill("#company_name", "A3 Demo Connect Norr")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#toasts")).to_contain_text("är skapat")
    expect(page.locator(".tree-link", has_text="Norr")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    assert page.js_errors == []
