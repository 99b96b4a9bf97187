"""Undoing an import: the rows it created are removed and the fields it
updated get their previous values back.

A later import that touched the same rows (updated a row this one created
or updated, or points at an invoice this one created) must be undone first:
undo goes back in the order the imports came, so that no import's "before"
values are written over another's changes. :func:`undo` refuses with the
numbers of the imports to undo first.
"""

from __future__ import annotations

import contextlib
import json
import os

from database import utcnow, write_tx
from domain import audit
from domain.text import N_, T_
from tables.billing import CallRecord, CreditNote, ImportBatch, ImportChange, Invoice
from tables.services import MonthlyUsage

TABLES = {
    "invoice": Invoice,
    "call_record": CallRecord,
    "credit_note": CreditNote,
    "monthly_usage": MonthlyUsage,
}


class UndoRefused(Exception):
    """The batch cannot be undone (the message says why)."""


def blocking_batches(batch: ImportBatch) -> list[int]:
    """Later imports, still in force, that touched rows of ``batch``."""
    later = ImportBatch.select(ImportBatch.id).where(
        (ImportBatch.id > batch.id) & (ImportBatch.status == "done")
    )
    found: set[int] = set()
    touched = ImportChange.select(ImportChange.batch, ImportChange.table_name, ImportChange.row_id)
    # Later changes of rows this batch changed or created (credit notes, usage).
    mine = ImportChange.alias("mine")
    for (later_batch,) in (
        ImportChange.select(ImportChange.batch)
        .join(
            mine,
            on=(
                (ImportChange.table_name == mine.table_name) & (ImportChange.row_id == mine.row_id)
            ),
        )
        .where(ImportChange.batch.in_(later) & (mine.batch == batch.id))
        .distinct()
        .tuples()
    ):
        found.add(later_batch)
    # Later changes of invoices and call records this batch created.
    for table, model in (("invoice", Invoice), ("call_record", CallRecord)):
        query = (
            touched.where(ImportChange.batch.in_(later) & (ImportChange.table_name == table))
            .join(model, on=(ImportChange.row_id == model.id))
            .where(model.import_batch == batch.id)
            .distinct()
        )
        found.update(b for b, _t, _r in query.tuples())
    # Later imports pointing at an invoice this batch created.
    created = Invoice.select(Invoice.id).where(Invoice.import_batch == batch.id)
    for (other,) in (
        CallRecord.select(CallRecord.import_batch)
        .where(CallRecord.invoice.in_(created) & (CallRecord.import_batch != batch.id))
        .distinct()
        .tuples()
    ):
        if other:
            found.add(other)
    for (other,) in (
        ImportChange.select(ImportChange.batch)
        .join(CreditNote, on=(ImportChange.row_id == CreditNote.id))
        .where(
            (ImportChange.table_name == "credit_note")
            & (ImportChange.action == "create")
            & CreditNote.invoice.in_(created)
            & (ImportChange.batch != batch.id)
        )
        .tuples()
    ):
        found.add(other)
    live = ImportBatch.select(ImportBatch.id).where(
        ImportBatch.id.in_(list(found)) & (ImportBatch.status == "done")
    )
    return sorted(b for (b,) in live.tuples())


def revert(batch: ImportBatch) -> list[str]:
    """Take back what ``batch`` wrote (inside ``write_tx``); returns the
    imported PDF files to delete once the transaction has committed."""
    files = []
    changes = (
        ImportChange.select().where(ImportChange.batch == batch.id).order_by(ImportChange.id.desc())
    )
    created: dict[str, list[int]] = {}
    for change in changes.iterator():
        model = TABLES[change.table_name]
        if change.action == "create":
            created.setdefault(change.table_name, []).append(change.row_id)
            continue
        before = json.loads(change.before or "{}")
        after = json.loads(change.after or "{}")
        if "pdf_file" in after and after["pdf_file"]:
            files.append(after["pdf_file"])
        values = {model._meta.fields[name]: value for name, value in before.items()}
        if values:
            model.update(values).where(model.id == change.row_id).execute()
    for table in ("credit_note", "monthly_usage"):
        ids = created.get(table, [])
        for start in range(0, len(ids), 500):
            model = TABLES[table]
            model.delete().where(model.id.in_(ids[start : start + 500])).execute()
    CallRecord.delete().where(CallRecord.import_batch == batch.id).execute()
    Invoice.delete().where(Invoice.import_batch == batch.id).execute()
    ImportChange.delete().where(ImportChange.batch == batch.id).execute()
    return files


def undo(batch_id: int, *, staff=None, pdf_dir: str | None = None) -> ImportBatch:
    """Undo a finished import (status done); audited."""
    with write_tx():
        batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
        if batch is None:
            raise UndoRefused(T_("Det finns ingen import #%(id)s.", id=batch_id))
        if batch.status != "done":
            raise UndoRefused(
                T_(
                    "Import #%(id)s kan inte ångras: den är %(status)s.",
                    id=batch.id,
                    status=STATUS_LABELS.get(batch.status, batch.status).lower(),
                )
            )
        blocking = blocking_batches(batch)
        if blocking:
            numbers = ", ".join(f"#{b}" for b in blocking)
            raise UndoRefused(
                T_(
                    "Import #%(id)s kan inte ångras förrän %(numbers)s har ångrats: "
                    "de ändrade samma rader senare.",
                    id=batch.id,
                    numbers=numbers,
                )
            )
        files = revert(batch)
        batch.status = "undone"
        batch.undone_at = utcnow()
        batch.save()
        audit.record(
            "billing.undo",
            batch,
            summary=f"Import #{batch.id} av {batch.filename} ångrades",
            before={"status": "done"},
            after={"status": "undone"},
            organisation=audit.STAFF_ONLY,
            actor=staff,
        )
    if pdf_dir:
        for name in files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(pdf_dir, name))
    return batch


STATUS_LABELS = {
    "preview": N_("Förhandsgranskad"),
    "running": N_("Pågår"),
    "done": N_("Klar"),
    "refused": N_("Avvisad"),
    "failed": N_("Misslyckad"),
    "undone": N_("Ångrad"),
    "discarded": N_("Avbruten"),
}
