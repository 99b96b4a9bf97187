"""Rapporter (REP): the index of the eleven reports and the four that run
(Översikt – Abonnemang, Historik – Avslutade tjänster, Översikt –
Beställningar, Ärenden): rows, scope, the period form and the Excel export.

The data is built here, small and by hand, so every expected row is known:
organisation A with its top account, a sub-account and a sibling; and another
organisation B whose rows must never appear."""

from __future__ import annotations

import datetime as dt
import secrets
from types import SimpleNamespace

import pytest
from lxml import html as lxml_html

from database import write_tx
from models import Order, Ticket, next_number
from tests.conftest import login_as
from tests.listpage import all_rows, menu, read_xlsx, xlsx_column

ELEVEN = [
    "Specifikation – Faktura",
    "Krediterade tjänster",
    "Specifikation – Samtal",
    "Historik – Avslutade tjänster",
    "Översikt – Abonnemang",
    "SLA",
    "Trafikspecifikation",
    "Trafikspecifikation – alla tjänster",
    "Översikt – Beställningar",
    "Ärenden",
    "Samtalsspecifikation – Faktura",
]
URLS = {
    "Specifikation – Faktura": "/reports/specifikation-faktura",
    "Krediterade tjänster": "/reports/krediterade-tjanster",
    "Specifikation – Samtal": "/reports/specifikation-samtal",
    "Historik – Avslutade tjänster": "/reports/avslutade-tjanster",
    "Översikt – Abonnemang": "/reports/abonnemang",
    "SLA": "/reports/sla",
    "Trafikspecifikation": "/reports/trafikspecifikation",
    "Trafikspecifikation – alla tjänster": "/reports/trafikspecifikation-alla",
    "Översikt – Beställningar": "/reports/bestallningar",
    "Ärenden": "/reports/arenden",
    "Samtalsspecifikation – Faktura": "/reports/samtalsspecifikation-faktura",
    "Förbrukningsrapport": "/reports/forbrukning",
    "Samtalsstatistik": "/reports/samtalsstatistik",
    "Köstatistik": "/reports/koer",
}
INVOICE_REPORTS = {
    "Specifikation – Faktura",
    "Krediterade tjänster",
    "Trafikspecifikation – alla tjänster",
    "Samtalsspecifikation – Faktura",
}
STOFA = ["Förbrukningsrapport", "Samtalsstatistik", "Köstatistik"]
WORKING = {
    title: url for title, url in URLS.items() if title not in INVOICE_REPORTS and title != "SLA"
}
JAN = {"from": "2026-01-01", "to": "2026-01-31"}


def _order(org, account, user, status="received"):
    return Order.create(
        organisation=org, account=account, number=next_number("order_number"),
        status=status, created_by=user,
    )  # fmt: skip


def _ticket(org, account, user, subject, status="waiting"):
    return Ticket.create(
        organisation=org, account=account, number=next_number("ticket_number"),
        subject=subject, status=status, created_by=user,
        reply_token=secrets.token_urlsafe(12),
    )  # fmt: skip


@pytest.fixture
def world(client, make_org, make_account, make_user, make_service):
    a, b = make_org("Alfa AB"), make_org("Beta AB")
    top = a.top_account()
    sub = make_account(a, top)
    sibling = make_account(a, top)
    w = SimpleNamespace(a=a, b=b, top=top, sub=sub, sibling=sibling)
    everything = ("reports.view", "orders.manage", "tickets.view")
    w.admin = make_user(a, top, everything)
    w.konto = make_user(a, sub, everything)  # Kontoadministratör
    w.plain = make_user(a, top, ("reports.view",))  # own orders and tickets only
    w.no_reports = make_user(a, top, ("services.view", "orders.manage", "tickets.view"))
    w.other = make_user(b, b.top_account(), everything)
    jan, feb = dt.date(2026, 1, 15), dt.date(2026, 2, 10)
    make_service(top, number="0701000001", user_name="Topp Aktiv")
    make_service(sub, number="0701000002", user_name="Under Aktiv")
    make_service(sub, status="terminated", number="0701000003", user_name="Under Jan", end_date=jan)
    make_service(sibling, status="terminated", number="0701000004", user_name="Syster Feb", end_date=feb)  # fmt: skip
    make_service(sub, status="terminating", number="0701000005", user_name="Under Uppsagd", end_date=jan)  # fmt: skip
    make_service(b.top_account(), number="0709000001", user_name="Beta Aktiv")
    make_service(b.top_account(), status="terminated", number="0709000002", user_name="Beta Jan", end_date=jan)  # fmt: skip
    with write_tx():
        w.orders = {
            "admin_top": _order(a, top, w.admin).number,
            "konto_sub": _order(a, sub, w.konto).number,
            "plain_top": _order(a, top, w.plain).number,
            "admin_sibling": _order(a, sibling, w.admin).number,
            "beta": _order(b, b.top_account(), w.other).number,
        }
        _ticket(a, top, w.admin, "Admins ärende")
        _ticket(a, sub, w.konto, "Underkontots ärende", status="done")
        _ticket(a, top, w.plain, "Eget ärende")
        _ticket(a, sibling, w.admin, "Systerkontots ärende")
        _ticket(a, top, w.admin, "Admins utkast", status="draft")
        _ticket(b, b.top_account(), w.other, "Betas ärende")
    return w


def shown(client, url, column, params=None):
    listing = all_rows(client, url, params)
    return sorted(row[column] for row in listing.rows)


def exported(client, url, label, params=None):
    response = client.get(url, query_string={**(params or {}), "export": "xlsx"})
    header, rows = read_xlsx(response)
    return sorted(str(v) for v in xlsx_column(header, rows, label))


# ------------------------------------------------------------------------ the index


def test_index_lists_the_reports_in_the_manuals_order(client, world):
    """Without invoices.view and without an SLA in the agreement (this
    world's), the invoice reports and SLA are not offered."""
    login_as(client, world.admin.username)
    response = client.get("/reports")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    rows = doc.xpath('//table[contains(@class, "reports")]/tbody/tr')
    titles = [row.xpath('./td[@data-label="Rapport"]')[0].text_content().strip() for row in rows]
    offered = [t for t in ELEVEN if t not in INVOICE_REPORTS and t != "SLA"]
    assert titles == offered + STOFA
    for row, title in zip(rows, titles, strict=True):
        description = row.xpath('./td[@data-label="Beskrivning"]')[0].text_content().strip()
        assert description
        links = row.xpath('./td[@data-label="Rapport"]//a/@href')
        assert links == [WORKING[title]]
        assert "Kommer snart" not in row.text_content()
    assert doc.xpath('//main//a[@href="/calls"]'), "Samtal is reachable from Rapporter"
    assert "Rapporter" in menu(response.get_data(as_text=True))


def test_without_reports_view_every_report_is_refused_and_the_menu_has_none(client, world):
    login_as(client, world.no_reports.username)
    for url in ["/reports", *WORKING.values()]:
        assert client.get(url).status_code == 403, url
    assert client.get("/reports/avslutade-tjanster", query_string=JAN).status_code == 403
    assert client.get("/reports/abonnemang?export=xlsx").status_code == 403
    page = client.get("/services")
    assert page.status_code == 200
    assert "Rapporter" not in menu(page.get_data(as_text=True))


# ------------------------------------------------------------ Översikt – Abonnemang


def test_subscriptions_are_every_service_in_scope(client, world):
    login_as(client, world.admin.username)
    url = "/reports/abonnemang"
    a_services = ["Syster Feb", "Topp Aktiv", "Under Aktiv", "Under Jan", "Under Uppsagd"]
    assert shown(client, url, "Användare") == a_services
    assert exported(client, url, "Användare") == a_services
    assert exported(client, url, "Nummer") == [f"070100000{n}" for n in range(1, 6)]


def test_subscriptions_of_an_account_admin_are_only_the_sub_tree(client, world):
    login_as(client, world.konto.username)
    url = "/reports/abonnemang"
    assert shown(client, url, "Användare") == ["Under Aktiv", "Under Jan", "Under Uppsagd"]
    assert exported(client, url, "Användare") == ["Under Aktiv", "Under Jan", "Under Uppsagd"]


def test_subscriptions_of_the_other_organisation(client, world):
    login_as(client, world.other.username)
    assert shown(client, "/reports/abonnemang", "Användare") == ["Beta Aktiv", "Beta Jan"]


def test_subscriptions_export_is_an_xlsx_with_the_reports_columns(client, world):
    login_as(client, world.admin.username)
    response = client.get("/reports/abonnemang", query_string={"export": "xlsx"})
    header, rows = read_xlsx(response)
    assert header[:4] == ["Status", "Nummer", "Användare", "Typ"]
    assert {"Tjänst", "Prislista", "Månadsavg.", "Konto", "Startdatum", "Slutdatum"} <= set(header)
    assert len(rows) == 5


# ---------------------------------------------------- Historik – Avslutade tjänster


def test_terminated_asks_for_the_period_first(client, world):
    login_as(client, world.admin.username)
    response = client.get("/reports/avslutade-tjanster")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'name="from"' in text and 'name="to"' in text
    assert "listview" not in text


def test_terminated_in_the_period_within_scope(client, world):
    url = "/reports/avslutade-tjanster"
    login_as(client, world.admin.username)
    # Uppsagd (not yet ended) and February's are not January's terminated services
    assert shown(client, url, "Användare", JAN) == ["Under Jan"]
    assert exported(client, url, "Användare", JAN) == ["Under Jan"]
    both = {"from": "2026-01-01", "to": "2026-02-28"}
    assert shown(client, url, "Användare", both) == ["Syster Feb", "Under Jan"]
    login_as(client, world.konto.username)
    assert shown(client, url, "Användare", both) == ["Under Jan"]
    login_as(client, world.other.username)
    assert shown(client, url, "Användare", both) == ["Beta Jan"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "Till kan inte vara före Från."),
        ({"from": "2026-13-01", "to": "2026-01-31"}, "Från är inte ett datum"),
        ({"from": "2026-01-01", "to": ""}, "Ange Till."),
    ],
)
def test_terminated_period_errors_are_said_plainly(client, world, params, message):
    login_as(client, world.admin.username)
    response = client.get("/reports/avslutade-tjanster", query_string=params)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    doc = lxml_html.fromstring(text)
    assert message in doc.xpath('//p[@class="form-error"]')[0].text_content()
    assert "listview" not in text
    # the export is refused the same way: the form, not a file
    exported = client.get("/reports/avslutade-tjanster", query_string={**params, "export": "xlsx"})
    assert exported.mimetype == "text/html"


# ---------------------------------------------------------- Översikt – Beställningar


def test_orders_with_orders_manage_are_all_in_scope(client, world):
    o = world.orders
    login_as(client, world.admin.username)
    expected = sorted(str(o[k]) for k in ("admin_top", "konto_sub", "plain_top", "admin_sibling"))
    assert exported(client, "/reports/bestallningar", "Ordernummer") == expected
    rows = all_rows(client, "/reports/bestallningar").rows
    assert sorted(r["Ordernummer"].split()[0] for r in rows) == expected
    login_as(client, world.konto.username)
    assert exported(client, "/reports/bestallningar", "Ordernummer") == [str(o["konto_sub"])]
    login_as(client, world.other.username)
    assert exported(client, "/reports/bestallningar", "Ordernummer") == [str(o["beta"])]


def test_orders_without_orders_manage_are_only_ones_own(client, world):
    login_as(client, world.plain.username)
    own = [str(world.orders["plain_top"])]
    assert exported(client, "/reports/bestallningar", "Ordernummer") == own
    rows = all_rows(client, "/reports/bestallningar").rows
    assert [r["Ordernummer"].split()[0] for r in rows] == own


# --------------------------------------------------------------------------- Ärenden

A_SENT = ["Admins ärende", "Eget ärende", "Systerkontots ärende", "Underkontots ärende"]


def test_tickets_with_tickets_view_are_all_sent_in_scope(client, world):
    login_as(client, world.admin.username)
    assert shown(client, "/reports/arenden", "Rubrik") == A_SENT
    assert exported(client, "/reports/arenden", "Rubrik") == A_SENT
    login_as(client, world.konto.username)
    assert shown(client, "/reports/arenden", "Rubrik") == ["Underkontots ärende"]
    login_as(client, world.other.username)
    assert exported(client, "/reports/arenden", "Rubrik") == ["Betas ärende"]


def test_tickets_without_tickets_view_are_only_ones_own(client, world):
    login_as(client, world.plain.username)
    assert shown(client, "/reports/arenden", "Rubrik") == ["Eget ärende"]
    assert exported(client, "/reports/arenden", "Rubrik") == ["Eget ärende"]
