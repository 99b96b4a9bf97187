"""Fakturaimport (/staff/billing): upload → preview → Importera → report →
Ångra through the test client; a second Importera imports nothing; bad
files answer with a message, never a 500; customers never reach it."""

from __future__ import annotations

import io
import os
import re

import pytest

from tables.billing import CallRecord, ImportBatch, Invoice
from tables.ops import AuditLog
from tests.billing_files import CDR_HEADER, INVOICE_HEADER, Demo, cdr_row, invoice_rows
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, STAFF


@pytest.fixture
def staff(demo_client, login):
    login(demo_client, STAFF)
    return demo_client


@pytest.fixture
def demo(demo_app):
    return Demo()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def upload(client, kind: str, content: bytes, name="fil.csv", on_error="skip"):
    return client.post(
        "/staff/billing",
        data={"kind": kind, "on_error": on_error, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def csv_bytes(header: str, rows: list[str]) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY])
def test_customers_cannot_reach_it(demo_client, login, username):
    login(demo_client, username)
    for url in ("/staff/billing", "/staff/billing/1", "/staff/billing/1/undo"):
        assert demo_client.get(url).status_code == 403
    assert demo_client.post("/staff/billing/1/import", data={"token": "x"}).status_code == 403


def test_signed_out_goes_to_the_staff_login(demo_client):
    response = demo_client.get("/staff/billing")
    assert response.status_code in (302, 303)
    assert "/staff/login" in response.headers["Location"]


def test_upload_preview_import_report_undo(staff, demo):
    before = CallRecord.select().count()
    page = staff.get("/staff/billing")
    assert page.status_code == 200
    assert 'href="/staff/billing"' in page.get_data(as_text=True)  # in the staff menu
    assert "Avvisa hela filen" in text(page)

    rows = [cdr_row(demo, i) for i in range(5)] + ["x;y"]
    response = upload(staff, "cdr", csv_bytes(CDR_HEADER, rows))
    assert response.status_code == 303
    preview = staff.get(response.headers["Location"])
    body = text(preview)
    assert "Förhandsgranskning #" in body
    assert re.search(r"Poster Nya Oförändrade Uppdaterade Konflikter Fel 6 5 0 0 0 1", body)
    assert "7 fel antal fält (2 fält, rubriken har 10)" in body
    assert CallRecord.select().count() == before  # the preview writes nothing

    batch = ImportBatch.get()
    token = token_of(preview)
    done = staff.post(f"/staff/billing/{batch.id}/import", data={"token": token})
    assert done.status_code == 303
    report = staff.get(done.headers["Location"])
    assert "Import #" in text(report) and "Klar" in text(report)
    assert f"Import #{batch.id} klar: 6 poster: 5 nya" in text(report)
    assert CallRecord.select().count() == before + 5

    # A second click (the same token) imports nothing.
    again = staff.post(f"/staff/billing/{batch.id}/import", data={"token": token})
    assert again.status_code == 303
    assert "redan gjord" in text(staff.get(again.headers["Location"]))
    assert CallRecord.select().count() == before + 5

    listing = text(staff.get("/staff/billing"))
    assert f"#{batch.id}" in listing and "fil.csv" in listing and "5 / 0 / 0 / 0 / 1" in listing

    dialog = staff.get(f"/staff/billing/{batch.id}/undo", headers={"HX-Request": "true"})
    assert dialog.status_code == 200 and "<html" not in dialog.get_data(as_text=True)
    assert "5 nya poster tas bort" in text(dialog)
    undone = staff.post(f"/staff/billing/{batch.id}/undo", headers={"HX-Request": "true"})
    assert undone.headers["HX-Redirect"] == f"/staff/billing/{batch.id}"
    assert CallRecord.select().count() == before
    assert ImportBatch.get_by_id(batch.id).status == "undone"
    actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert actions[-3:] == ["billing.preview", "billing.import", "billing.undo"]


def test_refuse_whole_file_from_the_page(staff, demo):
    before = Invoice.select().count()
    rows = invoice_rows(demo, "7201-1") + invoice_rows(demo, "7201-2", due="2026-13-01")
    response = upload(staff, "invoices", csv_bytes(INVOICE_HEADER, rows), on_error="refuse")
    preview = staff.get(response.headers["Location"])
    assert "kommer att avvisas i sin helhet" in text(preview)
    batch = ImportBatch.get()
    result = staff.post(f"/staff/billing/{batch.id}/import", data={"token": token_of(preview)})
    page = text(staff.get(result.headers["Location"]))
    assert "Filen avvisades: 1 rader har fel, inget importerades." in page
    assert "Avvisad" in page
    assert Invoice.select().count() == before


@pytest.mark.parametrize(
    ("kind", "content", "name", "message"),
    [
        ("cdr", b"a;b;c\r\n", "fil.csv", "Rubrikraden stämmer inte med formatet"),
        ("cdr", "kundnummer;tjänst\r\n".encode("latin-1"), "fil.csv", "Rad 1: filen är inte UTF-8"),
        ("pdf", b"<html>", "7001-1.pdf", "filen är ingen PDF"),
        ("pdf", b"PK-not-a-zip", "pdf.zip", "varken en zip-fil eller en PDF"),
    ],
)
def test_bad_files_show_a_message(staff, demo, kind, content, name, message):
    response = upload(staff, kind, content, name)
    assert response.status_code == 303
    page = staff.get(response.headers["Location"])
    assert page.status_code == 200
    assert message in text(page)
    refused = 'name="token"' not in page.get_data(as_text=True)
    assert refused == (name != "7001-1.pdf")  # a refused file cannot be imported


def test_form_errors_next_to_the_fields(staff, demo):
    missing = staff.post("/staff/billing", data={"kind": "cdr", "on_error": "skip"})
    assert missing.status_code == 200
    assert "Välj en fil att importera." in text(missing)
    wrong = upload(staff, "cdr", b"%PDF-1.4", name="faktura.pdf")
    assert wrong.status_code == 200
    assert "Filen ska sluta på .csv eller .txt." in text(wrong)
    bad_kind = upload(staff, "nonsense", b"a")
    assert bad_kind.status_code == 200
    assert ImportBatch.select().count() == 0
    assert staff.post("/staff/billing", data={}, csrf=False).status_code == 400


def test_unknown_batches_are_404(staff):
    assert staff.get("/staff/billing/999").status_code == 404
    assert staff.get("/staff/billing/99999999999999999999").status_code == 404
    assert staff.post("/staff/billing/999/import", data={"token": "x"}).status_code == 404


def test_a_discarded_preview_cannot_be_imported(staff, demo):
    before = CallRecord.select().count()
    response = upload(staff, "cdr", csv_bytes(CDR_HEADER, [cdr_row(demo, 1)]))
    preview = staff.get(response.headers["Location"])
    batch = ImportBatch.get()
    stored = batch.stored_path
    assert stored and os.path.exists(stored)
    assert staff.post(f"/staff/billing/{batch.id}/discard").status_code == 303
    assert ImportBatch.get_by_id(batch.id).status == "discarded"
    assert not os.path.exists(stored)
    staff.post(f"/staff/billing/{batch.id}/import", data={"token": token_of(preview)})
    assert CallRecord.select().count() == before
    assert "Avbruten" in text(staff.get("/staff/billing"))


def test_undo_refused_shows_why_in_the_dialog(staff, demo, tmp_path):
    from domain.billing import import_file
    from tests.billing_files import write

    invoices = write(tmp_path / "inv.csv", INVOICE_HEADER, invoice_rows(demo, "7301-1"))
    first = import_file("invoices", str(invoices)).batch_id
    calls = write(
        tmp_path / "cdr.csv", CDR_HEADER, [cdr_row(demo, 1, invoiced="ja", invoice="7301-1")]
    )
    second = import_file("cdr", str(calls)).batch_id
    response = staff.post(f"/staff/billing/{first}/undo", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f"kan inte ångras förrän #{second} har ångrats" in text(response)
    assert ImportBatch.get_by_id(first).status == "done"
    assert Invoice.get_or_none(Invoice.number == "7301-1") is not None


def test_the_list_exports_to_excel(staff, demo):
    upload(staff, "cdr", csv_bytes(CDR_HEADER, [cdr_row(demo, 1)]))
    response = staff.get("/staff/billing?export=xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
    listing = staff.get("/staff/billing?f_status=preview", headers={"HX-Request": "true"})
    assert listing.status_code == 200 and "<html" not in listing.get_data(as_text=True)
    assert "fil.csv" in listing.get_data(as_text=True)
