"""Excel exports are ready to read (issue 13 item 10): columns as wide as
their content, amounts as numbers in kronor with a currency format, an
autofilter on the header row; and whatever text is stored exports, control
characters included (item 12, ASVS 1.2.10 / 2.2.1)."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from database import write_tx
from models import AuditLog, Invoice, Service, Ticket, User
from tests import expected
from tests.conftest import ADMIN, STAFF
from web import excel

KRONOR = '#,##0.00 "kr"'


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == excel.XLSX_MIME
    return openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]


def header_of(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def column_cells(sheet, label: str) -> list:
    index = header_of(sheet).index(label)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    "path, label, amounts",
    [
        ("/invoices?f_status=", "Belopp", lambda: [i.amount_ore for i in expected.invoices(ADMIN)]),
        (
            "/services?f_status=",
            "Månadsavg.",
            lambda: [s.monthly_ore for s in expected.services(ADMIN)],
        ),
    ],
)
def test_amounts_are_numbers_in_kronor_with_a_currency_format(admin, path, label, amounts):
    cells = [
        c
        for c in column_cells(workbook(admin.get(path + "&export=xlsx")), label)
        if c.value is not None
    ]
    assert cells
    assert all(c.data_type == "n" and c.number_format == KRONOR for c in cells)
    assert sorted(c.value for c in cells) == sorted(
        ore / 100 for ore in amounts() if ore is not None
    )


def test_call_record_amounts_too(admin):
    sheet = workbook(admin.get("/calls?export=xlsx"))
    cells = column_cells(sheet, "Belopp")
    assert cells and all(c.number_format == KRONOR for c in cells if c.value is not None)
    times = [c for c in column_cells(sheet, "Tid") if c.value is not None]
    assert times and all(isinstance(c.value, dt.datetime) and c.is_date for c in times)


def test_dates_stay_dates(admin):
    sheet = workbook(admin.get("/invoices?f_status=&export=xlsx"))
    for label in ("Förfallodatum", "Fakturadatum"):
        cells = column_cells(sheet, label)
        assert cells and all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells)


def test_the_header_row_has_an_autofilter(admin):
    sheet = workbook(admin.get("/invoices?f_status=&export=xlsx"))
    last = get_column_letter(len(header_of(sheet)))
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    assert sheet.max_row == len(expected.invoices(ADMIN)) + 1
    assert sheet.freeze_panes == "A2"


def test_an_empty_export_still_opens_with_its_header_and_filter(admin):
    sheet = workbook(admin.get("/invoices?f_number=no-such-invoice&export=xlsx"))
    assert header_of(sheet)[0] == "Status"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header_of(sheet)))}1"


@pytest.mark.parametrize(
    "path", ["/invoices?f_status=", "/services?f_status=", "/tickets", "/calls"]
)
def test_columns_are_as_wide_as_their_header_and_values(admin, path):
    sheet = workbook(admin.get(path + ("&" if "?" in path else "?") + "export=xlsx"))
    rows = list(sheet.iter_rows(min_row=2, max_row=1 + excel.WIDTH_SAMPLE, values_only=True))
    assert rows
    for index, header in enumerate(header_of(sheet)):
        width = sheet.column_dimensions[get_column_letter(index + 1)].width
        texts = [v for v in (row[index] for row in rows) if isinstance(v, str)]
        widest = max([len(header) + 2, *map(len, texts)])
        assert min(widest, excel.MAX_WIDTH) <= width <= excel.MAX_WIDTH, (header, width, widest)
        if not texts and not any(isinstance(row[index], (int, float)) for row in rows):
            assert width <= max(len(header) + 6, 20), (header, width)


def test_an_amount_column_fits_its_largest_amount(admin):
    invoice = expected.invoices(ADMIN)[0]
    with write_tx():
        # The largest amount a column holds on PostgreSQL (integer öre).
        Invoice.update(amount_ore=21_234_567_89).where(Invoice.id == invoice.id).execute()
    sheet = workbook(admin.get("/invoices?f_status=&sort=amount&dir=desc&export=xlsx"))
    index = header_of(sheet).index("Belopp")
    assert sheet.cell(row=2, column=index + 1).value == 21_234_567.89
    shown = len("21 234 567,89 kr")
    assert sheet.column_dimensions[get_column_letter(index + 1)].width >= shown


# ------------------------------------------------------- control characters


def _audit_row(actor_label: str, summary: str, before: dict | None = None, organisation=None):
    with write_tx():
        return AuditLog.create(
            action="auth.login_failed",
            actor_label=actor_label,
            summary=summary,
            before=json.dumps(before) if before else None,
            organisation=organisation,
            ip="203.0.113.7",
        )


def test_staff_audit_export_holds_control_characters_cleaned(demo_client, login):
    """Five failed sign-ins with a user name holding NUL and ESC once gave
    the back office a 500 for the whole audit log's export."""
    name = "admin\x00@a3demo.se\x1b[31m"
    for _ in range(5):
        _audit_row(name, f"Misslyckad inloggning för {name}", before={"användarnamn": name})
    login(demo_client, STAFF)
    sheet = workbook(demo_client.get("/staff/audit?export=xlsx"))
    clean = "admin\ufffd@a3demo.se\ufffd[31m"
    actors = [c.value for c in column_cells(sheet, "Användare")]
    assert actors.count(clean) == 5
    assert f"Misslyckad inloggning för {clean}" in [
        c.value for c in column_cells(sheet, "Beskrivning")
    ]
    assert f"användarnamn: {clean}" in [c.value for c in column_cells(sheet, "Före")]


def test_customer_exports_hold_control_characters_cleaned(admin):
    me = User.get(User.username == ADMIN)
    _audit_row("Anna\x07 Lind", "=HYPERLINK(\x00)", organisation=me.organisation_id)
    ticket = expected.tickets(ADMIN)[0]
    service = Service.get_by_id(
        next(s.id for s in expected.services(ADMIN) if s.kind == "mobile" and s.user_name)
    )
    with write_tx():
        Ticket.update(subject="Fel\x1bi\tväxeln\x0b").where(Ticket.id == ticket.id).execute()
        Service.update(user_name="Lars\x00Larsson").where(Service.id == service.id).execute()

    audit = workbook(admin.get("/audit?export=xlsx"))
    assert "Anna\ufffd Lind" in [c.value for c in column_cells(audit, "Användare")]
    formula = next(c for c in column_cells(audit, "Beskrivning") if c.value == "=HYPERLINK(\ufffd)")
    assert formula.data_type == "s" and formula.quotePrefix, "cleaned and still escaped"

    tickets = workbook(admin.get("/tickets?export=xlsx&f_status="))
    assert "Fel\ufffdi\tväxeln\ufffd" in [c.value for c in column_cells(tickets, "Rubrik")]

    services = workbook(admin.get("/services?export=xlsx&f_status="))
    assert "Lars\ufffdLarsson" in [c.value for c in column_cells(services, "Användare")]
    calls = workbook(admin.get("/calls?export=xlsx"))  # the user name looked up by key
    assert "Lars\ufffdLarsson" in [c.value for c in column_cells(calls, "Användare")]
