"""Staff roles (issue 17, item 6): the role matrix over every back-office
route, the staff menu by role, and the staff users page /staff/users."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain import sessions
from models import AuditLog, LoginSession, OutboxMessage, StaffUser
from tables.org import STAFF_ROLES
from tests.conftest import ADMIN, STAFF
from tests.test_route_access import build

ROLES = [*STAFF_ROLES, ""]  # "": an employee without a role


def make_staff(username: str, roles: str, **fields) -> StaffUser:
    with write_tx():
        return StaffUser.create(
            username=username, email=username, name=username.split("@")[0], roles=roles, **fields
        )


def staff_rules(app):
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if getattr(app.view_functions[rule.endpoint], "access", None) == "staff"
    ]


def may(app, rule, role: str) -> bool:
    roles = getattr(app.view_functions[rule.endpoint], "staff_roles", ())
    return not roles or role == "admin" or role in roles


@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix_over_every_staff_route(demo_app, login, role):
    """Each staff route answers 403 to an employee without its role, and
    anything but 403 (the page, a 404 for id 1, a redirect) to one with it."""
    client = demo_app.test_client()
    login(client, make_staff(f"roll-{role or 'ingen'}@operator.se", role).username)
    wrong = []
    for rule in staff_rules(demo_app):
        if rule.endpoint in ("staff.view_as_stop",):
            continue  # ends a viewing; tested below
        path = build(rule, {})
        response = client.get(path) if "GET" in rule.methods else client.post(path, data={})
        refused = response.status_code == 403
        if refused == may(demo_app, rule, role):
            wrong.append(f"{rule.endpoint} {path}: {response.status_code}")
    assert wrong == []


def test_every_area_route_names_its_role(demo_app):
    """Only the start page, the employee's own security pages and ending a
    viewing are open to every employee; every other back-office route
    names the roles that may use it."""
    open_to_all = {
        rule.endpoint
        for rule in staff_rules(demo_app)
        if not getattr(demo_app.view_functions[rule.endpoint], "staff_roles", ())
    }
    assert {e for e in open_to_all if not e.startswith("staff.security")} == {
        "staff.index",
        "staff.view_as_stop",
    }


def test_the_menu_shows_what_the_role_may_open(demo_app, login):
    client = demo_app.test_client()
    login(client, make_staff("fakturering@operator.se", "billing").username)
    menu = re.search(r'<nav class="mainmenu".*?</nav>', client.get("/staff/").get_data(True), re.S)
    labels = re.findall(r">([^<>]+)</a>", menu.group(0))
    assert "Fakturaimport" in labels and "Översikt" in labels
    assert not {"Ärenden", "Beställningar", "Personal", "Granskningslogg"} & set(labels)
    assert client.get("/staff/tickets").status_code == 403
    assert client.get("/staff/billing").status_code == 200


def test_a_customer_gets_403_on_staff_pages(demo_app, login):
    client = demo_app.test_client()
    login(client, ADMIN)
    assert client.get("/staff/users").status_code == 403
    assert client.get("/staff/tickets").status_code == 403


# ------------------------------------------------------------------ /staff/users


@pytest.fixture
def admin_desk(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    return client


def test_invite_staff_with_roles_and_2fa_required(demo_app, admin_desk, smtp_server):
    page = admin_desk.get("/staff/users").get_data(True)
    assert "Sara Handläggare" in page and "Bjud in personal" in page
    response = admin_desk.post(
        "/staff/users/new",
        data={
            "name": "Olle Order",
            "email": "Olle@Operator.se",
            "roles": ["orders", "support"],
            "require_2fa": "y",
        },
    )
    assert response.status_code == 303
    olle = StaffUser.get(StaffUser.username == "olle@operator.se")
    assert olle.roles == "support orders" and olle.require_2fa and olle.password_hash is None
    mail = OutboxMessage.get(OutboxMessage.recipient == "olle@operator.se")
    token = re.search(r"/staff/invite/(\S+)", mail.body).group(1)
    assert AuditLog.select().where(AuditLog.action == "staff.invite").count() == 1

    # Olle chooses a password; his first sign-in asks for a second factor.
    client = demo_app.test_client()
    form = client.post(
        f"/staff/invite/{token}",
        data={"password": "Ett-långt-lösenord-2026", "confirm": "Ett-långt-lösenord-2026"},
    )
    assert form.status_code in (302, 303), form.get_data(True)
    signin = client.post(
        "/staff/login", data={"username": "olle@operator.se", "password": "Ett-långt-lösenord-2026"}
    )
    assert signin.status_code == 302 and "/staff/login/setup" in signin.headers["Location"]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "email": "a@b.se", "roles": ["support"]}, "name", "Ange namn."),
        ({"name": "A", "email": "inte-en-adress", "roles": ["support"]}, "email", "giltig"),
        ({"name": "A", "email": "a@b.se"}, "roles", "Välj minst en roll."),
        ({"name": "A", "email": STAFF, "roles": ["support"]}, "email", "finns redan"),
        ({"name": "A", "email": "a@b.se", "roles": ["kung"]}, "roles", "inte ett giltigt val"),
    ],
)
def test_invite_refuses_bad_input_next_to_the_field(admin_desk, data, field, message):
    before = StaffUser.select().count()
    response = admin_desk.post("/staff/users/new", data=data)
    html = response.get_data(True)
    assert response.status_code == 200
    assert re.search(rf'id="{field}-error">[^<]*{message}', html), html[-3000:]
    assert StaffUser.select().count() == before


def test_change_roles_and_keep_one_administrator(demo_app, admin_desk):
    sara = StaffUser.get(StaffUser.username == STAFF)
    refused = admin_desk.post(
        f"/staff/users/{sara.id}/edit", data={"name": sara.name, "roles": ["support"]}
    )
    assert "minst en aktiv administratör" in refused.get_data(True)
    assert StaffUser.get_by_id(sara.id).roles == "admin"
    olle = make_staff("olle@operator.se", "support")
    response = admin_desk.post(
        f"/staff/users/{olle.id}/edit", data={"name": "Olle B", "roles": ["billing"]}
    )
    assert response.status_code == 303
    olle = StaffUser.get_by_id(olle.id)
    assert (olle.name, olle.roles, olle.require_2fa) == ("Olle B", "billing", False)


def test_deactivating_ends_every_session_and_sign_in(demo_app, admin_desk, login):
    olle = make_staff("olle@operator.se", "support")
    client = demo_app.test_client()
    login(client, olle.username)
    assert client.get("/staff/tickets").status_code == 200
    response = admin_desk.post(f"/staff/users/{olle.id}/deactivate")
    assert response.status_code == 303
    assert not StaffUser.get_by_id(olle.id).active
    assert not LoginSession.select().where(LoginSession.staff == olle.id).exists()
    assert client.get("/staff/tickets").status_code == 302  # signed out
    # Deactivating oneself, or the last administrator, is refused.
    sara = StaffUser.get(StaffUser.username == STAFF)
    page = admin_desk.post(f"/staff/users/{sara.id}/deactivate", follow_redirects=True)
    assert "inte inaktivera dig själv" in page.get_data(True)
    assert StaffUser.get_by_id(sara.id).active
    with write_tx():
        key = sessions.start(olle, "127.0.0.1", "pytest")
    assert key  # reactivation lets Olle in again
    assert admin_desk.post(f"/staff/users/{olle.id}/activate").status_code == 303
    assert StaffUser.get_by_id(olle.id).active


def test_unknown_staff_id_answers_404(admin_desk):
    assert admin_desk.get("/staff/users/999999/edit").status_code == 404
    assert admin_desk.post("/staff/users/999999/deactivate").status_code == 404


def test_create_staff_from_the_command_line_with_roles(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-staff",
            "--username",
            "Kim@Operator.se",
            "--name",
            "Kim",
            "--password",
            "Ett-långt-lösenord-2026",
            "--role",
            "billing",
            "--role",
            "support",
        ]
    )
    assert result.exit_code == 0, result.output
    kim = StaffUser.get(StaffUser.username == "kim@operator.se")
    assert kim.role_keys == {"billing", "support"} and not kim.is_admin
    assert kim.has_role("support") and not kim.has_role("orders")


def test_links_to_pages_of_another_role_are_not_shown(demo_app, login):
    """url_if leaves out a link the employee's roles do not open: support
    reads the organisation page but sees no way into the agreements."""
    from models import Organisation

    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    support = demo_app.test_client()
    login(support, make_staff("sven@operator.se", "support").username)
    page = support.get(f"/staff/organisations/{org.id}").get_data(True)
    assert "RA-2023-0147" in page and "/staff/agreements" not in page
    admin = demo_app.test_client()
    login(admin, STAFF)
    page = admin.get(f"/staff/organisations/{org.id}").get_data(True)
    assert f"/staff/agreements?organisation={org.id}" in page
    assert f"/staff/agreements/new?organisation={org.id}" in page
