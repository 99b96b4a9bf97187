"""The conversation as people read it (issue 13 items 9 and 10): messages
signed with the person's name and the time, staff as the operator, customer
and operator told apart in words as well as by place and colour, the reply
button says Skicka, attachments carry an SVG paperclip, and no page or dialog
of a ticket repeats an element id."""

from __future__ import annotations

import collections
from pathlib import Path

import lxml.html
import pytest

from database import write_tx
from domain import tickets as ticketing
from models import StaffUser, Ticket, TicketMessage, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, STAFF
from tests.tickets_data import client_for
from web.formatting import when

ROOT = Path(__file__).resolve().parent.parent


def ticket(subject: str) -> Ticket:
    return Ticket.get(Ticket.subject == subject)


def messages(html: str) -> list:
    page = lxml.html.fromstring(html)
    return page.xpath(
        "//ol[@class='messages']/li[contains(@class, 'message')]"
        "[not(contains(@class, 'status-change'))]"
    )


def meta(item) -> str:
    return " ".join(item.xpath(".//p[@class='message-meta']")[0].text_content().split())


def test_messages_are_signed_with_the_persons_name_and_the_time(demo_app):
    t = ticket("Message Delivery Failure")
    karl = User.get(User.username == ACCOUNT_ADMIN)
    with write_tx():
        reply = ticketing.add_customer_reply(t, body="Här är exemplet.", user=karl)
    html = client_for(demo_app, ADMIN).get(f"/tickets/{t.id}").get_data(as_text=True)
    newest = messages(html)[0]
    assert meta(newest) == f"Karl Berg Kund · {when(reply.created_at)}"
    assert "konto@a3demo.se" not in meta(newest)


def test_staff_write_as_the_operator_and_staff_see_the_employee(demo_app):
    demo_app.config["OPERATOR_NAME"] = "Bredband2"
    t = ticket("Message Delivery Failure")
    customer = client_for(demo_app, ACCOUNT_ADMIN).get(f"/tickets/{t.id}").get_data(as_text=True)
    operator = [m for m in messages(customer) if "from-operator" in m.get("class")]
    assert operator and all(meta(m).startswith("Bredband2 Kundservice · ") for m in operator)
    assert "Sara Handläggare" not in customer
    back_office = client_for(demo_app, STAFF).get(f"/staff/tickets/{t.id}").get_data(as_text=True)
    staff_rows = [m for m in messages(back_office) if "from-operator" in m.get("class")]
    assert any(meta(m).startswith("Sara Handläggare (visas som Bredband2)") for m in staff_rows)


def test_customer_and_operator_are_told_apart_in_words_and_by_side(demo_app):
    t = ticket("Message Delivery Failure")
    html = client_for(demo_app, ACCOUNT_ADMIN).get(f"/tickets/{t.id}").get_data(as_text=True)
    for item in messages(html):
        classes = item.get("class").split()
        tag = item.xpath(".//span[@class='sender-tag']")[0].text_content()
        if "from-operator" in classes:
            assert tag == "Kundservice" and "own" not in classes
        else:
            assert "from-customer" in classes and tag == "Kund" and "own" in classes
    # In the back office the operator's side is the page's own.
    staff_html = client_for(demo_app, STAFF).get(f"/staff/tickets/{t.id}").get_data(as_text=True)
    for item in messages(staff_html):
        classes = item.get("class").split()
        assert ("own" in classes) is ("from-operator" in classes)


def test_the_reply_dialog_button_says_skicka(demo_app):
    t = ticket("Message Delivery Failure")
    client = client_for(demo_app, ACCOUNT_ADMIN)
    dialog = client.get(f"/tickets/{t.id}/reply", headers={"HX-Request": "true"})
    form = lxml.html.fragment_fromstring(dialog.get_data(as_text=True), create_parent="div")
    assert [b.text_content().strip() for b in form.xpath("//button[@type='submit']")] == ["Skicka"]


def test_the_back_office_reply_button_says_what_it_does(demo_app):
    t = ticket("Message Delivery Failure")
    html = client_for(demo_app, STAFF).get(f"/staff/tickets/{t.id}").get_data(as_text=True)
    page = lxml.html.fromstring(html)
    button = page.xpath("//form[contains(@class, 'staff-reply')]//button[@type='submit']")[0]
    assert button.text_content().strip() == "Skicka"
    assert "Spara anteckning" in button.get("data-kind-labels")


def test_attachments_carry_an_svg_paperclip(demo_app):
    t = ticket("Message Delivery Failure")
    staff = StaffUser.get(StaffUser.username == STAFF)
    from domain import attachments as files

    accepted = [files.check("logg.txt", b"12:01 SMS misslyckades\n")]
    with files.staged(accepted) as stored, write_tx():
        ticketing.add_staff_reply(t, staff=staff, body="Se loggen.", attachments=stored)
    html = client_for(demo_app, ACCOUNT_ADMIN).get(f"/tickets/{t.id}").get_data(as_text=True)
    item = lxml.html.fromstring(html).xpath("//ul[@class='files']/li")[0]
    assert item.xpath(".//svg[@aria-hidden='true']") and "logg.txt" in item.text_content()
    css = (ROOT / "static" / "tickets.css").read_text(encoding="utf-8")
    assert "📎" not in css and "📎" not in html


def duplicate_ids(*htmls: str) -> list[str]:
    ids = collections.Counter()
    for html in htmls:
        ids.update(lxml.html.fromstring(html).xpath("//@id"))
    return sorted(name for name, n in ids.items() if n > 1)


@pytest.mark.parametrize("subject", ["Message Delivery Failure", "Ingen täckning i källaren"])
def test_the_staff_ticket_page_has_unique_ids(demo_app, subject):
    t = ticket(subject)
    page = client_for(demo_app, STAFF).get(f"/staff/tickets/{t.id}")
    assert page.status_code == 200
    assert duplicate_ids(page.get_data(as_text=True)) == []


@pytest.mark.parametrize("dialog", ["reply", "close"])
def test_the_customer_ticket_page_and_its_dialogs_have_unique_ids(demo_app, dialog):
    """A dialog is loaded into the page, so its ids must not repeat the page's."""
    t = ticket("Message Delivery Failure")
    client = client_for(demo_app, ACCOUNT_ADMIN)
    page = client.get(f"/tickets/{t.id}").get_data(as_text=True)
    fragment = client.get(f"/tickets/{t.id}/{dialog}", headers={"HX-Request": "true"})
    assert duplicate_ids(page) == []
    assert duplicate_ids(page, fragment.get_data(as_text=True)) == []


def test_the_reopen_dialog_has_unique_ids(demo_app):
    t = ticket("test")  # Slutfört
    client = client_for(demo_app, ADMIN)
    page = client.get(f"/tickets/{t.id}").get_data(as_text=True)
    fragment = client.get(f"/tickets/{t.id}/reopen", headers={"HX-Request": "true"})
    assert duplicate_ids(page, fragment.get_data(as_text=True)) == []


def test_status_changes_are_signed_too(demo_app):
    t = ticket("Message Delivery Failure")
    staff = StaffUser.get(StaffUser.username == STAFF)
    with write_tx():
        ticketing.change_status(t, "in_progress", staff=staff)
    html = client_for(demo_app, ACCOUNT_ADMIN).get(f"/tickets/{t.id}").get_data(as_text=True)
    line = lxml.html.fromstring(html).xpath("//li[contains(@class, 'status-change')]")[0]
    status = TicketMessage.get((TicketMessage.ticket == t) & (TicketMessage.kind == "status"))
    assert f"– Teleportal · {when(status.created_at)}" in " ".join(line.text_content().split())
