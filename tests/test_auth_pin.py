"""Kundnummer + PIN sign-in (AUTH-7, issue 21 item 2): the operator's switch,
setting and removing a PIN (staff and the organisation's administrator),
signing in (throttled, locked, one generic message), and the read-only
session limited to one account through the scope code."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from database import utcnow, write_tx
from domain import account_pin, throttle
from domain.numbers import format_phone
from models import Account, AuditLog, Invoice, LoginSession, Order, Organisation
from tests.auth_fixtures import fresh_login_cache  # noqa: F401

PIN = "482913"


class Clock:
    def __init__(self, monkeypatch):
        self.at = utcnow()
        monkeypatch.setattr(throttle, "now", lambda: self.at)

    def advance(self, **delta):
        self.at += dt.timedelta(**delta)


@pytest.fixture
def enabled(app):
    app.config["PIN_LOGIN_ENABLED"] = True
    return app


@pytest.fixture
def world(enabled, make_org, make_account, make_service):
    """An organisation with a top account, a sub-account under it and a
    sibling account; a service and an invoice on each; another organisation."""
    org = make_org()
    top = org.top_account()
    mine = make_account(org)
    child = make_account(org, parent=mine)
    sibling = make_account(org)
    other_org = make_org()
    other = other_org.top_account()
    services = {
        name: make_service(account)
        for name, account in {
            "mine": mine,
            "child": child,
            "sibling": sibling,
            "top": top,
            "other": other,
        }.items()
    }
    invoices = {}
    with write_tx():
        for n, (name, account) in enumerate(
            {"mine": mine, "child": child, "sibling": sibling, "other": other}.items()
        ):
            invoices[name] = Invoice.create(
                organisation=account.organisation_id,
                account=account,
                number=f"6789-35{n:04d}",
                invoice_date=dt.date(2026, 3, 1),
                due_date=dt.date(2026, 3, 31),
                amount_ore=12500,
                vat_ore=2500,
            )
        account_pin.set_pin(mine, PIN)
    return {
        "org": org,
        "mine": Account.get_by_id(mine.id),
        "child": child,
        "sibling": sibling,
        "other": other,
        "services": services,
        "invoices": invoices,
    }


@pytest.fixture
def make_staff(app):
    from domain.passwords import hash_password
    from models import StaffUser

    def factory(roles="support"):
        username = f"{roles}@operator.se"
        with write_tx():
            return StaffUser.create(
                username=username,
                email=username,
                name=f"Personal {roles}",
                password_hash=hash_password("x" * 12),
                roles=roles,
            )

    return factory


def pin_login(client, number, pin):
    return client.post("/login/pin", data={"customer_number": number, "pin": pin})


def text_of(response) -> str:
    """The page's text, tags dropped and every run of white space one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def actions(**where) -> list[str]:
    return [row.action for row in AuditLog.select().order_by(AuditLog.id)]


# --------------------------------------------------------------------------- switch


def test_pin_sign_in_is_off_by_default(app, client, make_org):
    assert app.config["PIN_LOGIN_ENABLED"] is False
    assert client.get("/login/pin").status_code == 404
    assert "kundnummer och PIN" not in client.get("/login").get_data(as_text=True)
    account = make_org().top_account()
    with write_tx():
        account_pin.set_pin(account, PIN)
    assert pin_login(client, account.customer_number, PIN).status_code == 404


def test_switching_off_ends_open_pin_sessions(world, client):
    assert pin_login(client, world["mine"].customer_number, PIN).status_code == 302
    assert client.get("/").status_code == 200
    client.application.config["PIN_LOGIN_ENABLED"] = False
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_page_offers_pin_when_enabled(enabled, client):
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in med kundnummer och PIN" in page and 'href="/login/pin"' in page
    page = client.get("/login/pin").get_data(as_text=True)
    assert 'name="customer_number"' in page and 'name="pin"' in page


# --------------------------------------------------------------------------- signing in


def test_sign_in_gives_read_only_banner_and_audit(world, client):
    number = world["mine"].customer_number
    response = pin_login(client, number, PIN)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"Inloggad med kundnummer {number} (endast läsning)" in page
    row = AuditLog.select().where(AuditLog.action == "auth.pin_login").get()
    assert row.organisation_id == world["org"].id and number in row.summary
    assert LoginSession.select().where(LoginSession.pin_account == world["mine"].id).count() == 1
    # Logging out ends the session row.
    assert client.post("/logout").status_code == 302
    assert LoginSession.select().where(LoginSession.pin_account == world["mine"].id).count() == 0
    row = AuditLog.select().where(AuditLog.action == "auth.pin_logout").get()
    assert row.object_id == str(world["mine"].id) and row.organisation_id == world["org"].id
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("case", ["wrong_pin", "no_pin", "unknown", "not_digits"])
def test_one_generic_message(world, client, case):
    number, pin = {
        "wrong_pin": (world["mine"].customer_number, "000000"),
        "no_pin": (world["sibling"].customer_number, PIN),
        "unknown": ("99999999", PIN),
        "not_digits": ("abc", PIN),
    }[case]
    response = pin_login(client, number, pin)
    assert response.status_code == 200
    assert "Fel kundnummer eller PIN-kod." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert "auth.pin_login_failed" in actions()


def test_closed_account_or_suspended_organisation(world, client):
    number = world["mine"].customer_number
    with write_tx():
        Account.update(active=False).where(Account.id == world["mine"].id).execute()
    assert "Fel kundnummer eller PIN-kod." in text_of(pin_login(client, number, PIN))
    with write_tx():
        Account.update(active=True).where(Account.id == world["mine"].id).execute()
        Organisation.update(active=False).where(Organisation.id == world["org"].id).execute()
    response = pin_login(client, number, PIN)
    assert response.status_code == 200 and client.get("/").status_code == 302


def test_empty_fields_get_messages_next_to_them(world, client):
    page = pin_login(client, "", "").get_data(as_text=True)
    assert "Ange ditt kundnummer." in page and "Ange din PIN-kod." in page


def test_wrong_pins_are_throttled_and_locked(world, client, monkeypatch):
    clock = Clock(monkeypatch)
    number = world["mine"].customer_number
    for _ in range(4):
        text = pin_login(client, number, "111111").get_data(as_text=True)
        assert "Fel kundnummer eller PIN-kod." in text
        clock.advance(seconds=61)
    # Without waiting the next try is refused outright.
    text = pin_login(client, number, "111111").get_data(as_text=True)
    assert "tillfälligt spärrad" in text
    assert "auth.lockout" in actions()
    # While locked even the right PIN is refused.
    text = pin_login(client, number, PIN).get_data(as_text=True)
    assert "tillfälligt spärrad" in text and client.get("/").status_code == 302
    clock.advance(minutes=16)
    assert pin_login(client, number, PIN).status_code == 302
    assert client.get("/").status_code == 200


def test_throttle_waits_between_tries(world, client, monkeypatch):
    Clock(monkeypatch)
    number = world["mine"].customer_number
    for _ in range(3):
        pin_login(client, number, "111111")
    text = pin_login(client, number, PIN).get_data(as_text=True)
    assert "Vänta" in text and client.get("/").status_code == 302


# --------------------------------------------------------------------------- the read-only scope


@pytest.fixture
def pin_client(world, client):
    assert pin_login(client, world["mine"].customer_number, PIN).status_code == 302
    return client


def test_sees_its_own_account_only(world, pin_client):
    s, i = world["services"], world["invoices"]
    assert pin_client.get(f"/services/{s['mine'].id}").status_code == 200
    for name in ("child", "sibling", "top", "other"):
        assert pin_client.get(f"/services/{s[name].id}").status_code == 404, name
    assert pin_client.get(f"/invoices/{i['mine'].id}").status_code == 200
    # Usage: the service page's Förbrukning; the call-record list is Rapporter's (reports.view).
    assert "Förbrukning och trender" in text_of(pin_client.get(f"/services/{s['mine'].id}"))
    assert pin_client.get("/calls").status_code == 403
    pdf = pin_client.get(f"/invoices/{i['mine'].id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    for name in ("child", "sibling", "other"):
        assert pin_client.get(f"/invoices/{i[name].id}").status_code == 404, name
        assert pin_client.get(f"/invoices/{i[name].id}/pdf").status_code == 404, name
    services = text_of(pin_client.get("/services"))
    assert "Visa 1 - 1 av 1 poster" in services  # the count too: one account, not its sub-tree
    assert format_phone(s["mine"].number) in services
    for name in ("child", "sibling", "top"):
        assert format_phone(s[name].number) not in services, name
    invoices = text_of(pin_client.get("/invoices"))
    assert i["mine"].number in invoices and i["child"].number not in invoices


@pytest.mark.parametrize(
    "path",
    [
        "/accounts",
        "/orders",
        "/tickets",
        "/users",
        "/reports",
        "/audit",
        "/company",
        "/profile",
        "/groups",
    ],
)
def test_other_areas_are_refused(pin_client, path):
    assert pin_client.get(path).status_code in (403, 404)


def test_account_page_refused(world, pin_client):
    assert pin_client.get(f"/accounts/{world['mine'].id}").status_code in (403, 404)


def test_posts_are_refused(world, pin_client):
    service = world["services"]["mine"]
    before = Order.select().count()
    response = pin_client.post(f"/services/{service.id}/user-name", data={"user_name": "X"})
    assert response.status_code == 403
    assert "kan bara läsa" in response.get_data(as_text=True)
    assert (
        pin_client.post(f"/accounts/{world['mine'].id}/pin", data={"pin": "1234"}).status_code
        == 403
    )
    assert Order.select().count() == before


def test_menus_hidden(pin_client):
    page = pin_client.get("/").get_data(as_text=True)
    for href in ('href="/orders"', 'href="/tickets"', 'href="/users"', 'href="/accounts"'):
        assert href not in page, href
    assert 'href="/services"' in page and 'href="/invoices"' in page
    assert 'href="/profile"' not in page  # the user menu: no profile for a PIN session


def test_closing_the_account_ends_the_session(world, pin_client):
    with write_tx():
        Account.update(active=False).where(Account.id == world["mine"].id).execute()
    assert pin_client.get("/").status_code == 302


def test_suspending_the_organisation_ends_the_session(world, pin_client):
    from domain import organisations

    with write_tx():
        assert organisations.set_suspended(world["org"], True)
    assert pin_client.get("/").status_code == 302


def test_removing_the_pin_ends_the_session(world, pin_client):
    with write_tx():
        account_pin.remove_pin(world["mine"])
    assert pin_client.get("/").status_code == 302


# --------------------------------------------------------------------------- setting the PIN


def test_administrator_sets_and_removes_a_pin(world, client, login, make_user):
    admin = make_user(world["org"], permissions=("accounts.view", "accounts.edit"))
    login(client, admin.username)
    sibling = world["sibling"]
    page = client.get(f"/accounts/{sibling.id}").get_data(as_text=True)
    assert "Sätt PIN-kod" in page
    response = client.post(f"/accounts/{sibling.id}/pin", data={"pin": "12"})
    assert response.status_code == 200
    assert "PIN-koden ska bestå av 4–8 siffror." in response.get_data(as_text=True)
    for bad in ("123456789", "12ab", "12 34", "１２３４"):
        assert client.post(f"/accounts/{sibling.id}/pin", data={"pin": bad}).status_code == 200
    assert Account.get_by_id(sibling.id).pin_hash is None
    response = client.post(f"/accounts/{sibling.id}/pin", data={"pin": "2468"})
    assert response.status_code == 303
    stored = Account.get_by_id(sibling.id).pin_hash
    assert stored and "2468" not in stored and stored.startswith("$argon2")
    row = (
        AuditLog.select()
        .where(AuditLog.action == "account.pin_set")
        .order_by(AuditLog.id.desc())
        .get()
    )
    assert row.actor_user_id == admin.id and row.organisation_id == world["org"].id
    client.post("/logout")
    assert pin_login(client, sibling.customer_number, "2468").status_code == 302
    client.post("/logout")
    login(client, admin.username)
    assert client.get(f"/accounts/{sibling.id}/pin/remove").status_code == 200
    assert client.post(f"/accounts/{sibling.id}/pin/remove").status_code == 303
    assert Account.get_by_id(sibling.id).pin_hash is None
    assert "account.pin_removed" in actions()


def test_without_accounts_edit_or_outside_scope(world, client, login, make_user, make_org):
    viewer = make_user(world["org"], permissions=("accounts.view",))
    login(client, viewer.username)
    assert (
        client.post(f"/accounts/{world['sibling'].id}/pin", data={"pin": "2468"}).status_code == 403
    )
    client.post("/logout")
    stranger = make_user(make_org(), permissions=("accounts.view", "accounts.edit"))
    login(client, stranger.username)
    assert (
        client.post(f"/accounts/{world['sibling'].id}/pin", data={"pin": "2468"}).status_code == 404
    )
    assert Account.get_by_id(world["sibling"].id).pin_hash is None


def test_disabled_hides_admin_routes(world, client, login, make_user):
    admin = make_user(world["org"], permissions=("accounts.view", "accounts.edit"))
    login(client, admin.username)
    client.application.config["PIN_LOGIN_ENABLED"] = False
    assert client.get(f"/accounts/{world['sibling'].id}/pin").status_code == 404
    assert "PIN-kod" not in client.get(f"/accounts/{world['sibling'].id}").get_data(as_text=True)


def test_staff_set_and_remove_a_pin(world, client, login, make_staff):
    login(client, make_staff().username)
    org, sibling = world["org"], world["sibling"]
    page = client.get(f"/staff/organisations/{org.id}").get_data(as_text=True)
    assert f"/staff/organisations/{org.id}/accounts/{sibling.id}/pin" in page
    url = f"/staff/organisations/{org.id}/accounts/{sibling.id}/pin"
    response = client.post(url, data={"pin": "123"})
    assert response.status_code == 200 and "4–8 siffror" in response.get_data(as_text=True)
    assert client.post(url, data={"pin": "13579"}).status_code == 303
    assert account_pin.check(Account.get_by_id(sibling.id), "13579")
    row = (
        AuditLog.select()
        .where(AuditLog.action == "account.pin_set")
        .order_by(AuditLog.id.desc())
        .get()
    )
    assert row.actor_staff_id is not None and row.organisation_id == org.id
    # Another organisation's id in the URL: 404.
    other_org = world["other"].organisation_id
    assert (
        client.post(
            f"/staff/organisations/{other_org}/accounts/{sibling.id}/pin", data={"pin": "1234"}
        ).status_code
        == 404
    )
    assert client.get(url + "/remove").status_code == 200
    assert client.post(url + "/remove").status_code == 303
    assert Account.get_by_id(sibling.id).pin_hash is None
