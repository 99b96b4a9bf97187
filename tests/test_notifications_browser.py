"""What only a browser shows of notifications by preference: the unsubscribe
page works under the strict CSP, and /staff/notices counts the recipients as
the audience is chosen (htmx), shows the organisations only when asked for,
and asks before sending."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from domain import notifications
from models import Contact
from tests.browser import sign_in
from tests.conftest import STAFF

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """Keep a screenshot when NOTIFY_SHOTS names a folder (for looking at)."""
    folder = os.environ.get("NOTIFY_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_unsubscribe_page(page, demo_app):
    # The live server runs on a copy of the same demo data and secret key.
    tommy = Contact.get(Contact.email == "tommy.frost@a3demo.se")
    page.goto("/unsubscribe/" + notifications.unsubscribe_token([tommy.id], "outage"))
    expect(page.get_by_role("heading", name="Avregistrera från Driftstörningar")).to_be_visible()
    expect(page.get_by_text("99500852")).to_be_visible()
    shot(page, "unsubscribe")
    page.get_by_role("button", name="Avregistrera mig").click()
    expect(page.locator(".login-card [role=status]")).to_contain_text(
        "får inte längre e-post om driftstörningar"
    )
    shot(page, "unsubscribe-done")
    page.reload()
    expect(page.locator(".login-card [role=status]")).to_contain_text("redan avregistrerad")
    assert page.js_errors == []


def test_notices_page_counts_recipients_and_asks_before_sending(page):
    sign_in(page, STAFF, staff=True)
    page.goto("/staff/notices")
    organisations = page.locator("[data-show-when=chosen]")
    expect(organisations).to_be_hidden()
    preview = page.locator("#notice-preview")
    expect(preview).to_contain_text("1 e-postadress")  # everyone: Tommy Frost
    page.get_by_label("Valda organisationer").check()
    expect(organisations).to_be_visible()
    expect(preview).to_contain_text("Välj mottagare")  # none chosen yet
    page.get_by_label("A3 Demo Connect").check()
    expect(preview).to_contain_text("1 e-postadress")
    page.get_by_label("Hosting").check()  # underkonto 1 has none
    expect(preview).to_contain_text("Ingen kontaktperson")
    page.get_by_label("Hosting").uncheck()
    expect(preview).to_contain_text("1 e-postadress")
    page.locator("#subject").fill("Byte av DNS-servrar")
    page.locator("#body").fill("Den 12 januari byter vi DNS-servrar.")
    shot(page, "notices")

    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Skicka").click()  # dismissed: nothing sent
    expect(page.get_by_text("Inga meddelanden har skickats")).to_be_visible()
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Meddelandet skickades till 1 e-postadress.")).to_be_visible()
    assert questions[0] == "Skicka meddelandet till 1 e-postadress?"
    expect(page.locator("table")).to_contain_text("Byte av DNS-servrar")
    shot(page, "notices-sent")
    assert page.js_errors == []
