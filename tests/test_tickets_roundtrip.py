"""The whole round trip (TIC-2…4): a customer creates a ticket with an
attachment, staff reply and set "Väntar på kund", the e-mail reaches a real
SMTP server, and the customer's e-mailed reply lands on the ticket."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from database import write_tx
from domain.passwords import hash_password
from models import StaffUser, Ticket, TicketAttachment, TicketMessage
from tests.tickets_data import PDF, PNG, client_for, reply_mail, upload

pytest_plugins = ["tests.tickets_fixtures"]


@pytest.fixture
def setup(app, make_org, make_user, make_service, smtp_server):
    app.config.update(smtp_server.config, OPERATOR_NAME="Norrnät")
    org = make_org("Kundbolaget AB")
    user = make_user(
        org, permissions=("tickets.view", "tickets.manage"), username="kund@kundbolaget.se"
    )
    service = make_service(org.top_account(), number="0701112233")
    with write_tx():
        staff = StaffUser.create(
            username="handlaggare@operator.se",
            email="handlaggare@operator.se",
            name="Sven Handläggare",
            password_hash=hash_password("x" * 12),
            roles="support",
        )
    return org, user, service, staff


def test_customer_staff_and_email_round_trip(app, setup, smtp_server):
    org, user, service, staff = setup
    customer = client_for(app, user.username)

    # 1. The customer creates a support ticket on the service, with a PNG.
    form = customer.get("/tickets/new")
    assert form.status_code == 200 and "Skapa ärende" in form.get_data(as_text=True)
    response = customer.post(
        "/tickets/new",
        data={
            "category": "support",
            "service": str(service.id),
            "priority": "2",
            "subject": "Samtal bryts",
            "body": "Samtal till 0701112233 bryts efter några sekunder.",
            "action": "send",
            "attachments": [upload("skarmdump.png", PNG)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    ticket = Ticket.get(Ticket.subject == "Samtal bryts")
    assert response.headers["Location"].endswith(f"/tickets/{ticket.id}")
    assert (ticket.status, ticket.priority, ticket.service_id) == ("waiting", 2, service.id)
    stored = TicketAttachment.get(TicketAttachment.ticket == ticket)
    path = Path(app.config["ATTACHMENT_DIR"]) / stored.storage_name[:2] / stored.storage_name
    assert path.read_bytes() == PNG
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest()
    assert "static" not in path.parts and stored.filename == "skarmdump.png"
    # The receipt ("Väntar på hantering") went to the customer.
    assert [m["To"] for m in smtp_server.messages] == ["kund@kundbolaget.se"]

    # 2. Staff add an internal note, then reply and set Väntar på kund.
    desk = client_for(app, staff.username)
    note = desk.post(
        f"/staff/tickets/{ticket.id}/reply",
        data={"kind": "note", "body": "HEMLIG: kontrollera basstation 17.", "status": ""},
    )
    assert note.status_code == 303
    reply = desk.post(
        f"/staff/tickets/{ticket.id}/reply",
        data={
            "kind": "reply",
            "body": "Hej! Kan ni skicka en logg från telefonen?",
            "status": "waiting_customer",
        },
    )
    assert reply.status_code == 303
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.status == "waiting_customer" and ticket.first_response_at is not None

    # 3. The e-mail arrived at the SMTP server: number in the subject, the reply
    #    address carries the token, signed by the operator, no internal note.
    assert len(smtp_server.messages) == 2
    mail = smtp_server.messages[-1]
    assert mail["To"] == "kund@kundbolaget.se"
    assert f"Ärende {ticket.number}" in mail["Subject"] and "Väntar på kund" in mail["Subject"]
    assert ticket.reply_token in mail["Reply-To"]
    text = mail.get_content()
    assert "Kan ni skicka en logg från telefonen?" in text
    assert "Norrnät" in text and "Sven" not in text and "HEMLIG" not in text

    # 4. The customer answers the e-mail (quoting it) with a PDF attached.
    answer = (
        "Här kommer loggen.\n\n"
        "Den 3 dec. 2026 kl. 14:26 skrev Norrnät <noreply@teleportal.local>:\n"
        + "\n".join("> " + line for line in text.splitlines())
    )
    raw = reply_mail(
        to=mail["Reply-To"],
        sender="Kund <kund@kundbolaget.se>",
        subject="Re: " + mail["Subject"],
        body=answer,
        attachments=[("logg.pdf", PDF, "application", "pdf")],
        message_id="<svar-1@kundbolaget.se>",
    )
    result = app.test_cli_runner().invoke(args=["tickets", "ingest-mail"], input=raw)
    assert result.exit_code == 0, result.output
    assert f"accepted for ticket {ticket.number}" in result.output

    # 5. The reply is on the ticket, without the quoted mail, with its file,
    #    and the ticket is back in Under hantering.
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.status == "in_progress"
    last = (
        TicketMessage.select()
        .where((TicketMessage.ticket == ticket) & (TicketMessage.kind == "message"))
        .order_by(TicketMessage.id.desc())
        .first()
    )
    assert last.body == "Här kommer loggen." and last.via == "email"
    assert last.author_user_id == user.id
    assert [a.filename for a in last.attachments] == ["logg.pdf"]

    page = customer.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Här kommer loggen." in page and "logg.pdf" in page
    assert "Kan ni skicka en logg från telefonen?" in page
    assert '<span class="message-author">Norrnät</span>' in page
    assert "Sven Handläggare" not in page
    assert "HEMLIG" not in page
    # Newest first: the e-mailed reply comes before the staff question.
    assert page.index("Här kommer loggen.") < page.index("Kan ni skicka en logg")
