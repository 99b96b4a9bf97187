"""Real-browser tests of sign-in and the list view on Tjänster."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from domain.numbers import number_query
from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def numbers_shown(page) -> list[str]:
    """The numbers of the services list as stored ("070-123 45 67" → "0701234567")."""
    cells = page.locator("#list-services tbody tr td[data-label='Nummer']").all_inner_texts()
    return [number_query(cell) or cell for cell in cells]


def count_text(page) -> str:
    return page.locator("#list-services .count").inner_text()


def test_login_wrong_password_then_right(page):
    sign_in(page, ADMIN, password="fel-lösenord")
    assert page.locator(".form-error").inner_text() == "Fel användarnamn eller lösenord."
    assert "/login" in page.url
    sign_in(page, ADMIN)
    assert page.locator("h1").inner_text() == "Översikt"
    assert page.locator(".usermenu-name").inner_text() == "Anna Lind"
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/services")
    assert "/login" in page.url


def test_sort_filter_page_and_back(page):
    sign_in(page, ADMIN)
    page.goto("/services")
    page.evaluate("window.__notReloaded = true")
    first = numbers_shown(page)
    assert first == sorted(first)
    assert re.fullmatch(r"1 - 20 av \d+ poster", count_text(page))
    total = int(count_text(page).split(" av ")[1].split()[0])

    # Sort by Nummer descending: swapped in place, URL updated.
    page.locator("#list-services th a", has_text="Nummer").click()
    page.wait_for_url(re.compile(r"dir=desc"))
    descending = numbers_shown(page)
    assert descending == sorted(descending, reverse=True)
    assert page.evaluate("window.__notReloaded") is True

    # Page 2.
    page.locator("#list-services .pages a", has_text="2").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert count_text(page) == f"21 - {min(40, total)} av {total} poster"
    page2 = numbers_shown(page)

    # Filter Användare through the funnel.
    page.get_by_label("Filtrera Användare").click()
    page.locator("input[name=f_user]").fill("Router")
    page.locator("th:has(summary[aria-label='Filtrera Användare']) button[type=submit]").click()
    page.wait_for_url(re.compile(r"f_user=Router"))
    users = page.locator("#list-services tbody td[data-label='Användare']").all_inner_texts()
    assert users and all("Router" in u for u in users)
    assert "aktiv filtrering" in page.locator(".filter-notice").inner_text()
    assert "page=" not in page.url  # a new filter starts on page 1

    # Back: the previous state (sorted descending, page 2) comes back.
    page.go_back()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator("#list-services .count")).to_have_text(re.compile(r"^21 - "))
    assert numbers_shown(page) == page2
    page.go_back()
    page.wait_for_url(re.compile(r"dir=desc(?!.*page=)"))
    expect(page.locator("#list-services .count")).to_have_text(re.compile(r"^1 - "))
    assert numbers_shown(page) == descending

    # Reload keeps the view; a copied link gives the same.
    page.reload()
    assert numbers_shown(page) == descending


def test_preset_is_information_and_reset_returns_to_it(page):
    """Tjänster opens on Aktiv and Spärrad, said as information (not the
    yellow warning); a chosen filter warns, and Nollställ filtrering goes back
    to the preset; the Status funnel shows every status."""
    sign_in(page, ADMIN)
    page.goto("/services?per_page=100")
    preset = page.locator("#list-services .preset-notice")
    expect(preset).to_have_text("Visar aktiva och spärrade tjänster – ändra i kolumnen Status")
    expect(page.locator("#list-services .filter-notice")).to_have_count(0)
    info, warning = page.evaluate(
        """() => {
            const probe = document.createElement('p');
            probe.className = 'filter-notice';
            document.querySelector('#list-services').append(probe);
            const colours = [
                getComputedStyle(document.querySelector('.preset-notice')).backgroundColor,
                getComputedStyle(probe).backgroundColor,
            ];
            probe.remove();
            return colours;
        }"""
    )
    assert info != warning, "the preset reads as information, not as the filter warning"
    preset_total = int(count_text(page).split(" av ")[1].split()[0])
    assert set(page.locator("td[data-label='Status']").all_inner_texts()) == {"Aktiv", "Spärrad"}

    page.get_by_label("Filtrera Användare").click()
    page.locator("input[name=f_user]").fill("a")
    page.locator("th:has(summary[aria-label='Filtrera Användare']) button[type=submit]").click()
    page.wait_for_url(re.compile(r"f_user=a"))
    expect(page.locator("#list-services .filter-notice")).to_contain_text("aktiv filtrering")

    page.get_by_role("link", name="Nollställ filtrering.").click()
    page.wait_for_url(re.compile(r"^(?!.*f_user).*$"))
    expect(page.locator("#list-services .filter-notice")).to_have_count(0)
    expect(preset).to_be_visible()
    assert int(count_text(page).split(" av ")[1].split()[0]) == preset_total
    assert set(page.locator("td[data-label='Status']").all_inner_texts()) == {"Aktiv", "Spärrad"}

    page.get_by_label("Filtrera Status").click()
    page.locator("th:has(summary[aria-label='Filtrera Status'])").get_by_role(
        "link", name="Rensa"
    ).click()
    page.wait_for_url(re.compile(r"f_status="))
    expect(preset).to_have_count(0)
    statuses = set(page.locator("td[data-label='Status']").all_inner_texts())
    assert {"Aktiv", "Spärrad", "Uppsagd", "Avslutad"} <= statuses


def test_excel_export_matches_the_list(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/services?sort=monthly&dir=desc&per_page=100")
    shown = numbers_shown(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Exportera till Excel").click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Status", "Nummer", "Användare")
    assert [r[1] for r in rows[1:]] == shown


def test_bulk_export_of_ticked_rows(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/services")
    boxes = page.locator("#list-services tbody input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(2).check()
    assert page.locator("[data-bulk-count]").inner_text() == "2 markerade"
    picked = [numbers_shown(page)[0], numbers_shown(page)[2]]
    with page.expect_download() as info:
        page.get_by_role("button", name="Exportera markerade").click()
    path = tmp_path / "picked.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == sorted(picked)


def test_phone_layout_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, ADMIN)
    for path in ("/", "/services", "/invoices"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()


def test_no_javascript_errors_and_csp_holds(page):
    sign_in(page, ADMIN)
    for path in ("/", "/services", "/invoices", "/orders", "/tickets"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.js_errors == []
