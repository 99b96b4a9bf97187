"""The lost phone in a real browser (issue 13, item 1): with a SIM order
pending, Spärra förlorat SIM-kort says before confirming that the pending
order becomes the replacement, blocks at once, confirms with the order number,
and the page shows the block and offers Häv spärr."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def open_first_mobile(page):
    page.goto("/services?f_kind=mobile&f_status=active&sort=number")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))


def order_new_sim_by_post(page) -> str:
    """Ersätt SIM-kort → Skicka nytt SIM, as a user would; the order's label."""
    page.locator(".actions-menu").get_by_role("link", name="Ersätt SIM-kort").click()
    dialog = page.locator("#dialog")
    dialog.locator("select[name=method]").select_option("send")
    expect(dialog.locator("select[name=sim_type]")).to_be_visible()
    dialog.locator("select[name=sim_type]").select_option("physical")
    expect(dialog.locator("input[name=delivery_street]")).to_be_visible()
    dialog.get_by_role("button", name="Bekräfta").click()
    expect(dialog.locator(".done-box")).to_contain_text("är mottagen")
    label = re.search(r"Beställningen (\d+ v\d+)", dialog.locator(".done-box").inner_text())
    dialog.locator("a.cancel").click()
    expect(dialog).to_be_hidden()
    return label.group(1)


def test_lost_sim_with_a_pending_sim_order(page):
    sign_in(page, ADMIN)
    open_first_mobile(page)
    number = page.locator("#service-heading").inner_text().split()[1]
    icc = page.locator("section[aria-labelledby=sim-title] dt:text-is('ICC') + dd").inner_text()
    pending = order_new_sim_by_post(page)

    menu = page.locator(".actions-menu")
    menu.get_by_role("link", name="Spärra förlorat SIM-kort").click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("h2")).to_have_text("Spärra förlorat SIM-kort")
    expect(dialog).to_contain_text(
        f"Ett nytt SIM-kort är redan beställt (order {pending}). Det blir ersättningskortet – "
        "inget ytterligare SIM-kort beställs."
    )
    expect(dialog.locator("input[name=order_new]")).to_have_count(0)
    expect(dialog.locator("input[name=delivery_street]")).to_have_count(0)
    dialog.get_by_role("button", name="Spärra SIM-kortet").click()

    receipt = dialog.locator(".done-box")
    expect(receipt).to_contain_text(f"SIM-kortet {icc} är spärrat.")
    block = re.search(r"Order: (\d+ v\d+)", receipt.inner_text()).group(1)
    assert block != pending
    expect(receipt).to_contain_text(f"redan beställt (order {pending})")
    expect(page.locator("#toasts")).to_contain_text(f"SIM-kortet {icc} är spärrat (order {block}).")
    dialog.locator("a.cancel").click()
    expect(dialog).to_be_hidden()

    # the page behind refreshed itself
    barrings = page.locator("section[aria-labelledby=barrings-title]")
    expect(barrings).to_contain_text(
        re.compile(rf"Förlorat SIM-kort \(ICC {icc}\) – spärrat \d{{4}}-\d\d-\d\d")
    )
    expect(menu.get_by_role("link", name="Häv spärr")).to_be_visible()
    expect(menu.get_by_role("link", name="Spärra förlorat SIM-kort")).to_have_count(0)
    expect(page.locator(".panel.pending")).to_contain_text("ersätter förlorat SIM-kort")

    # and the service is still in Tjänster as it opens
    page.goto("/services?per_page=100")
    row = page.locator("#list-services tbody tr", has_text=number)
    expect(row.locator("td[data-label='Status']")).to_have_text("Spärrad")
    assert page.js_errors == []
