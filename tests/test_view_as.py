"""View as customer (issue 17, item 7): staff with the Support role open the
portal as one of a customer's users, read-only, under a banner; each viewing
is in the customer's Granskningslogg; nothing can be changed."""

from __future__ import annotations

import pytest

from database import ReadOnlyRequest, allow_writes, set_read_only, write_tx
from models import Account, AuditLog, Service, StaffUser, User, ViewAsSession
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF


@pytest.fixture
def desk(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    return client


def start(client, username: str, reason: str = "Ärende 5515501"):
    user = User.get(User.username == username)
    return client.post(f"/staff/view-as/{user.id}", data={"reason": reason, "next": "/staff/"})


def test_view_as_shows_the_users_portal_with_a_banner(demo_app, desk):
    response = start(desk, ACCOUNT_ADMIN)
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    page = desk.get("/").get_data(True)
    konto = User.get(User.username == ACCOUNT_ADMIN)
    # the banner's sentence is one message (i18n), so its line break moved: compare words
    assert "Skrivskyddad visning" in page
    assert f"visar portalen som {konto.name}" in " ".join(page.split())
    assert "Avsluta visningen" in page
    # The user's own scope: a service of the account admin's sub-tree opens,
    # one elsewhere in the organisation answers 404 as it would for them.
    inside = Service.get(
        Service.account.in_(
            Account.select().where(Account.path.startswith(konto.scope_account.path))
        )
    )
    outside = Service.get(Service.account == konto.organisation.top_account())
    assert desk.get(f"/services/{inside.id}").status_code == 200
    assert desk.get(f"/services/{outside.id}").status_code == 404
    # Another organisation stays out of reach.
    other = Service.get(
        Service.account.in_(
            Account.select().where(
                Account.organisation == User.get(User.username == OTHER_ORG_ADMIN).organisation
            )
        )
    )
    assert desk.get(f"/services/{other.id}").status_code == 404


def test_nothing_can_be_changed_while_viewing(demo_app, desk):
    start(desk, ADMIN)
    account = User.get(User.username == ADMIN).scope_account
    before = Account.get_by_id(account.id).alias
    response = desk.post(f"/accounts/{account.id}/alias", data={"alias": "Ändrat av personal"})
    assert response.status_code == 403
    assert "Skrivskyddad visning" in response.get_data(True)
    assert Account.get_by_id(account.id).alias == before
    # The dialog itself still opens (reading is allowed).
    assert desk.get(f"/accounts/{account.id}/alias").status_code == 200


def test_write_tx_refuses_a_read_only_request(demo_app):
    """The database-level guard behind the 403: a GET that would write is refused too."""
    set_read_only("test")
    try:
        with pytest.raises(ReadOnlyRequest), write_tx():
            StaffUser.update(name="x").execute()
        with allow_writes(), write_tx():  # the machinery's own bookkeeping
            pass
    finally:
        set_read_only(None)


def test_viewing_is_audited_for_the_customer(demo_app, desk, login):
    start(desk, ACCOUNT_ADMIN, reason="Ärende 5515501")
    desk.get("/services")
    stop = desk.post("/staff/view-as/stop")
    assert stop.status_code == 303 and stop.headers["Location"].endswith("/staff/")
    row = ViewAsSession.get()
    assert row.ended_at is not None and row.reason == "Ärende 5515501"
    entries = list(
        AuditLog.select().where(AuditLog.action.startswith("staff.view_as")).order_by(AuditLog.id)
    )
    assert [e.action for e in entries] == ["staff.view_as_started", "staff.view_as_ended"]
    assert {e.organisation_id for e in entries} == {row.organisation_id}
    assert all(e.actor_staff_id == StaffUser.get(StaffUser.username == STAFF).id for e in entries)
    # The customer's administrator sees both in Granskningslogg.
    admin = demo_app.test_client()
    login(admin, ADMIN)
    log = admin.get("/audit?q=visar").get_data(True)
    assert "visar portalen som" in log and "Ärende 5515501" in log
    # Staff are themselves again: the portal sends them to the back office.
    assert desk.get("/").status_code == 302


def test_the_back_office_is_out_of_reach_while_viewing(demo_app, desk):
    start(desk, ADMIN)
    response = desk.get("/staff/tickets")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert "Avsluta visningen för att gå till administrationen" in desk.get("/").get_data(True)


def test_logout_while_viewing_ends_both(demo_app, desk):
    start(desk, ADMIN)
    response = desk.post("/logout")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert ViewAsSession.get().ended_at is not None
    assert desk.get("/").status_code == 302


def test_a_user_who_can_no_longer_sign_in_ends_the_viewing(demo_app, desk):
    start(desk, ACCOUNT_ADMIN)
    with write_tx():
        User.update(active=False).where(User.username == ACCOUNT_ADMIN).execute()
    response = desk.get("/")
    assert response.status_code == 302 and "/staff/" in response.headers["Location"]


def test_only_support_may_view_as_and_only_existing_users(demo_app, desk, login):
    with write_tx():
        billing = StaffUser.create(
            username="bo@operator.se", email="bo@operator.se", name="Bo", roles="billing"
        )
    client = demo_app.test_client()
    login(client, billing.username)
    assert start(client, ADMIN).status_code == 403
    assert desk.post("/staff/view-as/999999").status_code == 404
    assert not ViewAsSession.select().exists()


def test_a_customer_cannot_start_a_viewing(demo_app, login):
    client = demo_app.test_client()
    login(client, ADMIN)
    assert start(client, ACCOUNT_ADMIN).status_code == 403


def test_the_dialog_asks_why_and_refuses_a_too_long_reason(demo_app, desk):
    user = User.get(User.username == ADMIN)
    dialog = desk.get(f"/staff/view-as/{user.id}?next=/staff/organisations/1")
    html = dialog.get_data(True)
    assert dialog.status_code == 200 and "Visa portalen som Anna Lind" in html
    assert 'value="/staff/organisations/1"' in html
    response = desk.post(f"/staff/view-as/{user.id}", data={"reason": "x" * 201})
    assert 'id="reason-error">Högst 200 tecken.' in response.get_data(True)
    assert not ViewAsSession.select().exists()
    # A return address outside the back office is not followed.
    desk.post(f"/staff/view-as/{user.id}", data={"reason": "", "next": "https://evil.example/"})
    assert desk.post("/staff/view-as/stop").headers["Location"].endswith("/staff/")
    desk.post(f"/staff/view-as/{user.id}", data={"next": "/staff/organisations/1"})
    assert desk.post("/staff/view-as/stop").headers["Location"].endswith("/staff/organisations/1")
