"""A customer's portal users managed by the operator (issue 17 item 1, what
BBGRUPPEN's "Hantering av portalanvändare" asks for): add (invited), remove,
unlock and reset 2FA, each in the customer's Granskningslogg; and tickets
created by staff for a customer (item 8) with the customer's receipt."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from database import utcnow, write_tx
from domain import throttle, twofactor
from models import (
    AuditLog,
    LoginSession,
    LoginThrottle,
    Organisation,
    Role,
    Service,
    Ticket,
    TicketMessage,
    User,
)
from tests.auth_fixtures import enable_totp, fresh_login_cache, link_in, post_login  # noqa: F401
from tests.conftest import ADMIN, STAFF


@pytest.fixture
def admin_desk(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    return client


@pytest.fixture
def a3():
    return Organisation.get(Organisation.name == "A3 Demo Connect")


def customer_log(org) -> list[str]:
    """The actions the customer's Granskningslogg holds, oldest first."""
    rows = AuditLog.select().where(AuditLog.organisation == org.id).order_by(AuditLog.id)
    return [row.action for row in rows]


def new_user_data(org, **changes):
    return {
        "name": "Olle Ny",
        "email": "Olle@a3demo.se",
        "mobile": "",
        "account": org.top_account().customer_number,
        "role": "superuser",
        **changes,
    }


def test_add_a_superuser_who_is_invited_and_can_sign_in(demo_app, admin_desk, a3, smtp_server):
    demo_app.config.update(smtp_server.config)
    form = admin_desk.get(f"/staff/organisations/{a3.id}/users/new").get_data(as_text=True)
    assert a3.top_account().customer_number in form and "Superuser" in form
    response = admin_desk.post(f"/staff/organisations/{a3.id}/users/new", data=new_user_data(a3))
    assert response.status_code == 303, response.get_data(as_text=True)
    user = User.get(User.username == "olle@a3demo.se")
    assert user.organisation_id == a3.id and user.is_superuser and user.is_admin
    assert user.password_hash is None
    assert {"user.create", "user.invite"} <= set(customer_log(a3))
    page = admin_desk.get(f"/staff/organisations/{a3.id}").get_data(as_text=True)
    assert "Olle Ny" in page and "Inbjuden" in page
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0]["To"] == "olle@a3demo.se"
    body = smtp_server.messages[0].get_content()
    assert "A3 Demo Connect" in body and "Teleportal har bjudit in dig" in body
    path = link_in(body, "invite")
    customer = demo_app.test_client()
    password = "Kaffe i hamnen vid midnatt 7"
    assert customer.post(path, data={"password": password, "confirm": password}).status_code == 302
    assert post_login(customer, "olle@a3demo.se", password).status_code == 302


def test_add_an_account_administrator_with_a_role(admin_desk, a3):
    below = (
        a3.accounts.where(a3.accounts.model.parent.is_null(False))
        .order_by(a3.accounts.model.path)
        .first()
    )
    role = Role.select().where(Role.is_superuser == False).first()  # noqa: E712
    data = new_user_data(
        a3,
        name="Kim Konto",
        email="kim@a3demo.se",
        account=below.customer_number,
        role=str(role.id),
        mobile="070-111 22 44",
    )
    assert admin_desk.post(f"/staff/organisations/{a3.id}/users/new", data=data).status_code == 303
    user = User.get(User.username == "kim@a3demo.se")
    assert user.scope_account_id == below.id and not user.is_admin
    assert user.permission_set == role.permission_set and user.mobile == "0701112244"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "inte-en-adress"}, "email", "giltig e-postadress"),
        ({"email": ADMIN}, "email", "finns redan"),
        ({"email": "admin@norrbygg.se"}, "email", "finns redan"),  # another customer's
        ({"name": ""}, "name", "Ange namnet."),
        ({"account": "99999999"}, "account", "inget konto med det numret"),
        ({"role": "nej"}, "role", "Inte ett giltigt val"),
        ({"mobile": "12"}, "mobile", ""),
    ],
)
def test_a_bad_new_user_is_refused_next_to_the_field(admin_desk, a3, changes, field, message):
    before = User.select().count()
    response = admin_desk.post(
        f"/staff/organisations/{a3.id}/users/new", data=new_user_data(a3, **changes)
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error">' in html
    assert message in html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert User.select().count() == before


def test_another_customers_account_is_not_a_scope(admin_desk, a3):
    other = Organisation.get(Organisation.name == "Norrlandsbygg AB").top_account()
    response = admin_desk.post(
        f"/staff/organisations/{a3.id}/users/new",
        data=new_user_data(a3, account=other.customer_number),
    )
    assert "inget konto med det numret" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "olle@a3demo.se").exists()


def test_remove_keeps_the_user_for_history_and_ends_the_sessions(demo_app, admin_desk, a3, login):
    user = User.get(User.username == "konto@a3demo.se")
    customer = demo_app.test_client()
    login(customer, user.username)
    assert customer.get("/services").status_code == 200
    asked = admin_desk.get(f"/staff/organisations/{a3.id}/users/{user.id}/remove")
    assert "Vill du ta bort Karl Berg (konto@a3demo.se)" in asked.get_data(as_text=True)
    assert User.get_by_id(user.id).removed_at is None  # asking changes nothing
    response = admin_desk.post(f"/staff/organisations/{a3.id}/users/{user.id}/remove")
    assert response.status_code == 303
    kept = User.get_by_id(user.id)
    assert kept.removed_at is not None and not kept.active
    assert customer.get("/services").status_code == 302
    assert "user.remove" in customer_log(a3)
    page = admin_desk.get(f"/staff/organisations/{a3.id}").get_data(as_text=True)
    assert "konto@a3demo.se" not in page
    # Removed twice, or through another organisation's URL: not found.
    assert (
        admin_desk.post(f"/staff/organisations/{a3.id}/users/{user.id}/remove").status_code == 404
    )
    other = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    admin = User.get(User.username == ADMIN)
    assert (
        admin_desk.post(f"/staff/organisations/{other.id}/users/{admin.id}/remove").status_code
        == 404
    )


def test_the_last_superuser_is_not_removed(admin_desk):
    org = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    superusers = [
        u for u in User.select().where(User.organisation == org.id) if u.is_superuser and u.active
    ]
    assert len(superusers) == 1
    response = admin_desk.post(
        f"/staff/organisations/{org.id}/users/{superusers[0].id}/remove", follow_redirects=True
    )
    assert "minst en Superuser" in response.get_data(as_text=True)
    assert User.get_by_id(superusers[0].id).removed_at is None


def test_unlock_lifts_the_lockout(demo_app, admin_desk, a3):
    user = User.get(User.username == ADMIN)
    with write_tx():
        LoginThrottle.create(
            key=throttle.name_key(User, user.username),
            failures=10,
            locked_until=utcnow() + dt.timedelta(hours=1),
        )
        User.update(failed_logins=10, locked_until=utcnow() + dt.timedelta(hours=1)).where(
            User.id == user.id
        ).execute()
    refused = post_login(demo_app.test_client(), ADMIN)
    assert refused.status_code == 200
    page = admin_desk.get(f"/staff/organisations/{a3.id}").get_data(as_text=True)
    assert "Spärrad till" in page and "Lås upp" in page
    response = admin_desk.post(f"/staff/organisations/{a3.id}/users/{user.id}/unlock")
    assert response.status_code == 303
    assert not throttle.is_locked(User.get_by_id(user.id))
    assert post_login(demo_app.test_client(), ADMIN).status_code == 302
    assert "auth.lockout_lifted" in customer_log(a3)


def test_reset_2fa_makes_the_user_enrol_again(demo_app, admin_desk, a3, login):
    user = User.get(User.username == ADMIN)
    enable_totp(user)
    with write_tx():
        a3.profile().__class__.update(require_2fa=True).where(
            a3.profile().__class__.organisation == a3.id
        ).execute()
    customer = demo_app.test_client()
    login(customer, ADMIN)
    page = admin_desk.get(f"/staff/organisations/{a3.id}").get_data(as_text=True)
    assert "Återställ tvåstegsverifiering" in page
    response = admin_desk.post(f"/staff/organisations/{a3.id}/users/{user.id}/reset-2fa")
    assert response.status_code == 303
    assert not twofactor.has_2fa(User.get_by_id(user.id))
    assert not LoginSession.select().where(LoginSession.user == user.id).exists()
    assert "auth.2fa_reset" in customer_log(a3)
    again = post_login(demo_app.test_client(), ADMIN)
    assert again.status_code == 302 and again.headers["Location"].endswith("/login/setup")


# --------------------------------------------------------------------------- tickets by staff


def test_staff_create_a_ticket_for_a_customer_who_gets_the_receipt(
    demo_app, admin_desk, a3, smtp_server
):
    demo_app.config.update(smtp_server.config)
    listing = admin_desk.get("/staff/tickets").get_data(as_text=True)
    assert "/staff/tickets/new" in listing
    assert "/staff/tickets/new?organisation=" in admin_desk.get(
        f"/staff/organisations/{a3.id}"
    ).get_data(as_text=True)
    chooser = admin_desk.get("/staff/tickets/new").get_data(as_text=True)
    assert "A3 Demo Connect" in chooser
    unknown = admin_desk.get("/staff/tickets/new?organisation=999999").get_data(as_text=True)
    assert "Välj en av kunderna" in unknown

    creator = User.get(User.username == ADMIN)
    service = Service.select().where(Service.organisation == a3.id).first()
    url = f"/staff/tickets/new?organisation={a3.id}"
    form = admin_desk.get(url).get_data(as_text=True)
    assert ADMIN in form
    before = Ticket.select().count()
    bad = admin_desk.post(url, data={"creator": "", "category": "support", "subject": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'id="subject-error"' in html and 'id="creator-error"' in html
    other = User.get(User.username == "admin@norrbygg.se")
    foreign = admin_desk.post(
        url,
        data={
            "creator": str(other.id),
            "category": "support",
            "priority": "3",
            "subject": "X",
            "body": "Y",
        },
    )
    assert 'id="creator-error"' in foreign.get_data(as_text=True)
    assert Ticket.select().count() == before

    once = re.search(r'name="once" type="hidden" value="([^"]+)"', form).group(1)
    data = {
        "once": once,
        "creator": str(creator.id),
        "category": "support",
        "priority": "2",
        "service": service.number,
        "subject": "Kunden ringde om täckning",
        "body": "Kunden har dålig täckning på kontoret sedan i måndags.",
    }
    response = admin_desk.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    ticket = Ticket.get(Ticket.subject == "Kunden ringde om täckning")
    assert response.headers["Location"].endswith(f"/staff/tickets/{ticket.id}")
    again = admin_desk.post(url, data=data)  # the same form sent twice
    assert again.headers["Location"] == response.headers["Location"]
    assert Ticket.select().where(Ticket.subject == ticket.subject).count() == 1
    assert ticket.organisation_id == a3.id and ticket.created_by_id == creator.id
    assert ticket.service_id == service.id and ticket.account_id == service.account_id
    assert ticket.priority == 2 and ticket.status == "waiting"
    note = TicketMessage.get((TicketMessage.ticket == ticket.id) & TicketMessage.internal)
    assert note.author_staff_id is not None
    entry = AuditLog.get((AuditLog.action == "ticket.create") & (AuditLog.object_id == ticket.id))
    assert entry.organisation_id == a3.id and entry.actor_staff_id is not None
    receipts = [m for m in smtp_server.messages if m["To"] == creator.email]
    assert len(receipts) == 1 and str(ticket.number) in receipts[0]["Subject"]
    assert "Kunden ringde om täckning" in receipts[0].get_content()
    # The customer sees it among their tickets.
    customer = demo_app.test_client()
    post_login(customer, ADMIN)
    assert "Kunden ringde om täckning" in customer.get("/tickets").get_data(as_text=True)
