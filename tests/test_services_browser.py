"""Real-browser tests of the service page: the pencil edit, a full two-step
action dialog (Ändra tjänst), Mobilspärrar, the tabs and the phone layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def open_first(page, kind: str = "mobile"):
    """Open the first active service of ``kind`` from the list, as a user would."""
    page.goto(f"/services?f_kind={kind}&sort=number")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))
    expect(page.locator("h1")).to_contain_text("Tjänst:")


def test_pencil_edits_the_user_name_in_place(page):
    sign_in(page, ADMIN)
    open_first(page)
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("link", name="Ändra användare").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    field = dialog.locator("input[name=user_name]")
    expect(field).to_be_focused()
    field.fill("")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog.locator(".field-error")).to_have_text("Ange användarens namn.")
    field.fill("Pennan Persson")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#service-user-name")).to_have_text("Pennan Persson")
    expect(page.locator("h1")).to_contain_text("Pennan Persson")
    assert page.evaluate("window.__notReloaded") is True  # swapped in place
    page.reload()
    expect(page.locator("#service-user-name")).to_have_text("Pennan Persson")
    assert page.js_errors == []


def test_change_service_dialog_from_choice_to_order(page):
    sign_in(page, ADMIN)
    open_first(page)
    page.locator(".actions-menu").get_by_role("link", name="Ändra tjänst").click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("h2")).to_have_text("Ändra tjänst")
    monthly = dialog.locator(".totals strong").first
    before = monthly.inner_text()
    current = dialog.locator("select[name=data_package]").input_value()
    target = "DATA-15" if current != "DATA-15" else "DATA-5"
    dialog.locator("select[name=data_package]").select_option(target)
    expect(monthly).not_to_have_text(before)  # the new monthly cost, live
    dialog.get_by_role("button", name="Nästa »").click()
    expect(dialog.locator("h2")).to_have_text("Tjänsteförändring")
    date = dialog.locator("input[name=desired_date]")
    expect(date).not_to_have_value("")
    date.fill("2001-01-01")
    dialog.get_by_role("button", name="Beställ").click()
    expect(dialog.locator(".field-error")).to_contain_text("Datumet har redan passerat.")
    import datetime as dt

    date.fill((dt.date.today() + dt.timedelta(days=7)).isoformat())
    dialog.get_by_role("button", name="Beställ").click()
    expect(dialog.locator(".done-box")).to_contain_text("är mottagen")
    order = re.search(r"Beställningen (\d+ v\d+)", dialog.locator(".done-box").inner_text()).group(
        1
    )
    # the page behind refreshed itself: the change is pending
    expect(page.locator("#pending-title")).to_be_visible()
    expect(page.locator(".panel.pending")).to_contain_text(order)
    dialog.locator("a.cancel").click()
    expect(dialog).to_be_hidden()
    assert page.js_errors == []


def test_barrings_dialog_adds_and_removes(page):
    sign_in(page, ADMIN)
    open_first(page, "mbb")
    page.locator(".actions-menu").get_by_role("link", name="Mobilspärrar").click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("h2")).to_have_text("Hantera spärrar")
    dialog.locator("select[name=kind]").select_option("roaming")
    dialog.get_by_role("button", name="Lägg till").click()
    expect(dialog.locator(".done-inline")).to_contain_text("Klart: Lägg till spärr: Roaming")
    panel = page.locator("section[aria-labelledby=barrings-title]")
    expect(panel).to_contain_text("Roaming")
    dialog.get_by_role("button", name="Ta bort").click()
    expect(dialog.locator(".done-inline")).to_contain_text("Ta bort spärr: Roaming")
    dialog.locator("a.cancel").click()
    expect(panel).to_contain_text("Detta abonnemang har inga aktiva spärrar.")
    assert page.js_errors == []


def test_usage_tabs_and_phone_layout(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, ADMIN)
    open_first(page)
    data_panel = page.locator("#usage-data")
    trend_panel = page.locator("#usage-datatrend")
    expect(data_panel).to_be_visible()
    expect(trend_panel).to_be_hidden()
    page.get_by_role("tab", name="Datatrend").click()
    expect(trend_panel).to_be_visible()
    expect(trend_panel.locator("svg rect.bar")).to_have_count(6)
    expect(data_panel).to_be_hidden()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the service page scrolls sideways by {overflow}px"
    assert errors == []
    context.close()
