"""The back office's order queue and order page (/staff/orders, ORD-5): every
organisation's sent orders including Nybeställningar without a service,
filters, oldest first; Påbörja, Slutför (services in the customer's Tjänster,
Beställd then Aktiv on the date), Avbryt with a reason, Besvara an offert;
two staff at once; customers never reach it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from domain import provisioning
from models import Order, OrderLine, PoolNumber, Service, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF
from tests.staff_orders_fixtures import (
    POOL,
    make_order,
    mobile_line,
    other_org_order,
    seed_pool,
)
from web.formatting import phone

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today():
    global TODAY
    TODAY = dt.date.today()


@pytest.fixture
def staff(demo_client, login):
    login(demo_client, STAFF)
    return demo_client


def queue_numbers(client, **query) -> list[int]:
    """The order numbers the queue shows, in its order."""
    response = client.get("/staff/orders", query_string=query)
    assert response.status_code == 200
    return [int(n) for n in re.findall(r">(\d{7}) v\d+</a>", response.get_data(as_text=True))]


def shown(number: str) -> str:
    """A number as a page shows it, its spaces as text() leaves them."""
    return re.sub(r"\s+", " ", phone(number))


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# ----------------------------------------------------------------- access


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_customers_cannot_reach_the_staff_order_routes(demo_client, login, username):
    order = make_order([{"code": "HW-MOTO"}])
    login(demo_client, username)
    for url in ("/staff/orders", f"/staff/orders/{order.id}"):
        assert demo_client.get(url).status_code == 403
    for step in ("start", "complete", "cancel", "answer"):
        response = demo_client.post(f"/staff/orders/{order.id}/{step}", data={"reason": "x"})
        assert response.status_code == 403
    assert Order.get_by_id(order.id).status == "received"


def test_signed_out_goes_to_the_staff_login(demo_client):
    response = demo_client.get("/staff/orders")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_staff_menu_reaches_the_queue(staff):
    html = staff.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/orders"' in html and "Beställningar" in html


# ----------------------------------------------------------------- the queue


def test_queue_shows_a_new_order_without_a_service_oldest_first(staff):
    first = make_order([mobile_line()])
    second = other_org_order()
    numbers = queue_numbers(staff)
    assert first.number in numbers and second.number in numbers
    assert numbers.index(first.number) < numbers.index(second.number)
    assert Order.get_by_id(first.id).service_id is None
    html = staff.get("/staff/orders").get_data(as_text=True)
    assert "Norrlandsbygg AB" in html and "2 × Motorola moto g84" in html


def test_queue_shows_waiting_orders_by_default_and_never_drafts(staff):
    waiting = make_order([{"code": "HW-MOTO"}])
    done = make_order([{"code": "HW-MOTO"}], status="completed")
    draft = make_order([{"code": "HW-MOTO"}], status="draft")
    shown = queue_numbers(staff)
    assert waiting.number in shown and done.number not in shown
    everything = queue_numbers(staff, f_status="")
    assert done.number in everything and draft.number not in everything
    completed = queue_numbers(staff, f_status="completed")
    assert done.number in completed and waiting.number not in completed
    assert staff.get(f"/staff/orders/{draft.id}").status_code == 404


def test_queue_filters_by_kind_type_and_customer(staff):
    order = make_order([{"code": "HW-MOTO"}])
    quote = make_order([{"code": "HW-IPHONE"}], is_quote=True)
    other = other_org_order()
    quotes = queue_numbers(staff, f_kind="quote")
    assert quote.number in quotes and order.number not in quotes
    orders = queue_numbers(staff, f_kind="order")
    assert order.number in orders and quote.number not in orders
    norrland = queue_numbers(staff, f_customer="Norrlands")
    assert other.number in norrland and order.number not in norrland
    new = queue_numbers(staff, f_type="new")
    assert order.number in new
    terminations = queue_numbers(staff, f_type="termination")
    assert order.number not in terminations


# ----------------------------------------------------------------- the order page


def test_order_page_shows_the_order(staff):
    seed_pool(*POOL)
    order = make_order(
        [mobile_line(POOL[0]), {"code": "HW-MOTO", "quantity": 2}],
        desired=TODAY + dt.timedelta(days=7),
        contact_email="anna@a3demo.se",
        reserve=(POOL[0],),
    )
    page = text(staff.get(f"/staff/orders/{order.id}"))
    for expected in (
        f"Beställning {order.number} v0",
        "A3 Demo Connect",
        "Mobil Fastpris",
        "Datapaket: Mobil Data 10GB",
        "Tilläggstjänster: Tvillingkort",
        "Handtag: Bordstelefon Yealink T54W",
        "Slutanvändare/Alias Anna Lind",
        f"Mobilnummer {shown(POOL[0])}",
        "2 × Motorola moto g84",
        "5 980,00 kr",  # 2 × 2 990 kr start
        "Gata 1, 90155 Umeå",
        "anna@a3demo.se",
        (TODAY + dt.timedelta(days=7)).isoformat(),
        "Historik",
        "Påbörja",
        "Avbryt beställningen",
    ):
        assert expected in page, expected


def test_take_and_complete_a_mobile_order_into_tjanster(staff, demo_client, login):
    seed_pool(*POOL)
    desired = TODAY + dt.timedelta(days=5)
    order = make_order([mobile_line(POOL[1])], desired=desired, reserve=(POOL[1],))

    response = staff.post(f"/staff/orders/{order.id}/start", data={"comment": "Vi är på det"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/orders/{order.id}")
    assert Order.get_by_id(order.id).status == "in_progress"

    response = staff.post(f"/staff/orders/{order.id}/complete", data={"comment": "Levererat"})
    assert response.status_code == 303
    page = text(staff.get(f"/staff/orders/{order.id}"))
    assert "Slutförd" in page and "1 tjänst(er) skapade" in page
    service = Service.get(Service.number == POOL[1])
    assert service.status == "ordered"
    assert OrderLine.get(OrderLine.order == order.id, OrderLine.parent.is_null()).service_id == (
        service.id
    )
    assert PoolNumber.get(PoolNumber.number == POOL[1]).status == "used"

    login(demo_client, ADMIN)
    listed = text(demo_client.get("/services", query_string={"f_status": "", "f_number": POOL[1]}))
    assert shown(POOL[1]) in listed and "Beställd" in listed
    detail = text(demo_client.get(f"/services/{service.id}"))
    assert "Mobil Data 10GB" in detail and "Tvillingkort" in detail and "Anna Lind" in detail

    provisioning.apply_due(desired)
    assert Service.get_by_id(service.id).status == "active"
    active = text(
        demo_client.get("/services", query_string={"f_status": "active", "f_number": POOL[1]})
    )
    assert shown(POOL[1]) in active


def test_a_second_press_is_told_someone_else_acted(staff):
    order = make_order([{"code": "HW-MOTO"}])
    assert staff.post(f"/staff/orders/{order.id}/start").status_code == 303
    response = staff.post(f"/staff/orders/{order.id}/start", follow_redirects=True)
    assert "har redan ändrats av någon annan" in text(response)
    events = [e.to_status for e in Order.get_by_id(order.id).events]
    assert events.count("in_progress") == 1


def test_complete_refused_before_start(staff):
    order = make_order([{"code": "HW-MOTO"}])
    response = staff.post(f"/staff/orders/{order.id}/complete", follow_redirects=True)
    assert "har redan ändrats av någon annan" in text(response)
    assert Order.get_by_id(order.id).status == "received"


def test_cancel_needs_a_reason_the_customer_sees(staff, demo_client):
    seed_pool(*POOL)
    order = make_order([mobile_line(POOL[2])], reserve=(POOL[2],))
    response = staff.post(f"/staff/orders/{order.id}/cancel", data={"reason": ""})
    assert response.status_code == 200
    assert "Ange orsaken; kunden får se den." in text(response)
    assert Order.get_by_id(order.id).status == "received"

    response = staff.post(
        f"/staff/orders/{order.id}/cancel", data={"reason": "Numret kan inte levereras"}
    )
    assert response.status_code == 303
    order = Order.get_by_id(order.id)
    assert order.status == "cancelled" and order.answer == "Numret kan inte levereras"
    assert PoolNumber.get(PoolNumber.number == POOL[2]).status == "free"
    page = text(staff.get(f"/staff/orders/{order.id}"))
    assert "Orsak Numret kan inte levereras" in page and "Avbruten" in page


def test_an_offert_is_answered_with_a_price(staff):
    quote = make_order([{"code": "HW-IPHONE", "quantity": 2}], is_quote=True)
    line = OrderLine.get(OrderLine.order == quote.id)
    page = text(staff.get(f"/staff/orders/{quote.id}"))
    assert "Besvara offerten" in page and "Påbörja" not in page

    bad = staff.post(
        f"/staff/orders/{quote.id}/answer",
        data={f"monthly_{line.id}": "0", f"start_{line.id}": "åtta", "text": "Svar"},
    )
    assert bad.status_code == 200 and "Ange priserna i kronor" in text(bad)
    assert Order.get_by_id(quote.id).status == "received"

    response = staff.post(
        f"/staff/orders/{quote.id}/answer",
        data={f"monthly_{line.id}": "0", f"start_{line.id}": "8 500", "text": "Pris enligt avtal"},
    )
    assert response.status_code == 303
    quote = Order.get_by_id(quote.id)
    assert quote.status == "answered" and quote.answer == "Pris enligt avtal"
    assert OrderLine.get_by_id(line.id).start_ore == 850000
    assert "Besvarad" in text(staff.get(f"/staff/orders/{quote.id}"))


def test_a_service_change_links_to_the_changes_dialogs(staff):
    service = Service.select().where(Service.kind == "mobile").first()
    user = User.get(User.username == ADMIN)
    order = make_order([], service=service.id, type="termination")
    html = staff.get(f"/staff/orders/{order.id}").get_data(as_text=True)
    assert f"/staff/changes/{order.id}/complete" in html
    assert f"/staff/orders/{order.id}/complete" not in html
    assert user.organisation_id == order.organisation_id
