"""Invoice PDFs (kind ``pdf``): a folder or a zip of files named
``<invoicenumber>.pdf``. Each is checked to begin with ``%PDF-`` and to name
a stored invoice, then kept under the invoice PDF folder as
``imported/<batch>/<number>.pdf`` and set as the invoice's ``pdf_file``
(what /invoices/<id>/pdf serves instead of rendering one).

An invoice without an imported PDF gains one (new); the same bytes again
change nothing; a different PDF for an invoice that has one is a conflict
(an issued invoice's document does not change). "Line" numbers are the
file's place in the folder or zip, sorted by name; messages name the file.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass

from domain.billing import csvfile as f
from domain.billing.engine import (
    CONFLICT,
    ERROR,
    NEW,
    UNCHANGED,
    Context,
    Outcome,
    record_change,
    save_changes,
)
from domain.files import write_atomic
from domain.text import N_
from tables.billing import Invoice

MAX_PDF_BYTES = 20 * 1024 * 1024


@dataclass
class PdfFile:
    line: int
    name: str
    read: object  # () -> bytes
    size: int


class Pdfs:
    name = "pdf"
    label = N_("Faktura-PDF:er (mapp eller zip)")
    required = ()
    optional = ()
    chunk = 20  # PDFs are read whole: a few at a time

    def records(self, path):
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if os.path.isfile(os.path.join(path, n)))
            for i, name in enumerate(names, start=1):
                full = os.path.join(path, name)
                yield PdfFile(i, name, lambda full=full: _read(full), os.path.getsize(full))
            return
        if path.lower().endswith(".pdf") and not zipfile.is_zipfile(path):
            yield PdfFile(1, os.path.basename(path), lambda: _read(path), os.path.getsize(path))
            return
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise f.FileError(
                "Filen är varken en zip-fil eller en PDF: ladda upp en zip med "
                "<fakturanummer>.pdf eller en enstaka PDF."
            ) from None
        with archive:
            entries = sorted(
                (i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename
            )
            for n, info in enumerate(entries, start=1):
                # Read here: the archive closes when the last chunk is taken.
                content = archive.read(info) if info.file_size <= MAX_PDF_BYTES else b""
                yield PdfFile(
                    n,
                    info.filename.rsplit("/", 1)[-1],
                    lambda content=content: content,
                    info.file_size,
                )

    def parse(self, item: PdfFile) -> dict:
        if not item.name.lower().endswith(".pdf"):
            raise f.RowError("namnet ska vara <fakturanummer>.pdf")
        if item.size > MAX_PDF_BYTES:
            raise f.RowError(f"filen är större än {MAX_PDF_BYTES // (1024 * 1024)} MB")
        content = item.read()
        if not content.startswith(b"%PDF-"):
            raise f.RowError("filen är ingen PDF (börjar inte med %PDF-)")
        number = item.name[:-4]
        invoice = Invoice.get_or_none(Invoice.number == number)
        if invoice is None:
            raise f.RowError(f"det finns ingen faktura {number}")
        return {"number": number, "invoice": invoice, "content": content}

    def check(self, items: list[PdfFile], ctx: Context) -> list[Outcome]:
        outcomes = []
        for item in items:
            try:
                data = self.parse(item)
            except f.RowError as error:
                outcomes.append(Outcome(item.line, ERROR, f"{item.name}: {error}"))
                continue
            outcome = Outcome(item.line, NEW, key=data["number"], data=data)
            current = data["invoice"].pdf_file
            if current:
                if ctx.pdf_dir and _digest_of(ctx.pdf_dir, current) == _digest(data["content"]):
                    outcome.status = UNCHANGED
                else:
                    outcome.status = CONFLICT
                    outcome.message = (
                        f"{item.name}: faktura {data['number']} har redan en annan PDF; inte ändrad"
                    )
            outcomes.append(outcome)
        for outcome in outcomes:  # keep a chunk's memory to its outcomes' needs
            if outcome.status != NEW:
                outcome.data.pop("content", None)
        return outcomes

    def write(self, outcomes: list[Outcome], ctx: Context) -> None:
        if not ctx.pdf_dir:
            raise RuntimeError("pdf_dir is needed to store invoice PDFs")
        folder = os.path.join("imported", str(ctx.batch.id))
        os.makedirs(os.path.join(ctx.pdf_dir, folder), exist_ok=True)
        changes = []
        for o in outcomes:
            invoice = o.data["invoice"]
            relative = os.path.join(folder, f"{o.data['number']}.pdf")
            full = os.path.join(ctx.pdf_dir, relative)
            write_atomic(full, o.data.pop("content"))
            ctx.files_written.append(full)
            Invoice.update(pdf_file=relative).where(Invoice.id == invoice.id).execute()
            changes.append(
                record_change(
                    ctx,
                    "invoice",
                    invoice.id,
                    "update",
                    before={"pdf_file": invoice.pdf_file},
                    after={"pdf_file": relative},
                )
            )
        save_changes(changes)


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read(MAX_PDF_BYTES + 1)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _digest_of(pdf_dir: str, relative: str) -> str | None:
    try:
        with open(os.path.join(pdf_dir, relative), "rb") as stream:
            return _digest(stream.read())
    except OSError:
        return None
