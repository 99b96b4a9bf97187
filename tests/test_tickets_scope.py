"""No ticket or attachment of another organisation, or outside the user's
sub-tree, is ever visible or downloadable (SPEC §1, TIC-1). Expectations are
computed here by walking Account.parent, independently of visible_to."""

from __future__ import annotations

import pytest

from database import write_tx
from domain import attachments
from domain import tickets as ticketing
from models import (
    Account,
    StaffUser,
    Ticket,
    TicketAttachment,
    TicketMessage,
    User,
    UserObjectAccess,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF
from tests.tickets_data import PDF, client_for

pytest_plugins = ["tests.tickets_fixtures"]

CUSTOMERS = [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN]


def subtree(account_id: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for account in Account.select():
        children.setdefault(account.parent_id, []).append(account.id)
    out, todo = set(), [account_id]
    while todo:
        current = todo.pop()
        out.add(current)
        todo += children.get(current, [])
    return out


def expected_tickets(username: str) -> set[int]:
    me = User.get(User.username == username)
    own = {
        t.id
        for t in Ticket.select()
        if t.created_by_id == me.id and t.organisation_id == me.organisation_id
    }
    if not me.has("tickets.view"):
        return own
    allowed = subtree(me.scope_account_id)
    return own | {t.id for t in Ticket.select() if t.account_id in allowed and t.status != "draft"}


@pytest.fixture
def files_everywhere(demo_app):
    """One attachment on a customer message of every ticket."""
    out = {}
    for ticket in Ticket.select():
        message = ticket.messages.order_by(TicketMessage.id).first()
        checked = attachments.check(f"bilaga-{ticket.number}.pdf", PDF)
        with attachments.staged([checked]) as stored, write_tx():
            (row,) = ticketing._attach(ticket, message, stored)
        out[ticket.id] = row
    return out


@pytest.mark.parametrize("username", CUSTOMERS)
def test_ticket_pages_and_files_only_in_scope(demo_app, files_everywhere, username):
    client = client_for(demo_app, username)
    allowed = expected_tickets(username)
    assert allowed or username == INVOICES_ONLY
    for ticket in Ticket.select():
        visible = ticket.id in allowed
        page = client.get(f"/tickets/{ticket.id}")
        assert page.status_code == (200 if visible else 404), (username, ticket.subject)
        file = files_everywhere[ticket.id]
        download = client.get(f"/tickets/{ticket.id}/attachments/{file.id}")
        assert download.status_code == (200 if visible else 404)
        # An attachment id of a hidden ticket under a visible ticket's URL: 404.
        for other_id, other in files_everywhere.items():
            if other_id != ticket.id and visible:
                assert client.get(f"/tickets/{ticket.id}/attachments/{other.id}").status_code == 404
                break


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_list_and_export_hold_exactly_the_scope(demo_app, username):
    client = client_for(demo_app, username)
    html = client.get("/tickets?per_page=100").get_data(as_text=True)
    allowed = expected_tickets(username)
    for ticket in Ticket.select():
        assert (f">{ticket.number}<" in html) == (ticket.id in allowed), ticket.subject
    export = client.get("/tickets?export=xlsx")
    for ticket in Ticket.select():
        if ticket.id not in allowed:
            assert ticket.subject.encode() not in export.data


@pytest.mark.parametrize("action", ["reply", "close", "reopen"])
def test_actions_on_hidden_tickets_answer_404(demo_app, action):
    client = client_for(demo_app, OTHER_ORG_ADMIN)
    for ticket in Ticket.select().where(Ticket.organisation != 2):
        assert client.get(f"/tickets/{ticket.id}/{action}").status_code == 404
        assert client.post(f"/tickets/{ticket.id}/{action}", data={"body": "x"}).status_code == 404


def test_restricted_user_sees_only_tickets_of_chosen_objects(demo_app):
    """Narrowed access (Tilldela objekt): only the chosen service's tickets."""
    from tests.test_tickets_create import make_demo_user

    user = make_demo_user("smal@a3demo.se", ("tickets.view",))
    target = Ticket.get(Ticket.subject == "Message Delivery Failure")
    with write_tx():
        User.update(restricted=True).where(User.id == user.id).execute()
        UserObjectAccess.create(user=user, service=target.service_id)
    client = client_for(demo_app, user.username)
    html = client.get("/tickets").get_data(as_text=True)
    assert "Message Delivery Failure" in html and "Bredbandet långsamt" not in html
    assert client.get(f"/tickets/{target.id}").status_code == 200
    other = Ticket.get(Ticket.subject == "Bredbandet långsamt på kvällar")
    assert client.get(f"/tickets/{other.id}").status_code == 404


def test_customers_never_reach_the_staff_pages(demo_app):
    client = client_for(demo_app, ADMIN)
    ticket = Ticket.get(Ticket.subject == "Message Delivery Failure")
    file_id = 1
    for url in (
        "/staff/tickets",
        f"/staff/tickets/{ticket.id}",
        f"/staff/tickets/{ticket.id}/attachments/{file_id}",
        "/staff/tickets/inbound",
    ):
        assert client.get(url).status_code == 403
    response = client.post(f"/staff/tickets/{ticket.id}/reply", data={"body": "x"})
    assert response.status_code == 403
    assert TicketMessage.select().where(TicketMessage.body == "x").count() == 0


def test_staff_use_the_back_office_not_the_customer_view(demo_app):
    client = client_for(demo_app, STAFF)
    ticket = Ticket.get(Ticket.subject == "Message Delivery Failure")
    response = client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    assert StaffUser.select().where(StaffUser.username == STAFF).count() == 1
    assert not TicketAttachment.select().exists()
