"""Slutför creates the real services (ORD-5, issue 14 item 5): a mobile
subscription with its number, SIM, price plan, data package, add-ons and
barrings, Beställd until its date and Aktiv after apply-due; broadband at its
address; hardware shipped; the number pool; Avbryt; an offert answered; two
staff at once."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from database import write_tx
from domain import provisioning
from domain.numbers import valid_icc
from domain.orders import fulfilment
from domain.orders.flow import OrderConflict
from domain.service_terms import add_months
from models import (
    AuditLog,
    Barring,
    MonthlyUsage,
    Order,
    OrderEvent,
    OrderLine,
    PoolNumber,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
    StaffUser,
)
from tests.conftest import STAFF
from tests.staff_orders_fixtures import (
    OWN_ICC,
    POOL,
    barring_product,
    make_order,
    mobile_line,
    seed_pool,
)

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today():
    global TODAY
    TODAY = dt.date.today()


@pytest.fixture
def staff(demo_app):
    return StaffUser.get(StaffUser.username == STAFF)


def run(step, order, *args, **kwargs):
    with write_tx():
        return step(Order.get_by_id(order.id), *args, **kwargs)


def started(order, staff):
    run(fulfilment.start, order, staff)
    return Order.get_by_id(order.id)


def spec(service) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list] = {}
    for line in service.lines.order_by(ServiceLine.position):
        out.setdefault(line.section, []).append((line.name, line.monthly_ore))
    return out


def test_completing_a_mobile_order_creates_the_subscription(staff):
    seed_pool(*POOL)
    barring = barring_product()
    line = mobile_line(POOL[0])
    line["options"].append(("Tilläggstjänster", barring.code))
    desired = TODAY + dt.timedelta(days=10)
    order = make_order([line], desired=desired, reserve=(POOL[0],))
    order = started(order, staff)

    created = run(fulfilment.complete, order, staff, "Levererat")

    assert len(created) == 1
    service = Service.get_by_id(created[0].id)
    assert (service.kind, service.number, service.user_name) == ("mobile", POOL[0], "Anna Lind")
    assert service.status == "ordered" and service.start_date == desired
    assert service.organisation_id == order.organisation_id
    assert service.account_id == order.account_id
    assert service.price_plan.code == "PL-UTLAND"
    # the longest binding of what was chosen (the desk phone's 24 months), from the date
    assert service.binding_end == add_months(desired, 24)
    sections = spec(service)
    assert [name for name, _ in sections["data"]] == ["Mobil Data 10GB"]
    assert ("Tvillingkort", 2900) in sections["addon"]
    assert [name for name, _ in sections["handset"]] == ["Bordstelefon Yealink T54W"]
    assert "Mobilapp" in [name for name, _ in sections["start"]]
    assert "Utlandsprislista Europa" in [name for name, _ in sections["start"]]
    assert service.monthly_ore == sum(m for lines in sections.values() for _, m in lines)
    assert [b.kind for b in Barring.select().where(Barring.service == service.id)] == [
        "international"
    ]
    assert ServiceAddon.select().where(ServiceAddon.service == service.id).count() == 1
    card = SimCard.get(SimCard.service == service.id)
    assert valid_icc(card.icc) and card.sim_type == "physical" and card.activated_at is None
    assert OrderLine.get(OrderLine.order == order.id, OrderLine.parent.is_null()).service_id == (
        service.id
    )
    done = Order.get_by_id(order.id)
    assert done.status == "completed" and done.completed_at is not None
    assert PoolNumber.get(PoolNumber.number == POOL[0]).status == "used"
    assert AuditLog.select().where(AuditLog.action == "service.created").count() == 1

    # Aktiv on the desired date, not before
    assert provisioning.apply_due(desired - dt.timedelta(days=1))["activated"] == 0
    assert Service.get_by_id(service.id).status == "ordered"
    assert provisioning.apply_due(desired)["activated"] == 1
    assert Service.get_by_id(service.id).status == "active"
    assert SimCard.get(SimCard.service == service.id).activated_at is not None
    usage = MonthlyUsage.get(MonthlyUsage.service == service.id)
    assert usage.data_quota_mb == 10240


def test_a_desired_date_today_or_past_is_active_at_once(staff):
    seed_pool(*POOL)
    order = started(make_order([mobile_line(POOL[1], sim="esim")], desired=None), staff)
    [service] = run(fulfilment.complete, order, staff)
    service = Service.get_by_id(service.id)
    assert service.status == "active" and service.start_date == TODAY
    card = SimCard.get(SimCard.service == service.id)
    assert card.sim_type == "esim" and card.activated_at is not None


def test_own_sim_by_icc_and_ported_number(staff):
    line = mobile_line(
        "0701112233", sim="own", icc=OWN_ICC, number_choice="port", port_org_number="5566290549"
    )
    order = started(make_order([line]), staff)
    [service] = run(fulfilment.complete, order, staff)
    assert SimCard.get(SimCard.service == service.id).icc == OWN_ICC
    assert Service.get_by_id(service.id).number == "0701112233"


def test_a_number_already_in_use_refuses_and_changes_nothing(staff):
    taken = Service.select().where(Service.kind == "mobile").first().number
    order = started(make_order([mobile_line(taken)]), staff)
    before = Service.select().count()
    with pytest.raises(fulfilment.FulfilmentError, match="används redan"):
        run(fulfilment.complete, order, staff)
    assert Service.select().count() == before
    assert Order.get_by_id(order.id).status == "in_progress"


def test_broadband_becomes_an_ordered_service_at_its_address(staff):
    desired = TODAY + dt.timedelta(days=30)
    line = {
        "code": "BB-100",
        "details": {
            "end_user": "Kontor Luleå",
            "address": {"street": "Storgatan 5", "postcode": "97231", "city": "Luleå"},
            "technology": "Fiber",
        },
    }
    order = started(make_order([line], desired=desired), staff)
    [service] = run(fulfilment.complete, order, staff)
    service = Service.get_by_id(service.id)
    assert service.kind == "broadband" and service.status == "ordered"
    assert service.postcode == "97231"
    assert service.address == "Storgatan 5, 97231 Luleå"
    assert service.number.startswith("BB-")
    assert not SimCard.select().where(SimCard.service == service.id).exists()


def test_hardware_is_shipped_and_creates_no_service(staff):
    order = started(make_order([{"code": "HW-MOTO", "quantity": 3}]), staff)
    before = Service.select().count()
    assert run(fulfilment.complete, order, staff) == []
    assert Service.select().count() == before
    line = OrderLine.get(OrderLine.order == order.id)
    shipment = json.loads(line.details)["shipment"]
    assert shipment["status"] == "sent" and shipment["quantity"] == 3
    assert "Gata 1" in shipment["to"]


def test_start_needs_received_and_complete_needs_in_progress(staff):
    order = make_order([{"code": "HW-MOTO"}])
    with pytest.raises(OrderConflict):
        run(fulfilment.complete, order, staff)
    run(fulfilment.start, order, staff)
    with pytest.raises(OrderConflict):
        run(fulfilment.start, order, staff)
    assert [e.to_status for e in Order.get_by_id(order.id).events.order_by(OrderEvent.id)] == [
        "received",
        "in_progress",
    ]


def test_cancel_needs_a_reason_and_releases_the_number(staff):
    seed_pool(*POOL)
    order = make_order([mobile_line(POOL[2])], reserve=(POOL[2],))
    with pytest.raises(fulfilment.FulfilmentError):
        run(fulfilment.cancel, order, staff, "  ")
    run(fulfilment.cancel, order, staff, "Numret kan inte porteras")
    order = Order.get_by_id(order.id)
    assert order.status == "cancelled" and order.answer == "Numret kan inte porteras"
    assert order.completed_at is not None
    event = order.events.order_by(OrderEvent.id.desc()).first()
    assert event.staff_id and event.comment == "Numret kan inte porteras"
    assert PoolNumber.get(PoolNumber.number == POOL[2]).status == "free"


def test_an_offert_is_answered_with_prices(staff):
    order = make_order([{"code": "HW-IPHONE", "quantity": 2}], is_quote=True)
    line = OrderLine.get(OrderLine.order == order.id)
    assert fulfilment.awaits_answer(order)
    with pytest.raises(fulfilment.FulfilmentError):
        run(fulfilment.start, order, staff)
    run(fulfilment.answer, order, staff, {line.id: (0, 850000)}, "Pris enligt offert 12")
    order = Order.get_by_id(order.id)
    assert order.status == "answered" and order.answer == "Pris enligt offert 12"
    assert OrderLine.get_by_id(line.id).start_ore == 850000
    assert not fulfilment.awaits_answer(order)


def test_an_order_cannot_be_answered_as_an_offert(staff):
    order = make_order([{"code": "HW-IPHONE"}])
    with pytest.raises(fulfilment.FulfilmentError):
        run(fulfilment.answer, order, staff, {}, "Svar")
    assert Order.get_by_id(order.id).status == "received"


def test_service_changes_are_not_completed_here(staff):
    service = Service.select().where(Service.kind == "mobile").first()
    order = make_order([], service=service.id, status="in_progress", type="termination")
    with pytest.raises(fulfilment.FulfilmentError, match="Ändringar"):
        run(fulfilment.complete, order, staff)


@pytest.mark.slow
def test_two_staff_completing_at_once_create_one_service(demo_app, staff, tmp_path):
    """Two threads (two staff) press Slutför at the same moment: one
    completes, the other is told someone else did; one service."""
    seed_pool(*POOL)
    order = started(make_order([mobile_line(POOL[0])], reserve=(POOL[0],)), staff)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        from database import db

        with demo_app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait(timeout=10)
            try:
                with write_tx():
                    fulfilment.complete(Order.get_by_id(order.id), staff)
                outcomes.append("done")
            except OrderConflict:
                outcomes.append("conflict")
            finally:
                db.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "done"]
    assert Service.select().where(Service.number == POOL[0]).count() == 1
