"""Ordergodkännare in Företagsprofil and Att godkänna / Godkänn / Avslå over
HTTP: who sees and may do what, dialogs (htmx and plain pages), bad input,
scope, and an approval e-mail arriving at a real SMTP server."""

from __future__ import annotations

import json

import pytest

from tests.approvals_fixtures import *  # noqa: F403 (the fixtures)
from tests.approvals_fixtures import outbox_to, reload, set_chain
from tests.conftest import login_as

HTMX = {"HX-Request": "true"}


def chain_ids(org, area="mobile"):
    from domain.orders.approvals import chain

    return [e.user_id for e in chain(org.id, area)]


@pytest.fixture
def waiting(people, make_order):
    """An order of the creator waiting for A, then B."""
    from domain.orders import approvals

    set_chain(people.org, "mobile", people.a, people.b)
    order = make_order(people.org, people.creator)
    approvals.start(order, people.creator)
    return order


# --------------------------------------------------------------------------- Företagsprofil


def test_superuser_sees_the_chains_with_their_buttons(client, people):
    set_chain(people.org, "mobile", people.a, people.b)
    login_as(client, people.superuser.username)
    html = client.get("/company").get_data(as_text=True)
    assert "Ordergodkännare" in html
    for label in ("Mobiltelefoni", "Fast telefoni", "Datanät"):
        assert label in html
    assert people.a.name in html and people.b.name in html
    # Ändra ×2, Ta bort on the last only, Lägg till
    assert html.count('href="/company/approvers/mobile/') == 4
    assert "/company/approvers/mobile/2/remove" in html
    assert "/company/approvers/mobile/1/remove" not in html
    assert "/company/approvers/fixed/add" in html


def test_a_user_manager_who_is_not_superuser_only_reads_the_chain(client, people, make_user):
    manager = make_user(people.org, permissions={"users.manage", "orders.approve"})
    set_chain(people.org, "mobile", people.a)
    login_as(client, manager.username)
    html = client.get("/company").get_data(as_text=True)
    assert people.a.name in html and "Bara en Superuser" in html
    assert "/company/approvers/mobile/add" not in html
    response = client.post("/company/approvers/mobile/add", data={"user": people.b.id})
    assert response.status_code == 403
    assert "Bara en Superuser" in response.get_data(as_text=True)
    assert chain_ids(people.org) == [people.a.id]


def test_add_through_the_htmx_dialog(client, people):
    login_as(client, people.superuser.username)
    dialog = client.get("/company/approvers/mobile/add", headers=HTMX)
    html = dialog.get_data(as_text=True)
    assert dialog.status_code == 200 and "<html" not in html
    assert people.a.name in html and people.creator.name not in html
    assert people.other_approver.name not in html
    response = client.post(
        "/company/approvers/mobile/add", data={"user": people.a.id}, headers=HTMX
    )
    assert response.status_code == 200 and response.get_data() == b""
    events = json.loads(response.headers["HX-Trigger"])
    assert events["approversChanged"] and events["closeDialog"]
    assert people.a.name in events["showMessage"]
    assert chain_ids(people.org) == [people.a.id]
    section = client.get("/company/approvers", headers=HTMX).get_data(as_text=True)
    assert "<html" not in section and people.a.name in section


def test_add_without_javascript_returns_to_the_profile(client, people):
    login_as(client, people.superuser.username)
    page = client.get("/company/approvers/data/add")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    response = client.post("/company/approvers/data/add", data={"user": people.b.id})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/company#approvers")
    assert chain_ids(people.org, "data") == [people.b.id]


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", str(2**70), "1 OR 1=1"])
def test_add_with_bad_input_explains_and_changes_nothing(client, people, value):
    login_as(client, people.superuser.username)
    response = client.post("/company/approvers/mobile/add", data={"user": value}, headers=HTMX)
    assert response.status_code == 200
    assert "Välj en Administratör" in response.get_data(as_text=True)
    assert chain_ids(people.org) == []


def test_another_organisations_user_cannot_be_added(client, people):
    login_as(client, people.superuser.username)
    response = client.post(
        "/company/approvers/mobile/add", data={"user": people.other_approver.id}, headers=HTMX
    )
    assert "Välj en Administratör" in response.get_data(as_text=True)
    assert chain_ids(people.org) == []


def test_unknown_area_or_position_is_not_found(client, people):
    set_chain(people.org, "mobile", people.a)
    login_as(client, people.superuser.username)
    assert client.get("/company/approvers/space/add").status_code == 404
    assert client.get("/company/approvers/mobile/4/change").status_code == 404
    assert client.post("/company/approvers/mobile/4/remove").status_code == 404


def test_change_and_remove_through_dialogs(client, people):
    set_chain(people.org, "mobile", people.a, people.b)
    login_as(client, people.superuser.username)
    response = client.post(
        "/company/approvers/mobile/1/change", data={"user": people.c.id}, headers=HTMX
    )
    assert response.status_code == 200 and "approversChanged" in response.headers["HX-Trigger"]
    assert chain_ids(people.org) == [people.c.id, people.b.id]
    # Not the last: the dialog says why, and nothing is removed.
    refused = client.get("/company/approvers/mobile/1/remove", headers=HTMX)
    assert "Bara den sista" in refused.get_data(as_text=True)
    refused = client.post("/company/approvers/mobile/1/remove", headers=HTMX)
    assert "Bara den sista" in refused.get_data(as_text=True)
    assert chain_ids(people.org) == [people.c.id, people.b.id]
    response = client.post("/company/approvers/mobile/2/remove", headers=HTMX)
    assert "approversChanged" in response.headers["HX-Trigger"]
    assert chain_ids(people.org) == [people.c.id]


def test_chain_changes_need_csrf(client, people):
    login_as(client, people.superuser.username)
    response = client.post("/company/approvers/mobile/add", data={"user": people.a.id}, csrf=False)
    assert response.status_code in (200, 400)
    assert chain_ids(people.org) == []


# --------------------------------------------------------------------------- Att godkänna


def test_att_godkanna_lists_what_waits_for_the_approver(client, people, waiting):
    login_as(client, people.a.username)
    html = client.get("/orders/approvals").get_data(as_text=True)
    assert waiting.label in html
    fragment = client.get("/orders/approvals", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and waiting.label in fragment
    orders_page = client.get("/orders").get_data(as_text=True)
    assert "Att godkänna" in orders_page and "(1)" in orders_page


@pytest.mark.parametrize("who", ["b", "c", "other_approver"])
def test_att_godkanna_shows_nothing_that_waits_for_someone_else(client, people, waiting, who):
    login_as(client, getattr(people, who).username)
    html = client.get("/orders/approvals").get_data(as_text=True)
    assert waiting.label not in html
    assert "Inga beställningar väntar" in html


def test_att_godkanna_needs_orders_approve(client, people, waiting):
    login_as(client, people.creator.username)
    assert client.get("/orders/approvals").status_code == 403
    assert "Att godkänna" not in client.get("/orders").get_data(as_text=True)


def test_approve_passes_the_order_on(client, people, waiting):
    login_as(client, people.a.username)
    page = client.get(f"/orders/{waiting.id}/approval").get_data(as_text=True)
    assert "Godkänn" in page and people.b.name in page
    response = client.post(f"/orders/{waiting.id}/approve", data={"position": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/orders/{waiting.id}/approval")
    from domain.orders.approvals import steps_of

    assert [s.status for s in steps_of(waiting)] == ["approved", "pending"]
    # The same click again (a double submit) is a conflict with a clear message.
    again = client.post(f"/orders/{waiting.id}/approve", data={"position": "1"})
    assert again.status_code == 409
    assert "redan godkänts" in again.get_data(as_text=True)
    login_as(client, people.b.username)
    response = client.post(
        f"/orders/{waiting.id}/approve", data={"position": "2", "next": "/orders/approvals"}
    )
    assert response.headers["Location"].endswith("/orders/approvals")
    assert reload(waiting).status == "received"


def test_approve_by_someone_else_is_refused(client, people, waiting):
    login_as(client, people.b.username)
    response = client.post(f"/orders/{waiting.id}/approve", data={"position": "1"})
    assert response.status_code == 403
    assert f"väntar på godkännande av {people.a.name}" in response.get_data(as_text=True)
    page = client.get(f"/orders/{waiting.id}/approval").get_data(as_text=True)
    assert ">Godkänn<" not in page
    assert reload(waiting).status == "awaiting_approval"


def test_another_organisation_gets_not_found(client, people, waiting):
    login_as(client, people.other_super.username)
    assert client.post(f"/orders/{waiting.id}/approve").status_code == 404
    assert client.get(f"/orders/{waiting.id}/reject").status_code == 404
    assert client.post(f"/orders/{waiting.id}/reject", data={"comment": "x"}).status_code == 404
    assert client.get(f"/orders/{waiting.id}/approval").status_code == 404
    assert client.post(f"/orders/{2**70}/approve").status_code == 404
    assert reload(waiting).status == "awaiting_approval"


def test_reject_needs_a_comment_in_the_dialog(client, people, waiting):
    login_as(client, people.a.username)
    dialog = client.get(f"/orders/{waiting.id}/reject", headers=HTMX)
    html = dialog.get_data(as_text=True)
    assert dialog.status_code == 200 and "<html" not in html and "Kommentar" in html
    response = client.post(
        f"/orders/{waiting.id}/reject", data={"comment": "   ", "position": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Skriv en kommentar" in response.get_data(as_text=True)
    assert reload(waiting).status == "awaiting_approval"
    response = client.post(
        f"/orders/{waiting.id}/reject",
        data={"comment": "Fel kostnadsställe", "position": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"]
    assert reload(waiting).status == "rejected"
    assert "Fel kostnadsställe" in outbox_to(people.creator.email)[0].body
    page = client.get(f"/orders/{waiting.id}/approval").get_data(as_text=True)
    assert "Avslagen" in page and "Fel kostnadsställe" in page


def test_reject_by_someone_else_is_refused(client, people, waiting):
    login_as(client, people.b.username)
    assert client.get(f"/orders/{waiting.id}/reject").status_code == 403
    response = client.post(f"/orders/{waiting.id}/reject", data={"comment": "Nej"})
    assert response.status_code == 403
    assert reload(waiting).status == "awaiting_approval"


def test_the_approval_page_is_for_those_involved(client, people, waiting, make_user):
    bystander = make_user(people.org, permissions={"orders.create"})
    login_as(client, bystander.username)
    assert client.get(f"/orders/{waiting.id}/approval").status_code == 404
    login_as(client, people.creator.username)
    page = client.get(f"/orders/{waiting.id}/approval").get_data(as_text=True)
    assert people.a.name in page and "Väntar" in page and ">Godkänn<" not in page


def test_the_approval_mail_arrives_by_smtp(client, people, waiting, smtp_server):
    client.application.config.update(smtp_server.config)
    login_as(client, people.a.username)
    client.post(f"/orders/{waiting.id}/approve", data={"position": "1"})
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == people.b.email
    assert str(waiting.number) in received["Subject"]
    assert f"/orders/{waiting.id}" in received.get_content()
