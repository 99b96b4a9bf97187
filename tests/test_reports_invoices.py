"""The invoice reports (Specifikation – Faktura, Krediterade tjänster,
Trafikspecifikation – alla tjänster, Samtalsspecifikation – Faktura): rows
and exports against amounts worked out by hand, scope, invoices.view."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html as lxml_html

from database import write_tx
from models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from tests.conftest import login_as
from tests.reports_fixtures import call, form_errors, people, rows, xlsx  # noqa: F401

SPEC = "/reports/specifikation-faktura"
CREDITED = "/reports/krediterade-tjanster"
ALL = "/reports/trafikspecifikation-alla"
CALLS = "/reports/samtalsspecifikation-faktura"
JAN = {"from": "2026-01-01", "to": "2026-01-31"}
FEB = {"from": "2026-02-01", "to": "2026-02-28"}


def _invoice(account, number, lines):
    with write_tx():
        invoice = Invoice.create(
            organisation=account.organisation_id, account=account, number=number,
            invoice_date=dt.date(2026, 1, 31), due_date=dt.date(2026, 2, 28),
            amount_ore=sum(ore for *_, ore in lines) * 5 // 4,
        )  # fmt: skip
        made = [
            InvoiceLine.create(invoice=invoice, service=service, description=text,
                               user_name=user, amount_ore=ore, position=n)
            for n, (service, text, user, ore) in enumerate(lines)
        ]  # fmt: skip
    return invoice, made


def _credit(invoice, number, issued, line, ore):
    with write_tx():
        note = CreditNote.create(
            organisation=invoice.organisation_id, account=invoice.account_id, invoice=invoice,
            number=number, issued_on=dt.date.fromisoformat(issued), amount_ore=ore,
        )  # fmt: skip
        CreditNoteLine.create(credit_note=note, invoice_line=line, service=line.service_id,
                              description=f"Kreditering {line.description}", amount_ore=ore)  # fmt: skip
    return note


@pytest.fixture
def billing(people):  # noqa: F811
    w = people
    w.inv_top, top_lines = _invoice(w.top, "1000-000001", [
        (w.s1, "Mobil Bas", "Topp Användare", 10000),
        (w.s1, "Samtal", "Topp Användare", 2500),
        (None, "Fakturaavgift", "", 2900),
    ])  # fmt: skip
    w.inv_sub, sub_lines = _invoice(w.sub, "1000-000002", [(w.s2, "Mobil Plus", "Under", 5000)])
    w.inv_b, b_lines = _invoice(w.btop, "2000-000001", [(w.b1, "Mobil Beta", "Beta", 9900)])
    _credit(w.inv_top, "K-1", "2026-02-10", top_lines[0], 10000)
    _credit(w.inv_sub, "K-2", "2026-02-15", sub_lines[0], 5000)
    _credit(w.inv_b, "K-3", "2026-02-12", b_lines[0], 9900)
    _credit(w.inv_top, "K-0", "2025-06-01", top_lines[1], 2500)  # before the period
    call(w.s1, "2026-01-05 10:00:00", seconds=60, ore=100, invoice=w.inv_top)
    call(w.s1, "2026-01-06 10:00:00", "data", 0, 400, bytes=2_500_000, invoice=w.inv_top)
    call(w.s1, "2026-01-08 10:00:00", seconds=60, ore=100)  # not invoiced yet
    call(w.s2, "2026-01-07 10:00:00", "mobile", 120, 300, invoice=w.inv_sub)
    call(w.b1, "2026-01-07 10:00:00", seconds=60, ore=100, invoice=w.inv_b)
    return w


# ------------------------------------------------------------------- permission


def test_invoice_reports_need_invoices_view(client, billing):
    login_as(client, billing.no_invoices.username)
    index = client.get("/reports").get_data(as_text=True)
    for title in ("Specifikation – Faktura", "Krediterade tjänster", "Trafikspecifikation – alla tjänster",
                  "Samtalsspecifikation – Faktura"):  # fmt: skip
        assert title not in index
    assert "Specifikation – Samtal" in index
    for url, params in (
        (SPEC, {}),
        (CREDITED, FEB),
        (ALL, JAN),
        (CALLS, {"number": "1000-000001"}),
    ):
        assert client.get(url, query_string=params).status_code == 403
        assert client.get(url, query_string={**params, "export": "xlsx"}).status_code == 403
    login_as(client, billing.admin.username)
    index = client.get("/reports").get_data(as_text=True)
    assert "/reports/specifikation-faktura" in index and "/reports/krediterade-tjanster" in index


# ------------------------------------------------------- Specifikation – Faktura


def test_invoice_specification_form_offers_the_scope_top_accounts_invoices(client, billing):
    login_as(client, billing.admin.username)
    doc = lxml_html.fromstring(client.get(SPEC).get_data(as_text=True))
    assert doc.xpath('//select[@name="invoice"]/option/text()')[0].startswith("1000-000001")
    login_as(client, billing.konto.username)
    doc = lxml_html.fromstring(client.get(SPEC).get_data(as_text=True))
    options = doc.xpath('//select[@name="invoice"]/option/text()')
    assert len(options) == 1 and options[0].startswith("1000-000002")
    accounts = doc.xpath('//select[@name="account"]/option/@value')
    assert str(billing.top.id) not in accounts


def test_invoice_specification_per_user_and_service(client, billing):
    login_as(client, billing.admin.username)
    params = {"account": billing.top.id, "invoice": billing.inv_top.id}
    shown = rows(client, SPEC, params)
    # by amount, largest first: who cost the most on top
    assert [(r["Nummer"], r["Användare"], r["Rader"], r["Belopp exkl. moms"]) for r in shown] == [
        ("070-100 00 01", "Topp Användare", "2", "125,00 kr"),
        ("–", "–", "1", "29,00 kr"),
    ]
    exported = xlsx(client, SPEC, params)
    assert [(r["Nummer"], r["Belopp exkl. moms"], r["Belopp inkl. moms"]) for r in exported] == [
        ("0701000001", 125.0, 156.25),
        (None, 29.0, 36.25),
    ]


def test_invoice_specification_outside_scope_is_404(client, billing):
    login_as(client, billing.konto.username)
    assert client.get(SPEC, query_string={"account": billing.top.id}).status_code == 404
    params = {"account": billing.sub.id, "invoice": billing.inv_top.id}
    assert client.get(SPEC, query_string=params).status_code == 404
    assert client.get(SPEC, query_string={**params, "export": "xlsx"}).status_code == 404
    login_as(client, billing.admin.username)
    other = {"account": billing.top.id, "invoice": billing.inv_b.id}
    assert client.get(SPEC, query_string=other).status_code == 404
    assert client.get(SPEC, query_string={"account": "x"}).status_code == 404
    # an invoice of another account than the one chosen: said next to the field
    mixed = client.get(
        SPEC, query_string={"account": billing.top.id, "invoice": billing.inv_sub.id}
    )
    assert mixed.status_code == 200 and "Välj en faktura för det valda kontot." in form_errors(
        mixed
    )


# ---------------------------------------------------------- Krediterade tjänster


def test_credited_services_in_the_period(client, billing):
    login_as(client, billing.admin.username)
    shown = rows(client, CREDITED, FEB)
    assert sorted(
        (r["Kreditnota"], r["Faktura"], r["Nummer"], r["Krediterat belopp"]) for r in shown
    ) == [
        ("K-1", "1000-000001", "070-100 00 01", "100,00 kr"),
        ("K-2", "1000-000002", "070-100 00 02", "50,00 kr"),
    ]
    exported = xlsx(client, CREDITED, FEB)
    assert sorted(
        (r["Kreditnota"], r["Beskrivning"], r["Krediterat belopp"]) for r in exported
    ) == [
        ("K-1", "Kreditering Mobil Bas", 100.0),
        ("K-2", "Kreditering Mobil Plus", 50.0),
    ]
    assert [
        r["Kreditnota"] for r in rows(client, CREDITED, {"from": "2025-01-01", "to": "2025-12-31"})
    ] == ["K-0"]


def test_credited_services_scope(client, billing):
    login_as(client, billing.konto.username)
    assert [r["Kreditnota"] for r in xlsx(client, CREDITED, FEB)] == ["K-2"]
    login_as(client, billing.other.username)
    assert [r["Kreditnota"] for r in rows(client, CREDITED, FEB)] == ["K-3"]


def test_credited_period_errors(client, billing):
    login_as(client, billing.admin.username)
    response = client.get(CREDITED, query_string={"from": "2026-03-01", "to": "2026-02-01"})
    assert "Till kan inte vara före Från." in form_errors(response)


# ---------------------------------------------- Trafikspecifikation – alla tjänster


def _all(rows_):
    return sorted(
        (r["Nummer"], r["Trafiktyp"], r["Antal"], r["Minuter"], r["Belopp"]) for r in rows_
    )


def test_traffic_all_is_invoiced_traffic_per_service_and_type(client, billing):
    login_as(client, billing.admin.username)
    form = client.get(ALL).get_data(as_text=True)
    assert 'name="data"' in form and "Datatrafik" in form and "enbart redan fakturerad" in form
    assert _all(rows(client, ALL, JAN)) == [
        ("070-100 00 01", "Nationella samtal", "1", "1,0", "1,00 kr"),  # the uninvoiced left out
        ("070-100 00 02", "Samtal till mobil", "1", "2,0", "3,00 kr"),
    ]
    with_data = xlsx(client, ALL, {**JAN, "data": "1"})
    by_type = {(r["Nummer"], r["Trafiktyp"]): r for r in with_data}
    assert len(with_data) == 3
    assert by_type[("0701000001", "Data")]["Data (MB)"] == 2.5
    assert by_type[("0701000001", "Data")]["Belopp"] == 4.0


def test_traffic_all_scope(client, billing):
    login_as(client, billing.konto.username)
    assert [r["Nummer"] for r in xlsx(client, ALL, JAN)] == ["0701000002"]
    login_as(client, billing.other.username)
    assert [r["Nummer"] for r in rows(client, ALL, JAN)] == ["070-900 00 01"]


# ------------------------------------------------ Samtalsspecifikation – Faktura


def test_invoice_calls_by_number(client, billing):
    login_as(client, billing.admin.username)
    assert 'name="number"' in client.get(CALLS).get_data(as_text=True)
    shown = rows(client, CALLS, {"number": "1000-000001"})
    assert sorted(r["Trafiktyp"] for r in shown) == ["Data", "Nationella samtal"]
    exported = xlsx(client, CALLS, {"number": "1000-000001"})
    assert sorted(r["Belopp"] for r in exported) == [1.0, 4.0]


@pytest.mark.parametrize(
    ("user", "number", "message"),
    [
        ("konto", "1000-000001", "Fakturan finns inte."),  # above the sub-tree
        ("admin", "2000-000001", "Fakturan finns inte."),  # the other organisation's
        ("admin", "9999-999999", "Fakturan finns inte."),
        ("admin", "", "Ange fakturanumret."),
    ],
)
def test_invoice_calls_unknown_number_is_a_message(client, billing, user, number, message):
    login_as(client, getattr(billing, user).username)
    for extra in ({}, {"export": "xlsx"}):
        response = client.get(CALLS, query_string={"number": number, **extra})
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert message in form_errors(response)


def test_invoice_specification_account_by_customer_number(client, billing, monkeypatch):
    """With more accounts than a select holds, the account is typed."""
    from blueprints.reports import invoices

    monkeypatch.setattr(invoices, "ACCOUNT_CHOICES", 1)
    login_as(client, billing.admin.username)
    form = client.get(SPEC).get_data(as_text=True)
    assert 'name="customer"' in form and 'name="account"' in form  # the hidden one of step 2
    response = client.get(SPEC, query_string={"customer": billing.sub.customer_number})
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    assert doc.xpath('//select[@name="invoice"]/option/text()')[0].startswith("1000-000002")
    unknown = client.get(SPEC, query_string={"customer": billing.btop.customer_number})
    assert unknown.status_code == 200
    assert "Kontot finns inte bland de konton du har behörighet till." in form_errors(unknown)
