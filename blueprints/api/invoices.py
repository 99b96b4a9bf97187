"""Fakturor over the API: the list (the Fakturor list's filters and sorts,
blueprints/invoices/views.py INVOICE_LIST), one invoice with its lines, and
its PDF — the same file the portal serves."""

from __future__ import annotations

import io

from flask import send_file, url_for

from blueprints.api import bp
from blueprints.api import schemas as s
from blueprints.invoices.views import INVOICE_LIST, invoice_pdf_bytes
from tables.billing import Invoice, InvoiceLine
from tables.org import Account
from web.api.listing import filter_params, in_order, list_ids, paging_params
from web.api.operations import json_response, operation, page_response
from web.api.problems import ApiError

SORTS = ("due", "date", "number", "amount", "customer", "status")


def invoice_out(invoice: Invoice) -> dict:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "account": {"id": invoice.account.id, "customer_number": invoice.account.customer_number},
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "amount": s.money(invoice.amount_ore),
        "vat": s.money(invoice.vat_ore),
        "status": invoice.shown_status(),
        "paid_at": invoice.paid_at,
        "reference": invoice.reference,
        "pdf": url_for("api.invoice_pdf", invoice_id=invoice.id),
    }


def invoices_of(ids: list[int]) -> list[Invoice]:
    rows = (
        Invoice.select(
            *(Invoice.id, Invoice.number, Invoice.invoice_date, Invoice.due_date),
            *(Invoice.period_start, Invoice.period_end, Invoice.amount_ore, Invoice.vat_ore),
            *(Invoice.status, Invoice.paid_at, Invoice.reference, Invoice.account),
            *(Account.id, Account.customer_number),
        )
        .join(Account, on=(Invoice.account == Account.id))
        .where(Invoice.id.in_(ids))
    )
    return in_order(rows, ids)


def invoice_or_404(user, invoice_id: int) -> Invoice:
    found = Invoice.visible_to(user).where(Invoice.id == invoice_id).select(Invoice.id).scalar()
    if found is None:
        raise ApiError(404, "No such invoice in the token's scope.")
    return invoices_of([found])[0]


@operation(
    bp,
    "/invoices",
    summary="List invoices",
    tag="Invoices",
    permission="invoices.view",
    response=s.InvoicePage,
    paged=True,
    query=[*paging_params(SORTS, "due, descending"), *filter_params(INVOICE_LIST)],
)
def invoices_list(user):
    ids, cursor = list_ids(INVOICE_LIST, user, SORTS)
    items = s.InvoiceOut(many=True).dump([invoice_out(i) for i in invoices_of(ids)])
    return page_response(items, cursor)


@operation(
    bp,
    "/invoices/<int:invoice_id>",
    summary="Read an invoice with its lines",
    tag="Invoices",
    permission="invoices.view",
    response=s.InvoiceDetail,
)
def invoice_read(user, invoice_id: int):
    invoice = invoice_or_404(user, invoice_id)
    out = invoice_out(invoice)
    out["lines"] = [
        {
            "description": line.description,
            "service_id": line.service_id,
            "user_name": line.user_name,
            "period_start": line.period_start,
            "period_end": line.period_end,
            "quantity": line.quantity,
            "amount": s.money(line.amount_ore),
            "vat_percent": line.vat_percent,
        }
        for line in invoice.lines.order_by(InvoiceLine.position, InvoiceLine.id)
    ]
    return json_response(s.InvoiceDetail().dump(out))


@operation(
    bp,
    "/invoices/<int:invoice_id>/pdf",
    summary="The invoice as PDF",
    tag="Invoices",
    permission="invoices.view",
    media="application/pdf",
)
def invoice_pdf(user, invoice_id: int):
    # the whole rows: the PDF prints the account's name and address
    invoice = Invoice.get_by_id(invoice_or_404(user, invoice_id).id)
    return send_file(
        io.BytesIO(invoice_pdf_bytes(invoice)),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"Faktura {invoice.number}.pdf",
    )
