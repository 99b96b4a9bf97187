"""Languages (issue 20) in Ärenden and the back office's ticket queue and
Driftinformation: an English or Danish user reads the pages, dialogs, form
errors, flash messages, domain messages and the ticket e-mail in their
language, and none of the Swedish."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain import tickets as ticketing
from models import OutboxMessage, StaffUser, Ticket
from tests.conftest import ACCOUNT_ADMIN, ADMIN, STAFF
from tests.test_i18n import set_language
from tests.tickets_data import EXE, client_for, upload


def ticket(subject: str) -> Ticket:
    return Ticket.get(Ticket.subject == subject)


def client_in(app, username: str, lang: str):
    set_language(username, lang)
    return client_for(app, username)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_ticket_list_in_english(demo_app):
    client = client_in(demo_app, ADMIN, "en")
    html = text_of(client.get("/tickets"))
    assert "<h1>Tickets</h1>" in html and ">Create ticket<" in html
    head = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    for heading in ("Ticket #", "Category", "Priority", "Subject", "Service", "Created"):
        assert re.search(rf">\s*{re.escape(heading)}\s*<", head), heading
    assert "Show open" in html and "Show history" in html and "Waiting for me" in html
    assert "Date range" in html
    # the rows: status, category and priority labels and the card labels
    assert 'data-label="Ticket #"' in html
    assert "Waiting for customer" in html and "Minor fault (Category 3)" in html
    for swedish in ("Skapa ärende", "Visa öppna", "Väntar på kund", "Ringa fel", "Kategori"):
        assert swedish not in html, swedish


def test_ticket_list_in_danish_with_status_filter(demo_app):
    client = client_in(demo_app, ADMIN, "da")
    html = text_of(client.get("/tickets"))
    assert "<h1>Sager</h1>" in html and ">Opret sag<" in html
    assert "Vis åbne" in html and "Afventer mig" in html
    # the Status filter's choices
    assert re.search(r'value="waiting_customer"[^>]*>\s*Afventer kunde', html)
    assert "Visa öppna" not in html and "Väntar på hantering" not in html


def test_ticket_page_in_english(demo_app):
    client = client_in(demo_app, ACCOUNT_ADMIN, "en")
    t = ticket("Message Delivery Failure")
    html = text_of(client.get(f"/tickets/{t.id}"))
    assert "<h1>Ticket: Message Delivery Failure</h1>" in html
    assert ">Details<" in html and ">Reply<" in html and ">Close ticket<" in html
    assert "Waiting for you:" in html and "Waiting for customer" in html
    assert ">Category<" in html and ">Priority<" in html
    for swedish in ("Uppgifter", "Svara", "Stäng ärende", "Väntar på dig", "Kategori"):
        assert swedish not in html, swedish


def test_reply_dialog_and_its_form_error_in_danish(demo_app):
    client = client_in(demo_app, ACCOUNT_ADMIN, "da")
    t = ticket("Message Delivery Failure")
    dialog = text_of(client.get(f"/tickets/{t.id}/reply", headers={"HX-Request": "true"}))
    assert "Svar på sag" in dialog and ">Annuller<" in dialog and ">Send<" in dialog
    assert "Vedhæft fil" in dialog and "Meddelelse" in dialog
    # the browser's own size check (static/tickets.js) speaks Danish too
    assert (
        'data-too-big="For stor fil: {files}. Den største tilladte størrelse er {mb} MB."' in dialog
    )
    assert "Svara på ärende" not in dialog and "Avbryt" not in dialog
    response = client.post(
        f"/tickets/{t.id}/reply", data={"body": ""}, headers={"HX-Request": "true"}
    )
    html = text_of(response)
    assert "Skriv en meddelelse." in html and "Skriv ett meddelande." not in html


def test_new_ticket_form_errors_and_flash_in_english(demo_app):
    client = client_in(demo_app, ADMIN, "en")
    form = text_of(client.get("/tickets/new"))
    assert "Ticket concerns" in form and "Save as draft" in form and "Submit ticket" in form
    assert "Ärendet avser" not in form and "Spara som utkast" not in form
    response = client.post(
        "/tickets/new",
        data={"action": "send", "category": "other", "subject": "", "body": ""},
        content_type="multipart/form-data",
    )
    html = text_of(response)
    assert "Enter a subject." in html and "Write a message." in html
    assert "The ticket could not be saved." in html and "Ange en rubrik." not in html
    sent = client.post(
        "/tickets/new",
        data={"action": "send", "category": "other", "subject": "Hello", "body": "Text"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    number = ticket("Hello").number
    assert f"Ticket {number} is sent." in text_of(sent)


def test_refused_attachment_domain_message_with_values_in_english(demo_app):
    client = client_in(demo_app, ADMIN, "en")
    response = client.post(
        "/tickets/new",
        data={
            "action": "send",
            "category": "other",
            "subject": "With a file",
            "body": "See the file.",
            "attachments": [upload("faktura.pdf", EXE)],
        },
        content_type="multipart/form-data",
    )
    html = text_of(response)
    assert "The content of faktura.pdf is not an allowed file type." in html
    assert "Innehållet i faktura.pdf" not in html


@pytest.mark.parametrize(
    ("lang", "subject", "status", "greeting"),
    [
        ("en", "Ticket", "In progress", "Kind regards,"),
        ("da", "Sag", "Under behandling", "Med venlig hilsen"),
    ],
)
def test_status_mail_in_the_recipients_language(demo_app, lang, subject, status, greeting):
    t = ticket("Message Delivery Failure")  # created by konto@
    set_language(ACCOUNT_ADMIN, lang)
    staff = StaffUser.get(StaffUser.username == STAFF)
    with write_tx():
        ticketing.change_status(t, "in_progress", staff=staff)
    mail = OutboxMessage.get(OutboxMessage.recipient == ACCOUNT_ADMIN)
    assert mail.subject.startswith(f"{subject} {t.number}: Message Delivery Failure – {status}")
    assert f"[ref:{t.reply_token}]" in mail.subject
    assert greeting in mail.body and "Med vänliga hälsningar" not in mail.body
    assert ticketing.REPLY_MARKER not in mail.body  # the marker in the reader's language


def test_reply_above_a_translated_marker_is_taken_in(demo_app):
    from domain import inbound_mail
    from domain.text import translate

    quoted = f"My answer.\n\n{translate(ticketing.REPLY_MARKER, 'en')}\n\nHello,\nold text"
    assert inbound_mail.strip_quoted(quoted) == "My answer."


def test_staff_queue_and_ticket_in_english(demo_app):
    client = client_for(demo_app, STAFF)
    headers = {"Accept-Language": "en"}
    html = text_of(client.get("/staff/tickets", headers=headers))
    assert "Open tickets" in html and "My tickets" in html and "Request types" in html
    assert re.search(r">\s*Handler\s*<", html)
    t = ticket("Message Delivery Failure")
    page = text_of(client.get(f"/staff/tickets/{t.id}", headers=headers))
    assert f"Ticket {t.number}: Message Delivery Failure" in page
    assert "Reply to the customer" in page and "Internal note" in page and ">Handle<" in page
    assert "Hantera" not in page and "Intern anteckning" not in page


def test_staff_outage_form_and_error_in_danish(demo_app):
    client = client_for(demo_app, STAFF)
    headers = {"Accept-Language": "da"}
    html = text_of(client.get("/staff/outages/new", headers=headers))
    assert "Offentliggør driftsforstyrrelse" in html and ">Kontrollér<" in html
    assert "Berørte abonnementstyper" in html and "Publicera driftstörning" not in html
    response = client.post(
        "/staff/outages/new",
        data={"kind": "fault", "title": "Fel", "starts_at": "2026-01-01T10:00"},
        headers=headers,
    )
    page = text_of(response)
    assert "Vælg mindst én abonnementstype." in page
    assert "Välj minst en tjänstetyp." not in page
