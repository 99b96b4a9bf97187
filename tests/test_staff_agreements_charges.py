"""What agreements and price lists do (issue 17 item 2): a change never
alters a sent order, an ended agreement stops new orders in the wizard, and
a completed billable request becomes exactly one charge that billing lists,
exports and collects."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.datastructures import MultiDict

from database import write_tx
from domain import charges
from domain import tickets as ticketing
from domain.orders import drafts, sending
from domain.orders.pricing import Catalogue
from models import (
    Account,
    Agreement,
    AuditLog,
    Charge,
    Order,
    OrderLine,
    Organisation,
    PriceList,
    PriceListRequestPrice,
    Product,
    RequestType,
    StaffUser,
    Ticket,
    User,
)
from tests.conftest import ADMIN, STAFF
from tests.listpage import read_xlsx, xlsx_column
from tests.test_orders_wizard import finish_data
from tests.tickets_data import client_for


@pytest.fixture
def desk(demo_app):
    return client_for(demo_app, STAFF)


def product(code):
    return Product.get(Product.code == code)


def a3_agreement():
    return Agreement.get(Agreement.number == "RA-2023-0147")


def fingerprint_of(html: str) -> str:
    return re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', html).group(1)


def sent_order(user) -> Order:
    """A Mobil Fastpris order sent the way the wizard sends one."""
    draft = drafts.start(user, Account.get(Account.customer_number == "99012615").id, False)
    line = drafts.add_product(user, draft, product("MOB-FAST").id)
    drafts.save_finish(draft, MultiDict(finish_data(line)))
    (order,) = sending.send(Order.get_by_id(draft.id), user)
    return order


def line_prices(order):
    return sorted(
        (line.product_id, line.monthly_ore, line.start_ore, line.binding_months)
        for line in OrderLine.select().where(OrderLine.order == order.id)
    )


# --------------------------------------------------------------------------- orders


def test_a_sent_order_keeps_its_prices_after_the_price_list_and_agreement_change(demo_app, desk):
    admin = User.get(User.username == ADMIN)
    order = sent_order(admin)
    before = line_prices(order)
    mob = product("MOB-FAST")
    assert (mob.id, 12900, 0, mob.binding_months) in before  # A3's agreement price

    price_list = PriceList.get(PriceList.name == "A3 Ramavtal 2023")
    page = desk.get(f"/staff/pricelists/{price_list.id}")
    response = desk.post(
        f"/staff/pricelists/{price_list.id}",
        data={
            "name": price_list.name,
            "description": "Nya priser",
            "fingerprint": fingerprint_of(page.text),
            f"p{mob.id}_monthly": "999",
            f"p{mob.id}_start": "500",
        },
    )
    assert response.status_code == 303, response.text
    agreement = a3_agreement()
    edit = desk.get(f"/staff/agreements/{agreement.id}/edit")
    response = desk.post(
        f"/staff/agreements/{agreement.id}/edit",
        data={
            "number": "RA-2023-0147-B",
            "name": "Nytt namn",
            "start_date": "2023-01-01",
            "notice_months": "3",
            "price_list": str(price_list.id),
            "products": [str(mob.id)],
            "fingerprint": fingerprint_of(edit.text),
        },
    )
    assert response.status_code == 303, response.text
    # The change took: a new order would cost the new price ...
    assert Catalogue(admin, admin.organisation_id, is_quote=False).price(mob).monthly_ore == 99900
    # ... but the sent order is as it was sent.
    order = Order.get_by_id(order.id)
    assert line_prices(order) == before
    assert order.agreement_number == "RA-2023-0147"


def end_a3_agreement(desk, end: dt.date):
    agreement = a3_agreement()
    edit = desk.get(f"/staff/agreements/{agreement.id}/edit")
    response = desk.post(
        f"/staff/agreements/{agreement.id}/edit",
        data={
            "number": agreement.number,
            "name": agreement.name,
            "start_date": "2023-01-01",
            "end_date": end.isoformat(),
            "notice_months": "3",
            "price_list": str(agreement.price_list_id),
            "sla": str(agreement.sla_id),
            "products": [str(p.product_id) for p in agreement.products],
            "fingerprint": fingerprint_of(edit.text),
        },
    )
    assert response.status_code == 303, response.text


def test_an_ended_agreement_stops_new_orders_in_the_wizard(demo_app, desk):
    admin = User.get(User.username == ADMIN)
    # A draft begun while the agreement held ...
    draft = drafts.start(admin, Account.get(Account.customer_number == "99012615").id, False)
    line = drafts.add_product(admin, draft, product("MOB-FAST").id)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    end_a3_agreement(desk, yesterday)
    assert Agreement.get_by_id(a3_agreement().id).end_date == yesterday

    customer = client_for(demo_app, ADMIN)
    message = f"Avtal RA-2023-0147 (Ramavtal Företag) upphörde {yesterday.isoformat()}"
    # ... cannot be sent,
    response = customer.post(
        f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="send")
    )
    assert message in response.text
    assert Order.get_by_id(draft.id).status == "draft"
    # the start page says why and offers an offert only,
    start_page = customer.get("/orders/new").text
    assert message in start_page
    assert re.search(r'name="kind" value="order"[^>]*disabled', start_page)
    # no new order can be begun, and none of the agreement's products is offered.
    orders_before = Order.select().count()
    response = customer.post(
        "/orders/new",
        data={"account": Account.get(Account.customer_number == "99012615").id, "kind": "order"},
    )
    assert response.status_code == 200 and message in response.text
    assert Order.select().count() == orders_before
    catalogue = Catalogue(admin, admin.organisation_id, is_quote=False)
    assert not catalogue.may_order and catalogue.products() == []
    assert catalogue.product(product("MOB-FAST").id) is None
    # An offert is still possible.
    quote = customer.post(
        "/orders/new",
        data={"account": Account.get(Account.customer_number == "99012615").id, "kind": "quote"},
    )
    assert quote.status_code == 303
    # The agreement shows as ended in the back office.
    assert "Upphört" in desk.get(f"/staff/agreements/{a3_agreement().id}").text


# --------------------------------------------------------------------------- charges


def tag_order_ticket() -> Ticket:
    """The demo's waiting "Beställning av taggar" request (A3 prices it 250 kr)."""
    return Ticket.get(Ticket.subject == "Beställning av taggar")


def set_status(desk, ticket, status):
    response = desk.post(
        f"/staff/tickets/{ticket.id}/update",
        data={"status": status, "priority": str(ticket.priority), "assigned_to": ""},
    )
    assert response.status_code == 303, response.text
    assert Ticket.get_by_id(ticket.id).status == status


def test_the_demo_shows_a_charge(demo_app):
    (charge,) = Charge.select()
    assert charge.amount_ore == 15000 and charge.agreement_number == "RA-2023-0147"
    assert charge.ticket.subject == "Återaktivera tagg 0047112" and charge.collected_at is None


def test_completing_a_billable_request_charges_once_then_billing_collects_it(demo_app, desk):
    ticket = tag_order_ticket()
    set_status(desk, ticket, "in_progress")
    assert not Charge.select().where(Charge.ticket == ticket.id).exists()
    set_status(desk, ticket, "done")
    (charge,) = Charge.select().where(Charge.ticket == ticket.id)
    assert (charge.amount_ore, charge.account_id) == (25000, ticket.account_id)
    assert charge.description == f"Beställning av taggar, ärende {ticket.number}"
    made = AuditLog.select().where(
        (AuditLog.action == "charge.create") & (AuditLog.object_id == str(charge.id))
    )
    assert made.count() == 1 and made.get().organisation_id == ticket.organisation_id
    # Reopened and completed again (by a reply with a status, too): still one charge.
    set_status(desk, ticket, "waiting")
    set_status(desk, ticket, "done")
    with write_tx():
        ticket = Ticket.get_by_id(ticket.id)
        ticketing.change_status(ticket, "in_progress", staff=StaffUser.get())
        ticketing.add_staff_reply(ticket, staff=StaffUser.get(), body="Klart.", new_status="done")
    assert Charge.select().where(Charge.ticket == ticket.id).count() == 1

    billing = client_for(demo_app, STAFF)
    opened = billing.get("/staff/billing/charges")
    assert opened.status_code == 302 and "upto=" in opened.location
    page = billing.get(opened.location)
    assert "Beställning av taggar" in page.text and "Återaktivera förlorad tagg" in page.text
    assert "400,00" in page.text  # 250 + 150 kr not yet collected
    export_url = re.search(r'href="([^"]*export=xlsx[^"]*)"', page.text).group(1)
    header, rows = read_xlsx(billing.get(export_url.replace("&amp;", "&")))
    assert sorted(xlsx_column(header, rows, "Belopp")) == [150, 250]
    assert ticket.number in xlsx_column(header, rows, "Ärende")

    # A charge arriving after the page was opened is not in this export's batch.
    late = Ticket.get(Ticket.subject == "Fråga om faktura 6789")
    with write_tx():
        Ticket.update(request_type=RequestType.get(RequestType.key == "log_extract")).where(
            Ticket.id == late.id
        ).execute()
        ticketing.change_status(Ticket.get_by_id(late.id), "done", staff=StaffUser.get())
    assert Charge.select().count() == 3

    collect_url = re.search(r'action="(/staff/billing/charges/collect[^"]*)"', page.text).group(1)
    response = billing.post(collect_url.replace("&amp;", "&"))
    assert response.status_code == 303, (collect_url, response.location)
    collected = Charge.select().where(Charge.collected_at.is_null(False))
    assert sorted(c.amount_ore for c in collected) == [15000, 25000]
    assert all(
        c.collected_by_id == StaffUser.get(StaffUser.username == STAFF).id for c in collected
    )
    # Clicking again marks nothing more.
    again = billing.post(collect_url.replace("&amp;", "&"))
    assert again.status_code == 303
    assert Charge.select().where(Charge.collected_at.is_null(False)).count() == 2

    # The next export holds only the late one.
    fresh = billing.get(billing.get("/staff/billing/charges").location)
    export_url = re.search(r'href="([^"]*export=xlsx[^"]*)"', fresh.text).group(1)
    header, rows = read_xlsx(billing.get(export_url.replace("&amp;", "&")))
    assert xlsx_column(header, rows, "Belopp") == [495]
    everything = billing.get("/staff/billing/charges?f_status=&upto=999999")
    assert everything.text.count("Hämtad</span>") == 2


def test_collect_needs_csrf_and_a_snapshot(demo_app):
    billing = client_for(demo_app, STAFF)
    assert billing.post("/staff/billing/charges/collect").status_code == 400
    assert billing.post("/staff/billing/charges/collect?upto=abc").status_code == 400
    no_token = billing.post("/staff/billing/charges/collect?upto=99", csrf=False)
    assert no_token.status_code == 400
    assert not Charge.select().where(Charge.collected_at.is_null(False)).exists()


def test_who_completes_and_what_the_request_costs(demo_app):
    staff = StaffUser.get(StaffUser.username == STAFF)
    a3 = Organisation.get(Organisation.name == "A3 Demo Connect")
    tags = RequestType.get(RequestType.key == "tag_order")
    portal = RequestType.get(RequestType.key == "portal_users")
    # A3's price list names tag orders; portal users it does not: the type's own price.
    assert charges.request_price(a3, tags)[0] == 25000
    assert charges.request_price(a3, portal)[0] == 0
    with write_tx():
        RequestType.update(price_ore=9900).where(RequestType.id == portal.id).execute()
        PriceListRequestPrice.update(price_ore=0).where(
            PriceListRequestPrice.request_type == tags.id
        ).execute()
    portal = RequestType.get_by_id(portal.id)
    assert charges.request_price(a3, portal)[0] == 9900
    assert charges.request_price(a3, tags)[0] == 0  # included in A3's agreement
    # Without an agreement a request costs the type's own price.
    other = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    assert charges.request_price(other, portal) == (9900, None)

    ticket = tag_order_ticket()
    with write_tx():
        ticketing.change_status(ticket, "done", staff=staff)  # free under the agreement
    assert not Charge.select().where(Charge.ticket == ticket.id).exists()
    # A customer closing their own request is no completion by the operator.
    with write_tx():
        Ticket.update(request_type=portal.id, status="waiting").where(
            Ticket.id == ticket.id
        ).execute()
        ticketing.close_by_customer(Ticket.get_by_id(ticket.id), User.get(User.username == ADMIN))
    assert not Charge.select().where(Charge.ticket == ticket.id).exists()


def test_the_customer_sees_what_their_agreement_charges_for_a_request(demo_app):
    from tests.conftest import OTHER_ORG_ADMIN

    a3 = client_for(demo_app, ADMIN)
    tags = a3.get("/tickets/new/fields?category=request:tag_order").text
    assert "debiteras enligt ert avtal och gällande prislista (250,00\u00a0kr)" in tags
    portal = a3.get("/tickets/new/fields?category=request:portal_users").text
    assert "debiteras" not in portal  # neither A3's price list nor the type prices it
    other = client_for(demo_app, OTHER_ORG_ADMIN)
    assert "debiteras" not in other.get("/tickets/new/fields?category=request:tag_order").text
