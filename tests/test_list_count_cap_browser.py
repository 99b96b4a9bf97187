"""A group-filtered list over LIST_COUNT_CAP in a real browser: the pager
says "av fler än N", paging forward works and the screen reader hears it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


@pytest.fixture
def low_cap(monkeypatch):
    # Read by create_app when the live server starts (after this fixture).
    monkeypatch.setenv("LIST_COUNT_CAP", "20")


def test_capped_group_filter_pages_forward(low_cap, page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/calls?per_page=10")
    page.locator("#list-calls .group-filter summary").click()
    control = page.locator("#list-calls .group-filter")
    control.get_by_label("Avdelning:Sälj", exact=True).check()
    control.get_by_role("button", name="Filtrera").click()
    count = page.locator("#list-calls .pager .count")
    expect(count).to_have_text("1 - 10 av fler än 20 poster")
    page.screenshot(path=str(tmp_path / "capped.png"), full_page=True)
    page.locator("#list-calls .pager a[rel=next]").click()
    expect(count).to_have_text("11 - 20 av fler än 20 poster")
    # The last page offered: no Nästa; the announcement reads the count.
    expect(page.locator("#list-calls .pager a[rel=next]")).to_have_count(0)
    expect(page.locator("#list-status")).to_contain_text("11 - 20 av fler än 20 poster")
    assert not page.js_errors
