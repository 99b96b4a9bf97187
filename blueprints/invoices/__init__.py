"""Fakturor (INV-1): the invoice list, the invoice page, invoice PDFs and a
zip of several.

    views.py    /invoices (the list), /invoices/<id>/pdf and the zip of ticked ones
    show.py     /invoices/<id>: the invoice page with its lines, credit notes and chart
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("invoices", __name__, url_prefix="/invoices")

from blueprints.invoices import show, views  # noqa: E402,F401  (routes register on bp)
from blueprints.invoices.views import INVOICE_LIST, invoice_pdf_bytes  # noqa: E402,F401
