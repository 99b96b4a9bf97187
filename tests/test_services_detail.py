"""The detail page of every kind of service (SRV-2) with the demo data."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain import service_actions as sa
from domain.numbers import format_phone
from models import Account, Barring, Service, SimCard
from tables.services import SERVICE_KINDS
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.services_fixtures import HX, a3, demo_service


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


def page(client, service) -> str:
    """The service's page, its no-break spaces (in numbers, amounts) as spaces."""
    response = client.get(f"/services/{service.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\u00a0", " ")


@pytest.mark.parametrize("kind", list(SERVICE_KINDS))
def test_every_kind_renders_with_the_demo_data(admin, kind):
    service = demo_service(kind)
    assert service is not None, f"the demo data has no {kind}"
    text = page(admin, service)
    assert f"Tjänst: {format_phone(service.number)}" in text
    for heading in (
        "Abonnemangsinformation",
        "Tjänstespecifikation",
        "Åtgärder",
        "Avtal och villkor",
    ):
        assert heading in text
    assert "Avsluta tjänst" in text and "Skapa ärende" in text
    assert 'style="' not in text and "<script>" not in text  # strict CSP


def test_mobile_page_has_every_section(admin):
    service = demo_service("mobile")
    text = page(admin, service)
    for heading in (
        "SIM-kort", "IMSI", "ICC", "PIN", "PUK", "Förbrukning och trender", "Samtal/SMS",
        "Teletrend", "Datatrend", "Kvarvarande data", "Enhetsinformation", "IMEI",
        "Aktiva spärrar", "Aktiva vidarekopplingar", "Tilläggstjänster", "Startpaket",
        "Datapaket", "Total:", "Fakturor", "Beställningar och ändringar", "Ärenden",
    ):  # fmt: skip
        assert heading in text, heading
    assert re.search(r"\d+,\d\d GB av \d+,\d\d GB kvar", text)
    assert text.count("<svg") >= 3  # trend charts, server-rendered
    sim = sa.active_sim(service)
    assert sim.icc in text and sim.puk in text


def test_empty_texts_and_green_add_icons(admin):
    service = demo_service("mobile")
    with write_tx():
        Barring.delete().where(Barring.service == service.id).execute()
    text = page(admin, service)
    assert "Detta abonnemang har inga aktiva spärrar." in text
    assert "Detta abonnemang har inga aktiva vidarekopplingar." in text
    assert f'class="add-icon" href="/services/{service.id}/barrings"' in text
    assert f'class="add-icon" href="/services/{service.id}/forwardings"' in text


def test_active_barrings_are_listed(admin):
    service = Service.get_by_id(Barring.select().first().service_id)
    kinds = {b.kind for b in Barring.select().where(Barring.service == service.id)}
    text = page(admin, service)
    from tables.services import BARRING_KINDS

    for kind in kinds:
        assert BARRING_KINDS[kind] in text


def test_pin_is_hidden_when_the_user_changed_it(admin):
    service = demo_service("mobile")
    sim = sa.active_sim(service)
    with write_tx():
        SimCard.update(pin="9876", pin_changed=True).where(SimCard.id == sim.id).execute()
    text = page(admin, service)
    # The PIN's own field: "9876" may turn up inside another number of the day's demo data.
    shown = re.search(r"<dt>PIN</dt><dd>(.*?)</dd>", text).group(1)
    assert "9876" not in shown and "Ändrad av användaren" in shown


def test_pbx_user_shows_mobile_and_fixed_numbers_and_switchboard(admin):
    from models import PhoneNumber

    fixed = (
        PhoneNumber.select()
        .where(PhoneNumber.number_type == "fixed")
        .join(Service)
        .where(Service.kind == "mobile_pbx")
        .first()
    )
    service = Service.get_by_id(fixed.service_id)
    text = page(admin, service)
    assert format_phone(service.number) in text and format_phone(fixed.number) in text
    assert "(fast)" in text
    assert "Växel" in text and "växeln" in text


def test_account_link_uses_the_accounts_page_when_installed(admin):
    service = demo_service("mobile")
    text = page(admin, service)
    assert service.account.company_name in text
    from flask import current_app

    if "accounts.detail" in current_app.view_functions:
        assert f'href="/accounts/{service.account_id}' in text


def test_broadband_has_monitoring_graph(admin):
    text = page(admin, demo_service("broadband"))
    assert "Övervakning" in text and "<polyline" in text and "Mbit/s" in text
    assert "Hastighet" in text


def test_capacity_without_samples_has_no_graph(admin):
    from models import MonitoringSample

    service = demo_service("capacity")
    with write_tx():
        MonitoringSample.delete().where(MonitoringSample.service == service.id).execute()
    text = page(admin, service)
    assert "Övervakning" not in text and "Tjänstespecifikation" in text


def test_cloud_pbx_shows_numbers_and_users(admin):
    service = demo_service("cloud_pbx")
    text = page(admin, service)
    assert "Anslutna nummer" in text and "090-695 32 00" in text
    assert "Växelanvändare" in text
    member = Service.get(Service.parent == service.id)
    assert f'href="/services/{member.id}"' in text


def test_sip_trunk_shows_numbers_and_main_number(admin):
    text = page(admin, demo_service("sip_trunk"))
    assert "Huvudnummer" in text and "090-695 31 00" in text and "Nummer i trunken" in text


def test_number_series_shows_its_range(admin):
    text = page(admin, demo_service("number_series"))
    assert "090-695 30 00" in text and "090-695 30 99" in text and ">100<" in text


def test_hosting_has_its_basic_view(admin):
    text = page(admin, demo_service("hosting"))
    assert "Hosting" in text and "HOST-a3demo.se" in text


def test_related_invoices_are_the_services_invoices(admin):
    service = demo_service("mobile")
    text = page(admin, service)
    from models import Invoice, InvoiceLine

    invoice = Invoice.get_by_id(InvoiceLine.get(InvoiceLine.service == service.id).invoice_id)
    assert invoice.number in text
    other = (
        InvoiceLine.select()
        .where(
            (InvoiceLine.service != service.id)
            & InvoiceLine.invoice.not_in(
                InvoiceLine.select(InvoiceLine.invoice).where(InvoiceLine.service == service.id)
            )
        )
        .first()
    )
    if other is not None:
        assert other.invoice.number not in text


def test_htmx_refresh_gets_the_body_only(admin):
    service = demo_service("mobile")
    response = admin.get(f"/services/{service.id}", headers=HX)
    text = response.get_data(as_text=True)
    assert "<html" not in text and 'id="service-detail"' in text
    assert "HX-Request" in response.headers["Vary"]


def test_action_menu_follows_permissions(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)  # services.addons and orders.create, no hardware or move
    sub1 = Account.get(Account.customer_number == "99500852")
    service = demo_service("mobile", account=sub1.id)
    text = page(demo_client, service)
    menu = text[text.index('id="actions-title"') :]
    for shown in (
        "Mobilspärrar",
        "Vidarekopplingar",
        "Ändra tjänst",
        "Fyll på data",
        "Avsluta tjänst",
    ):
        assert shown in menu
    for hidden in (
        "Ersätt SIM-kort",
        "Flytta till annat konto",
        "Externt användarnamn",
        "Spärra förlorat",
    ):
        assert hidden not in menu


def test_related_lists_follow_permissions(demo_client, login):
    from tests.services_fixtures import add_user

    user = add_user(a3(), a3().top_account(), {"services.view"})
    login(demo_client, user.username)
    text = page(demo_client, demo_service("mobile"))
    assert "Fakturor" not in text and "Beställningar och ändringar" not in text
    menu = text[text.index('id="actions-title"') :]
    assert "Det finns inga åtgärder" in menu


def test_other_organisation_gets_404(demo_client, login):
    login(demo_client, OTHER_ORG_ADMIN)
    assert demo_client.get(f"/services/{demo_service('mobile').id}").status_code == 404


def test_account_admin_gets_404_outside_their_subtree(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    top = a3().top_account()
    assert (
        demo_client.get(f"/services/{demo_service('mobile', account=top.id).id}").status_code == 404
    )


def test_terminating_service_shows_its_end_date(admin):
    service = demo_service("mobile", status="terminating")
    text = page(admin, service)
    assert "Uppsagd" in text and f"t.o.m. {service.end_date.isoformat()}" in text


def test_contract_terms_are_shown(admin):
    service = demo_service("cloud_pbx")
    text = page(admin, service)
    assert f"t.o.m. {service.binding_end.isoformat()}" in text
    assert "3 månader" in text and "RA-2023-0147" in text
