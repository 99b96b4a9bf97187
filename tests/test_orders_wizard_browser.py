"""Ny beställning in Chromium: each step swapped in by htmx, totals
recomputed on the server at each change, and Back and reload in the middle
of the wizard keeping every value entered (the draft lives on the server)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("WIZARD_SCREENSHOTS")  # a folder: save each step there


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def choose_account(page, number):
    value = page.locator("#account option", has_text=number).get_attribute("value")
    page.select_option("#account", value)


def posted(page, path, containing: str = ""):
    """Wait for the POST to ``path`` that the next action sends (the one
    carrying ``containing``: a blur may send an earlier field's autosave
    first)."""
    return page.expect_response(
        lambda r: (
            path in r.url
            and r.request.method == "POST"
            and containing in (r.request.post_data or "")
        )
    )


def test_order_a_mobile_subscription_back_and_reload_keep_everything(page):
    sign_in(page, ADMIN)
    page.goto("/orders")
    page.get_by_role("link", name="Ny beställning").click()
    expect(page.locator("h1")).to_have_text("Ny beställning")
    choose_account(page, "99500852")
    page.check("input[name=kind][value=order]")
    shot(page, "1-konto")
    page.get_by_role("button", name="Nästa »").click()

    expect(page.get_by_role("heading", name="Produktkategori")).to_be_visible()
    assert "/category" in page.url  # htmx pushed the step's address
    page.fill("#category-q", "mobil")
    expect(page.get_by_role("link", name="Växel - Växelfunktioner")).to_have_count(0)
    shot(page, "2-kategori")
    page.get_by_role("link", name="Mobilabonnemang").click()

    expect(page.get_by_text("Beställningsinstruktioner").first).to_be_visible()
    shot(page, "3-produkt")
    page.get_by_role("button", name="Välj Mobil Fastpris").click()

    totals = page.locator('[data-total="monthly"]')
    expect(totals).to_have_text("329,00\u00a0kr")  # agreement 129 + Data 5GB 200
    with posted(page, "/lines/"):
        page.get_by_label(re.compile("Mobil Data 10GB")).check()
    expect(totals).to_have_text("354,00\u00a0kr")  # 129 + 225 (agreement)
    with posted(page, "/lines/"):
        page.get_by_label(re.compile("Tvillingkort")).check()
    expect(totals).to_have_text("383,00\u00a0kr")
    shot(page, "4-konfiguration")
    page.get_by_role("button", name="Nästa »").click()

    expect(page.get_by_role("heading", name="Slutför beställningen")).to_be_visible()
    end_user = page.get_by_label("Slutanvändare/Alias")
    end_user.fill("Anna Andersson")
    with posted(page, "/finish"):
        page.select_option("select[name$=-number]", "0761000103")
    with posted(page, "/finish"):
        page.get_by_role("radio", name="eSIM").check()
    email = page.get_by_label("E-postadress för aktivering av eSIM")
    email.fill("anna@a3demo.se")
    with posted(page, "/finish", containing="desired_date=2031-05-06"):
        page.fill("#desired_date", "2031-05-06")
        page.locator("#desired_date").blur()
    shot(page, "5-slutfor")

    # reload: everything typed is still there
    page.reload()
    expect(page.get_by_label("Slutanvändare/Alias")).to_have_value("Anna Andersson")
    expect(page.locator("select[name$=-number]")).to_have_value("0761000103")
    expect(page.get_by_role("radio", name="eSIM")).to_be_checked()
    expect(page.get_by_label("E-postadress för aktivering av eSIM")).to_have_value("anna@a3demo.se")
    expect(page.locator("#desired_date")).to_have_value("2031-05-06")

    # Back to the configuration: the choices are kept; forward again
    page.go_back()
    expect(page.get_by_label(re.compile("Mobil Data 10GB"))).to_be_checked()
    expect(page.get_by_label(re.compile("Tvillingkort"))).to_be_checked()
    expect(page.locator('[data-total="monthly"]')).to_have_text("383,00\u00a0kr")
    page.go_forward()
    expect(page.get_by_label("Slutanvändare/Alias")).to_have_value("Anna Andersson")

    page.get_by_role("button", name="Slutför beställningen").click()
    expect(
        page.get_by_text("Beställningen är nu slutförd och kommer att bearbetas")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ v0"))).to_be_visible()
    shot(page, "6-bekraftelse")
    assert page.js_errors == []


def test_broadband_availability_and_other_delivery_without_losing_values(page):
    sign_in(page, ADMIN)
    page.goto("/orders/new")
    choose_account(page, "99012615")
    page.get_by_role("button", name="Nästa »").click()
    page.get_by_role("link", name="Bredband och kapacitet").click()
    page.get_by_role("button", name="Välj Företagsbredband 100/100").click()
    page.get_by_role("button", name="Nästa »").click()
    page.get_by_label("Slutanvändare/Alias").fill("Kontoret")
    page.get_by_label("Gatuadress").fill("Gata 1")
    page.get_by_label("Postnummer").fill("901 55")
    page.get_by_label("Ort").fill("Umeå")
    page.get_by_role("button", name="Kontrollera tillgänglighet").click()
    expect(page.get_by_text("Fiber – 1000/1000 Mbit/s")).to_be_visible()
    expect(page.get_by_label("Slutanvändare/Alias")).to_have_value("Kontoret")
    page.get_by_label(re.compile("Fiber")).check()
    page.get_by_role("button", name="Slutför beställningen").click()
    expect(page.get_by_text("Beställningen är nu slutförd")).to_be_visible()
    assert page.js_errors == []
