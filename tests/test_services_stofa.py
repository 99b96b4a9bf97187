"""Stofa's mobile administration (SRV-4): spending limits, options, add-ons,
auto-upgrade, lost SIM, caller ID, invoice text, profile and MEX status."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import service_actions as sa
from models import (
    Order,
    ServiceAddon,
    SimCard,
    SpendingLimit,
)
from tests.services_fixtures import (
    assert_recorded,
    assert_refused_in_dialog,
    demo_service,
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


# ----------------------------------------------------------------- Mobiladministration (SRV-4)


def test_spending_limits(admin):
    service = demo_service("mobile")
    dialog = admin.get(url(service, "limits"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "upp till 4 timmar" in dialog
    post(admin, url(service, "limits"), {"call_limit": "500", "data_limit": "2,5"})
    limits = {x.kind: x for x in SpendingLimit.select().where(SpendingLimit.service == service.id)}
    assert limits["call"].amount_ore == 50000 and limits["call"].active
    assert limits["data"].data_mb == 2560 and limits["data"].active
    assert_recorded(service, "setting", "limits", "completed")
    post(admin, url(service, "limits"), {"call_limit": "", "data_limit": ""})
    assert (
        not SpendingLimit.select()
        .where(
            (SpendingLimit.service == service.id) & (SpendingLimit.active == True)  # noqa: E712
        )
        .exists()
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"call_limit": "abc"}, "Ange samtalsgränsen i hela kronor"),
        ({"data_limit": "mycket"}, "Ange mängden i GB"),
        ({"data_limit": "5000"}, "Ange mellan 0,1 och 1000 GB."),
    ],
)
def test_spending_limits_invalid(admin, data, message):
    service = demo_service("mobile")
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "limits"), data), message, before)


def test_options(admin):
    service = demo_service("mobile")
    post(admin, url(service, "options"), {"directory_listed": "y", "roaming_data": "y"})
    service = reload(service)
    assert (service.directory_listed, service.roaming_voice, service.roaming_data) == (
        True,
        False,
        True,
    )
    assert_recorded(service, "setting", "options", "completed")


def test_addons_are_ordered_from_the_first_of_the_month(admin):
    service = demo_service("mobile")
    current = sa.current_addon_codes(service)
    wanted = sorted(set(current) | {"ADD-TWIN"})
    dialog = admin.get(url(service, "addons"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert sa.first_of_month(TODAY).isoformat() in dialog
    response = post(admin, url(service, "addons"), {"addons": wanted})
    assert "är mottagen" in response.get_data(as_text=True)
    order = assert_recorded(service, "addon", "addons", "received")
    assert payload(order)["add"] == ["ADD-TWIN"]
    assert payload(order)["effective"] == sa.first_of_month(TODAY).isoformat()
    assert not ServiceAddon.select().where(ServiceAddon.service == service.id).exists()


@pytest.mark.parametrize(
    "codes, message", [(["DATA-5"], "Välj bland tilläggsabonnemangen"), (None, "Inga ändringar")]
)
def test_addons_invalid(admin, codes, message):
    service = demo_service("mobile")
    codes = codes if codes is not None else sa.current_addon_codes(service)
    before = snapshot()
    assert_refused_in_dialog(
        post(admin, url(service, "addons"), {"addons": codes}), message, before
    )


def test_auto_upgrade(admin):
    service = demo_service("mobile")
    post(admin, url(service, "auto-upgrade"), {"auto_upgrade": "y"})
    assert reload(service).auto_upgrade is True
    assert_recorded(service, "setting", "auto_upgrade", "completed")


def test_lost_sim_blocks_and_orders_a_new_one(admin):
    service = demo_service("mobile")
    sim = sa.active_sim(service)
    form = {"order_new": "y", "delivery_name": "A3", "delivery_street": "Gata 1",
            "delivery_postcode": "90155", "delivery_city": "Umeå"}  # fmt: skip
    response = post(admin, url(service, "lost-sim"), form)
    assert "Nytt SIM-kort beställt" in response.get_data(as_text=True)
    assert SimCard.get_by_id(sim.id).status == "blocked"
    assert reload(service).status == "barred"
    orders = list(Order.select().where(Order.service == service.id).order_by(Order.id))
    assert [(o.type, o.status) for o in orders[-2:]] == [
        ("lost_sim", "completed"),
        ("sim_swap", "received"),
    ]
    assert payload(orders[-1])["after_lost_sim"] is True


def test_lost_sim_with_bad_address_changes_nothing(admin):
    service = demo_service("mobile")
    form = {"order_new": "y", "delivery_name": "A3", "delivery_street": "Gata 1",
            "delivery_postcode": "9", "delivery_city": "Umeå"}  # fmt: skip
    before = snapshot()
    assert_refused_in_dialog(post(admin, url(service, "lost-sim"), form), "Postnumret", before)


def test_caller_id(admin):
    service = demo_service("mobile")
    post(admin, url(service, "caller-id"), {"mode": "other", "number": "090-695 32 00"})
    assert reload(service).caller_id == "0906953200"
    assert_recorded(service, "setting", "caller_id", "completed")
    post(admin, url(service, "caller-id"), {"mode": "hidden"})
    assert reload(service).caller_id_hidden is True


@pytest.mark.parametrize(
    "number, message",
    [("0812345678", "organisations egna nummer"), ("abc", "Ange ett giltigt telefonnummer")],
)
def test_caller_id_invalid(admin, number, message):
    service = demo_service("mobile")
    before = snapshot()
    response = post(admin, url(service, "caller-id"), {"mode": "other", "number": number})
    assert_refused_in_dialog(response, message, before)


def test_invoice_text(admin):
    service = demo_service("broadband")
    post(admin, url(service, "invoice-text"), {"invoice_text": "Projekt Syd"})
    assert reload(service).invoice_text == "Projekt Syd"
    before = snapshot()
    response = post(admin, url(service, "invoice-text"), {"invoice_text": "x" * 51})
    assert_refused_in_dialog(response, "Högst 50 tecken.", before)


def test_profile(admin):
    service = demo_service("mobile")
    data = {"profile_name": "Anna Lind", "profile_address": "Gata 1, 90155 Umeå",
            "profile_user_email": "anna@a3demo.se", "profile_admin_email": "it@a3demo.se"}  # fmt: skip
    post(admin, url(service, "profile"), data)
    service = reload(service)
    assert service.profile_user_email == "anna@a3demo.se" and service.profile_name == "Anna Lind"
    before = snapshot()
    response = post(admin, url(service, "profile"), {**data, "profile_admin_email": "it@"})
    assert_refused_in_dialog(response, "Ange en giltig e-postadress.", before)


def test_mex_status_for_pbx_users(admin):
    service = demo_service("mobile_pbx")
    post(admin, url(service, "mex"), {"mex_status": "out"})
    assert reload(service).mex_status == "out"
    assert_recorded(service, "setting", "mex", "completed")
