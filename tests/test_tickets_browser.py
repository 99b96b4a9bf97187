"""Real-browser tests of Skapa ärende and Svara (TIC-2, TIC-3): the dependent
fields and the service look-up swap in place, the reply dialog adds the
message without leaving the page, a file over the limit is stopped."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from database import db
from domain.numbers import format_phone
from models import Service, User
from tests.browser import sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN

pytestmark = pytest.mark.browser


def a_mobile_number_of(username: str) -> str:
    """An active mobile number the user may see, read from the live server's
    database: the demo's numbers are drawn afresh with each day's data."""
    try:
        who = User.get(User.username == username)
        service = (
            Service.visible_to(who)
            .where((Service.kind == "mobile") & (Service.status == "active"))
            .order_by(Service.number)
            .first()
        )
    finally:
        db.close()
    assert service is not None
    return service.number


def test_create_a_support_ticket_with_a_file_and_reply(page, tmp_path):
    number = a_mobile_number_of(ACCOUNT_ADMIN)
    sign_in(page, ACCOUNT_ADMIN)
    page.goto("/tickets")
    page.get_by_role("link", name="Skapa ärende").click()
    expect(page.locator("h1")).to_have_text("Skapa ärende")
    page.wait_for_load_state("load")  # htmx is ready before the first change event

    # Ärendet avser: Support brings the service look-up and Prioritet.
    page.select_option("#category", "order")
    expect(page.locator("#service_q")).to_have_count(0)
    page.select_option("#category", "support")
    expect(page.locator("#service_q")).to_be_visible()
    page.fill("#service_q", number[:6])
    option = page.locator(".service-option", has_text=format_phone(number))
    expect(option).to_be_visible()
    option.locator("input").check()
    page.select_option("#priority", "2")

    page.fill("#subject", "SMS når inte fram")
    page.fill("#body", "Kunder får inte våra SMS sedan i morse.")
    log = tmp_path / "logg.txt"
    log.write_text("12:01 SMS till 0701234567 misslyckades\n", encoding="utf-8")
    page.set_input_files("#attachments", str(log))
    page.get_by_role("button", name="Skicka in ärende").click()

    page.wait_for_url(re.compile(r"/tickets/\d+$"), wait_until="load")
    expect(page.locator("h1")).to_have_text("Ärende: SMS når inte fram")
    facts = page.locator(".ticket-facts")
    expect(facts).to_contain_text(format_phone(number))
    expect(facts).to_contain_text("Icke kritiskt fel (Kategori 2)")
    expect(facts).to_contain_text("Väntar på hantering")
    expect(page.locator(".messages")).to_contain_text("logg.txt")
    url = page.url

    # Svara opens the dialog; Skicka adds the message in place, newest first.
    page.get_by_role("link", name="Svara").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Svara på ärende")
    dialog.locator("textarea[name=body]").fill("Det gäller även MMS.")
    dialog.get_by_role("button", name="Skicka").click()
    expect(dialog).to_be_hidden()
    first = page.locator(".messages > li.message").first
    expect(first).to_contain_text("Det gäller även MMS.")
    expect(first.locator(".message-meta")).to_contain_text("Karl Berg Kund · Idag kl")
    assert page.url == url  # no navigation: the panel refreshed itself
    assert page.js_errors == []


def test_reply_dialog_refuses_a_bad_file_and_keeps_the_text(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/tickets?f_status=in_progress")
    page.get_by_role("link", name=re.compile(r"^\d{7}$")).first.click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"), wait_until="load")  # htmx is ready
    page.get_by_role("link", name="Svara").click()
    dialog = page.locator("#dialog")
    dialog.locator("textarea[name=body]").fill("Se bifogad faktura.")
    fake = tmp_path / "faktura.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    dialog.locator("input[type=file]").set_input_files(str(fake))
    dialog.get_by_role("button", name="Skicka").click()
    expect(dialog.locator(".field-error").last).to_contain_text(
        "Innehållet i faktura.pdf är inte en tillåten filtyp"
    )
    expect(dialog.locator("textarea[name=body]")).to_have_value("Se bifogad faktura.")
    expect(dialog).to_be_visible()


def test_a_file_over_the_limit_is_stopped_in_the_browser(page, tmp_path):
    sign_in(page, ADMIN)
    page.goto("/tickets/new")
    big = tmp_path / "stor.txt"
    big.write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    page.set_input_files("#attachments", str(big))
    expect(page.locator("[data-file-error]")).to_contain_text("För stor fil: stor.txt")
    page.fill("#subject", "Stor fil")
    page.fill("#body", "Text")
    page.get_by_role("button", name="Skicka in ärende").click()
    expect(page.locator("#attachments")).to_be_focused()
    assert page.url.endswith("/tickets/new")
