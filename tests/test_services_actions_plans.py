"""Service actions that change the subscription itself (SRV-3): Ändra tjänst,
Flytta till annat konto, Fyll på data and Avsluta tjänst; valid requests are
recorded (Order + AuditLog), invalid ones refused with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest

from database import write_tx
from domain import service_actions as sa
from models import (
    Account,
    MonthlyUsage,
    Organisation,
    Product,
    Service,
    ServiceLine,
    TopUp,
)
from tests.services_fixtures import (
    a3,
    assert_recorded,
    assert_refused_in_dialog,
    demo_service,
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
