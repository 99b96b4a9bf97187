"""Molnväxel administration (issue 21 items 3 and 5): employees and queues on
the molnväxel's page, a number's queue memberships, every change audited,
bad input next to the field, and nothing outside the user's scope."""

from __future__ import annotations

import json

import pytest

from database import write_tx
from models import (
    Account,
    AuditLog,
    Organisation,
    Service,
    SwitchboardEmployee,
    SwitchboardQueue,
    SwitchboardQueueMember,
)
from tests.conftest import ACCOUNT_ADMIN
from tests.services_fixtures import a3, add_user, demo_service, post


def pbx():
    return demo_service("cloud_pbx")


def agents():
    return list(
        Service.select()
        .where((Service.parent == pbx().id) & (Service.status == "active"))
        .order_by(Service.id)
    )


def rows(model) -> list:
    return list(model.select().order_by(model.id).dicts())


def events(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


# ----------------------------------------------------------------- the molnväxel page


def test_pbx_page_lists_employees_and_queues(admin):
    text = admin.get(f"/services/{pbx().id}").get_data(as_text=True)
    assert "Medarbetare" in text and "Lena Berg" in text and "201" in text
    assert "Köer" in text and "Support" in text and "I tur och ordning" in text
    assert "Ny medarbetare" in text and "Ny kö" in text


def test_a_user_without_the_permission_sees_no_change_links(demo_client, login):
    org = a3()
    top = Account.get((Account.organisation == org.id) & Account.parent.is_null())
    user = add_user(org, top, permissions=("services.view",))
    login(demo_client, user.username)
    text = demo_client.get(f"/services/{pbx().id}").get_data(as_text=True)
    assert "Lena Berg" in text and "Ny medarbetare" not in text
    assert demo_client.get(f"/services/{pbx().id}/employees/new").status_code == 403


# ----------------------------------------------------------------- employees


def test_add_employee_saves_audits_and_closes_the_dialog(admin):
    p, mobile = pbx(), agents()[0]
    response = admin.get(f"/services/{p.id}/employees/new", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Anknytning" in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    response = post(
        admin,
        f"/services/{p.id}/employees/new",
        {"name": "Ny Person", "extension": "299", "mobile": str(mobile.id),
         "fixed_number": "0906953203"},
    )  # fmt: skip
    assert response.status_code == 200 and response.get_data() == b""
    assert events(response)["closeDialog"] is True
    employee = SwitchboardEmployee.get(SwitchboardEmployee.extension == "299")
    assert (employee.name, employee.mobile_id, employee.fixed_number) == (
        "Ny Person", mobile.id, "0906953203",
    )  # fmt: skip
    entry = AuditLog.get(AuditLog.action == "switchboard.employee_add")
    assert entry.object_id == str(employee.id) and entry.organisation_id == p.organisation_id
    assert json.loads(entry.after)["extension"] == "299"


def test_edit_and_remove_employee(admin):
    p = pbx()
    employee = SwitchboardEmployee.get(SwitchboardEmployee.extension == "202")
    response = post(
        admin,
        f"/services/{p.id}/employees/{employee.id}",
        {"name": "Tommy Frost", "extension": "212", "mobile": "", "fixed_number": ""},
    )
    assert response.get_data() == b""
    assert SwitchboardEmployee.get_by_id(employee.id).extension == "212"
    change = AuditLog.get(AuditLog.action == "switchboard.employee_change")
    assert json.loads(change.before)["extension"] == "202"
    response = post(admin, f"/services/{p.id}/employees/{employee.id}/remove")
    assert response.get_data() == b""
    assert SwitchboardEmployee.get_or_none(SwitchboardEmployee.id == employee.id) is None
    assert AuditLog.select().where(AuditLog.action == "switchboard.employee_remove").count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "X", "extension": "201"}, "Anknytningen 201 används redan i växeln."),
        ({"name": "X", "extension": "1a"}, "Anknytningen ska vara 2–6 siffror."),
        ({"name": "", "extension": "288"}, "Ange namn."),
        ({"name": "X", "extension": "288", "fixed_number": "0811111111"},
         "Numret är inte ett av organisationens fasta nummer."),
        ({"name": "X", "extension": "288", "mobile": "999999"},
         "Numret hör inte till organisationen."),
    ],
)  # fmt: skip
def test_bad_employee_input_is_shown_next_to_the_field(admin, data, message):
    before = rows(SwitchboardEmployee), AuditLog.select().count()
    response = post(admin, f"/services/{pbx().id}/employees/new", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text and "field-error" in text
    assert "closeDialog" not in response.headers.get("HX-Trigger", "")
    assert (rows(SwitchboardEmployee), AuditLog.select().count()) == before


def test_another_organisations_mobile_cannot_be_linked(admin):
    other = Organisation.get(Organisation.name != "A3 Demo Connect")
    foreign = Service.get((Service.organisation == other.id) & Service.kind.in_(("mobile",)))
    response = post(
        admin,
        f"/services/{pbx().id}/employees/new",
        {"name": "X", "extension": "288", "mobile": str(foreign.id)},
    )
    assert "Numret hör inte till organisationen." in response.get_data(as_text=True)
    assert not SwitchboardEmployee.select().where(SwitchboardEmployee.extension == "288").exists()


# ----------------------------------------------------------------- queues


def test_add_queue_with_members_in_order(admin):
    p, a = pbx(), agents()
    response = post(
        admin,
        f"/services/{p.id}/queues/new",
        {"name": "Sälj", "number": "0906953202", "strategy": "roundrobin",
         "opening_hours": "mån–fre 09:00–16:00", "overflow": "201",
         "members": [str(a[2].id), str(a[0].id), ""]},
    )  # fmt: skip
    assert response.get_data() == b"", response.get_data(as_text=True)
    queue = SwitchboardQueue.get(SwitchboardQueue.name == "Sälj")
    order = [m.service_id for m in queue.members.order_by(SwitchboardQueueMember.position)]
    assert order == [a[2].id, a[0].id]
    assert queue.strategy == "roundrobin" and queue.overflow == "201"
    entry = AuditLog.get(AuditLog.action == "switchboard.queue_add")
    assert json.loads(entry.after)["members"] == [a[2].id, a[0].id]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Tom", "number": "0906953202", "members": [""]},
         "En kö måste ha minst en medlem."),
        ({"name": "Dubbel", "number": "0906953200", "members": ["A"]},
         "Numret används redan av en annan kö."),
        ({"name": "Fel", "number": "abc", "members": ["A"]}, "Ange könummer"),
        ({"name": "Fel", "number": "0906953202", "members": ["999999"]},
         "Numret hör inte till organisationen."),
        ({"name": "Fel", "number": "0906953202", "members": ["A"], "strategy": "x"},
         "Välj ringstrategi."),
        ({"name": "Fel", "number": "0906953202", "members": ["A"], "overflow": "x!"},
         "Ange ett telefonnummer eller en anknytning."),
    ],
)  # fmt: skip
def test_bad_queue_input_is_refused(admin, data, message):
    agent = agents()[0]
    data = {**data, "members": [str(agent.id) if m == "A" else m for m in data["members"]]}
    before = rows(SwitchboardQueue), rows(SwitchboardQueueMember), AuditLog.select().count()
    response = post(admin, f"/services/{pbx().id}/queues/new", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert (rows(SwitchboardQueue), rows(SwitchboardQueueMember), AuditLog.select().count()) == (
        before
    )


def test_edit_queue_keeps_a_paused_member_paused_and_remove(admin):
    p = pbx()
    queue = SwitchboardQueue.get(SwitchboardQueue.name == "Växel")
    first = queue.members.order_by(SwitchboardQueueMember.position).first()
    with write_tx():
        SwitchboardQueueMember.update(paused=True).where(
            SwitchboardQueueMember.id == first.id
        ).execute()
    response = post(
        admin,
        f"/services/{p.id}/queues/{queue.id}",
        {"name": "Växeln", "number": queue.number, "strategy": "ringall",
         "members": [str(first.service_id)]},
    )  # fmt: skip
    assert response.get_data() == b""
    (member,) = list(SwitchboardQueue.get_by_id(queue.id).members)
    assert member.paused and member.service_id == first.service_id
    response = post(admin, f"/services/{p.id}/queues/{queue.id}/remove")
    assert response.get_data() == b""
    assert SwitchboardQueue.get_or_none(SwitchboardQueue.id == queue.id) is None
    assert AuditLog.select().where(AuditLog.action == "switchboard.queue_remove").count() == 1


# ----------------------------------------------------------------- a number's memberships


def test_number_page_shows_memberships_and_join_pause_leave(admin):
    agent = agents()[0]
    support = SwitchboardQueue.get(SwitchboardQueue.name == "Support")
    text = admin.get(f"/services/{agent.id}").get_data(as_text=True)
    assert "Växel" in text and f"Gå med i {support.name}" in text
    linked = SwitchboardEmployee.get(SwitchboardEmployee.mobile == agent.id)
    assert f"{linked.name} (anknytning {linked.extension})" in text

    def member():
        return SwitchboardQueueMember.get_or_none(
            (SwitchboardQueueMember.queue == support.id)
            & (SwitchboardQueueMember.service == agent.id)
        )

    url = f"/services/{agent.id}/queues/{support.id}/membership"
    response = post(admin, url, {"action": "join"})
    assert events(response)["serviceChanged"] is True and member() is not None
    post(admin, url, {"action": "pause"})
    assert member().paused
    post(admin, url, {"action": "resume"})
    assert not member().paused
    post(admin, url, {"action": "leave"})
    assert member() is None
    actions = [
        a.action
        for a in AuditLog.select()
        .where(AuditLog.action.startswith("switchboard.member_"))
        .order_by(AuditLog.id)
    ]
    assert actions == [
        "switchboard.member_join", "switchboard.member_pause",
        "switchboard.member_resume", "switchboard.member_leave",
    ]  # fmt: skip


def test_the_last_member_cannot_leave_and_bad_actions_are_4xx(admin):
    agent = agents()[0]
    p = pbx()
    with write_tx():
        queue = SwitchboardQueue.create(
            organisation=p.organisation_id, pbx=p, name="Ensam", number="299"
        )
        SwitchboardQueueMember.create(queue=queue, service=agent, position=1)
    url = f"/services/{agent.id}/queues/{queue.id}/membership"
    response = post(admin, url, {"action": "leave"})
    assert response.status_code == 409
    assert "minst en medlem" in response.get_data(as_text=True)
    assert post(admin, url, {"action": "explode"}).status_code == 400
    assert post(admin, url, {"action": "join"}).status_code == 409


# ----------------------------------------------------------------- scope


def test_a_pbx_outside_the_users_subtree_is_404(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    p = pbx()
    employee = SwitchboardEmployee.select().where(SwitchboardEmployee.pbx == p.id).first()
    queue = SwitchboardQueue.select().where(SwitchboardQueue.pbx == p.id).first()
    visible = Service.select().where(Service.id == p.id)
    from models import User

    user = User.get(User.username == ACCOUNT_ADMIN)
    if Service.visible_to(user).where(Service.id == p.id).exists():
        pytest.skip("the demo account administrator sees the molnväxel")
    assert visible.exists()
    for path in (
        f"/services/{p.id}/employees/new",
        f"/services/{p.id}/employees/{employee.id}",
        f"/services/{p.id}/employees/{employee.id}/remove",
        f"/services/{p.id}/queues/new",
        f"/services/{p.id}/queues/{queue.id}",
        f"/services/{p.id}/queues/{queue.id}/remove",
    ):
        assert demo_client.get(path).status_code in (403, 404), path
        assert demo_client.post(path, data={}).status_code in (403, 404), path


def test_an_employee_of_another_pbx_is_404(admin):
    p = pbx()
    other = Organisation.get(Organisation.name != "A3 Demo Connect")
    foreign = Service.get(Service.organisation == other.id)
    with write_tx():
        stranger = SwitchboardEmployee.create(
            organisation=other.id, pbx=foreign, name="Främling", extension="555"
        )
    assert admin.get(f"/services/{p.id}/employees/{stranger.id}").status_code == 404
    assert admin.get(f"/services/{foreign.id}/employees/new").status_code == 404
    # a service that is not a molnväxel
    assert admin.get(f"/services/{agents()[0].id}/employees/new").status_code == 404


# ----------------------------------------------------------------- the pluggable backend


class RefusingBackend:
    """A PBX that refuses every change."""

    calls: list = []

    def apply(self, pbx, op, obj, data):
        RefusingBackend.calls.append(op)
        from domain.switchboard import SwitchboardError

        raise SwitchboardError("Växeln svarar inte just nu.")


def test_a_backend_refusal_is_shown_and_nothing_is_saved(demo_app, admin):
    demo_app.config["SWITCHBOARD_BACKEND"] = "tests.test_switchboard:RefusingBackend"
    RefusingBackend.calls = []
    p, agent = pbx(), agents()[0]
    before = (
        rows(SwitchboardEmployee), rows(SwitchboardQueue), rows(SwitchboardQueueMember),
        AuditLog.select().count(),
    )  # fmt: skip
    response = post(admin, f"/services/{p.id}/employees/new", {"name": "X", "extension": "288"})
    assert "Växeln svarar inte just nu." in response.get_data(as_text=True)
    response = post(
        admin,
        f"/services/{p.id}/queues/new",
        {"name": "Q", "number": "288", "strategy": "ringall", "members": [str(agent.id)]},
    )
    assert "Växeln svarar inte just nu." in response.get_data(as_text=True)
    queue = SwitchboardQueue.get(SwitchboardQueue.name == "Växel")
    response = post(admin, f"/services/{agent.id}/queues/{queue.id}/membership",
                    {"action": "pause"})  # fmt: skip
    assert response.status_code == 409
    assert RefusingBackend.calls == ["employee_save", "queue_save", "member_pause"]
    after = (
        rows(SwitchboardEmployee), rows(SwitchboardQueue), rows(SwitchboardQueueMember),
        AuditLog.select().count(),
    )  # fmt: skip
    assert after == before


def test_a_plain_mobile_put_in_a_queue_sees_it_and_may_pause_but_not_join_others(admin):
    p = pbx()
    mobile = demo_service("mobile")
    assert mobile.parent_id is None
    queue = SwitchboardQueue.get(SwitchboardQueue.name == "Växel")
    support = SwitchboardQueue.get(SwitchboardQueue.name == "Support")
    members = [str(m.service_id) for m in queue.members.order_by(SwitchboardQueueMember.position)]
    post(
        admin,
        f"/services/{p.id}/queues/{queue.id}",
        {"name": "Växel", "number": queue.number, "strategy": "linear",
         "members": [*members, str(mobile.id)]},
    )  # fmt: skip
    text = admin.get(f"/services/{mobile.id}").get_data(as_text=True)
    assert "sb-memberships-title" in text and "Gå med i" not in text
    post(admin, f"/services/{mobile.id}/queues/{queue.id}/membership", {"action": "pause"})
    member = SwitchboardQueueMember.get(
        (SwitchboardQueueMember.queue == queue.id) & (SwitchboardQueueMember.service == mobile.id)
    )
    assert member.paused
    response = post(
        admin, f"/services/{mobile.id}/queues/{support.id}/membership", {"action": "join"}
    )
    assert response.status_code == 409
    assert (
        not SwitchboardQueueMember.select()
        .where(
            (SwitchboardQueueMember.queue == support.id)
            & (SwitchboardQueueMember.service == mobile.id)
        )
        .exists()
    )
