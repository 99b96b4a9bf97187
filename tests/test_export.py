"""Excel export of the lists, invoice PDFs and the zip of several PDFs."""

from __future__ import annotations

import io
import zipfile

import lxml.html
import pytest

from database import write_tx
from models import Invoice, Service
from tests import expected
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.listpage import all_rows, get_list, read_xlsx, xlsx_column

HEADERS = {
    "services": [
        "Status",
        "Nummer",
        "Användare",
        "Typ",
        "Produkt",
        "Prislista",
        "Månadsavg.",
        "Konto",
        "Kontonamn",
        "Startdatum",
        "Bindningstid t.o.m.",
        "Uppsägningstid (mån)",
        "Slutdatum",
    ],
    "invoices": [
        "Status",
        "Kundnummer",
        "Konto",
        "Fakturanummer",
        "Förfallodatum",
        "Fakturadatum",
        "Belopp",
    ],
    "orders": ["Ordernummer", "Status", "Order/Offert", "Typ", "Orderdatum", "Slutdatum", "Konto"],
    "tickets": [
        "Status",
        "Ärende #",
        "Kategori",
        "Prioritet",
        "Rubrik",
        "Tjänst",
        "Konto",
        "Skapat",
        "Åtgärd",
    ],
}

# Every export ends with a column per group category of the organisation
# (GRP-4): the demo's A3 has two (seed/demo_groups.py).
# Norrlandsbygg has none.
GROUP_COLUMNS = ["Avdelning", "Kostnadsställe"]
WITHOUT_GROUPS = HEADERS
HEADERS = {name: [*header, *GROUP_COLUMNS] for name, header in HEADERS.items()}

# A filter and sort per list; the export must hold exactly the list's rows in order.
CASES = [
    ("services", {"f_status": "", "sort": "user", "dir": "desc"}),
    ("services", {}),
    ("invoices", {"f_status": "paid", "sort": "amount", "dir": "asc"}),
    ("invoices", {}),
    (
        "orders",
        {"f_status": ["completed", "received", "in_progress"], "sort": "date", "dir": "asc"},
    ),
    ("tickets", {"f_category": ["support", "other"], "sort": "subject", "dir": "desc"}),
]


def _by_id(name, ids):
    objects = {o.id: o for o in expected.ROWS[name](ADMIN)}
    return [objects[i] for i in ids]


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


@pytest.mark.parametrize(("name", "params"), CASES)
def test_export_holds_the_filtered_rows_in_list_order(admin, name, params):
    listing = all_rows(admin, f"/{name}", params)
    assert listing.rows
    header, rows = read_xlsx(admin.get(f"/{name}", query_string={**params, "export": "xlsx"}))

    assert header == HEADERS[name]
    label, key = expected.EXPORT_KEY[name]
    assert xlsx_column(header, rows, label) == [key(o) for o in _by_id(name, listing.ids)]
    assert len(rows) == listing.total


def test_export_values_are_typed(admin):
    """Amounts are numbers in kronor, dates are dates, statuses are labels."""
    listing = all_rows(admin, "/invoices", {"sort": "number"})
    header, rows = read_xlsx(
        admin.get("/invoices", query_string={"sort": "number", "export": "xlsx"})
    )
    invoices = _by_id("invoices", listing.ids)
    assert xlsx_column(header, rows, "Belopp") == [i.amount_ore / 100 for i in invoices]
    assert [d.date() for d in xlsx_column(header, rows, "Förfallodatum")] == [
        i.due_date for i in invoices
    ]
    labels = {"paid": "Betald", "unpaid": "Obetald", "overdue": "Förfallen"}
    assert xlsx_column(header, rows, "Status") == [
        labels[expected.shown_invoice_status(i)] for i in invoices
    ]


def test_export_link_on_the_page_keeps_filters(admin):
    listing = get_list(admin, "/invoices", {"f_status": "overdue", "sort": "amount"})
    link = lxml.html.fromstring(listing.text).xpath('//a[contains(@class, "export")]/@href')[0]
    assert "export=xlsx" in link and "f_status=overdue" in link
    header, rows = read_xlsx(admin.get(link))
    overdue = [i for i in expected.invoices(ADMIN) if expected.shown_invoice_status(i) == "overdue"]
    assert overdue
    assert sorted(xlsx_column(header, rows, "Fakturanummer")) == sorted(i.number for i in overdue)


@pytest.mark.parametrize("name", ["services", "invoices", "orders", "tickets"])
def test_export_of_ticked_rows_only(admin, name):
    params = {"f_status": ""} if name == "services" else {}
    listing = get_list(admin, f"/{name}", {**params, "sort": "number", "dir": "desc"})
    ticked = [listing.ids[1], listing.ids[4], listing.ids[2]]
    header, rows = read_xlsx(
        admin.get(
            f"/{name}",
            query_string={
                **params,
                "sort": "number",
                "dir": "desc",
                "export": "xlsx",
                "ids": ticked,
            },
        )
    )
    label, key = expected.EXPORT_KEY[name]
    in_list_order = [i for i in listing.ids if i in ticked]
    assert xlsx_column(header, rows, label) == [key(o) for o in _by_id(name, in_list_order)]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_ticked_ids_outside_the_scope_are_never_exported(demo_client, login, username):
    login(demo_client, username)
    mine = [i.id for i in expected.invoices(username)][:2]
    foreign_accounts = expected.foreign_accounts(username)
    foreign = [i.id for i in Invoice.select() if i.account_id in foreign_accounts][:5]
    assert mine and foreign
    header, rows = read_xlsx(
        demo_client.get("/invoices", query_string={"export": "xlsx", "ids": mine + foreign})
    )
    numbers = xlsx_column(header, rows, "Fakturanummer")
    assert sorted(numbers) == sorted(Invoice.get_by_id(i).number for i in mine)

    header, rows = read_xlsx(
        demo_client.get("/invoices", query_string={"export": "xlsx", "ids": foreign})
    )
    headers = WITHOUT_GROUPS if username == OTHER_ORG_ADMIN else HEADERS
    assert header == headers["invoices"] and rows == []


def test_ids_do_not_bypass_the_filter(admin):
    """Ticked rows are exported within the list's current filter."""
    paid = [i.id for i in expected.invoices(ADMIN) if i.status == "paid"][:2]
    unpaid = [i.id for i in expected.invoices(ADMIN) if i.status != "paid"][:2]
    header, rows = read_xlsx(
        admin.get(
            "/invoices", query_string={"f_status": "paid", "export": "xlsx", "ids": paid + unpaid}
        )
    )
    assert sorted(xlsx_column(header, rows, "Fakturanummer")) == sorted(
        Invoice.get_by_id(i).number for i in paid
    )


@pytest.mark.parametrize(
    "name", ["=1+1", "+46 70 123 45 67", "-5", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")', "\t=1"]
)
def test_text_that_looks_like_a_formula_is_stored_as_text(admin, name):
    service = Service.select().where(Service.status == "active").order_by(Service.id).first()
    with write_tx():
        Service.update(user_name=name).where(Service.id == service.id).execute()
    response = admin.get("/services", query_string={"f_number": service.number, "export": "xlsx"})
    header, rows = read_xlsx(response)
    assert len(rows) == 1
    cell = rows[0][header.index("Användare")]
    assert cell.value == name
    assert cell.data_type == "s"
    assert cell.quotePrefix
    sheet = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


def test_ordinary_text_has_no_quote_prefix(admin):
    header, rows = read_xlsx(admin.get("/services", query_string={"export": "xlsx"}))
    cells = [row[header.index("Användare")] for row in rows if row[header.index("Användare")].value]
    assert cells
    assert not any(cell.quotePrefix for cell in cells)


# ------------------------------------------------------------------- PDF


def test_invoice_pdf_is_a_pdf(admin):
    invoice = expected.invoices(ADMIN)[0]
    response = admin.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.data.rstrip().endswith(b"%%EOF")
    assert len(response.data) > 1000
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert invoice.number in disposition


def test_pdfs_of_different_invoices_differ(admin):
    first, second = expected.invoices(ADMIN)[:2]
    one = admin.get(f"/invoices/{first.id}/pdf").data
    two = admin.get(f"/invoices/{second.id}/pdf").data
    assert one != two


def test_zip_holds_one_pdf_per_ticked_visible_invoice(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    mine = expected.invoices(ACCOUNT_ADMIN)[:3]
    foreign = [
        i for i in Invoice.select() if i.account_id in expected.foreign_accounts(ACCOUNT_ADMIN)
    ][:3]
    response = demo_client.get(
        "/invoices",
        query_string={"export": "zip", "ids": [i.id for i in mine + foreign]},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"Faktura {i.number}.pdf" for i in mine)
    for entry in archive.namelist():
        assert archive.read(entry).startswith(b"%PDF-")


def test_zip_of_only_foreign_invoices_is_not_found(demo_client, login):
    login(demo_client, OTHER_ORG_ADMIN)
    foreign = [i.id for i in expected.invoices(ADMIN)][:3]
    response = demo_client.get("/invoices", query_string={"export": "zip", "ids": foreign})
    assert response.status_code == 404
    assert not response.data.startswith(b"PK")


def test_zip_is_offered_as_a_bulk_action(admin):
    text = get_list(admin, "/invoices").text
    assert 'name="export" value="zip"' in text
    assert 'name="export" value="xlsx"' in text
