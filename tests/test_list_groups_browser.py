"""The Grupper control on Tjänster in a real browser: tick groups, filter,
and the URL, the count and the reset follow (GRP-4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def shown_total(page) -> int:
    return int(re.search(r"av (\d+)", page.locator("#list-services .count").inner_text())[1])


def open_groups(page):
    page.locator("#list-services .group-filter summary").click()
    expect(page.locator("#list-services .group-filter .filter-pop")).to_be_visible()


def tick(page, label: str):
    open_groups(page)
    control = page.locator("#list-services .group-filter")
    control.get_by_label(label, exact=True).check()
    control.get_by_role("button", name="Filtrera").click()


def test_tick_groups_filter_and_reset(page, tmp_path):
    """On the demo's groups (seed/demo_groups.py): Avdelning:Ekonomi holds
    two mobiles of 99500852 of their own; Sälj adds that account's other
    services and more; Kostnadsställe:KS 200 (the LA account's) shares no
    service with either."""
    sign_in(page, ADMIN)
    page.goto("/services")
    everything = shown_total(page)
    open_groups(page)
    pop = page.locator("#list-services .group-filter .filter-pop")
    expect(pop.get_by_label("Avdelning:Sälj", exact=True)).to_be_visible()
    expect(pop.get_by_label("Kostnadsställe:KS 100", exact=True)).to_be_visible()
    page.screenshot(path=str(tmp_path / "groups-open.png"))
    page.locator("#list-services .group-filter summary").click()

    tick(page, "Avdelning:Ekonomi")
    page.wait_for_url(re.compile(r"grupp=\d+"))
    expect(page.locator(".filter-notice")).to_be_visible()
    one = shown_total(page)
    assert 1 <= one < everything

    # A second group of the same category widens the list.
    tick(page, "Avdelning:Sälj")
    page.wait_for_url(re.compile(r"grupp=\d+&grupp=\d+"))
    widened = shown_total(page)
    assert one < widened < everything

    # A group of another category narrows it.
    tick(page, "Kostnadsställe:KS 200")
    page.wait_for_url(re.compile(r"(grupp=\d+&?){3}"))
    expect(page.locator("#list-services tbody tr.empty")).to_be_visible()

    page.get_by_role("link", name="Nollställ filtrering.").click()
    page.wait_for_url(re.compile(r"/services(\?|$)"))
    expect(page.locator("#list-services .count")).to_contain_text(f"av {everything}")
    assert "grupp" not in page.url
    assert page.js_errors == []
