"""Staff take and complete a Nybeställning in a real browser (ORD-5): the
queue shows it, Påbörja and Slutför on its page, and the customer then finds
the new subscription in Tjänster as Beställd with the chosen number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN, STAFF
from tests.staff_orders_fixtures import POOL, make_order, mobile_line, seed_pool

pytestmark = pytest.mark.browser


def test_staff_take_and_complete_an_order(page, browser, live_server):
    seed_pool(*POOL)
    desired = dt.date.today() + dt.timedelta(days=3)
    order = make_order([mobile_line(POOL[0])], desired=desired, reserve=(POOL[0],))

    sign_in(page, STAFF, staff=True)
    page.get_by_role("link", name="Beställningar", exact=True).click()
    row = page.locator("tbody tr", has_text=f"{order.number} v0")
    expect(row).to_contain_text("Mottagen")
    expect(row).to_contain_text("Nybeställning")
    row.get_by_role("link", name=f"{order.number} v0", exact=True).click()
    page.wait_for_url(re.compile(rf"/staff/orders/{order.id}$"))
    expect(page.locator("h1")).to_contain_text("Mottagen")

    page.get_by_role("button", name="Påbörja").click()
    expect(page.locator("h1")).to_contain_text("Pågår")
    page.get_by_label("Kommentar till kunden").fill("Levererat, SIM-kortet är skickat")
    page.get_by_role("button", name="Slutför").click()
    expect(page.locator("h1")).to_contain_text("Slutförd")
    expect(page.locator("#toasts")).to_contain_text("1 tjänst(er) skapade")
    expect(page.locator("#history-title + table")).to_contain_text("Levererat, SIM-kortet")

    customer = browser.new_context(base_url=live_server)
    portal = customer.new_page()
    sign_in(portal, ADMIN)
    portal.goto(f"/services?f_status=ordered&f_number={POOL[0]}")
    listed = portal.locator("#list-services tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Beställd")
    expect(listed).to_contain_text("Anna Lind")
    assert page.js_errors == []
    customer.close()
