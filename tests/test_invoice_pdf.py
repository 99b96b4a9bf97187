"""The invoice PDF the portal renders carries what a Swedish invoice needs
(issue 13 item 5); one imported from billing is served as it is."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from database import write_tx
from domain.numbers import luhn_valid
from models import Invoice, InvoiceLine
from tests import expected
from tests.conftest import ADMIN
from web.formatting import amount

OPERATOR = {
    "OPERATOR_NAME": "Norrnät",
    "OPERATOR_ADDRESS": "Storgatan 3, 931 30 Skellefteå",
    "OPERATOR_ORG_NUMBER": "556036-0793",
    "OPERATOR_VAT_NUMBER": "SE556036079301",
    "OPERATOR_BANKGIRO": "5050-1055",
    "OPERATOR_PLUSGIRO": "90 20 03-4",
    "OPERATOR_PHONE": "0910 – 77 00 00",
    "OPERATOR_EMAIL": "faktura@norrnat.example",
}


@pytest.fixture
def admin(demo_app, demo_client, login):
    demo_app.config.update(OPERATOR)
    login(demo_client, ADMIN)
    return demo_client


def pdf_text(client, invoice) -> str:
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    # One space for any run of blanks: the PDF places words, not spaces.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def kronor(ore: int) -> str:
    """An amount as the PDF's text reads (its spaces plain)."""
    return amount(ore).replace("\u00a0", " ")


def ocr_in(text: str) -> str:
    match = re.search(r"OCR-nummer (\d+)", text)
    assert match, text
    return match.group(1)


def _invoice(with_ocr: bool) -> Invoice:
    return next(i for i in expected.invoices(ADMIN) if bool(i.ocr) == with_ocr)


def test_pdf_carries_the_operator_details_from_the_configuration(admin):
    text = pdf_text(admin, _invoice(with_ocr=True))
    assert "Norrnät" in text
    assert "Storgatan 3" in text and "931 30 Skellefteå" in text
    assert "Org.nr 556036-0793" in text
    assert "Momsreg.nr SE556036079301" in text
    assert "Bankgiro 5050-1055" in text
    assert "Plusgiro 90 20 03-4" in text
    assert "faktura@norrnat.example" in text
    assert "123-4567" not in text, "no bankgiro of its own"


def test_pdf_states_the_vat_rate_and_amount(admin):
    invoice = _invoice(with_ocr=True)
    text = pdf_text(admin, invoice)
    net = invoice.amount_ore - invoice.vat_ore
    assert f"Summa exkl. moms {kronor(net)}" in text
    assert f"Moms 25 % på {kronor(net)} {kronor(invoice.vat_ore)}" in text
    assert f"Att betala (SEK) {kronor(invoice.amount_ore)}" in text


def test_pdf_carries_the_ocr_reference_billing_gave(admin):
    invoice = _invoice(with_ocr=True)
    text = pdf_text(admin, invoice)
    assert ocr_in(text) == invoice.ocr
    assert "Ange OCR-numret vid betalning" in text


def test_without_one_from_billing_the_ocr_is_the_number_with_a_luhn_digit(admin):
    invoice = _invoice(with_ocr=False)
    ocr = ocr_in(pdf_text(admin, invoice))
    digits = re.sub(r"\D", "", invoice.number)
    assert ocr[:-1] == digits
    assert luhn_valid(ocr)
    # The check digit catches any single mistyped digit.
    for position in range(len(ocr)):
        for wrong in "0123456789":
            if wrong != ocr[position]:
                assert not luhn_valid(ocr[:position] + wrong + ocr[position + 1 :])


@pytest.mark.parametrize(
    "number, ocr",
    [("6789-711662", "67897116629"), ("1", "18"), ("F-2026-0001", "202600011")],
)
def test_derived_ocr_of_an_invoice_number(admin, number, ocr):
    invoice = _invoice(with_ocr=False)
    with write_tx():
        Invoice.update(number=number).where(Invoice.id == invoice.id).execute()
    assert ocr_in(pdf_text(admin, invoice)) == ocr
    assert luhn_valid(ocr)


def test_pdf_renders_without_plusgiro(admin, demo_app):
    demo_app.config["OPERATOR_PLUSGIRO"] = ""
    text = pdf_text(admin, _invoice(with_ocr=True))
    assert "Plusgiro" not in text
    assert "Bankgiro 5050-1055" in text


def test_an_invoice_pdf_from_billing_is_served_unchanged(admin, demo_app):
    invoice = _invoice(with_ocr=False)
    billing = b"%PDF-1.4\n% from the billing system\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    folder = Path(demo_app.config["INVOICE_PDF_DIR"]) / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.pdf").write_bytes(billing)
    with write_tx():
        Invoice.update(pdf_file="2026/a.pdf").where(Invoice.id == invoice.id).execute()

    response = admin.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.data == billing
    zipped = admin.get("/invoices", query_string={"export": "zip", "ids": [invoice.id]})
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    assert archive.read(f"Faktura {invoice.number}.pdf") == billing


def test_each_vat_rate_has_its_own_line(admin):
    invoice = _invoice(with_ocr=True)
    lines = list(InvoiceLine.select().where(InvoiceLine.invoice == invoice.id))
    assert len(lines) > 1
    with write_tx():
        InvoiceLine.update(vat_percent=6).where(InvoiceLine.id == lines[0].id).execute()
    text = pdf_text(admin, invoice)
    low = lines[0].amount_ore
    high = sum(line.amount_ore for line in lines[1:])
    assert f"Moms 6 % på {kronor(low)} {kronor(round(low * 6 / 100))}" in text
    assert f"Moms 25 % på {kronor(high)} {kronor(round(high * 25 / 100))}" in text
