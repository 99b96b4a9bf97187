"""The order page (ORD-1): a copy of the sent form, history, versions and
approvals, only for those who may see the order."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.order_factory import make_order


def text(response) -> str:
    """The page's text without tags and with spaces collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def test_page_shows_the_sent_form_history_and_v0(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    response = demo_client.get(f"/orders/{order.id}")
    assert response.status_code == 200
    page = text(response)
    assert f"Beställning {order.number} v0" in page
    for expected in [
        "Mobil Fastpris",
        "Datapaket: Mobil Data 15GB",
        "Tilläggstjänster: Spärr betalsamtal",
        "Slutanvändare/Alias Anna Lind",
        "SIM-kort eSIM",
        "Mobilnummer 070-111 22 33",
        "Månadskostnad 248,00 kr",
        "Startkostnad 99,00 kr",
        "Bindningstid 24 mån",
        "Storgatan 1",
        "90326 Umeå",
        "Ramavtalsnummer RA-2026-017",
        "E-post för kontakt inkop@a3demo.se",
        f"Önskat aktiveringsdatum {order.desired_date.isoformat()}",
        "Order – Nybeställning",
        f"{order.number} v0",
        "Som skickad.",
    ]:
        assert expected in page, expected
    # the history: the status it was sent to, when and by whom
    history = page.split("Historik", 1)[1]
    assert re.search(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d Mottagen {order.created_by.name}", history)
    # actions of a received order the admin created
    html = response.get_data(as_text=True)
    assert f"/orders/{order.id}/change" in html
    assert f"/orders/{order.id}/undo" in html
    assert f"/tickets/new?order={order.id}" in html
    assert f"/orders/{order.id}/accept" not in html


def test_htmx_gets_the_fragment(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    response = demo_client.get(f"/orders/{order.id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="order-page"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_service_action_order_shows_its_summary(demo_client, login):
    from tables.orders import Order

    order = Order.get((Order.type == "termination") & (Order.status == "received"))
    login(demo_client, ADMIN)
    page = text(demo_client.get(f"/orders/{order.id}"))
    assert f"Beställning {order.number} v0" in page
    assert "Gäller Avslut" in page
    assert "Tjänst" in page


def test_approvals_are_listed(demo_client, login):
    from database import utcnow, write_tx
    from tables.orders import OrderApproval
    from tables.org import User

    order = make_order(ADMIN, status="awaiting_approval")
    approver = User.get(User.username == ADMIN)
    with write_tx():
        OrderApproval.create(
            order=order, position=1, approver=approver, status="approved",
            decided_at=utcnow(), comment="Budget finns",
        )  # fmt: skip
    login(demo_client, ADMIN)
    approvals = text(demo_client.get(f"/orders/{order.id}")).split("Godkännande", 1)[1]
    assert approver.name in approvals and "Godkänd" in approvals and "Budget finns" in approvals


@pytest.mark.parametrize(
    "viewer, creator",
    [
        (OTHER_ORG_ADMIN, ADMIN),  # another organisation
        (ACCOUNT_ADMIN, ADMIN),  # outside the Kontoadministratör's sub-tree
        (ADMIN, OTHER_ORG_ADMIN),
    ],
)
def test_orders_outside_scope_are_404(demo_client, login, viewer, creator):
    order = make_order(creator)
    login(demo_client, viewer)
    for path in ["", "/change", "/undo", "/accept", "/decline"]:
        assert demo_client.get(f"/orders/{order.id}{path}").status_code == 404, path
    for path in ["/change", "/undo", "/accept", "/decline"]:
        response = demo_client.post(f"/orders/{order.id}{path}", data={"seen_status": "received"})
        assert response.status_code == 404, path


def test_account_admin_sees_orders_in_their_subtree(demo_client, login):
    from tables.org import Account

    sub = Account.get(Account.customer_number == "99500852")
    order = make_order(ADMIN, account=sub)
    login(demo_client, ACCOUNT_ADMIN)
    assert demo_client.get(f"/orders/{order.id}").status_code == 200


def test_creator_without_orders_manage_sees_only_their_own(demo_client, login):
    from database import write_tx
    from permissions import format_permissions
    from tables.org import User

    mine = make_order(ACCOUNT_ADMIN)
    others = make_order(ADMIN, account=mine.account)
    with write_tx():
        User.update(permissions=format_permissions({"orders.create", "orders.undo"})).where(
            User.username == ACCOUNT_ADMIN
        ).execute()
    login(demo_client, ACCOUNT_ADMIN)
    assert demo_client.get(f"/orders/{mine.id}").status_code == 200
    assert demo_client.get(f"/orders/{others.id}").status_code == 404


def test_bad_ids_are_404(demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get("/orders/0").status_code == 404
    assert demo_client.get("/orders/99999999").status_code == 404


def test_skapa_arende_carries_the_order(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    html = demo_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f'href="/tickets/new?order={order.id}"' in html
    ticket_form = demo_client.get(f"/tickets/new?order={order.id}")
    assert ticket_form.status_code == 200
    page = ticket_form.get_data(as_text=True)
    assert str(order.number) in page
    assert '<option selected value="order">' in page or 'value="order" selected' in page


def test_faktureringsadress_is_the_invoice_address_the_wizard_offered(demo_client, login):
    """The wizard offers each account's invoice address (A3's: Box 3124,
    90304 Umeå); the order pages show that address, not the account's street."""
    from tests.conftest import STAFF

    order = make_order(ADMIN)
    account = order.billing_account
    assert account.invoice_address_line and account.street  # both exist, and differ
    login(demo_client, ADMIN)
    billing = text(demo_client.get(f"/orders/{order.id}")).split("Faktureringsadress", 1)[1]
    assert billing.split("Kontakt")[0].strip().endswith(account.invoice_address_line)
    login(demo_client, STAFF)
    staff = text(demo_client.get(f"/staff/orders/{order.id}")).split("Faktureringsadress", 1)[1]
    assert account.invoice_address_line in staff.split("Kontakt")[0]


def test_a_completed_line_links_to_the_service_it_created(demo_client, login):
    from database import write_tx
    from tables.orders import OrderLine
    from tables.services import Service

    order = make_order(ADMIN, status="completed")
    service = Service.get(
        (Service.organisation == order.organisation_id) & (Service.kind == "mobile")
    )
    line = OrderLine.get((OrderLine.order == order.id) & OrderLine.parent.is_null())
    login(demo_client, ADMIN)
    assert f'href="/services/{service.id}"' not in demo_client.get(f"/orders/{order.id}").text
    with write_tx():
        OrderLine.update(service=service.id).where(OrderLine.id == line.id).execute()
    page = demo_client.get(f"/orders/{order.id}").text
    assert f'href="/services/{service.id}"' in page
    assert service.status_label in page.split('class="line-service"', 1)[1].split("</p>", 1)[0]
