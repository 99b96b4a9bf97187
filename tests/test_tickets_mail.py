"""E-mail both ways (TIC-4): notifications with the ticket in the subject and
a reply address, and replies taken in by token, sender checked, quotes cut,
attachments checked, everything else kept for staff."""

from __future__ import annotations

import datetime as dt

import pytest

from database import utcnow, write_tx
from domain import inbound_mail
from domain import tickets as ticketing
from models import (
    Contact,
    InboundMail,
    OutboxMessage,
    StaffUser,
    Ticket,
    TicketAttachment,
    TicketMessage,
)
from tests.conftest import STAFF
from tests.tickets_data import EXE, PNG, client_for, reply_mail

pytest_plugins = ["tests.tickets_fixtures"]


@pytest.fixture
def waiting(demo_app):
    """A3's "Message Delivery Failure", Väntar på kund, created by konto@."""
    return Ticket.get(Ticket.subject == "Message Delivery Failure")


def address(ticket) -> str:
    return f"arende+{ticket.reply_token}@teleportal.example"


def last_message(ticket) -> TicketMessage:
    return (
        TicketMessage.select()
        .where((TicketMessage.ticket == ticket) & (TicketMessage.kind == "message"))
        .order_by(TicketMessage.id.desc())
        .first()
    )


def test_reply_by_address_token(demo_app, waiting):
    raw = reply_mail(address(waiting), "Karl Berg <KONTO@a3demo.se>", "Här är exemplet.")
    row = inbound_mail.ingest(raw)
    assert (row.status, row.ticket_id) == ("accepted", waiting.id)
    message = last_message(waiting)
    assert message.body == "Här är exemplet." and message.via == "email"
    assert message.author_user.username == "konto@a3demo.se"
    assert Ticket.get_by_id(waiting.id).status == "in_progress"


def test_reply_by_subject_token_from_a_contact(demo_app, waiting):
    raw = reply_mail(
        "support@teleportal.example",
        "tommy.frost@a3demo.se",
        "Tommy här, jag svarar för Karl.",
        subject=f"SV: Ärende {waiting.number}: Message Delivery Failure [ref:{waiting.reply_token}]",
    )
    row = inbound_mail.ingest(raw)
    assert row.status == "accepted"
    message = last_message(waiting)
    assert message.author_user_id is None and message.author_email == "tommy.frost@a3demo.se"
    page = client_for(demo_app, "konto@a3demo.se").get(f"/tickets/{waiting.id}")
    # Signed with the contact person's name, not the address.
    assert '<span class="message-author">Tommy Frost</span>' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("sender", "to", "body", "reason"),
    [
        ("admin@norrbygg.se", "{address}", "Hej", "hör inte till ärendets organisation"),
        ("okand@example.com", "{address}", "Hej", "hör inte till ärendets organisation"),
        ("konto@a3demo.se", "support@teleportal.example", "Hej", "Ingen ärendereferens"),
        ("konto@a3demo.se", "arende+0000000000ffff@teleportal.example", "Hej", "Okänd"),
        ("konto@a3demo.se", "{address}", "> bara citat\n> mer citat", "saknar text"),
    ],
)
def test_rejected_mail_is_kept_with_the_reason(demo_app, waiting, sender, to, body, reason):
    before = TicketMessage.select().count()
    raw = reply_mail(to.format(address=address(waiting)), sender, body)
    row = inbound_mail.ingest(raw)
    assert row.status == "rejected" and reason in row.reason
    stored = InboundMail.get_by_id(row.id)
    assert inbound_mail.raw_bytes(stored) == raw  # nothing lost
    assert TicketMessage.select().count() == before
    assert Ticket.get_by_id(waiting.id).status == "waiting_customer"


def test_8bit_mail_is_kept_byte_for_byte(demo_app, waiting):
    raw = (
        b"From: okand@example.com\r\nTo: support@teleportal.example\r\nSubject: hej\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"Fr\xe5ga om \xe4rende\r\n"
    )
    row = inbound_mail.ingest(raw)
    assert row.status == "rejected"
    assert inbound_mail.raw_bytes(InboundMail.get_by_id(row.id)) == raw
    assert "Fråga om ärende" in inbound_mail.body_text(inbound_mail.parsed(row))


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Tack!\n\nOn Mon, 3 Dec 2021 at 14:26, Teleportal <x@y> wrote:\n> Hej", "Tack!"),
        ("Tack!\n\nOn Mon, 3 Dec 2021 at 14:26, Teleportal\n<x@y> wrote:\n> Hej", "Tack!"),
        ("Tack!\n\nDen 3 dec. 2021 kl. 14:26 skrev Teleportal <x@y>:\n> Hej", "Tack!"),
        ("Tack!\n\n-----Ursprungligt meddelande-----\nFrån: x\nHej", "Tack!"),
        ("Tack!\n\n-----Original Message-----\nFrom: x", "Tack!"),
        ("Tack!\n\nFrån: Teleportal <x@y>\nSkickat: den 3 december 2021\nÄmne: Ärende", "Tack!"),
        ("Tack!\n> citat\nMer text", "Tack!\nMer text"),
        ("Tack!\n-- \nKarl Berg\nA3", "Tack!"),
        (f"Svar ovanför.\n{ticketing.REPLY_MARKER}\n\nHej!", "Svar ovanför."),
    ],
)
def test_quoted_text_is_cut(body, kept):
    assert inbound_mail.strip_quoted(body) == kept


def test_html_only_mail_loses_its_blockquote():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "a@b"
    message.set_content(
        "<div>Nytt <b>svar</b></div><blockquote>gammalt</blockquote>", subtype="html"
    )
    assert inbound_mail.strip_quoted(inbound_mail.body_text(message)) == "Nytt svar"


def test_attachments_are_kept_and_bad_ones_refused(demo_app, waiting):
    raw = reply_mail(
        address(waiting),
        "konto@a3demo.se",
        "Två filer.",
        attachments=[
            ("skarm.png", PNG, "image", "png"),
            ("virus.pdf", EXE, "application", "pdf"),
        ],
    )
    row = inbound_mail.ingest(raw)
    assert row.status == "accepted" and "virus.pdf" in row.reason
    message = last_message(waiting)
    assert [a.filename for a in message.attachments] == ["skarm.png"]
    assert "Bilagan togs inte emot" in message.body and "virus.pdf" in message.body
    stored = TicketAttachment.get(TicketAttachment.message == message)
    client = client_for(demo_app, "konto@a3demo.se")
    assert client.get(f"/tickets/{waiting.id}/attachments/{stored.id}").data == PNG


def test_the_same_message_id_is_taken_in_once(demo_app, waiting):
    raw = reply_mail(address(waiting), "konto@a3demo.se", "En gång.", message_id="<a@b>")
    first = inbound_mail.ingest(raw)
    again = inbound_mail.ingest(raw)
    assert again.id == first.id and again.duplicate
    assert TicketMessage.select().where(TicketMessage.body == "En gång.").count() == 1


def test_reply_to_a_finished_ticket(demo_app):
    recent = Ticket.get(Ticket.subject == "test")  # Slutfört 20 days ago
    raw = reply_mail(address(recent), "admin@a3demo.se", "Felet är tillbaka.")
    assert "14 dagar" in inbound_mail.ingest(raw).reason
    with write_tx():
        Ticket.update(resolved_at=utcnow() - dt.timedelta(days=2)).where(
            Ticket.id == recent.id
        ).execute()
    row = inbound_mail.ingest(reply_mail(address(recent), "admin@a3demo.se", "Felet är tillbaka."))
    assert row.status == "accepted"
    assert Ticket.get_by_id(recent.id).status == "waiting"  # reopened, back in the queue


def test_notification_mail_has_the_ticket_and_reply_address(demo_app, waiting):
    staff = StaffUser.get(StaffUser.username == STAFF)
    tommy = Contact.get(Contact.name == "Tommy Frost")
    from models import TicketContact

    with write_tx():
        TicketContact.create(ticket=waiting, contact=tommy)
        ticketing.change_status(waiting, "in_progress", staff=staff)
    mails = list(OutboxMessage.select().order_by(OutboxMessage.id))
    assert {m.recipient for m in mails} == {"konto@a3demo.se", "tommy.frost@a3demo.se"}
    for mail in mails:
        assert f"Ärende {waiting.number}" in mail.subject and "Under hantering" in mail.subject
        assert mail.reply_to == address(waiting)
        assert f"/tickets/{waiting.id}" in mail.body
        assert "Sara" not in mail.body


def test_cli_reads_stdin_and_never_fails_the_mail_system(demo_app, waiting):
    runner = demo_app.test_cli_runner()
    good = runner.invoke(
        args=["tickets", "ingest-mail"],
        input=reply_mail(address(waiting), "konto@a3demo.se", "Via CLI"),
    )
    assert good.exit_code == 0 and "accepted" in good.output
    bad = runner.invoke(args=["tickets", "ingest-mail"], input=b"not an e-mail at all")
    assert bad.exit_code == 0 and "rejected" in bad.output
    assert InboundMail.select().count() == 2


class FakeImap:
    """Just enough of imaplib.IMAP4_SSL for poll_mailbox."""

    def __init__(self, messages):
        self.messages = messages
        self.seen = set()

    def __call__(self, *args, **kwargs):
        return self

    def login(self, user, password):
        assert (user, password) == ("arende", "hemligt")

    def select(self, folder):
        assert folder == "INBOX"

    def uid(self, command, *args):
        if command == "search":
            unseen = [str(i).encode() for i in self.messages if i not in self.seen]
            return "OK", [b" ".join(unseen)]
        if command == "fetch":
            return "OK", [(b"1 (BODY[] {n}", self.messages[int(args[0])]), b")"]
        if command == "store":
            self.seen.add(int(args[0]))
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        pass


class FakePop:
    def __init__(self, messages):
        self.messages = list(messages)
        self.deleted = []

    def __call__(self, *args, **kwargs):
        return self

    def user(self, name):
        pass

    def pass_(self, password):
        pass

    def stat(self):
        return len(self.messages), 0

    def retr(self, number):
        return b"+OK", self.messages[number - 1].split(b"\r\n"), 0

    def dele(self, number):
        self.deleted.append(number)

    def quit(self):
        pass


MAILBOX = {
    "INBOUND_MAIL_HOST": "imap.example",
    "INBOUND_MAIL_USER": "arende",
    "INBOUND_MAIL_PASSWORD": "hemligt",
    "INBOUND_MAIL_FOLDER": "INBOX",
}


def test_poll_imap_marks_read_only_what_was_stored(demo_app, waiting, monkeypatch):
    import imaplib

    fake = FakeImap(
        {
            1: reply_mail(address(waiting), "konto@a3demo.se", "Första", message_id="<1@x>"),
            2: reply_mail("fel@example", "spam@example.com", "Köp!", message_id="<2@x>"),
        }
    )
    monkeypatch.setattr(imaplib, "IMAP4_SSL", fake)
    demo_app.config.update(MAILBOX, INBOUND_MAIL_PROTOCOL="imap")
    result = demo_app.test_cli_runner().invoke(args=["tickets", "poll-mail"])
    assert "accepted 1, rejected 1" in result.output
    assert fake.seen == {1, 2}
    assert inbound_mail.poll_mailbox(demo_app.config) == (0, 0, 0)  # nothing unread left


def test_poll_pop3_deletes_after_storing(demo_app, waiting, monkeypatch):
    import poplib

    raw = reply_mail(address(waiting), "konto@a3demo.se", "Via POP3", message_id="<p@x>")
    fake = FakePop([raw, raw])
    monkeypatch.setattr(poplib, "POP3_SSL", fake)
    demo_app.config.update(MAILBOX, INBOUND_MAIL_PROTOCOL="pop3")
    assert inbound_mail.poll_mailbox(demo_app.config) == (1, 0, 1)
    assert fake.deleted == [1, 2]
    assert TicketMessage.select().where(TicketMessage.body == "Via POP3").count() == 1


def test_poll_needs_a_host(demo_app):
    demo_app.config["INBOUND_MAIL_HOST"] = ""
    result = demo_app.test_cli_runner().invoke(args=["tickets", "poll-mail"])
    assert result.exit_code != 0 and "INBOUND_MAIL_HOST" in result.output


def test_staff_file_a_rejected_mail_by_hand(demo_app, waiting):
    raw = reply_mail(address(waiting), "karl.privat@gmail.com", "Svar från min privata adress.")
    row = inbound_mail.ingest(raw)
    assert row.status == "rejected"
    desk = client_for(demo_app, STAFF)
    listing = desk.get("/staff/tickets/inbound").get_data(as_text=True)
    assert "karl.privat@gmail.com" in listing
    page = desk.get(f"/staff/tickets/inbound/{row.id}").get_data(as_text=True)
    assert "Svar från min privata adress." in page
    wrong = desk.post(f"/staff/tickets/inbound/{row.id}/file", data={"number": "1"})
    assert "Det finns inget ärende med det numret." in wrong.get_data(as_text=True)
    done = desk.post(f"/staff/tickets/inbound/{row.id}/file", data={"number": str(waiting.number)})
    assert done.status_code == 303
    assert last_message(waiting).body == "Svar från min privata adress."
    mail = InboundMail.get_by_id(row.id)
    assert (mail.status, mail.ticket_id) == ("accepted", waiting.id) and mail.handled_at
    assert "karl.privat" not in desk.get("/staff/tickets/inbound").get_data(as_text=True)


def test_staff_mark_rejected_mail_handled(demo_app):
    row = inbound_mail.ingest(reply_mail("x@example", "spam@example.com", "Köp!"))
    desk = client_for(demo_app, STAFF)
    assert desk.post(f"/staff/tickets/inbound/{row.id}/handled").status_code == 303
    assert InboundMail.get_by_id(row.id).handled_at is not None
    shown = desk.get("/staff/tickets/inbound?f_handled=yes").get_data(as_text=True)
    assert "spam@example.com" in shown
