"""The billing importer (INV-2): loads the operator's billing system output
into the portal. No Flask here; the CLI (cli.py ``flask billing``) and the
staff page (blueprints/staff/billing.py) call :func:`import_file` and
:func:`undo`. The file formats are documented in docs/BILLING_IMPORT.md.

Kinds: ``invoices`` (invoices with lines), ``credit_notes`` (credit notes
with lines), ``pdf`` (invoice PDFs: a folder or zip of ``<number>.pdf``),
``cdr`` (call detail records) and ``usage`` (monthly usage per service).
"""

from __future__ import annotations

from domain.billing.cdr import CallRecords
from domain.billing.csvfile import FileError, RowError
from domain.billing.engine import CHUNK, Outcome, Report, run
from domain.billing.invoices import CreditNotes, Invoices
from domain.billing.pdfs import Pdfs
from domain.billing.undo import STATUS_LABELS, UndoRefused, undo
from domain.billing.usage import Usage

KINDS = {kind.name: kind for kind in (Invoices(), CreditNotes(), Pdfs(), CallRecords(), Usage())}


def import_file(kind: str, path: str, **options) -> Report:
    """Import ``path`` as ``kind``; options as :func:`domain.billing.engine.run`
    (``on_error="skip"|"refuse"``, ``dry_run``, ``staff``, ``batch``,
    ``pdf_dir``, ``on_problem``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return run(KINDS[kind], path, **options)


__all__ = [
    "CHUNK",
    "KINDS",
    "STATUS_LABELS",
    "FileError",
    "Outcome",
    "Report",
    "RowError",
    "UndoRefused",
    "import_file",
    "undo",
]
