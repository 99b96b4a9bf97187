"""The ticket page (TIC-3) and statuses (TIC-4): messages newest first and
signed by the operator, replies in place, close and reopen, internal notes
that never reach the customer."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from database import utcnow, write_tx
from domain import tickets as ticketing
from models import OutboxMessage, StaffUser, Ticket, TicketAttachment, TicketMessage, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, STAFF
from tests.tickets_data import EXE, PDF, PNG, client_for, upload

pytest_plugins = ["tests.tickets_fixtures"]


def ticket(subject: str) -> Ticket:
    return Ticket.get(Ticket.subject == subject)


@pytest.fixture
def konto(demo_app):
    return client_for(demo_app, ACCOUNT_ADMIN)


@pytest.fixture
def staff_user(demo_app):
    return StaffUser.get(StaffUser.username == STAFF)


def test_page_title_messages_newest_first_signed_by_operator(demo_app, konto):
    demo_app.config["OPERATOR_NAME"] = "Bredband2"
    t = ticket("Message Delivery Failure")
    page = konto.get(f"/tickets/{t.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Ärende: Message Delivery Failure" in html
    assert "<h1>Ärende: Message Delivery Failure</h1>" in html
    staff_reply = html.index("Kan ni skicka ett exempel")
    customer = html.index("Funkar inte")
    assert staff_reply < customer  # newest first
    assert '<span class="message-author">Bredband2</span>' in html
    assert '<span class="message-author">Karl Berg</span>' in html
    assert "Sara Handläggare" not in html  # the employee's name never shows
    assert "Kontrollerat SMSC-loggar" not in html  # the internal note


def test_reply_in_place_moves_waiting_customer_to_in_progress(demo_app, konto):
    t = ticket("Message Delivery Failure")
    dialog = konto.get(f"/tickets/{t.id}/reply", headers={"HX-Request": "true"})
    html = dialog.get_data(as_text=True)
    assert "<html" not in html and "Svara på ärende" in html and "Meddelande" in html
    response = konto.post(
        f"/tickets/{t.id}/reply",
        data={"body": "Här är ett exempel.", "attachments": [upload("exempel.txt", b"SMS 12:01")]},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.get_data() == b""
    assert json.loads(response.headers["HX-Trigger"]) == {
        "showMessage": "Ditt svar är skickat.",
        "closeDialog": True,
        "ticketChanged": t.id,
    }
    t = Ticket.get_by_id(t.id)
    assert t.status == "in_progress" and t.last_action_at is not None
    # The panel refreshes itself: fragment only, with the new message and file.
    fragment = konto.get(f"/tickets/{t.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="ticket-main"' in fragment
    assert "Här är ett exempel." in fragment and "exempel.txt" in fragment
    assert "Väntar på kund → Under hantering" in fragment


def test_reply_with_a_refused_file_keeps_the_message(demo_app, konto):
    t = ticket("Message Delivery Failure")
    before = TicketMessage.select().count()
    response = konto.post(
        f"/tickets/{t.id}/reply",
        data={"body": "Mitt svar", "attachments": [upload("bild.png", EXE)]},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert "Innehållet i bild.png är inte en tillåten filtyp" in html and "Mitt svar" in html
    assert TicketMessage.select().count() == before
    assert Ticket.get_by_id(t.id).status == "waiting_customer"


def test_empty_reply_is_refused(demo_app, konto):
    t = ticket("Message Delivery Failure")
    response = konto.post(f"/tickets/{t.id}/reply", data={"body": "  "})
    assert response.status_code == 200 and "Skriv ett meddelande." in response.get_data(
        as_text=True
    )


def test_reply_without_htmx_goes_back_to_the_page(demo_app, konto):
    t = ticket("Ingen täckning i källaren")
    response = konto.post(f"/tickets/{t.id}/reply", data={"body": "Fortfarande ingen täckning."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tickets/{t.id}")
    assert Ticket.get_by_id(t.id).status == "in_progress"


def test_customer_closes_and_reopens_within_14_days(demo_app, konto):
    t = ticket("Ingen täckning i källaren")
    closed = konto.post(f"/tickets/{t.id}/close", data={"body": "Löst, tack!"})
    assert closed.status_code == 303
    t = Ticket.get_by_id(t.id)
    assert t.status == "done" and t.resolved_at is not None
    page = konto.get(f"/tickets/{t.id}").get_data(as_text=True)
    assert "Återöppna" in page and f"/tickets/{t.id}/reply" not in page
    # Replying to a finished ticket is refused: reopen it instead.
    refused = konto.post(f"/tickets/{t.id}/reply", data={"body": "Hallå?"})
    assert "Återöppna det för att svara" in refused.get_data(as_text=True)
    # A reason is required to reopen.
    assert "Beskriv varför" in konto.post(f"/tickets/{t.id}/reopen", data={"body": ""}).get_data(
        as_text=True
    )
    reopened = konto.post(f"/tickets/{t.id}/reopen", data={"body": "Felet är tillbaka."})
    assert reopened.status_code == 303
    t = Ticket.get_by_id(t.id)
    assert t.status == "waiting" and t.resolved_at is None
    subjects = [m.subject for m in OutboxMessage.select().order_by(OutboxMessage.id)]
    assert any("Slutfört" in s for s in subjects) and any(
        "Väntar på hantering" in s for s in subjects
    )


def test_reopen_only_within_14_days(demo_app, konto):
    t = ticket("Beställning av extra SIM")  # Slutfört 60 days ago
    assert "Återöppna" not in konto.get(f"/tickets/{t.id}").get_data(as_text=True)
    response = konto.post(f"/tickets/{t.id}/reopen", data={"body": "Igen"})
    assert "kan återöppnas inom 14 dagar" in response.get_data(as_text=True)
    assert Ticket.get_by_id(t.id).status == "done"
    with write_tx():
        Ticket.update(resolved_at=utcnow() - dt.timedelta(days=13)).where(
            Ticket.id == t.id
        ).execute()
    assert konto.post(f"/tickets/{t.id}/reopen", data={"body": "Igen"}).status_code == 303


def test_who_may_reply(demo_app, make_ticket):
    """tickets.view alone may read but not answer others' tickets; the creator
    always may; a user without ticket permissions sees only their own."""
    from tests.test_tickets_create import make_demo_user

    reader = make_demo_user("lasare@a3demo.se", ("tickets.view",))
    t = ticket("Bredbandet långsamt på kvällar")
    client = client_for(demo_app, reader.username)
    page = client.get(f"/tickets/{t.id}").get_data(as_text=True)
    assert "Bredbandet långsamt" in page and f"/tickets/{t.id}/reply" not in page
    assert client.post(f"/tickets/{t.id}/reply", data={"body": "x"}).status_code == 403
    assert client.post(f"/tickets/{t.id}/close", data={}).status_code == 403

    invoices_only = User.get(User.username == INVOICES_ONLY)
    own = make_ticket(invoices_only, subject="Rapporterat fel")
    other = client_for(demo_app, INVOICES_ONLY)
    assert other.get(f"/tickets/{own.id}").status_code == 200
    assert other.post(f"/tickets/{own.id}/reply", data={"body": "Tillägg"}).status_code == 303
    assert other.get(f"/tickets/{t.id}").status_code == 404


def test_internal_notes_never_reach_the_customer(demo_app, konto, staff_user, smtp_server):
    demo_app.config.update(smtp_server.config)
    t = ticket("Message Delivery Failure")
    with write_tx():
        note = ticketing.add_staff_reply(
            t,
            staff=staff_user,
            body="INTERNT: kunden har tidigare haft samma fel",
            internal=True,
            attachments=[],
        )
    from domain import attachments

    checked = attachments.check("intern.pdf", PDF)
    with attachments.staged([checked]) as stored, write_tx():
        ticketing._attach(t, note, stored, staff=staff_user)
    secret = TicketAttachment.get(TicketAttachment.filename == "intern.pdf")
    # Not on the page, not downloadable, not in the list export, not e-mailed.
    page = konto.get(f"/tickets/{t.id}").get_data(as_text=True)
    assert "INTERNT" not in page and "intern.pdf" not in page
    assert konto.get(f"/tickets/{t.id}/attachments/{secret.id}").status_code == 404
    export = konto.get("/tickets?export=xlsx")
    assert export.status_code == 200 and b"INTERNT" not in export.data
    assert not OutboxMessage.select().where(OutboxMessage.body.contains("INTERNT")).exists()
    assert not any("INTERNT" in m.get_content() for m in smtp_server.messages)
    # The note did not count as acting on the ticket for the customer.
    assert Ticket.get_by_id(t.id).last_action_at == t.last_action_at
    # Staff see it.
    desk = client_for(demo_app, STAFF)
    staff_page = desk.get(f"/staff/tickets/{t.id}").get_data(as_text=True)
    assert "INTERNT" in staff_page and "Intern anteckning" in staff_page
    assert desk.get(f"/staff/tickets/{t.id}/attachments/{secret.id}").status_code == 200


def test_download_headers(demo_app, konto):
    t = ticket("Message Delivery Failure")
    konto.post(
        f"/tickets/{t.id}/reply",
        data={"body": "Bild", "attachments": [upload("skärm bild.png", PNG)]},
        content_type="multipart/form-data",
    )
    a = TicketAttachment.get(TicketAttachment.ticket == t)
    response = konto.get(f"/tickets/{t.id}/attachments/{a.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''sk%C3%A4rm%20bild.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "image/png"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    # Wrong ticket id in the URL: not found, even though both are visible.
    other = ticket("Ingen täckning i källaren")
    assert konto.get(f"/tickets/{other.id}/attachments/{a.id}").status_code == 404


def test_tampered_file_is_not_served(demo_app, konto):
    from domain import attachments

    t = ticket("Message Delivery Failure")
    konto.post(
        f"/tickets/{t.id}/reply",
        data={"body": "Bild", "attachments": [upload("bild.png", PNG)]},
        content_type="multipart/form-data",
    )
    a = TicketAttachment.get(TicketAttachment.ticket == t)
    attachments.path_of(a.storage_name).write_bytes(b"<script>alert(1)</script>")
    assert konto.get(f"/tickets/{t.id}/attachments/{a.id}").status_code == 404


def test_list_quick_views_and_waiting_for_me(demo_app, konto):
    html = konto.get("/tickets").get_data(as_text=True)
    assert "Visa öppna" in html and "Visa historik" in html and "Väntar på mig" in html
    mine = konto.get("/tickets?f_status=waiting_customer").get_data(as_text=True)
    assert "Message Delivery Failure" in mine and "Ingen täckning" not in mine
    history = konto.get("/tickets?f_status=done").get_data(as_text=True)
    assert "Beställning av extra SIM" in history and "Message Delivery Failure" not in history


def test_list_shows_sla_countdown_and_breach(demo_app):
    admin = client_for(demo_app, ADMIN)
    t = ticket("Fråga om faktura 6789")
    with write_tx():
        Ticket.update(
            response_due_at=utcnow() + dt.timedelta(hours=3),
            resolution_due_at=utcnow() + dt.timedelta(days=2),
        ).where(Ticket.id == t.id).execute()
        late = ticket("Bredbandet långsamt på kvällar")
        Ticket.update(resolution_due_at=utcnow() - dt.timedelta(hours=5)).where(
            Ticket.id == late.id
        ).execute()
    html = admin.get("/tickets?sort=sla&dir=asc").get_data(as_text=True)
    assert 'class="sla sla-running"' in html and "2 h 59 min" in html
    assert 'class="sla sla-overdue"' in html and "−5 h" in html
    breached = admin.get("/tickets?f_sla=breached").get_data(as_text=True)
    assert "Bredbandet långsamt" in breached and "Fråga om faktura" not in breached
