"""The reports on the demo data: every report the index offers opens, and
the demo has what the new reports need (credit notes, an SLA with tickets,
monthly usage, invoiced calls)."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from models import CreditNote, CreditNoteLine, Invoice, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from tests.listpage import all_rows, read_xlsx

TWO_YEARS = {
    "from": (dt.date.today() - dt.timedelta(days=700)).isoformat(),
    "to": dt.date.today().isoformat(),
}


def _links(client) -> list[str]:
    doc = lxml_html.fromstring(client.get("/reports").get_data(as_text=True))
    return doc.xpath('//table[contains(@class, "reports")]//a[contains(@class, "button")]/@href')


def test_every_offered_report_opens_for_the_demo_users(demo_client, login):
    for username in (ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN):
        login(demo_client, username)
        for url in _links(demo_client):
            assert demo_client.get(url).status_code == 200, (username, url)
    login(demo_client, ADMIN)
    # SLA too: A3's agreement has one; Kostnader per grupp; Köstatistik
    assert len(_links(demo_client)) == 15


def test_demo_credit_notes_credit_real_invoice_lines(demo_client, login):
    notes = list(CreditNote.select())
    assert len(notes) >= 3
    for note in notes:
        for line in CreditNoteLine.select().where(CreditNoteLine.credit_note == note.id):
            assert line.invoice_line.invoice_id == note.invoice_id
            assert line.service_id == line.invoice_line.service_id
            assert 0 < line.amount_ore <= line.invoice_line.amount_ore
    login(demo_client, ADMIN)
    shown = all_rows(demo_client, "/reports/krediterade-tjanster", TWO_YEARS)
    assert shown.total == len(notes)
    header, rows = read_xlsx(
        demo_client.get(
            "/reports/krediterade-tjanster", query_string={**TWO_YEARS, "export": "xlsx"}
        )
    )
    assert len(rows) == len(notes)


def test_demo_sla_and_invoice_specification_have_rows(demo_client, login):
    login(demo_client, ADMIN)
    assert all_rows(demo_client, "/reports/sla", TWO_YEARS).total > 0
    admin = User.get(User.username == ADMIN)
    invoice = (
        Invoice.visible_to(admin)
        .where(Invoice.account == admin.scope_account_id)
        .order_by(Invoice.invoice_date.desc())
        .first()
    )
    params = {"account": invoice.account_id, "invoice": invoice.id}
    listing = all_rows(demo_client, "/reports/specifikation-faktura", params)
    assert listing.total > 0
    assert all_rows(demo_client, "/reports/forbrukning").total > 0
    calls = all_rows(
        demo_client, "/reports/samtalsspecifikation-faktura", {"number": invoice.number}
    )
    assert calls.status == 200
