"""Every service action (SRV-3, SRV-4): a valid request changes exactly what
it should and is recorded (Order + AuditLog); an invalid one is refused with
a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from database import write_tx
from domain import service_actions as sa
from models import (
    AuditLog,
    Barring,
    CallForwarding,
    SimCard,
)
from tests.services_fixtures import (
    a3,
    assert_recorded,
    assert_refused_in_dialog,
    demo_service,
    icc,
    last_order,
    payload,
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


# ----------------------------------------------------------------- Användare (pencil)


def test_user_name_changes_the_name_and_closes_the_dialog(admin):
    service = demo_service("mobile")
    response = admin.get(url(service, "user-name"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Ändra användare" in response.get_data(as_text=True)
    response = post(admin, url(service, "user-name"), {"user_name": "Berit Ek"})
    assert response.status_code == 200
    assert response.get_data() == b""
    events = json.loads(response.headers["HX-Trigger"])
    assert events["closeDialog"] is True and events["serviceChanged"] == service.id
    assert reload(service).user_name == "Berit Ek"
    assert_recorded(service, "setting", "user_name", "completed")
    entry = AuditLog.select().where(AuditLog.action == "service.user_name").get()
    assert json.loads(entry.before) == {"user_name": service.user_name}
    assert json.loads(entry.after) == {"user_name": "Berit Ek"}


@pytest.mark.parametrize(
    "value, message", [("", "Ange användarens namn."), ("x" * 101, "Högst 100 tecken.")]
)
def test_user_name_invalid(admin, value, message):
    service = demo_service("mobile")
    before = snapshot()
    assert_refused_in_dialog(
        post(admin, url(service, "user-name"), {"user_name": value}), message, before
    )


def test_without_htmx_a_valid_change_redirects_back(admin):
    service = demo_service("mobile")
    response = post(admin, url(service, "user-name"), {"user_name": "Utan Htmx"}, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/services/{service.id}")
    assert reload(service).user_name == "Utan Htmx"


def test_without_htmx_a_dialog_is_a_page_of_its_own(admin):
    service = demo_service("mobile")
    text = admin.get(url(service, "user-name")).get_data(as_text=True)
    assert "<html" in text and f'action="/services/{service.id}/user-name"' in text
    assert f'href="/services/{service.id}" class="button cancel"' in text


# ----------------------------------------------------------------- Externt användarnamn


def test_external_username(admin):
    service = demo_service("mobile")
    post(admin, url(service, "external-username"), {"external_username": "crm-4711"})
    assert reload(service).external_username == "crm-4711"
    assert_recorded(service, "setting", "external_username", "completed")


def test_external_username_invalid(admin):
    service = demo_service("mobile")
    before = snapshot()
    response = post(admin, url(service, "external-username"), {"external_username": "a b"})
    assert_refused_in_dialog(response, "får inte innehålla mellanslag", before)


# ----------------------------------------------------------------- Mobilspärrar


def test_barring_add_and_remove(admin):
    service = demo_service("mobile")
    assert not Barring.select().where(Barring.service == service.id).exists()
    response = post(admin, url(service, "barrings"), {"kind": "roaming"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Klart: Lägg till spärr: Roaming." in text  # the dialog stays open
    assert json.loads(response.headers["HX-Trigger"]) == {
        "showMessage": "Spärren Roaming är tillagd.",
        "serviceChanged": service.id,
    }
    post(admin, url(service, "barrings"), {"kind": "international"})
    kinds = {b.kind for b in Barring.select().where(Barring.service == service.id)}
    assert kinds == {"roaming", "international"}  # several at once
    assert_recorded(service, "barring", "barring_add", "completed")

    roaming = Barring.get((Barring.service == service.id) & (Barring.kind == "roaming"))
    post(admin, url(service, "barrings/remove"), {"barring": roaming.id})
    kinds = {b.kind for b in Barring.select().where(Barring.service == service.id)}
    assert kinds == {"international"}
    assert_recorded(service, "barring", "barring_remove", "completed")


@pytest.mark.parametrize(
    "kind, message",
    [("international", "redan aktiv"), ("teleport", "Välj en spärr i listan.")],
)
def test_barring_add_invalid(admin, kind, message):
    service = demo_service("mobile")
    with write_tx():
        Barring.create(service=service, kind="international")
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "barrings"), {"kind": kind}), message, before)


def test_mobile_broadband_offers_only_the_roaming_barring(admin):
    service = demo_service("mbb")
    text = admin.get(url(service, "barrings"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'value="roaming"' in text and 'value="incoming"' not in text
    before = snapshot()
    response = post(admin, url(service, "barrings"), {"kind": "incoming"})
    assert_refused_in_dialog(response, "Välj en spärr i listan.", before)


def test_pbx_user_barring_dialog_points_to_the_switchboard(admin):
    service = demo_service("mobile_pbx")
    text = admin.get(url(service, "barrings"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "växelgränssnittet" in text


# ----------------------------------------------------------------- Vidarekopplingar


def test_forwardings_set_and_clear(admin):
    service = demo_service("mobile")
    response = post(
        admin,
        url(service, "forwardings"),
        {
            "busy_target": "+46 70-123 45 67",
            "no_answer_target": "0906953200",
            "no_answer_seconds": "20",
        },
    )
    assert response.status_code == 200
    rows = {f.kind: f for f in CallForwarding.select().where(CallForwarding.service == service.id)}
    assert set(rows) == {"busy", "no_answer"}
    assert rows["busy"].target == "0701234567"
    assert rows["no_answer"].ring_seconds == 20
    assert_recorded(service, "forwarding", "forwarding", "completed")
    empty = dict.fromkeys(
        [
            "direct_target",
            "unavailable_target",
            "busy_target",
            "no_answer_target",
            "no_answer_seconds",
        ],
        "",
    )
    post(admin, url(service, "forwardings"), empty)
    assert not CallForwarding.select().where(CallForwarding.service == service.id).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"direct_target": "12ab"}, "Ange ett giltigt telefonnummer"),
        ({"busy_target": "070"}, "Ange ett giltigt telefonnummer"),
        (
            {"no_answer_target": "0701234567", "no_answer_seconds": "200"},
            "Ange ringtiden i sekunder, 5–60.",
        ),
        ({"no_answer_target": "0701234567"}, "Ange ringtiden i sekunder"),
    ],
)
def test_forwardings_invalid(admin, data, message):
    service = demo_service("mobile")
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "forwardings"), data), message, before)


def test_forwarding_to_own_number_is_refused(admin):
    service = demo_service("mobile")
    before = snapshot()
    response = post(admin, url(service, "forwardings"), {"direct_target": service.number})
    assert_refused_in_dialog(response, "sitt eget nummer", before)


# ----------------------------------------------------------------- Ersätt SIM-kort


def test_customer_placed_sim_is_activated_at_once(admin):
    service = demo_service("mobile")
    old = sa.active_sim(service)
    new_icc = icc("894601999")
    response = post(
        admin,
        url(service, "sim"),
        {"method": "customer", "msisdn": service.number, "icc": new_icc},
    )
    text = response.get_data(as_text=True)
    assert "Sätt i det nya SIM-kortet" in text and "starta om" in text
    assert sa.active_sim(service).icc == new_icc
    assert SimCard.get_by_id(old.id).status == "replaced"
    assert_recorded(service, "sim_swap", "sim_customer", "completed")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("icc", "8946010000000000001", "giltig kontrollsiffra"),
        ("icc", "89460100", "19 siffror"),
        ("msisdn", "0701", "Ange ett giltigt telefonnummer"),
        ("msisdn", "0709999999", "Msisdn ska vara tjänstens nummer"),
    ],
)
def test_customer_placed_sim_invalid(admin, field, value, message):
    service = demo_service("mobile")
    data = {"method": "customer", "msisdn": service.number, "icc": icc("894601999")}
    data[field] = value
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "sim"), data), message, before)


def test_icc_of_another_service_is_refused(admin):
    service = demo_service("mobile")
    other = sa.active_sim(demo_service("mbb"))
    data = {"method": "customer", "msisdn": service.number, "icc": other.icc}
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "sim"), data), "används redan", before)


def test_send_new_physical_sim_waits_for_staff(admin):
    service = demo_service("mobile")
    old = sa.active_sim(service)
    form = {
        "method": "send",
        "sim_type": "physical",
        "delivery_name": "A3 Demo Connect",
        "delivery_street": "Gata 1",
        "delivery_postcode": "901 55",
        "delivery_city": "Umeå",
    }
    response = post(admin, url(service, "sim"), form)
    text = response.get_data(as_text=True)
    assert "är mottagen" in text and "starta om" in text
    order = assert_recorded(service, "sim_swap", "sim_send", "received")
    assert payload(order)["delivery_postcode"] == "90155"
    assert sa.active_sim(service).id == old.id  # nothing changes until staff complete it


def test_sim_dialog_defaults_to_the_company_delivery_address(admin):
    service = demo_service("mobile")
    response = post(
        admin, url(service, "sim"), {"method": "send", "sim_type": "physical", "refresh": "1"}
    )
    text = response.get_data(as_text=True)
    profile = a3().profile()
    assert (
        f'value="{profile.delivery_street}"' in text and f'value="{profile.delivery_city}"' in text
    )
    assert last_order(service) is None or last_order(service).type != "sim_swap"


@pytest.mark.parametrize(
    "form, message",
    [
        ({"method": "send", "sim_type": "esim", "email": "inte-en-adress"}, "giltig e-postadress"),
        ({"method": "send", "sim_type": ""}, "Välj typ av SIM-kort."),
        ({"method": "send", "sim_type": "physical", "delivery_name": "A", "delivery_street": "B",
          "delivery_postcode": "123", "delivery_city": "C"}, "Postnumret ska vara fem siffror"),
        ({"method": ""}, "Välj metod."),
    ],
)  # fmt: skip
def test_send_new_sim_invalid(admin, form, message):
    service = demo_service("mobile")
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "sim"), form), message, before)


def test_esim_goes_to_an_email_address(admin):
    service = demo_service("mobile")
    post(
        admin, url(service, "sim"), {"method": "send", "sim_type": "esim", "email": "it@a3demo.se"}
    )
    order = assert_recorded(service, "sim_swap", "sim_send", "received")
    assert payload(order)["email"] == "it@a3demo.se" and payload(order)["sim_type"] == "esim"


def test_sim_methods_follow_the_two_permissions(demo_client, login):
    from tests.services_fixtures import add_user

    service = demo_service("mobile")
    user = add_user(a3(), a3().top_account(), {"services.view", "services.allocate_sim"})
    login(demo_client, user.username)
    text = demo_client.get(url(service, "sim"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'value="customer"' in text and 'value="send"' not in text
    before = snapshot()
    response = post(
        demo_client, url(service, "sim"), {"method": "send", "sim_type": "esim", "email": "a@b.se"}
    )
    assert_refused_in_dialog(response, "behörighet att beställa nya SIM-kort", before)
