"""The order page in a browser: Ändra in its dialog makes the order v1 in
place, Ångra beställning (confirmed) makes it Avbruten."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def test_change_and_undo_in_place(page):
    sign_in(page, ADMIN)
    page.goto("/orders?f_status=received&f_type=new")
    row = page.locator("table.list tbody tr").first
    number = row.locator("td[data-label=Ordernummer]").inner_text().split()[0]
    row.get_by_role("link", name="Visa").click()
    page.wait_for_url("**/orders/*")
    heading = page.locator("h1")
    assert f"{number} v0" in heading.inner_text()

    page.get_by_role("link", name="Ändra").click()
    dialog = page.locator("dialog#dialog")
    dialog.get_by_label("Önskat aktiveringsdatum").fill("2000-01-01")
    dialog.get_by_role("button", name="Spara ändringen").click()
    dialog.locator("#desired_date-error").wait_for()
    assert "redan passerat" in dialog.locator("#desired_date-error").inner_text()

    later = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    dialog.get_by_label("Önskat aktiveringsdatum").fill(later)
    dialog.get_by_label("Ort").fill("Luleå")
    dialog.get_by_role("button", name="Spara ändringen").click()
    page.locator("h1", has_text=f"{number} v1").wait_for()
    assert not dialog.is_visible()
    versions = page.locator("section", has=page.locator("#order-versions"))
    assert "Luleå" in versions.inner_text() and f"{number} v0" in versions.inner_text()

    page.get_by_role("link", name="Ångra beställning").click()
    dialog.get_by_role("button", name="Ångra beställningen").click()
    page.locator("h1 .status", has_text="Avbruten").wait_for()
    assert page.get_by_role("link", name="Ändra").count() == 0
    assert "Ångrad av" in page.locator("#order-history").locator("..").inner_text()
    assert page.js_errors == []
