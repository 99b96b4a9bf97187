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
    Account,
    AuditLog,
    Barring,
    CallForwarding,
    MonthlyUsage,
    Organisation,
    Product,
    Service,
    ServiceLine,
    SimCard,
    TopUp,
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


# ----------------------------------------------------------------- Ändra tjänst


def test_change_service_in_two_steps(admin):
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    line = sa.current_data_line(service)
    target = "DATA-15" if line.product.code != "DATA-15" else "DATA-10"
    step1 = post(
        admin,
        url(service, "change"),
        {"price_plan": "PL-FAST", "data_package": target, "refresh": "1"},
    )
    assert "Månadskostnad" in step1.get_data(as_text=True)
    step2 = post(
        admin,
        url(service, "change"),
        {"price_plan": "PL-FAST", "data_package": target, "step": "choose"},
    )
    text = step2.get_data(as_text=True)
    assert "Önskad aktivering" in text and 'name="step" value="confirm"' in text
    assert last_order(service) is None or last_order(service).type != "change"
    desired = TODAY + dt.timedelta(days=3)
    response = post(
        admin,
        url(service, "change"),
        {
            "price_plan": "PL-FAST",
            "data_package": target,
            "step": "confirm",
            "desired_date": desired.isoformat(),
        },
    )
    assert "är mottagen" in response.get_data(as_text=True)
    order = assert_recorded(service, "change", "change_service", "received")
    assert order.desired_date == desired
    assert [line.name for line in order.lines] == [
        "Fastpris",
        Product.get(Product.code == target).name,
    ]
    assert sa.current_data_line(service).product.code == line.product.code  # not yet


def test_change_shows_new_costs(admin):
    service = demo_service("mobile")
    response = post(
        admin,
        url(service, "change"),
        {"price_plan": "PL-UTLAND", "data_package": "DATA-10", "refresh": "1"},
    )
    text = response.get_data(as_text=True)
    preview = sa.change_preview(service, "PL-UTLAND", "DATA-10")
    from web.formatting import kr

    assert kr(preview["monthly"]) in text
    assert "Startkostnad" in text and "Bindningstid" in text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"data_package": "DATA-99"}, "Välj ett datapaket i listan."),
        ({"price_plan": "MOB-FAST"}, "Välj en prislista i listan."),
        (
            {"desired_date": (TODAY - dt.timedelta(days=1)).isoformat()},
            "Datumet har redan passerat.",
        ),
        ({"desired_date": "idag"}, "Ange datum som ÅÅÅÅ-MM-DD."),
        ({"desired_date": ""}, "Ange datum för önskad aktivering."),
    ],
)
def test_change_service_invalid(admin, data, message):
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    current = sa.current_data_line(service).product.code
    form = {
        "price_plan": "PL-FAST",
        "data_package": "DATA-15" if current != "DATA-15" else "DATA-10",
        "step": "confirm",
        "desired_date": TODAY.isoformat(),
    }
    form.update(data)
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "change"), form), message, before)


def test_change_to_the_same_is_refused(admin):
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    current = sa.current_data_line(service).product.code
    before = snapshot()
    response = post(
        admin,
        url(service, "change"),
        {"price_plan": "PL-FAST", "data_package": current, "step": "choose"},
    )
    assert_refused_in_dialog(response, "Välj ett annat datapaket", before)


def test_downgrade_inside_binding_is_explained_and_held_to_its_end(admin):
    service = demo_service("mobile", price_plan=Product.get(Product.code == "PL-FAST").id)
    ten = Product.get(Product.code == "DATA-10")
    binding_end = TODAY + dt.timedelta(days=60)
    with write_tx():
        ServiceLine.update(product=ten, name=ten.name).where(
            (ServiceLine.service == service.id) & (ServiceLine.section == "data")
        ).execute()
        Service.update(binding_end=binding_end).where(Service.id == service.id).execute()
    step1 = post(
        admin,
        url(service, "change"),
        {"price_plan": "PL-FAST", "data_package": "DATA-5", "refresh": "1"},
    )
    text = step1.get_data(as_text=True)
    assert "lägre datapaket" in text and binding_end.isoformat() in text
    before = snapshot()
    response = post(
        admin,
        url(service, "change"),
        {
            "price_plan": "PL-FAST",
            "data_package": "DATA-5",
            "step": "confirm",
            "desired_date": TODAY.isoformat(),
        },
    )
    earliest = (binding_end + dt.timedelta(days=1)).isoformat()
    assert_refused_in_dialog(response, f"tidigast aktiveras {earliest}", before)
    post(
        admin,
        url(service, "change"),
        {
            "price_plan": "PL-FAST",
            "data_package": "DATA-5",
            "step": "confirm",
            "desired_date": earliest,
        },
    )
    assert_recorded(service, "change", "change_service", "received")


# ----------------------------------------------------------------- Flytta till annat konto


def test_move_to_another_account(admin):
    service = demo_service("mobile")
    target = Account.get(Account.customer_number == "23080667")
    earliest = sa.first_of_next_month(TODAY)
    dialog = admin.get(url(service, "move"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"tidigast {earliest.isoformat()}" in dialog
    response = post(
        admin, url(service, "move"), {"account": target.id, "start_date": earliest.isoformat()}
    )
    assert "är mottagen" in response.get_data(as_text=True)
    order = assert_recorded(service, "move", "move", "received")
    assert payload(order)["account_id"] == target.id and order.desired_date == earliest
    assert reload(service).account_id == service.account_id  # moves when staff carry it out


@pytest.mark.parametrize(
    "which, start, message",
    [
        ("other_org", "earliest", "Kontot finns inte bland de konton du kan flytta till."),
        ("inactive", "earliest", "Kontot finns inte bland de konton du kan flytta till."),
        ("own", "earliest", "Kontot finns inte bland de konton du kan flytta till."),
        ("sub", "today", "Tidigast "),
        ("sub", "1999-01-01", "Tidigast "),
    ],
)
def test_move_invalid(admin, which, start, message):
    service = demo_service("mobile")
    accounts = {
        "other_org": Organisation.get(Organisation.name == "Norrlandsbygg AB").top_account(),
        "inactive": Account.get(Account.customer_number == "23085441"),
        "own": service.account,
        "sub": Account.get(Account.customer_number == "23080667"),
    }
    day = {"earliest": sa.first_of_next_month(TODAY).isoformat(), "today": TODAY.isoformat()}.get(
        start, start
    )
    if sa.first_of_next_month(TODAY) == TODAY and start == "today":
        pytest.skip("today is the first of the month")
    before = snapshot()
    response = post(admin, url(service, "move"), {"account": accounts[which].id, "start_date": day})
    assert_refused_in_dialog(response, message, before)


def test_move_rule_is_a_setting(demo_app, admin):
    demo_app.config["SERVICE_MOVE_EARLIEST"] = "today"
    service = demo_service("mobile")
    target = Account.get(Account.customer_number == "23080667")
    post(admin, url(service, "move"), {"account": target.id, "start_date": TODAY.isoformat()})
    assert_recorded(service, "move", "move", "received")


def test_account_admin_can_only_move_within_their_subtree(demo_client, login):
    from tests.services_fixtures import add_user

    sub1 = Account.get(Account.customer_number == "99500852")
    user = add_user(a3(), sub1, {"services.view", "services.move"})
    login(demo_client, user.username)
    service = demo_service("mobile", account=sub1.id)
    text = demo_client.get(url(service, "move"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "23080667" in text and "99012615" not in text
    before = snapshot()
    response = post(
        demo_client,
        url(service, "move"),
        {"account": a3().top_account().id, "start_date": sa.first_of_next_month(TODAY).isoformat()},
    )
    assert_refused_in_dialog(response, "Kontot finns inte bland", before)


# ----------------------------------------------------------------- Fyll på data


def test_topup_adds_data_for_this_month(admin):
    service = demo_service("mobile")
    month = sa.first_of_month(TODAY)
    usage = MonthlyUsage.get((MonthlyUsage.service == service.id) & (MonthlyUsage.month == month))
    text = admin.get(url(service, "topup"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Topup 1GB 60,00 kr" in text and "Topup Surfpott Utomlands B 499,00 kr" in text
    post(admin, url(service, "topup"), {"product": "TOP-3"})
    topup = TopUp.get(TopUp.service == service.id)
    assert (topup.month, topup.data_mb, topup.price_ore) == (month, 3072, 10000)
    assert MonthlyUsage.get_by_id(usage.id).topup_mb == usage.topup_mb + 3072
    order = assert_recorded(service, "topup", "topup", "completed")
    assert [(line.name, line.start_ore) for line in order.lines] == [("Topup 3GB", 10000)]


def test_topup_invalid_product(admin):
    service = demo_service("mobile")
    before = snapshot()
    assert_refused_in_dialog(
        post(admin, url(service, "topup"), {"product": "DATA-5"}), "Välj ett datapaket", before
    )


# ----------------------------------------------------------------- Avsluta tjänst


def test_terminate_shows_notice_and_waits_for_staff(admin):
    service = demo_service("mobile")
    end = TODAY + dt.timedelta(days=10)
    preview = post(admin, url(service, "terminate"), {"end_date": end.isoformat(), "refresh": "1"})
    until = sa.billed_until(service, end, TODAY)
    assert f"{until.isoformat()}" in preview.get_data(as_text=True)
    response = post(admin, url(service, "terminate"), {"end_date": end.isoformat()})
    assert "är mottagen" in response.get_data(as_text=True)
    order = assert_recorded(service, "termination", "terminate", "received")
    assert payload(order)["billed_until"] == until.isoformat()
    assert reload(service).status == "active"
    before = snapshot()
    again = post(admin, url(service, "terminate"), {"end_date": end.isoformat()})
    assert_refused_in_dialog(again, "Det finns redan en pågående beställning", before)


@pytest.mark.parametrize(
    "value, message",
    [
        ((TODAY - dt.timedelta(days=1)).isoformat(), "Datumet har redan passerat."),
        ("", "Ange önskat tekniskt avslutsdatum."),
        ("2026-02-30", "Datumet finns inte."),
    ],
)
def test_terminate_invalid(admin, value, message):
    service = demo_service("broadband")
    before = snapshot()
    assert_refused_in_dialog(
        post(admin, url(service, "terminate"), {"end_date": value}), message, before
    )


@pytest.mark.parametrize("kind", ["mobile", "broadband", "capacity", "cloud_pbx", "sip_trunk",
                                  "number_series", "hosting", "mbb", "mobile_pbx"])  # fmt: skip
def test_terminate_exists_on_every_kind(admin, kind):
    service = demo_service(kind)
    assert admin.get(url(service, "terminate"), headers={"HX-Request": "true"}).status_code == 200
    text = admin.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Avsluta tjänst" in text and "Skapa ärende" in text


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
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_actions:RefusingBackend"
    service = demo_service("mobile")
    before = snapshot()
    response = post(admin, url(service, "barrings"), {"kind": "roaming"})
    assert_refused_in_dialog(response, "Nätet svarar inte", before)


def test_a_backend_may_carry_out_pending_kinds_at_once(demo_app, admin):
    demo_app.config["PROVISIONING_BACKEND"] = "tests.test_services_actions:EagerBackend"
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
