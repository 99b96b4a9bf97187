"""The invoice as a PDF (fpdf2), rendered from its lines.

An imported PDF from the billing system (Invoice.pdf_file) is served as it
is; otherwise this renders the complete invoice, the invoice reference
printed on it as the account had it when the invoice was issued.
"""

from __future__ import annotations

from domain.numbers import format_org_number
from web.formatting import amount, isodate

_LATIN1_FIXES = str.maketrans({"–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def _t(text) -> str:
    """The core PDF fonts are Latin-1 (Swedish letters included)."""
    return str(text or "").translate(_LATIN1_FIXES).encode("latin-1", "replace").decode("latin-1")


def render_invoice_pdf(invoice, lines, account, operator: dict) -> bytes:
    # Imported here: fpdf2 with fontTools takes 40 MB and over a second to
    # import, which every worker paid at start and few requests need.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"Faktura {invoice.number}"))
    pdf.set_author(_t(operator["name"]))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _t(operator["name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "FAKTURA", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    # Recipient on the left, invoice facts on the right.
    top = pdf.get_y()
    pdf.set_font("Helvetica", "", 10)
    recipient = [account.invoice_name or account.company_name]
    if account.care_of:
        recipient.append(f"c/o {account.care_of}")
    street = " ".join(p for p in (account.invoice_street, account.invoice_street_number) if p)
    place = " ".join(p for p in (account.invoice_postcode, account.invoice_city) if p)
    recipient += [street or account.street, place or f"{account.postcode} {account.city}"]
    for line in recipient:
        pdf.cell(95, 5, _t(line), new_x="LMARGIN", new_y="NEXT")

    facts = [
        ("Fakturanummer", invoice.number),
        ("Fakturadatum", isodate(invoice.invoice_date)),
        ("Förfallodatum", isodate(invoice.due_date)),
        ("Kundnummer", account.customer_number),
        ("Organisationsnummer", format_org_number(account.org_number)),
        ("Er referens", invoice.reference or "-"),
    ]
    if invoice.period_start and invoice.period_end:
        facts.append(("Period", f"{isodate(invoice.period_start)} - {isodate(invoice.period_end)}"))
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(115)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(38, 5, _t(label))
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, _t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 5 * len(recipient)) + 8)

    pdf.set_font("Helvetica", "", 9)
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 244))
    with pdf.table(
        col_widths=(70, 40, 45, 25),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        headings_style=heading,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row(["Beskrivning", "Användare", "Period", "Belopp"])
        for line in lines:
            description = line.description
            if line.invoice_text:
                description += f" ({line.invoice_text})"
            period = ""
            if line.period_start and line.period_end:
                period = f"{isodate(line.period_start)} - {isodate(line.period_end)}"
            table.row([_t(description), _t(line.user_name), period, _t(amount(line.amount_ore))])

    net = sum(line.amount_ore for line in lines)
    pdf.ln(4)
    for label, value, bold in (
        ("Summa exkl. moms", net, False),
        ("Moms", invoice.vat_ore, False),
        ("Att betala (SEK)", invoice.amount_ore, True),
    ):
        pdf.set_x(115)
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.cell(50, 6, _t(label))
        pdf.cell(25, 6, _t(amount(value)), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(10)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        _t(
            f"Betalas senast {isodate(invoice.due_date)} till bankgiro 123-4567 med "
            f"fakturanummer {invoice.number} som referens. Frågor om fakturan: "
            f"Kundservice {operator['phone']}."
        ),
    )
    return bytes(pdf.output())
