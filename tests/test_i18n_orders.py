"""Beställningar in English and Danish (issue 20): the list, the order page,
Ny beställning, the dialogs, flash messages, form errors and the domain's
messages with values, for a user whose language is en or da."""

from __future__ import annotations

import re

import pytest

from models import Account, Order, OrderLine, Product
from tests.approvals_fixtures import *  # noqa: F403 (the fixtures)
from tests.approvals_fixtures import outbox_to, set_chain
from tests.conftest import ADMIN, login_as
from tests.order_factory import make_order as sent_order
from tests.test_i18n import set_language
from tests.test_orders_wizard import finish_data

HX = {"HX-Request": "true"}


def text(response) -> str:
    """The page's text without tags and with spaces collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def signed_in(client, lang: str, username: str = ADMIN):
    set_language(username, lang)
    login_as(client, username)
    return client


@pytest.fixture
def english(demo_client):
    return signed_in(demo_client, "en")


@pytest.fixture
def danish(demo_client):
    return signed_in(demo_client, "da")


def start_draft(client, number="99012615"):
    account = Account.get(Account.customer_number == number)
    response = client.post("/orders/new", data={"account": account.id, "kind": "order"})
    assert response.status_code == 303, response.text
    draft_id = int(re.search(r"/orders/drafts/(\d+)/category", response.location).group(1))
    return Order.get_by_id(draft_id)


def add_line(client, draft, code="MOB-FAST"):
    product = Product.get(Product.code == code)
    response = client.post(f"/orders/drafts/{draft.id}/lines", data={"product": product.id})
    assert response.status_code == 303, response.text
    return OrderLine.get_by_id(int(response.location.rsplit("/", 1)[1]))


# --------------------------------------------------------------------------- the list


def test_order_list_in_english(english):
    sent_order(ADMIN)
    page = english.get("/orders").get_data(as_text=True)
    assert "<title>Orders" in page or ">Orders<" in page
    head = re.search(r"<thead.*?</thead>", page, re.S).group(0)
    for heading in ("Order number", "Order/Quote", "Order date", "End date", "Account", "Products"):
        assert re.search(rf">\s*{re.escape(heading)}\s*<", head), heading
    # the status filter's choices and the rows' labels
    assert "Awaiting approval" in head and "Received" in page
    assert 'data-label="Order number"' in page and ">New order<" in page
    assert "Show open" in page and "Show history" in page and "Date range" in page
    for swedish in ("Ordernummer", "Orderdatum", "Visa öppna", "Mottagen", "Nybeställning"):
        assert swedish not in page, swedish


def test_order_list_in_danish(danish):
    sent_order(ADMIN)
    page = text(danish.get("/orders"))
    assert "Ordrenummer" in page and "Ordredato" in page and "Vis åbne" in page
    assert "Modtaget" in page and "Nybestilling" in page
    assert "Ordernummer" not in page and "Mottagen" not in page


# --------------------------------------------------------------------------- the order page


def test_order_page_in_danish(danish):
    order = sent_order(ADMIN)
    page = text(danish.get(f"/orders/{order.id}"))
    assert f"Bestilling {order.number} v0" in page
    for expected in (
        "Oplysninger",
        "Ordrenummer",
        "Ordre – Nybestilling",
        "Status Modtaget",
        "Rammeaftalenummer RA-2026-017",
        "Leveringsadresse",
        "Kontakt-e-mail inkop@a3demo.se",
        "Månedspris",
        "Oprettelsespris",
        "Bindingsperiode 24 md.",
        "Godkendelse",
        "Versioner",
        "Som sendt.",
        "Historik",
        "Ændr",
        "Fortryd bestilling",
    ):
        assert expected in page, expected
    for swedish in ("Uppgifter", "Leveransadress", "Månadskostnad", "Som skickad", "Ångra"):
        assert swedish not in page, swedish


def test_order_page_in_english(english):
    order = sent_order(ADMIN)
    page = text(english.get(f"/orders/{order.id}"))
    assert f"Order {order.number} v0" in page
    assert "Delivery and contact" in page and "Monthly cost" in page
    assert "Commitment period 24 mo" in page and "Contact method E-mail" in page
    assert "Leverans och kontakt" not in page and "Kontaktsätt" not in page


# --------------------------------------------------------------------------- dialogs


def test_undo_dialog_and_its_flash_in_english(english):
    order = sent_order(ADMIN)
    dialog = english.get(f"/orders/{order.id}/undo", headers=HX).get_data(as_text=True)
    assert f"Do you want to cancel order <strong>{order.label}</strong>?" in dialog
    assert ">Cancel the order<" in dialog and ">Keep the order<" in dialog
    assert "Vill du ångra" not in dialog and "Behåll" not in dialog
    done = english.post(f"/orders/{order.id}/undo", data={"seen_status": order.status}, headers=HX)
    assert done.status_code in (200, 204, 286)
    message = done.get_data(as_text=True) + str(dict(done.headers))
    assert f"Order {order.number} has been cancelled." in message.replace("\\u00a0", " ")


def test_change_dialog_labels_and_form_error_in_danish(danish):
    order = sent_order(ADMIN)
    dialog = danish.get(f"/orders/{order.id}/change", headers=HX).get_data(as_text=True)
    assert "Ønsket aktiveringsdato" in dialog and "Leveringsmodtager" in dialog
    assert ">Gem ændringen<" in dialog and ">Annuller<" in dialog
    assert "Önskat aktiveringsdatum" not in dialog
    response = danish.post(
        f"/orders/{order.id}/change",
        data={"version": str(order.version), "contact_email": "inte-en-adress"},
        headers=HX,
    )
    page = response.get_data(as_text=True)
    assert "Angiv en gyldig e-mailadresse." in page
    assert "Ange en giltig e-postadress." not in page


# --------------------------------------------------------------------------- Ny beställning


def test_wizard_start_and_steps_in_english(english):
    page = english.get("/orders/new").get_data(as_text=True)
    assert "Type of order" in page and "1. Account" in page and "5. Complete the order" in page
    assert "Typ av beställning" not in page and "Produktkategori" not in page
    draft = start_draft(english)
    category = text(english.get(f"/orders/drafts/{draft.id}/category"))
    assert "Choose the category you want to order from." in category
    assert re.search(r"\d+ products?\b", category)


def test_wizard_finish_errors_in_english(english):
    draft = start_draft(english)
    line = add_line(english, draft)
    data = finish_data(line, action="send")
    data[f"l{line.id}-end_user"] = ""
    response = english.post(f"/orders/drafts/{draft.id}/finish", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The order could not be sent. Correct the marked fields." in page
    assert "Enter an end user or alias." in page
    assert "Delivery, billing and contact" in page and "Save as draft" in page
    assert "Ange slutanvändare eller alias." not in page and "Spara som utkast" not in page


def test_saved_draft_flash_and_number_taken_in_danish(danish):
    first = start_draft(danish)
    first_line = add_line(danish, first)
    second = start_draft(danish)
    second_line = add_line(danish, second)
    saved = danish.post(
        f"/orders/drafts/{second.id}/finish", data=finish_data(second_line, action="save")
    )
    assert saved.status_code == 303
    listing = danish.get(saved.location).get_data(as_text=True)
    assert f"Bestillingen er gemt som kladde {second.number}." in listing
    sent = danish.post(
        f"/orders/drafts/{first.id}/finish", data=finish_data(first_line, action="send")
    )
    assert sent.status_code == 303
    confirmation = danish.get(sent.location).get_data(as_text=True)
    assert "Bestillingen er nu afsluttet og vil blive behandlet." in confirmation
    again = danish.post(
        f"/orders/drafts/{second.id}/finish", data=finish_data(second_line, action="send")
    )
    page = again.get_data(as_text=True)
    # a domain message with a value (T_), translated and the value filled in
    assert "Nummeret 0761000100 er ikke længere ledigt. Vælg et andet nummer." in page
    assert "inte längre ledigt" not in page


# --------------------------------------------------------------------------- Att godkänna


@pytest.fixture
def waiting(people, make_order):
    from domain.orders import approvals

    set_chain(people.org, "mobile", people.a, people.b)
    order = make_order(people.org, people.creator)
    approvals.start(order, people.creator)
    return order


def test_approvals_list_and_refusal_in_english(client, people, waiting):
    signed_in(client, "en", people.a.username)
    page = client.get("/orders/approvals").get_data(as_text=True)
    assert ">To approve<" in page or "<title>To approve" in page
    assert "Product area" in page and ">Mobile<" in page.replace(" <", "<")
    assert "Att godkänna" not in page and "Produktområde" not in page
    signed_in(client, "en", people.b.username)
    refused = client.post(f"/orders/{waiting.id}/approve", data={"position": "1"})
    assert refused.status_code == 403
    body = refused.get_data(as_text=True)
    assert f"is waiting for approval by {people.a.name}, not by you." in body
    assert "That did not work" in body and ">Close<" in body
    assert "väntar på godkännande" not in body


def test_reject_dialog_needs_a_comment_in_danish(client, people, waiting):
    signed_in(client, "da", people.a.username)
    dialog = client.get(f"/orders/{waiting.id}/reject", headers=HX).get_data(as_text=True)
    assert f"Afvis {waiting.label}" in dialog and "Forklar, hvorfor bestillingen afvises." in dialog
    response = client.post(
        f"/orders/{waiting.id}/reject", data={"comment": " ", "position": "1"}, headers=HX
    )
    page = response.get_data(as_text=True)
    assert "Skriv en kommentar, der forklarer, hvorfor bestillingen afvises." in page
    assert "Skriv en kommentar som förklarar" not in page


def test_swedish_stays_swedish(demo_client):
    order = sent_order(ADMIN)
    login_as(demo_client, ADMIN)
    page = text(demo_client.get(f"/orders/{order.id}"))
    assert f"Beställning {order.number} v0" in page and "Leverans och kontakt" in page
    assert "Order – Nybeställning" in page and "Bindningstid 24 mån" in page


# --------------------------------------------------------------------------- e-mail


def test_approval_request_mail_in_the_approvers_language(people, make_order):
    from domain.orders import approvals

    set_language(people.a.username, "en")
    set_chain(people.org, "mobile", people.a)
    order = make_order(people.org, people.creator)
    approvals.start(order, people.creator)
    [message] = outbox_to(people.a.email)
    assert message.subject == f"Order {order.label} (Mobile) is waiting for your approval"
    assert f"Hello {people.a.name}," in message.body
    assert "Approve or reject it here:" in message.body and "Kind regards" in message.body
    assert "väntar" not in message.body and "Med vänlig hälsning" not in message.body


def test_status_mail_in_the_creators_language(danish):
    from models import User

    order = sent_order(ADMIN)
    email = User.get(User.username == ADMIN).email
    before = len(outbox_to(email))
    response = danish.post(f"/orders/{order.id}/undo", data={"seen_status": order.status})
    assert response.status_code in (200, 204, 303)
    message = outbox_to(email)[before]
    assert message.subject == f"Bestilling {order.label}: Annulleret"
    assert f"Bestilling {order.label} (Nybestilling, konto" in message.body
    assert "har fået status Annulleret." in message.body and "Med venlig hilsen" in message.body
    assert "Beställning" not in message.body


def test_refused_change_of_a_closed_order_in_english(english):
    order = sent_order(ADMIN, status="completed")
    response = english.get(f"/orders/{order.id}/change", headers=HX)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "The action cannot be carried out" in body
    assert "The order cannot be changed when it is completed." in body
    assert "slutförd" not in body


def test_history_comment_of_the_approval_translated(client, people, make_order):
    from domain.orders import approvals

    set_chain(people.org, "mobile", people.a)
    order = make_order(people.org, people.creator)
    approvals.start(order, people.creator)
    approvals.approve(order, people.a, position=1)
    signed_in(client, "en", people.creator.username)
    response = client.get(f"/orders/{order.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Approved by all order approvers" in page and "Received" in page
    assert "Godkänd av alla ordergodkännare" not in page
