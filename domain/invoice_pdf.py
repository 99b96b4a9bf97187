"""The invoice as a PDF (fpdf2), rendered from its lines.

An imported PDF from the billing system (Invoice.pdf_file) is served as it
is; otherwise this renders the complete invoice with what a Swedish invoice
carries (mervärdesskattelagen): the operator's name, address, organisation
number and VAT registration number, the customer's name and address, the
invoice number and dates, each line, the VAT rate and amount, and how to pay
it: bankgiro/plusgiro and the OCR reference. The invoice reference is
printed as the account had it when the invoice was issued.
"""

from __future__ import annotations

from domain.formats import amount, isodate
from domain.numbers import format_org_number, ocr_from_invoice_number
from domain.operator import Operator
from domain.text import N_, T_, translate

DEFAULT_VAT_PERCENT = 25
FOOTER_WIDTHS = (42, 62, 50, 36)  # mm: address, contact, company, payment (A4 less margins)
_LATIN1_FIXES = str.maketrans({"–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def _t(text) -> str:
    """The core PDF fonts are Latin-1 (Swedish letters included)."""
    return str(text or "").translate(_LATIN1_FIXES).encode("latin-1", "replace").decode("latin-1")


def ocr_reference(invoice) -> str:
    """The OCR reference to pay the invoice with: the one billing gave it,
    else one derived from its number."""
    return invoice.ocr or ocr_from_invoice_number(invoice.number)


def vat_lines(invoice, lines) -> list[tuple[int, int, int]]:
    """(rate %, amount excluding VAT, VAT) per rate on the invoice.

    With one rate the VAT is the invoice's own (as billing computed it);
    with several each rate's share is computed from its lines.
    """
    net = invoice.amount_ore - invoice.vat_ore
    rates: dict[int, int] = {}
    for line in lines:
        rates[line.vat_percent] = rates.get(line.vat_percent, 0) + line.amount_ore
    if len(rates) <= 1:
        rate = next(iter(rates), DEFAULT_VAT_PERCENT if invoice.vat_ore else 0)
        return [(rate, net, invoice.vat_ore)]
    return [(rate, base, round(base * rate / 100)) for rate, base in sorted(rates.items())]


def _percent(rate: int) -> str:
    return f"{rate} %"


def render_invoice_pdf(
    invoice,
    lines,
    account,
    operator: Operator,
    logo: tuple[bytes, str] | None = None,
    lang: str | None = None,
) -> bytes:
    """``logo``: the operator's uploaded logo (bytes, content type), drawn
    above its name (UI-10). ``lang``: the language of the labels (the
    reader's; Swedish when not given); amounts and dates keep their format."""

    def t(text) -> str:
        return translate(text, lang)

    # Imported here: fpdf2 with fontTools takes 40 MB and over a second to
    # import, which every worker paid at start and few requests need.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class InvoicePDF(FPDF):
        def footer(self):
            """The operator's details at the foot of every page."""
            self.set_y(-28)
            self.set_draw_color(180, 188, 198)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(2)
            top = self.get_y()
            left = self.l_margin
            for width, rows in zip(FOOTER_WIDTHS, _footer_columns(operator), strict=True):
                self.set_y(top)
                for i, (label, value) in enumerate(rows):
                    self.set_x(left)
                    self.set_font("Helvetica", "B" if i == 0 and label is None else "", 7.5)
                    text = value if label is None else f"{t(label)} {value}"
                    self.cell(width, 3.6, _t(text), new_x="LMARGIN", new_y="NEXT")
                left += width
            self.set_xy(self.l_margin, -8)
            self.set_font("Helvetica", "", 7)
            self.cell(
                0,
                4,
                t(T_("Sida %(page)s av %(pages)s", page=self.page_no(), pages="{nb}")),
                align="R",
            )

    ocr = ocr_reference(invoice)
    pdf = InvoicePDF(format="A4")
    pdf.set_title(_t(t(T_("Faktura %(number)s", number=invoice.number))))
    pdf.set_author(_t(operator.name))
    pdf.set_auto_page_break(auto=True, margin=34)
    pdf.add_page()

    if logo is not None:
        _logo(pdf, *logo)
    # The operator and FAKTURA on one line, its address below.
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(120, 10, _t(operator.name))
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _t(t(N_("FAKTURA"))), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 4.5, _t(", ".join(operator.address_lines)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

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
        (N_("Fakturanummer"), invoice.number),
        (N_("Fakturadatum"), isodate(invoice.invoice_date)),
        (N_("Förfallodatum"), isodate(invoice.due_date)),
        (N_("OCR-nummer"), ocr or "-"),
        (N_("Kundnummer"), account.customer_number),
        (N_("Organisationsnummer"), format_org_number(account.org_number)),
        (N_("Er referens"), invoice.reference or "-"),
    ]
    if invoice.period_start and invoice.period_end:
        period = f"{isodate(invoice.period_start)} - {isodate(invoice.period_end)}"
        facts.append((N_("Period"), period))
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(115)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(38, 5, _t(t(label)))
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, _t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 5 * len(recipient)) + 8)

    pdf.set_font("Helvetica", "", 9)
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 244))
    with pdf.table(
        col_widths=(64, 38, 42, 14, 32),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        headings_style=heading,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        # The line's user: the msgid with the context "tjänstens" (a service's
        # user, not the menu's Users).
        user = translate("Användare", lang, context="tjänstens")
        headings = [t(N_("Beskrivning")), user, t(N_("Period")), t(N_("Moms"))]
        table.row([_t(text) for text in [*headings, t(N_("Belopp exkl. moms"))]])
        for line in lines:
            description = line.description
            if line.invoice_text:
                description += f" ({line.invoice_text})"
            period = ""
            if line.period_start and line.period_end:
                period = f"{isodate(line.period_start)} - {isodate(line.period_end)}"
            table.row(
                [
                    _t(description),
                    _t(line.user_name),
                    period,
                    _percent(line.vat_percent),
                    _t(amount(line.amount_ore)),
                ]
            )

    pdf.ln(4)
    totals = [(t(N_("Summa exkl. moms")), invoice.amount_ore - invoice.vat_ore, False)]
    for rate, base, vat in vat_lines(invoice, lines):
        label = t(T_("Moms %(rate)s på %(amount)s", rate=_percent(rate), amount=amount(base)))
        totals.append((label, vat, False))
    totals.append((t(N_("Att betala (SEK)")), invoice.amount_ore, True))
    for label, value, bold in totals:
        pdf.set_x(pdf.w - pdf.r_margin - 95)
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.cell(70, 6, _t(label))
        pdf.cell(25, 6, _t(amount(value)), align="R", new_x="LMARGIN", new_y="NEXT")

    _payment_box(pdf, invoice, operator, ocr, t)
    return bytes(pdf.output())


def _logo(pdf, data: bytes, content_type: str) -> None:
    import io

    try:
        pdf.image(io.BytesIO(data), h=12, keep_aspect_ratio=True)
    except Exception:  # noqa: BLE001 - a logo fpdf2 cannot draw leaves the name alone
        return
    pdf.ln(2)


def _payment_box(pdf, invoice, operator: Operator, ocr: str, t=lambda text: text) -> None:
    """How to pay: the giro numbers, the OCR reference, the amount and the day."""
    pdf.ln(8)
    rows = []
    if operator.bankgiro:
        rows.append((N_("Bankgiro"), operator.bankgiro))
    if operator.plusgiro:
        rows.append((N_("Plusgiro"), operator.plusgiro))
    rows += [
        (N_("OCR-nummer"), ocr or invoice.number),
        (N_("Att betala"), f"{amount(invoice.amount_ore)} kr"),
        (N_("Förfallodatum"), isodate(invoice.due_date)),
    ]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    column = width / len(rows)
    pdf.set_fill_color(243, 246, 250)
    pdf.set_draw_color(180, 188, 198)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, width, 14, style="DF")
    for i, (label, value) in enumerate(rows):
        pdf.set_xy(pdf.l_margin + i * column + 2, top + 2)
        pdf.set_font("Helvetica", "", 7.5)
        pdf.cell(column - 4, 4, _t(t(label)))
        pdf.set_xy(pdf.l_margin + i * column + 2, top + 6.5)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(column - 4, 5.5, _t(value))
    pdf.set_xy(pdf.l_margin, top + 16)
    pdf.set_font("Helvetica", "", 8)
    contact = operator.phone + (f", {operator.email}" if operator.email else "")
    if ocr:
        text = T_(
            "Ange OCR-numret vid betalning. Frågor om fakturan: Kundservice %(contact)s.",
            contact=contact,
        )
    else:
        text = T_(
            "Ange fakturanumret vid betalning. Frågor om fakturan: Kundservice %(contact)s.",
            contact=contact,
        )
    pdf.multi_cell(0, 4, _t(t(text)))


def _footer_columns(operator: Operator) -> list[list[tuple[str | None, str]]]:
    """Four columns of (label or None for a heading line, value)."""
    address = [(None, operator.name)] + [(None, line) for line in operator.address_lines]
    contact = [(N_("Telefon"), operator.phone)]
    if operator.email:
        contact.append((N_("E-post"), operator.email))
    if operator.web:
        contact.append((N_("Webb"), operator.web_host))
    company = [(N_("Org.nr"), operator.org_number), (N_("Momsreg.nr"), operator.vat_number)]
    payment = [(N_("Bankgiro"), operator.bankgiro), (N_("Plusgiro"), operator.plusgiro)]
    return [
        address,
        contact,
        [row for row in company if row[1]],
        [row for row in payment if row[1]],
    ]
