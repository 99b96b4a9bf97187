"""Fakturor (INV-1): the invoice list, invoice PDFs and a zip of several."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.invoices import bp
from domain import branding
from domain import operator as operators
from domain.invoice_pdf import render_invoice_pdf
from tables.billing import INVOICE_STATUSES, Invoice, InvoiceLine
from tables.org import Account
from web import excel
from web import group_totals as web_group_totals
from web.auth import get_visible_or_404, require
from web.i18n import N_, locale_code
from web.listcolumns import (
    AmountRangeFilter,
    ChoiceFilter,
    Column,
    TextFilter,
    date_column,
    kronor_column,
    text_column,
)
from web.lists.groups import InvoiceGroupRule
from web.listview import ListView, TallyCount

MAX_ZIP = 200


def status_condition(values):
    """Shown statuses as conditions the indexes can serve."""
    return Invoice.shown_as(values)


def status_buckets(values):
    """The stored statuses that hold exactly the shown ones, for the row tally.

    Unpaid and overdue are parted by today's date, so only both together
    are a stored status; one of them alone is counted row by row.
    """
    shown = set(values)
    unpaid = {"unpaid", "overdue"}
    if shown & unpaid and not unpaid <= shown:
        return None
    return sorted(({"unpaid"} if shown & unpaid else set()) | (shown & {"paid"}))


def invoice_pdf_bytes(invoice: Invoice, lang: str | None = None) -> bytes:
    """The invoice's PDF: the billing system's own (as it is), else rendered
    with its labels in ``lang`` (the page's language when not given)."""
    if invoice.pdf_file:
        base = Path(current_app.config["INVOICE_PDF_DIR"]).resolve()
        path = (base / invoice.pdf_file).resolve()
        if path.is_relative_to(base) and path.is_file():
            return path.read_bytes()
    lines = list(invoice.lines.order_by(InvoiceLine.position, InvoiceLine.id))
    operator = operators.current()
    logo = branding.logo() if operator.has_logo else None
    lang = lang or locale_code()
    return render_invoice_pdf(invoice, lines, invoice.account, operator, logo, lang=lang)


def zip_response(query):
    """INV-3: the ticked invoices' PDFs as one zip."""
    invoices = list(query.limit(MAX_ZIP))
    if not invoices:
        abort(404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            name = _("Faktura %(number)s", number=invoice.number)
            archive.writestr(f"{name}.pdf", invoice_pdf_bytes(invoice))
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{_('Fakturor')} {dt.date.today().isoformat()}.zip",
    )


INVOICE_LIST = ListView(
    name="invoices",
    groups=InvoiceGroupRule(),
    group_totals="invoices.group_totals",
    model=Invoice,
    query=Invoice.visible_to,
    joins=[(Account, Invoice.account)],
    page_fields=(
        *(Invoice.status, Invoice.number, Invoice.due_date, Invoice.invoice_date),
        *(Invoice.amount_ore, Account.customer_number, Account.company_name, Account.alias),
    ),
    tally=TallyCount("invoice", {"status": status_buckets}),
    row_template="partials/invoices/_rows.html",
    default_sort=("due", "desc"),
    export_title=N_("Fakturor"),
    bulk_actions=[("xlsx", N_("Exportera markerade")), ("zip", N_("Ladda ned PDF (zip)"))],
    bulk_handlers={"zip": zip_response},
    columns=[
        Column(
            "status",
            N_("Status"),
            sort=Invoice.status_expression,
            filter=ChoiceFilter(INVOICE_STATUSES, condition=status_condition),
            export=Invoice.status_expression,
            export_format=excel.labels(INVOICE_STATUSES),
        ),
        text_column("customer", N_("Kundnummer"), Account.customer_number),
        Column(
            "account",
            N_("Konto"),
            sort=Account.display_name_sql,  # what the row shows: the alias where set
            filter=TextFilter(),
            filter_expr=(Account.company_name, Account.alias),
            export=Account.company_name,
        ),
        text_column("number", N_("Fakturanummer"), Invoice.number),
        date_column("due", N_("Förfallodatum"), Invoice.due_date),
        date_column("date", N_("Fakturadatum"), Invoice.invoice_date),
        kronor_column("amount", N_("Belopp"), Invoice.amount_ore, filter=AmountRangeFilter()),
        Column("pdf", N_("PDF")),
    ],
    essential=("status", "number", "due", "amount", "pdf"),  # a phone's card
)


@bp.route("")
@require("invoices.view")
def index():
    return INVOICE_LIST.respond(current_user, "invoices/list.html", today=dt.date.today())


@bp.route("/summa-per-grupp")
@require("invoices.view")
def group_totals():
    """Summa per grupp of the list's current filter (``?kategori=``), by htmx."""
    return web_group_totals.invoice_panel(INVOICE_LIST, current_user)


@bp.route("/<int:invoice_id>/pdf")
@require("invoices.view")
def pdf(invoice_id: int):
    invoice = get_visible_or_404(Invoice, invoice_id)
    return send_file(
        io.BytesIO(invoice_pdf_bytes(invoice)),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"{_('Faktura %(number)s', number=invoice.number)}.pdf",
    )
