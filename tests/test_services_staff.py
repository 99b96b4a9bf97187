"""Where actions go: pending changes in the back office (/staff/changes),
Slutför and Avvisa, dated changes carried out on their date, and the orders
list describing service actions."""

from __future__ import annotations

import datetime as dt

import pytest

from database import write_tx
from domain import provisioning
from domain import service_actions as sa
from domain.orders import service_requests
from models import (
    Account,
    AuditLog,
    Order,
    OutboxMessage,
    Product,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
    User,
)
from tests.conftest import ADMIN, STAFF
from tests.services_fixtures import demo_service, icc, last_order, payload, post, reload, snapshot
from web.formatting import phone

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today():
    """TODAY as each test starts, not as the module was imported: a run that
    passes midnight would otherwise ask for changes dated yesterday."""
    global TODAY
    TODAY = dt.date.today()


def customer_request(service, op_prepare, **kwargs) -> Order:
    """A change asked for by the demo administrator, straight through the domain."""
    user = User.get(User.username == ADMIN)
    args = op_prepare(service, **kwargs) if kwargs else op_prepare(service)
    return service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)


@pytest.fixture
def staff(demo_client, login):
    login(demo_client, STAFF)
    return demo_client


def test_only_staff_see_the_changes(demo_client, login):
    assert demo_client.get("/staff/changes").status_code == 302
    login(demo_client, ADMIN)
    assert demo_client.get("/staff/changes").status_code == 403


def test_pending_changes_are_listed(staff):
    service = demo_service("mobile")
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=20))
    text = staff.get("/staff/changes").get_data(as_text=True)
    assert order.label in text and phone(service.number) in text and "Avslut per" in text
    assert "Slutför" in text and "Avvisa" in text
    assert "Ändringar" in text  # the back-office menu entry exists now
    done = customer_request(service, sa.prepare_user_name, name="Klar Redan")
    assert done.status == "completed"
    assert done.label not in staff.get("/staff/changes").get_data(as_text=True)


def test_complete_a_termination(staff):
    service = demo_service("mobile")
    end = TODAY + dt.timedelta(days=20)
    order = customer_request(service, sa.prepare_terminate, end=end)
    dialog = staff.get(f"/staff/changes/{order.id}/complete", headers={"HX-Request": "true"})
    assert "Tekniskt avslutsdatum" in dialog.get_data(as_text=True)
    response = post(staff, f"/staff/changes/{order.id}/complete", {"comment": ""})
    assert response.status_code == 200 and response.headers.get("HX-Redirect") == "/staff/changes"
    order = Order.get_by_id(order.id)
    assert order.status == "completed" and order.completed_at is not None
    service = reload(service)
    assert (service.status, service.end_date) == ("terminating", end)
    entry = AuditLog.select().where(AuditLog.action == "service.terminate").get()
    assert entry.actor_staff.username == STAFF
    mail = (
        OutboxMessage.select()
        .where(OutboxMessage.recipient == ADMIN)
        .order_by(OutboxMessage.id.desc())
        .first()
    )
    assert mail is not None and order.label in mail.subject and "Slutförd" in mail.subject


def test_termination_ends_on_its_date(staff, demo_app):
    service = demo_service("broadband")
    end = TODAY + dt.timedelta(days=5)
    order = customer_request(service, sa.prepare_terminate, end=end)
    post(staff, f"/staff/changes/{order.id}/complete")
    assert reload(service).status == "terminating"
    assert provisioning.apply_due(end - dt.timedelta(days=1))["terminated"] == 0
    assert reload(service).status == "terminating"
    result = demo_app.test_cli_runner().invoke(
        args=["services", "apply-due", "--date", end.isoformat()]
    )
    assert result.exit_code == 0 and "ended 1 services" in result.output
    assert reload(service).status == "terminated"
    assert AuditLog.select().where(AuditLog.action == "service.terminated").exists()


def test_termination_today_ends_at_once(staff):
    service = demo_service("hosting")
    order = customer_request(service, sa.prepare_terminate, end=TODAY)
    post(staff, f"/staff/changes/{order.id}/complete")
    assert reload(service).status == "terminated"


def test_move_waits_for_its_date(staff):
    service = demo_service("mobile")
    target = Account.get(Account.customer_number == "23080667")
    start = sa.first_of_next_month(TODAY)
    user = User.get(User.username == ADMIN)
    args = sa.prepare_move(user, service, target.id, start)
    order = service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)
    post(staff, f"/staff/changes/{order.id}/complete")
    order = Order.get_by_id(order.id)
    assert order.status == "in_progress" and payload(order)["scheduled"] is True
    assert reload(service).account_id != target.id
    page = staff.get("/staff/changes").get_data(as_text=True)
    assert f"genomförs {start.isoformat()}" in page
    assert provisioning.apply_due(start - dt.timedelta(days=1))["orders"] == 0
    assert provisioning.apply_due(start)["orders"] == 1
    assert reload(service).account_id == target.id
    assert Order.get_by_id(order.id).status == "completed"


def test_change_of_service_rewrites_the_specification(staff):
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    current = sa.current_data_line(service).product.code
    target = "DATA-15" if current != "DATA-15" else "DATA-10"
    order = customer_request(
        service, sa.prepare_change_service, plan_code="PL-UTLAND", data_code=target, desired=TODAY
    )
    post(staff, f"/staff/changes/{order.id}/complete")
    service = reload(service)
    assert sa.current_data_line(service).product.code == target
    assert service.price_plan.code == "PL-UTLAND"
    lines = ServiceLine.select().where(ServiceLine.service == service.id)
    assert "Utlandsprislista Europa" in [line.name for line in lines]
    assert service.monthly_ore == sum(line.monthly_ore for line in lines)
    assert service.monthly_ore == payload(order)["monthly_ore"]


def test_new_sim_by_post_needs_the_card_details(staff):
    service = demo_service("mobile")
    old = sa.active_sim(service)
    order = customer_request(
        service, sa.prepare_sim_send, sim_type="physical",
        address={"delivery_name": "A3", "delivery_street": "Gata 1", "delivery_postcode": "90155",
                 "delivery_city": "Umeå"}, email="",
    )  # fmt: skip
    before = snapshot()
    response = post(staff, f"/staff/changes/{order.id}/complete", {"icc": "123"})
    assert response.status_code == 200 and "19 siffror" in response.get_data(as_text=True)
    assert snapshot() == before
    new = icc("894601555")
    post(
        staff,
        f"/staff/changes/{order.id}/complete",
        {"icc": new, "imsi": "240015550000001", "pin": "1234", "puk": "12345678"},
    )
    assert sa.active_sim(service).icc == new and sa.active_sim(service).pin == "1234"
    assert SimCard.get_by_id(old.id).status == "replaced"


def test_lost_sim_then_new_sim_makes_the_service_active_again(staff):
    service = demo_service("mobile")
    customer_request(service, sa.prepare_lost_sim)
    assert reload(service).status == "barred"
    args = sa.prepare_sim_send(
        reload(service), "physical",
        {"delivery_name": "A3", "delivery_street": "Gata 1", "delivery_postcode": "90155",
         "delivery_city": "Umeå"}, "",
    )  # fmt: skip
    args["payload"]["after_lost_sim"] = True
    order = service_requests.request(
        User.get(User.username == ADMIN),
        reload(service),
        args.pop("op"),
        args.pop("payload"),
        **args,
    )
    post(staff, f"/staff/changes/{order.id}/complete", {"icc": icc("894601777")})
    assert reload(service).status == "active"


def test_addons_start_on_the_first_of_the_month(staff):
    service = demo_service("mobile")
    codes = [*sa.current_addon_codes(service), "ADD-TWIN"]
    order = customer_request(service, sa.prepare_addons, codes=codes)
    post(staff, f"/staff/changes/{order.id}/complete")
    addon = ServiceAddon.get(ServiceAddon.service == service.id)
    assert addon.product.code == "ADD-TWIN" and addon.start_date == sa.first_of_month(TODAY)
    service = reload(service)
    assert "ADD-TWIN" in sa.current_addon_codes(service)
    assert service.monthly_ore == sum(line.monthly_ore for line in service.lines)


def test_reject_needs_a_reason_and_changes_nothing_on_the_service(staff):
    service = demo_service("mobile")
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=9))
    before = reload(service)
    response = post(staff, f"/staff/changes/{order.id}/reject", {"comment": ""})
    assert "Ange orsaken" in response.get_data(as_text=True)
    assert Order.get_by_id(order.id).status == "received"
    post(staff, f"/staff/changes/{order.id}/reject", {"comment": "Bindningstiden löper till 2027."})
    order = Order.get_by_id(order.id)
    assert order.status == "rejected"
    assert reload(service).status == before.status and reload(service).end_date == before.end_date
    mail = (
        OutboxMessage.select()
        .where(OutboxMessage.recipient == ADMIN)
        .order_by(OutboxMessage.id.desc())
        .first()
    )
    assert "Bindningstiden löper till 2027." in mail.body
    again = post(staff, f"/staff/changes/{order.id}/complete")
    assert "redan hanterad" in again.get_data(as_text=True)
    assert Order.get_by_id(order.id).status == "rejected"


def test_no_mail_when_the_company_turned_notifications_off(staff):
    from models import CompanyProfile, Organisation

    service = demo_service("mobile")
    with write_tx():
        CompanyProfile.update(notify_email=False).where(
            CompanyProfile.organisation
            == Organisation.get(Organisation.name == "A3 Demo Connect").id
        ).execute()
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=9))
    mails = OutboxMessage.select().count()
    post(staff, f"/staff/changes/{order.id}/complete")
    assert OutboxMessage.select().count() == mails


def test_pending_change_shows_on_the_service_page_until_done(demo_client, login):
    login(demo_client, ADMIN)
    service = demo_service("mobile")
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=9))
    page = demo_client.get(f"/services/{service.id}").get_data(as_text=True)
    assert 'id="pending-title"' in page and order.label in page
    with write_tx():
        provisioning.complete(order, None)
    page = demo_client.get(f"/services/{service.id}").get_data(as_text=True)
    assert 'id="pending-title"' not in page


def test_orders_list_describes_service_actions(demo_client, login):
    login(demo_client, ADMIN)
    service = demo_service("mobile")
    customer_request(service, sa.prepare_barring_add, kind="roaming")
    text = demo_client.get("/orders?f_type=barring").get_data(as_text=True)
    assert f"Lägg till spärr: Roaming – {phone(service.number)}" in text
    assert "Spärr" in text


def test_orders_of_service_actions_keep_their_product_lines(demo_client, login):
    login(demo_client, ADMIN)
    service = demo_service("mobile")
    customer_request(service, sa.prepare_topup, code="TOP-1")
    text = demo_client.get("/orders?f_type=topup").get_data(as_text=True)
    assert "Topup 1GB" in text
    assert last_order(service).type == "topup"


def test_demo_has_pending_changes_for_staff(staff):
    text = staff.get("/staff/changes").get_data(as_text=True)
    assert "Avslut" in text and "SIM-byte" in text
    assert Service.select().where(Service.status == "terminating").exists()


def test_demo_orders_without_an_operation_can_be_completed(staff):
    termination = Order.get((Order.type == "termination") & (Order.status == "received"))
    post(staff, f"/staff/changes/{termination.id}/complete")
    service = reload(termination.service)
    assert service.status == "terminating"
    assert service.end_date.isoformat() == payload(termination)["end_date"]
    swap = Order.get((Order.type == "sim_swap") & (Order.status == "in_progress"))
    dialog = staff.get(f"/staff/changes/{swap.id}/complete", headers={"HX-Request": "true"})
    assert "Det skickade SIM-kortet" in dialog.get_data(as_text=True)
    post(staff, f"/staff/changes/{swap.id}/complete", {"icc": icc("894601666")})
    assert sa.active_sim(swap.service).icc == icc("894601666")


def test_order_missing_what_it_needs_is_explained_to_staff(staff):
    service = demo_service("mobile")
    with write_tx():
        order = Order.create(
            organisation=service.organisation_id, account=service.account_id, service=service,
            number=99999999, type="move", status="received", payload="{}",
        )  # fmt: skip
    before = snapshot()
    response = post(staff, f"/staff/changes/{order.id}/complete")
    assert "saknar uppgifter" in response.get_data(as_text=True)
    assert snapshot() == before


def test_changes_export(staff):
    import io

    from openpyxl import load_workbook

    response = staff.get("/staff/changes?export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Status", "Order", "Typ")
    assert {"Mottagen", "Pågår"} >= {r[0] for r in rows[1:]} and len(rows) > 1
