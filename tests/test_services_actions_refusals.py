"""Service actions refused as a whole: an action not for the kind or status,
without the permission, outside the scope, without a CSRF token, or refused by
the provisioning backend — nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest

from models import (
    Account,
    Service,
)
from tests.services_fixtures import (
    a3,
    assert_recorded,
    assert_refused_in_dialog,
    demo_service,
    post,
    reload,
    snapshot,
    url,
)

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today():
    """TODAY as each test starts, not as the module was imported: a run that
    passes midnight would otherwise ask for changes dated yesterday."""
    global TODAY
    TODAY = dt.date.today()


# ----------------------------------------------------------------- refusals: kind, status, user


@pytest.mark.parametrize(
    "kind, action",
    [
        ("broadband", "barrings"),
        ("broadband", "sim"),
        ("hosting", "forwardings"),
        ("mbb", "forwardings"),
        ("mobile", "mex"),
        ("sip_trunk", "topup"),
        ("broadband", "change"),  # no data packages or price lists to change to
    ],
)
def test_action_not_for_the_kind_is_refused(admin, kind, action):
    service = demo_service(kind)
    before = snapshot()
    for response in (
        admin.get(url(service, action), headers={"HX-Request": "true"}),
        post(admin, url(service, action), {"kind": "roaming", "mex_status": "out"}),
    ):
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert "finns inte" in text or "inga datapaket" in text
    assert snapshot() == before
    assert f'href="/services/{service.id}/{action}"' not in admin.get(
        f"/services/{service.id}"
    ).get_data(as_text=True)


def test_terminated_service_offers_only_a_ticket(admin):
    service = demo_service("mobile", status="terminated")
    before = snapshot()
    response = post(admin, url(service, "terminate"), {"end_date": TODAY.isoformat()})
    assert response.status_code == 403
    assert "kan inte användas när tjänsten har status Avslutad" in response.get_data(as_text=True)
    response = post(admin, url(service, "barrings"), {"kind": "roaming"})
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "action, data",
    [
        ("move", {"account": "1", "start_date": "2030-01-01"}),
        ("sim", {"method": "customer"}),
        ("external-username", {"external_username": "x"}),
        ("lost-sim", {}),
    ],
)
def test_action_without_permission_is_refused(demo_client, login, action, data):
    login(demo_client, "konto@a3demo.se")  # no move, hardware, allocate or external user names
    sub1 = Account.get(Account.customer_number == "99500852")
    service = demo_service("mobile", account=sub1.id)
    before = snapshot()
    response = post(demo_client, url(service, action), data)
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.get_data(as_text=True)
    assert snapshot() == before
    page = demo_client.get(f"/services/{service.id}").get_data(as_text=True)
    assert f'/services/{service.id}/{action}"' not in page


def test_service_outside_scope_answers_404(demo_client, login):
    login(demo_client, "konto@a3demo.se")
    top = a3().top_account()
    service = demo_service("mobile", account=top.id)
    before = snapshot()
    assert post(demo_client, url(service, "user-name"), {"user_name": "x"}).status_code == 404
    login(demo_client, "admin@norrbygg.se")
    assert post(demo_client, url(service, "barrings"), {"kind": "roaming"}).status_code == 404
    assert snapshot() == before


def test_hidden_service_answers_404(admin):
    hidden = Service.get(Service.hidden == True)  # noqa: E712
    assert admin.get(f"/services/{hidden.id}").status_code == 404
    assert post(admin, url(hidden, "terminate"), {"end_date": TODAY.isoformat()}).status_code == 404


def test_user_without_services_view_is_refused(demo_client, login):
    login(demo_client, "faktura@a3demo.se")
    service = demo_service("mobile")
    before = snapshot()
    assert demo_client.get(f"/services/{service.id}").status_code == 403
    assert post(demo_client, url(service, "user-name"), {"user_name": "x"}).status_code == 403
    assert snapshot() == before


def test_post_without_csrf_token_changes_nothing(admin):
    service = demo_service("mobile")
    before = snapshot()
    response = admin.post(url(service, "user-name"), data={"user_name": "x"}, csrf=False)
    assert response.status_code == 400
    assert snapshot() == before


def test_a_backend_may_refuse_and_nothing_is_saved(demo_app, admin):
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_actions_refusals:RefusingBackend"
    service = demo_service("mobile")
    before = snapshot()
    response = post(admin, url(service, "barrings"), {"kind": "roaming"})
    assert_refused_in_dialog(response, "Nätet svarar inte", before)


def test_a_backend_may_carry_out_pending_kinds_at_once(demo_app, admin):
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_actions_refusals:EagerBackend"
    service = demo_service("mobile")
    end = TODAY + dt.timedelta(days=30)
    post(admin, url(service, "terminate"), {"end_date": end.isoformat()})
    assert_recorded(service, "termination", "terminate", "completed")
    service = reload(service)
    assert (service.status, service.end_date) == ("terminating", end)


class RefusingBackend:
    def submit(self, order, change):
        from domain.provisioning import ProvisioningError

        raise ProvisioningError("Nätet svarar inte just nu, försök igen om en stund.")


class EagerBackend:
    def submit(self, order, change):
        return True
