"""The service picker in the browser (issue 13 item 8): a single match is
selected by itself and the product area follows it, a known outage is told
before filing, and errors go once they are put right."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def test_the_picker_selects_a_single_match_and_stale_errors_go(page):
    sign_in(page, ADMIN)
    page.goto("/tickets/new")
    page.wait_for_load_state("load")  # htmx is ready before the first change event
    page.select_option("#category", "fault")
    expect(page.locator("#product_area")).to_contain_text("Bredband, fiber, kapacitetstjänster")

    # Sent empty: the errors and the summary show.
    page.get_by_role("button", name="Skicka in ärende").click()
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    area = page.locator("#product_area")
    expect(area).to_contain_text("Välj produkt för felanmälan.")
    subject = page.locator(".field", has=page.locator("#subject"))
    expect(subject.locator(".field-error")).to_have_text("Ange en rubrik.")

    # One match: selected by itself, the area follows, the outage is told.
    page.fill("#service_q", "Huvudkontoret")
    option = page.locator(".service-option", has_text="Huvudkontoret Umeå")
    expect(option.locator("input[type=radio]")).to_be_checked()
    expect(option).to_contain_text("Vald")
    expect(page.locator("#product_area input[value=data]")).to_be_checked()
    expect(area.locator(".field-error")).to_have_count(0)
    notice = page.locator("#service-results .outage-notice")
    expect(notice).to_contain_text("Det pågår en känd driftstörning som berör tjänsten")
    expect(notice).to_contain_text("Fiberavbrott Umeå centrum")

    # Rubrik and Meddelande put right: their errors go, and the summary with them.
    page.fill("#subject", "Ingen länk på huvudkontoret")
    expect(subject.locator(".field-error")).to_have_count(0)
    expect(page.locator("#subject")).not_to_have_attribute("aria-invalid", "true")
    page.fill("#body", "Routern blinkar rött sedan i morse.")
    expect(summary).to_have_count(0)

    page.get_by_role("button", name="Skicka in ärende").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"), wait_until="load")
    facts = page.locator(".ticket-facts")
    expect(facts).to_contain_text("Felanmälan – Datanät")
    expect(facts).to_contain_text("Huvudkontoret Umeå")
    assert page.js_errors == []
