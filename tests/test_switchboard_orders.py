"""Molnväxel changes as orders "where the backend says so" (issue 21 item 3):
with a backend whose ``needs_order`` says yes, a change is checked, then
recorded as a service order on the molnväxel (not applied), listed under
Pågående ändringar, and applied when staff complete it; the built-in backend
still applies at once."""

from __future__ import annotations

import json

from models import (
    AuditLog,
    Order,
    SwitchboardEmployee,
    SwitchboardQueue,
    SwitchboardQueueMember,
)
from tests.conftest import STAFF
from tests.services_fixtures import post
from tests.test_switchboard import agents, pbx, rows


def ordered(service):
    return list(
        Order.select()
        .where((Order.service == service.id) & Order.payload.contains('"switchboard"'))
        .order_by(Order.id)
    )


def payload(order):
    return json.loads(Order.get_by_id(order.id).payload)


def test_builtin_backend_still_applies_at_once(admin):
    p = pbx()
    response = post(
        admin, f"/services/{p.id}/employees/new", {"name": "Direkt", "extension": "277"}
    )
    assert response.status_code == 200
    assert SwitchboardEmployee.get_or_none(SwitchboardEmployee.extension == "277") is not None
    assert ordered(p) == []


def test_changes_become_orders_and_staff_complete_them(demo_app, admin, login):
    demo_app.config["SWITCHBOARD_BACKEND"] = "orders"
    p, agent = pbx(), agents()[0]
    before = rows(SwitchboardEmployee), rows(SwitchboardQueue), rows(SwitchboardQueueMember)

    # Bad input is still refused next to the field, and nothing is ordered.
    response = post(admin, f"/services/{p.id}/employees/new", {"name": "", "extension": "1"})
    assert "Ange namn." in response.get_data(as_text=True) and ordered(p) == []

    response = post(
        admin, f"/services/{p.id}/employees/new", {"name": "Beställd", "extension": "278"}
    )
    assert response.status_code == 200 and response.get_data() == b""
    assert "beställd" in json.dumps(json.loads(response.headers["HX-Trigger"]), ensure_ascii=False)
    queue = SwitchboardQueue.get(SwitchboardQueue.name == "Växel")
    response = post(
        admin, f"/services/{agent.id}/queues/{queue.id}/membership", {"action": "pause"}
    )
    assert response.status_code == 200
    employee = SwitchboardEmployee.get(SwitchboardEmployee.extension == "201")
    post(admin, f"/services/{p.id}/employees/{employee.id}/remove", {})

    # Nothing changed yet: three orders on the molnväxel, Mottagen, audited as requested.
    assert (
        rows(SwitchboardEmployee),
        rows(SwitchboardQueue),
        rows(SwitchboardQueueMember),
    ) == before
    orders = ordered(p)
    assert [payload(o)["switchboard"] for o in orders] == [
        "employee_save", "member_pause", "employee_remove"
    ]  # fmt: skip
    assert {o.status for o in orders} == {"received"}
    assert payload(orders[0])["data"]["extension"] == "278"
    assert AuditLog.select().where(AuditLog.action == "service.switchboard.requested").count() == 3
    page = admin.get(f"/services/{p.id}").get_data(as_text=True)
    assert "Pågående ändringar" in page and "Ny medarbetare Beställd (278)" in page
    assert orders[0].label in page

    detail = admin.get(f"/orders/{orders[0].id}")
    assert detail.status_code == 200 and "Ny medarbetare Beställd (278)" in detail.get_data(
        as_text=True
    )

    # Staff complete them (Slutför): now they are applied, through the backend, and audited.
    staff = demo_app.test_client()
    login(staff, STAFF)
    listing = staff.get("/staff/changes")
    assert listing.status_code == 200 and orders[0].label in listing.get_data(as_text=True)
    dialog = staff.get(f"/staff/changes/{orders[0].id}/complete")
    assert dialog.status_code == 200
    for order in orders:
        response = post(staff, f"/staff/changes/{order.id}/complete", {})
        assert response.headers.get("HX-Redirect") == "/staff/changes"
    assert {Order.get_by_id(o.id).status for o in orders} == {"completed"}
    assert SwitchboardEmployee.get_or_none(SwitchboardEmployee.extension == "278") is not None
    assert SwitchboardEmployee.get_or_none(SwitchboardEmployee.id == employee.id) is None
    member = SwitchboardQueueMember.get(
        (SwitchboardQueueMember.queue == queue.id) & (SwitchboardQueueMember.service == agent.id)
    )
    assert member.paused is True
    actions = {a.action for a in AuditLog.select()}
    assert {"switchboard.employee_add", "switchboard.employee_remove",
            "switchboard.member_pause", "service.switchboard"} <= actions  # fmt: skip


def test_an_ordered_change_that_no_longer_fits_is_refused_at_completion(demo_app, admin, login):
    demo_app.config["SWITCHBOARD_BACKEND"] = "orders"
    p = pbx()
    post(admin, f"/services/{p.id}/employees/new", {"name": "Först", "extension": "279"})
    post(admin, f"/services/{p.id}/employees/new", {"name": "Sedan", "extension": "279"})
    first, second = ordered(p)
    staff = demo_app.test_client()
    login(staff, STAFF)
    post(staff, f"/staff/changes/{first.id}/complete", {}, htmx=False)
    response = post(staff, f"/staff/changes/{second.id}/complete", {})
    assert response.status_code < 500
    assert "Anknytningen 279 används redan" in response.get_data(as_text=True)
    assert Order.get_by_id(second.id).status == "received"
    assert SwitchboardEmployee.select().where(SwitchboardEmployee.extension == "279").count() == 1
