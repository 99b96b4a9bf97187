"""Invoices with their lines (kind ``invoices``) and credit notes with
theirs (kind ``credit_notes``): one row per line, the document's columns
repeated on each of its rows, a document's rows one after the other. See
docs/BILLING_IMPORT.md.

Invoices are matched by number. A later file may change an invoice's
payment status and paid date; any other difference (dates, account, VAT,
amount, reference, OCR, lines) is a conflict, reported and not applied.
Credit notes are matched by number and never change: any difference is a
conflict. The invoice's amount is the sum of its lines plus VAT (as the
invoice page and the seed compute it); a stated ``belopp`` must agree. A
credit note's amount likewise: its lines plus its ``moms``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from domain import notifications
from domain.billing import csvfile as f
from domain.billing.engine import (
    CONFLICT,
    NEW,
    UNCHANGED,
    UPDATE,
    Context,
    Outcome,
    parsed,
    record_change,
    save_changes,
)
from domain.formats import amount as shown_amount
from domain.text import N_
from tables.billing import CreditNote, CreditNoteLine, Invoice, InvoiceLine

STATUSES = {"betald": "paid", "paid": "paid", "obetald": "unpaid", "unpaid": "unpaid"}
VAT_RATES = (0, 6, 12, 25)


@dataclass
class Document:
    """The consecutive rows of one invoice or credit note."""

    line: int
    number: str
    rows: list


def grouped(rows, key_column: str) -> Iterator[Document]:
    current = None
    for row in rows:
        number = row.values.get(key_column, "")
        if "__width__" in row.values or not number:
            if current:
                yield current
                current = None
            yield Document(row.line, "", [row])
            continue
        if current and current.number == number:
            current.rows.append(row)
            continue
        if current:
            yield current
        current = Document(row.line, number, [row])
    if current:
        yield current


def _same_header(document: Document, columns: tuple[str, ...]) -> None:
    first = document.rows[0].values
    for row in document.rows[1:]:
        differing = [c for c in columns if row.values.get(c, "") != first.get(c, "")]
        if differing:
            raise f.RowError(
                f"rad {row.line}: {', '.join(differing)} skiljer sig från rad {document.line} "
                f"för samma {document.number}"
            )


def _first_error(document: Document, key_column: str) -> None:
    row = document.rows[0]
    if "__width__" in row.values:
        raise f.RowError(f"fel antal fält ({row.values['__width__']})")
    if not document.number:
        raise f.RowError(f"{key_column} saknas")


INVOICE_HEADER = (
    "fakturanummer",
    "kundnummer",
    "fakturadatum",
    "förfallodatum",
    "periodstart",
    "periodslut",
    "referens",
    "status",
    "betaldatum",
    "ocr",
    "moms",
    "belopp",
)
INVOICE_REQUIRED = (
    "fakturanummer",
    "kundnummer",
    "fakturadatum",
    "förfallodatum",
    "status",
    "moms",
    "beskrivning",
    "radbelopp",
)


class Invoices:
    name = "invoices"
    label = N_("Fakturor med rader")
    header = INVOICE_HEADER
    required = INVOICE_REQUIRED
    optional = tuple(c for c in INVOICE_HEADER if c not in INVOICE_REQUIRED) + (
        "tjänst",
        "användare",
        "fakturatext",
        "radperiodstart",
        "radperiodslut",
        "antal",
        "momssats",
    )

    def records(self, path):
        with open(path, "rb") as stream:
            yield from grouped(f.read_rows(stream, self.required, self.optional), "fakturanummer")

    def after_import(self, batch) -> None:
        """Mail the new invoices to the contacts who want billing mail (SPEC §10)."""
        notifications.invoices_imported(batch)

    def parse(self, document: Document, ctx: Context) -> dict:
        _first_error(document, "fakturanummer")
        _same_header(document, self.header)
        v = document.rows[0].values
        number = f.text(v, "fakturanummer", max_length=40)
        account = ctx.account(v)
        invoice_date = f.date(v, "fakturadatum")
        due_date = f.date(v, "förfallodatum")
        if due_date < invoice_date:
            raise f.RowError("förfallodatum är före fakturadatum")
        period_start = f.date(v, "periodstart", required=False)
        period_end = f.date(v, "periodslut", required=False)
        if period_start and period_end and period_end < period_start:
            raise f.RowError("periodslut är före periodstart")
        status = f.choice(v, "status", STATUSES)
        paid_at = f.date(v, "betaldatum", required=False)
        if status == "paid" and paid_at is None:
            raise f.RowError("betaldatum saknas för en betald faktura")
        if status == "unpaid" and paid_at is not None:
            raise f.RowError("betaldatum är angivet men status är obetald")
        ocr = f.text(v, "ocr", required=False, max_length=40)
        if ocr and not ocr.isdigit():
            raise f.RowError(f"ocr: {ocr!r} får bara innehålla siffror")
        vat = f.amount(v, "moms")
        lines = []
        for position, row in enumerate(document.rows):
            try:
                lines.append(self._line(row.values, account, position, ctx))
            except f.RowError as error:
                raise f.RowError(f"rad {row.line}: {error}") from None
        net = sum(line["amount_ore"] for line in lines)
        stated = f.amount(v, "belopp", required=False)
        if stated is not None and stated != net + vat:
            raise f.RowError(
                f"belopp {shown_amount(stated)} stämmer inte med radernas summa plus moms "
                f"({shown_amount(net)} + {shown_amount(vat)} = {shown_amount(net + vat)})"
            )
        return {
            "number": number,
            "organisation": account.organisation_id,
            "account": account.id,
            "delivery": account.invoice_delivery,
            "invoice_date": invoice_date,
            "due_date": due_date,
            "period_start": period_start,
            "period_end": period_end,
            "amount_ore": net + vat,
            "vat_ore": vat,
            "status": status,
            "paid_at": paid_at,
            "reference": f.text(v, "referens", required=False),
            "ocr": ocr,
            "lines": lines,
        }

    def _line(self, v: dict, account, position: int, ctx: Context) -> dict:
        service = None
        if v.get("tjänst"):
            service = ctx.service(account, v["tjänst"])[0]
        start = f.date(v, "radperiodstart", required=False)
        end = f.date(v, "radperiodslut", required=False)
        if start and end and end < start:
            raise f.RowError("radperiodslut är före radperiodstart")
        vat_percent = f.integer(v, "momssats", default=25)
        if vat_percent not in VAT_RATES:
            raise f.RowError(f"momssats: {vat_percent} är ingen momssats (0, 6, 12 eller 25)")
        return {
            "service": service,
            "description": f.text(v, "beskrivning"),
            "user_name": f.text(v, "användare", required=False),
            "invoice_text": f.text(v, "fakturatext", required=False),
            "period_start": start,
            "period_end": end,
            "quantity": f.integer(v, "antal", default=1, minimum=1),
            "amount_ore": f.amount(v, "radbelopp"),
            "vat_percent": vat_percent,
            "position": position,
        }

    FIXED = {
        "account": "kundnummer",
        "invoice_date": "fakturadatum",
        "due_date": "förfallodatum",
        "period_start": "periodstart",
        "period_end": "periodslut",
        "amount_ore": "belopp",
        "vat_ore": "moms",
        "reference": "referens",
        "ocr": "ocr",
    }
    BILLING = ("status", "paid_at")
    LINE_FIELDS = (
        "service",
        "description",
        "user_name",
        "invoice_text",
        "period_start",
        "period_end",
        "quantity",
        "amount_ore",
        "vat_percent",
    )

    def check(self, documents: list[Document], ctx: Context) -> list[Outcome]:
        outcomes, valid = parsed(
            documents, lambda document: self.parse(document, ctx), lambda data: data["number"]
        )
        stored = {
            invoice.number: invoice
            for invoice in Invoice.select().where(
                Invoice.number.in_([o.data["number"] for o in valid])
            )
        }
        lines: dict[int, list] = {}
        if stored:
            for line in (
                InvoiceLine.select()
                .where(InvoiceLine.invoice.in_([i.id for i in stored.values()]))
                .order_by(InvoiceLine.position, InvoiceLine.id)
            ):
                lines.setdefault(line.invoice_id, []).append(line)
        for outcome in valid:
            invoice = stored.get(outcome.data["number"])
            if invoice is not None:
                self._compare(outcome, invoice, lines.get(invoice.id, []))
        return outcomes

    def _compare(self, outcome: Outcome, invoice: Invoice, lines: list) -> None:
        d = outcome.data
        outcome.stored = invoice
        differing = [
            label
            for name, label in self.FIXED.items()
            if getattr(invoice, name + "_id" if name == "account" else name) != d[name]
        ]
        stored_lines = [tuple(getattr(line, _col(n)) for n in self.LINE_FIELDS) for line in lines]
        new_lines = [tuple(line[n] for n in self.LINE_FIELDS) for line in d["lines"]]
        if stored_lines != new_lines:
            differing.append("raderna")
        if differing:
            outcome.status = CONFLICT
            outcome.message = (
                f"faktura {d['number']} finns redan med andra värden för "
                f"{', '.join(differing)}; inte ändrad"
            )
            return
        changes = {
            k: (getattr(invoice, k), d[k]) for k in self.BILLING if getattr(invoice, k) != d[k]
        }
        if changes:
            outcome.status, outcome.changes = UPDATE, changes
        else:
            outcome.status = UNCHANGED

    def write(self, outcomes: list[Outcome], ctx: Context) -> None:
        changes = []
        line_rows = []
        for o in outcomes:
            d = o.data
            if o.status == NEW:
                fields = {k: v for k, v in d.items() if k != "lines"}
                invoice = Invoice.create(import_batch=ctx.batch.id, **fields)
                line_rows += [{"invoice": invoice.id, **line} for line in d["lines"]]
            else:
                Invoice.update({k: d[k] for k in self.BILLING}).where(
                    Invoice.id == o.stored.id
                ).execute()
                changes.append(
                    record_change(
                        ctx,
                        "invoice",
                        o.stored.id,
                        "update",
                        before={k: getattr(o.stored, k) for k in self.BILLING},
                        after={k: d[k] for k in self.BILLING},
                    )
                )
        for start in range(0, len(line_rows), 500):
            InvoiceLine.insert_many(line_rows[start : start + 500]).execute()
        save_changes(changes)


def _col(name: str) -> str:
    return name + "_id" if name == "service" else name


class CreditNotes:
    name = "credit_notes"
    label = N_("Kreditfakturor med rader")
    header = ("kreditnummer", "kundnummer", "fakturanummer", "datum", "orsak", "moms", "belopp")
    required = ("kreditnummer", "kundnummer", "fakturanummer", "datum", "beskrivning", "radbelopp")
    optional = ("orsak", "moms", "belopp", "tjänst", "fakturarad")

    def records(self, path):
        with open(path, "rb") as stream:
            yield from grouped(f.read_rows(stream, self.required, self.optional), "kreditnummer")

    def parse(self, document: Document, ctx: Context) -> dict:
        _first_error(document, "kreditnummer")
        _same_header(document, self.header)
        v = document.rows[0].values
        account = ctx.account(v)
        invoice = Invoice.get_or_none(Invoice.number == v.get("fakturanummer", ""))
        if invoice is None:
            raise f.RowError(f"fakturanummer: det finns ingen faktura {v.get('fakturanummer')!r}")
        if invoice.account_id != account.id:
            raise f.RowError(f"faktura {invoice.number} hör inte till kundnummer {v['kundnummer']}")
        invoice_lines = list(
            InvoiceLine.select()
            .where(InvoiceLine.invoice == invoice.id)
            .order_by(InvoiceLine.position, InvoiceLine.id)
        )
        lines = []
        for row in document.rows:
            try:
                lines.append(self._line(row.values, account, invoice_lines, ctx))
            except f.RowError as error:
                raise f.RowError(f"rad {row.line}: {error}") from None
        vat = f.amount(v, "moms", required=False) or 0
        net = sum(line["amount_ore"] for line in lines)
        stated = f.amount(v, "belopp", required=False)
        if stated is not None and stated != net + vat:
            raise f.RowError(
                f"belopp {shown_amount(stated)} stämmer inte med radernas summa plus moms "
                f"({shown_amount(net + vat)})"
            )
        return {
            "number": f.text(v, "kreditnummer", max_length=40),
            "organisation": account.organisation_id,
            "account": account.id,
            "invoice": invoice.id,
            "issued_on": f.date(v, "datum"),
            "amount_ore": net + vat,
            "reason": f.text(v, "orsak", required=False, max_length=2000),
            "lines": lines,
        }

    def _line(self, v: dict, account, invoice_lines: list, ctx: Context) -> dict:
        invoice_line = None
        service = None
        if v.get("fakturarad"):
            position = f.integer(v, "fakturarad", minimum=1)
            if position > len(invoice_lines):
                raise f.RowError(
                    f"fakturarad: fakturan har {len(invoice_lines)} rader, inte {position}"
                )
            invoice_line = invoice_lines[position - 1]
            service = invoice_line.service_id
        if v.get("tjänst"):
            service = ctx.service(account, v["tjänst"])[0]
        return {
            "invoice_line": invoice_line.id if invoice_line else None,
            "service": service,
            "description": f.text(v, "beskrivning"),
            "amount_ore": f.amount(v, "radbelopp"),
        }

    FIXED = {
        "account": "kundnummer",
        "invoice": "fakturanummer",
        "issued_on": "datum",
        "amount_ore": "belopp",
        "reason": "orsak",
    }
    LINE_FIELDS = ("invoice_line", "service", "description", "amount_ore")

    def check(self, documents: list[Document], ctx: Context) -> list[Outcome]:
        outcomes, valid = parsed(
            documents, lambda document: self.parse(document, ctx), lambda data: data["number"]
        )
        stored = {
            note.number: note
            for note in CreditNote.select().where(
                CreditNote.number.in_([o.data["number"] for o in valid])
            )
        }
        for outcome in valid:
            note = stored.get(outcome.data["number"])
            if note is None:
                continue
            d = outcome.data
            differing = [
                label
                for name, label in self.FIXED.items()
                if getattr(note, name + "_id" if name in ("account", "invoice") else name)
                != d[name]
            ]
            stored_lines = [
                (line.invoice_line_id, line.service_id, line.description, line.amount_ore)
                for line in CreditNoteLine.select()
                .where(CreditNoteLine.credit_note == note.id)
                .order_by(CreditNoteLine.id)
            ]
            if stored_lines != [tuple(line[n] for n in self.LINE_FIELDS) for line in d["lines"]]:
                differing.append("raderna")
            if differing:
                outcome.status = CONFLICT
                outcome.message = (
                    f"kreditfaktura {d['number']} finns redan med andra värden för "
                    f"{', '.join(differing)}; inte ändrad"
                )
            else:
                outcome.status = UNCHANGED
        return outcomes

    def write(self, outcomes: list[Outcome], ctx: Context) -> None:
        changes = []
        for o in outcomes:
            d = o.data
            note = CreditNote.create(**{k: v for k, v in d.items() if k != "lines"})
            CreditNoteLine.insert_many(
                [{"credit_note": note.id, **line} for line in d["lines"]]
            ).execute()
            changes.append(record_change(ctx, "credit_note", note.id, "create"))
        save_changes(changes)
