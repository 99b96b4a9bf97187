"""The billing importer's documents: credit notes with their lines and
invoice PDFs from a folder or a zip (checked to be PDFs of known invoices,
served by /invoices/<id>/pdf, taken back by undo)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from domain.billing import import_file, undo
from tables.billing import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from tests.billing_files import CREDIT_HEADER, INVOICE_HEADER, Demo, invoice_rows, write
from tests.conftest import ADMIN

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def demo(demo_app):
    return Demo()


@pytest.fixture
def invoices(demo, tmp_path):
    rows = invoice_rows(demo, "7101-1") + invoice_rows(demo, "7101-2")
    import_file("invoices", str(write(tmp_path / "inv.csv", INVOICE_HEADER, rows)))
    return demo


def pdf_dir(app) -> str:
    return app.config["INVOICE_PDF_DIR"]


def test_credit_notes_with_lines(invoices, tmp_path):
    demo = invoices
    c, s1 = demo.customer, demo.numbers[0]
    rows = [
        f"K-1;{c};7101-1;2026-01-20;Fel pris;2,50;;Kredit abonnemang;10,00",
        f"K-1;{c};7101-1;2026-01-20;Fel pris;2,50;{s1};Kredit samtal;-0,00",
        f"K-2;{c};0000-0;2026-01-20;;;;Kredit;5,00",  # line 4: no such invoice
        f"K-3;{c};7101-2;2026-01-21;;;;Kredit;fem",  # line 5: bad amount
    ]
    path = write(tmp_path / "kredit.csv", CREDIT_HEADER, rows)
    report = import_file("credit_notes", str(path))
    assert (report.new, report.errors) == (1, 2)
    assert report.error_list == [
        {"row": 4, "error": "fakturanummer: det finns ingen faktura '0000-0'"},
        {"row": 5, "error": "rad 5: radbelopp: 'fem' är inget belopp (kronor, t.ex. 1234,50)"},
    ]
    note = CreditNote.get(CreditNote.number == "K-1")
    assert (note.amount_ore, note.invoice.number, note.reason) == (1250, "7101-1", "Fel pris")
    assert CreditNoteLine.select().where(CreditNoteLine.credit_note == note).count() == 2

    again = import_file("credit_notes", str(path))
    assert (again.new, again.unchanged) == (0, 1)
    changed = write(
        tmp_path / "k2.csv", CREDIT_HEADER, [rows[0].replace("10,00", "11,00"), rows[1]]
    )
    conflict = import_file("credit_notes", str(changed))
    assert conflict.conflicts == 1
    assert "finns redan med andra värden för belopp, raderna" in conflict.conflict_list[0]["error"]
    undo(report.batch_id)
    assert CreditNote.get_or_none(CreditNote.number == "K-1") is None


def test_credit_note_line_refers_to_an_invoice_line(invoices, tmp_path):
    demo = invoices
    header = CREDIT_HEADER + ";fakturarad"
    rows = [
        f"K-9;{demo.customer};7101-1;2026-01-20;;;;Kredit;10,00;2",
        f"K-8;{demo.customer};7101-1;2026-01-20;;;;Kredit;10,00;7",
    ]
    report = import_file("credit_notes", str(write(tmp_path / "k.csv", header, rows)))
    assert report.error_list == [
        {"row": 3, "error": "rad 3: fakturarad: fakturan har 2 rader, inte 7"}
    ]
    line = CreditNoteLine.get(
        CreditNoteLine.credit_note == CreditNote.get(CreditNote.number == "K-9").id
    )
    second = InvoiceLine.get(
        InvoiceLine.invoice == Invoice.get(Invoice.number == "7101-1").id, InvoiceLine.position == 1
    )
    assert (line.invoice_line_id, line.service_id) == (second.id, second.service_id)


def test_pdfs_from_a_zip_are_checked_stored_and_served(demo_app, invoices, tmp_path, login):
    archive = tmp_path / "pdf.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("faktura/7101-1.pdf", PDF)
        z.writestr("7101-2.pdf", b"<html>not a pdf</html>")
        z.writestr("9999-1.pdf", PDF)
        z.writestr("läsmig.txt", b"hej")
    report = import_file("pdf", str(archive), pdf_dir=pdf_dir(demo_app))
    assert (report.new, report.errors) == (1, 3)
    assert [e["error"] for e in report.error_list] == [
        "7101-2.pdf: filen är ingen PDF (börjar inte med %PDF-)",
        "9999-1.pdf: det finns ingen faktura 9999-1",
        "läsmig.txt: namnet ska vara <fakturanummer>.pdf",
    ]
    invoice = Invoice.get(Invoice.number == "7101-1")
    assert invoice.pdf_file == f"imported/{report.batch_id}/7101-1.pdf"

    client = demo_app.test_client()
    login(client, ADMIN)
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.data == PDF

    again = import_file("pdf", str(archive), pdf_dir=pdf_dir(demo_app))
    assert (again.new, again.unchanged) == (0, 1)
    other = tmp_path / "folder"
    other.mkdir()
    (other / "7101-1.pdf").write_bytes(PDF + b"%changed\n")
    conflict = import_file("pdf", str(other), pdf_dir=pdf_dir(demo_app))
    assert conflict.conflict_list == [
        {"row": 1, "error": "7101-1.pdf: faktura 7101-1 har redan en annan PDF; inte ändrad"}
    ]

    undo(report.batch_id, pdf_dir=pdf_dir(demo_app))
    assert Invoice.get_by_id(invoice.id).pdf_file is None
    assert not (Path(pdf_dir(demo_app)) / "imported" / str(report.batch_id) / "7101-1.pdf").exists()


def test_a_file_that_is_not_a_zip(demo_app, invoices, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"hello")
    report = import_file("pdf", str(path), pdf_dir=pdf_dir(demo_app))
    assert report.status == "refused"
    assert "varken en zip-fil eller en PDF" in report.message
