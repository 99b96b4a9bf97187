"""Tjänster (SRV-1): filters by kind, account and price plan, contract terms
in the export, and Verktyg: find a SIM card by ICC."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from database import write_tx
from domain import service_actions as sa
from domain.numbers import number_query
from models import Product, Service, SimCard
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.services_fixtures import HX, a3, demo_service, icc
from web.formatting import phone


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


def numbers(client, query: str) -> list[str]:
    """The numbers the list shows, as stored ("070-123 45 67" → "0701234567")."""
    import re

    text = client.get(f"/services?{query}&per_page=100", headers=HX).get_data(as_text=True)
    shown = re.findall(r'<td data-label="Nummer"[^>]*><a href="/services/\d+">([^<]+)</a>', text)
    return [number_query(n) or n for n in shown]


def test_filter_by_kind(admin):
    shown = numbers(admin, "f_kind=mbb")
    expected = [
        s.number
        for s in Service.select().where(
            (Service.organisation == a3().id)
            & (Service.kind == "mbb")
            & (Service.status == "active")
            & (Service.hidden == False)  # noqa: E712
        )
    ]
    assert sorted(shown) == sorted(expected) and shown
    text = admin.get("/services").get_data(as_text=True)
    assert "Typ" in text and "Mobilt bredband" in text


def test_filter_by_price_plan(admin):
    service = demo_service("mobile")
    utland = Product.get(Product.code == "PL-UTLAND")
    with write_tx():
        Service.update(price_plan=utland).where(Service.id == service.id).execute()
    assert numbers(admin, "f_plan=PL-UTLAND") == [service.number]
    assert service.number not in numbers(admin, "f_plan=PL-FAST")
    assert "Utlandsprislista Europa" in admin.get("/services?f_plan=PL-UTLAND").get_data(
        as_text=True
    )


def test_unknown_price_plan_is_ignored_and_explained(admin):
    text = admin.get("/services?f_plan=NOPE").get_data(as_text=True)
    assert "Okänt val ignorerades." in text


def test_filter_by_account(admin):
    shown = numbers(admin, "f_account=23080667")
    assert shown and all(
        Service.get(Service.number == n).account.customer_number == "23080667" for n in shown
    )


def test_hidden_services_never_show(admin):
    hidden = Service.get(Service.hidden == True)  # noqa: E712
    assert hidden.number not in numbers(admin, "f_status=")
    export = admin.get("/services?export=xlsx&f_status=")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert hidden.number not in [r[1] for r in rows]


def test_export_has_kind_plan_and_contract_terms(admin):
    export = admin.get("/services?export=xlsx&f_kind=cloud_pbx")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    header = rows[0]
    for label in (
        "Typ",
        "Prislista",
        "Startdatum",
        "Bindningstid t.o.m.",
        "Uppsägningstid (mån)",
        "Slutdatum",
    ):
        assert label in header
    row = dict(zip(header, rows[1], strict=True))
    service = demo_service("cloud_pbx")
    assert row["Typ"] == "Molnväxel"
    assert row["Bindningstid t.o.m."].date() == service.binding_end
    assert row["Uppsägningstid (mån)"] == service.notice_months


def test_terminating_row_shows_its_end_date(admin):
    service = demo_service("mobile", status="terminating")
    text = admin.get("/services?f_status=terminating").get_data(as_text=True)
    assert f'title="Uppsagd t.o.m. {service.end_date.isoformat()}"' in text


def test_verktyg_finds_a_sim_by_icc(admin):
    service = demo_service("mobile")
    sim = sa.active_sim(service)
    assert "Verktyg" in admin.get("/services").get_data(as_text=True)
    text = admin.get(f"/services/sim-search?icc={sim.icc}", headers=HX).get_data(as_text=True)
    assert "<html" not in text
    assert sim.icc in text and phone(service.number) in text
    assert f'href="/services/{service.id}"' in text
    part = admin.get(f"/services/sim-search?icc={sim.icc[-8:]}", headers=HX).get_data(as_text=True)
    assert sim.icc in part


@pytest.mark.parametrize(
    "query, message",
    [("abc", "minst sex siffror"), ("123", "minst sex siffror"), ("", "minst sex siffror")],
)
def test_verktyg_bad_input(admin, query, message):
    text = admin.get(f"/services/sim-search?icc={query}", headers=HX).get_data(as_text=True)
    assert message in text


def test_verktyg_does_not_find_other_organisations_or_hidden_sims(demo_client, login):
    login(demo_client, OTHER_ORG_ADMIN)
    sim = sa.active_sim(demo_service("mobile"))
    text = demo_client.get(f"/services/sim-search?icc={sim.icc}", headers=HX).get_data(as_text=True)
    assert "Inget SIM-kort med ICC" in text and "Visa tjänsten" not in text
    login(demo_client, ADMIN)
    hidden = Service.get(Service.hidden == True)  # noqa: E712
    hidden_icc = icc("894601888")
    with write_tx():
        SimCard.create(service=hidden, icc=hidden_icc, imsi="240010000000000", pin="1", puk="1")
    text = demo_client.get(f"/services/sim-search?icc={hidden_icc}", headers=HX).get_data(
        as_text=True
    )
    assert "Inget SIM-kort med ICC" in text


def test_verktyg_respects_the_account_admins_subtree(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    top_service = demo_service("mobile", account=a3().top_account().id)
    sim = sa.active_sim(top_service)
    text = demo_client.get(f"/services/sim-search?icc={sim.icc}", headers=HX).get_data(as_text=True)
    assert "Inget SIM-kort med ICC" in text


def test_verktyg_finds_customer_placed_stock(admin):
    stock = icc("894601444")
    with write_tx():
        SimCard.create(organisation=a3(), icc=stock, imsi="", pin="", puk="", status="stock")
    text = admin.get(f"/services/sim-search?icc={stock}", headers=HX).get_data(as_text=True)
    assert stock in text and "I lager hos er" in text


def test_stock_sim_can_be_placed_on_a_service(admin):
    service = demo_service("mobile")
    stock = icc("894601333")
    with write_tx():
        card = SimCard.create(
            organisation=a3(),
            icc=stock,
            imsi="240019999999999",
            pin="1111",
            puk="22223333",
            status="stock",
        )
    admin.post(
        f"/services/{service.id}/sim",
        data={"method": "customer", "msisdn": service.number, "icc": stock},
        headers=HX,
    )
    card = SimCard.get_by_id(card.id)
    assert (card.service_id, card.status, card.imsi) == (service.id, "active", "240019999999999")
