"""The import run every kind of billing file shares: read records in chunks
of :data:`CHUNK`, let the kind check them (validate, look up, match by
natural key, compare with what is stored), catch keys that repeat within the
file, and write each chunk in its own transaction.

* ``on_error="skip"``: the valid records are imported, every invalid one is
  reported with its line number and reason.
* ``on_error="refuse"``: the whole file is first checked without writing
  (a dry run); if any record is invalid nothing is written and the batch
  ends ``refused``. Otherwise a second pass writes.
* An unexpected failure part-way (or a file refused half-way, e.g. a line
  that is not UTF-8 near the end) takes back what the batch had written with
  the same undo an operator uses, and the batch ends ``failed``: nothing is
  left half-imported.

Conflicts (a stored record differs in a field billing may not change) are
reported and not applied; they are not errors, so they never refuse a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from database import utcnow, write_tx
from domain import audit
from domain.billing.csvfile import FileError, RowError
from domain.billing.undo import revert
from domain.text import T_
from tables.billing import ImportBatch, ImportChange
from tables.org import Account
from tables.services import Service

log = logging.getLogger("teleportal.billing")

CHUNK = 1000  # records read, checked and written together
KEPT = 1000  # errors and conflicts kept on the batch (all are counted; the CLI prints all)

NEW, UNCHANGED, UPDATE, CONFLICT, ERROR = "new", "unchanged", "update", "conflict", "error"


@dataclass
class Outcome:
    """What one record of the file would do."""

    line: int
    status: str = NEW
    message: str = ""
    key: str = ""  # the natural key, for repeats within the file
    data: dict = field(default_factory=dict)  # the parsed record
    stored: object = None  # the matching stored row (id, fields…)
    changes: dict = field(default_factory=dict)  # field: (before, after) for UPDATE


def parsed(records, parse, key) -> tuple[list[Outcome], list[Outcome]]:
    """(every record's outcome, the valid ones): each record ``parse``d, one
    whose parse raises RowError an ERROR with its line, the others NEW with
    their natural ``key(data)``, to be compared with what is stored."""
    outcomes = []
    for record in records:
        try:
            data = parse(record)
        except RowError as error:
            outcomes.append(Outcome(record.line, ERROR, str(error)))
            continue
        outcomes.append(Outcome(record.line, NEW, key=key(data), data=data))
    return outcomes, [o for o in outcomes if o.status == NEW]


@dataclass
class Report:
    kind: str
    filename: str
    dry_run: bool = False
    total: int = 0
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    conflicts: int = 0
    errors: int = 0
    error_list: list = field(default_factory=list)  # [{"row": n, "error": "…"}]
    conflict_list: list = field(default_factory=list)
    status: str = "done"
    message: str = ""
    batch_id: int | None = None

    def add(self, outcome: Outcome) -> None:
        self.total += 1
        if outcome.status == ERROR:
            self.errors += 1
            if len(self.error_list) < KEPT:
                self.error_list.append({"row": outcome.line, "error": outcome.message})
        elif outcome.status == CONFLICT:
            self.conflicts += 1
            if len(self.conflict_list) < KEPT:
                self.conflict_list.append({"row": outcome.line, "error": outcome.message})
        elif outcome.status == UPDATE:
            self.updated += 1
        elif outcome.status == UNCHANGED:
            self.unchanged += 1
        else:
            self.new += 1

    def summary(self) -> str:
        return T_(
            "%(total)s poster: %(new)s nya, %(unchanged)s oförändrade, "
            "%(updated)s uppdaterade, %(conflicts)s konflikter, %(errors)s fel",
            total=self.total,
            new=self.new,
            unchanged=self.unchanged,
            updated=self.updated,
            conflicts=self.conflicts,
            errors=self.errors,
        )


class Context:
    """Look-ups shared by the chunks of one run (accounts and services are
    bounded by the database, not by the file)."""

    def __init__(self, batch: ImportBatch | None, today: dt.date, pdf_dir: str | None = None):
        self.batch = batch
        self.today = today
        self.pdf_dir = pdf_dir
        self._accounts: dict[str, Account | None] = {}
        self._services: dict[int, dict[str, tuple[int, int]]] = {}
        self.files_written: list[str] = []

    def account(self, values: dict, column: str = "kundnummer") -> Account:
        number = values.get(column, "")
        if not number:
            raise RowError(f"{column} saknas")
        if number not in self._accounts:
            self._accounts[number] = Account.get_or_none(Account.customer_number == number)
        account = self._accounts[number]
        if account is None:
            raise RowError(f"{column}: inget konto har kundnummer {number}")
        return account

    def service(self, account: Account, number: str, column: str = "tjänst") -> tuple[int, int]:
        """(id, account id) of the service with ``number`` in the account's
        organisation (the newest, when a number was reused)."""
        org = account.organisation_id
        if org not in self._services:
            rows = (
                Service.select(Service.id, Service.number, Service.account)
                .where(Service.organisation == org)
                .order_by(Service.id)
                .tuples()
            )
            self._services[org] = {n: (sid, acc) for sid, n, acc in rows}
        found = self._services[org].get(number)
        if found is None:
            raise RowError(f"{column}: ingen tjänst {number} hos kundens organisation")
        return found


class KeyLedger:
    """The natural keys seen so far in the file, kept in a temporary SQLite
    file rather than a Python set so that memory does not grow with the file."""

    def __init__(self):
        handle, self.path = tempfile.mkstemp(prefix="billing-keys-", suffix=".db")
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE seen (k TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def mark(self, outcomes: list[Outcome]) -> None:
        """Turn a record whose key came earlier in the file into an error."""
        keyed = [o for o in outcomes if o.key and o.status != ERROR]
        if not keyed:
            return
        earlier: dict[str, int] = {}
        keys = list({o.key for o in keyed})
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            earlier.update(
                self.db.execute(f"SELECT k, line FROM seen WHERE k IN ({marks})", part).fetchall()
            )
        fresh = []
        for outcome in keyed:
            first = earlier.get(outcome.key)
            if first is not None:
                outcome.status = ERROR
                outcome.message = f"samma nyckel ({outcome.key}) som rad {first} i filen"
            else:
                earlier[outcome.key] = outcome.line
                fresh.append((outcome.key, outcome.line))
        self.db.executemany("INSERT INTO seen VALUES (?, ?)", fresh)

    def close(self) -> None:
        self.db.close()
        os.unlink(self.path)


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _one_pass(kind, path, ctx: Context, report: Report, write: bool, on_problem) -> None:
    ledger = KeyLedger()
    try:
        for records in chunked(kind.records(path), getattr(kind, "chunk", CHUNK)):
            if write:
                with write_tx():
                    outcomes = kind.check(records, ctx)
                    ledger.mark(outcomes)
                    kind.write([o for o in outcomes if o.status in (NEW, UPDATE)], ctx)
            else:
                outcomes = kind.check(records, ctx)
                ledger.mark(outcomes)
            for outcome in outcomes:
                report.add(outcome)
                if on_problem and outcome.status in (ERROR, CONFLICT):
                    on_problem(outcome)
    finally:
        ledger.close()


def run(
    kind,
    path: str,
    *,
    filename: str | None = None,
    on_error: str = "skip",
    dry_run: bool = False,
    staff=None,
    batch: ImportBatch | None = None,
    pdf_dir: str | None = None,
    today: dt.date | None = None,
    on_problem: Callable[[Outcome], None] | None = None,
) -> Report:
    """Import ``path`` as ``kind`` (see domain/billing/__init__.py)."""
    if on_error not in ("skip", "refuse"):
        raise ValueError(f"on_error must be skip or refuse, not {on_error!r}")
    filename = filename or os.path.basename(path)
    today = today or dt.date.today()
    report = Report(kind.name, filename, dry_run=dry_run)
    if dry_run:
        try:
            _one_pass(kind, path, Context(None, today, pdf_dir), report, False, on_problem)
        except FileError as error:
            report.status, report.message = "refused", str(error)
        return report

    if batch is None:
        with write_tx():
            batch = ImportBatch.create(
                kind=kind.name, filename=filename, on_error=on_error, staff=staff
            )
    report.batch_id = batch.id
    ctx = Context(batch, today, pdf_dir)
    try:
        if on_error == "refuse":
            check = Report(kind.name, filename, dry_run=True)

            def errors_only(outcome):  # conflicts are told by the pass that writes
                if on_problem and outcome.status == ERROR:
                    on_problem(outcome)

            _one_pass(kind, path, Context(None, today, pdf_dir), check, False, errors_only)
            if check.errors:
                check.dry_run = False
                check.batch_id = batch.id
                check.status = "refused"
                check.message = (
                    f"Filen avvisades: {check.errors} rader har fel, inget importerades."
                )
                report = check
        if report.status != "refused":
            _one_pass(kind, path, ctx, report, True, on_problem)
    except FileError as error:
        _take_back(batch, ctx)
        report.status, report.message = "refused", f"{error} Inget importerades."
    except BaseException as error:  # Ctrl-C in the CLI too: nothing half-imported
        _take_back(batch, ctx)
        report.status, report.message = "failed", f"Importen misslyckades: {error}"
        _finish(batch, report, staff)
        raise
    _finish(batch, report, staff)
    if report.status == "done" and hasattr(kind, "after_import"):
        # After the commit: what follows an import (the e-mail of new
        # invoices) never takes the import back when it fails.
        try:
            kind.after_import(batch)
        except Exception:
            log.exception("after import #%s of %s", batch.id, kind.name)
    return report


def _take_back(batch: ImportBatch, ctx: Context) -> None:
    """Remove what a run wrote before it stopped (see undo)."""
    with write_tx():
        revert(batch)
    for path in ctx.files_written:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _finish(batch: ImportBatch, report: Report, staff) -> None:
    with write_tx():
        batch.status = report.status
        batch.rows_total = report.total
        batch.rows_ok = report.new + report.unchanged + report.updated
        batch.rows_failed = report.errors
        batch.rows_new = report.new
        batch.rows_unchanged = report.unchanged
        batch.rows_updated = report.updated
        batch.rows_conflict = report.conflicts
        batch.errors = json.dumps(report.error_list, ensure_ascii=False)
        batch.conflicts = json.dumps(report.conflict_list, ensure_ascii=False)
        batch.message = report.message
        batch.finished_at = utcnow()
        batch.save()
        audit.record(
            "billing.import",
            batch,
            summary=f"Import #{batch.id} av {batch.filename} ({report.kind}): "
            + (report.message or report.summary()),
            after={
                "status": report.status,
                "rows": report.total,
                "new": report.new,
                "updated": report.updated,
                "errors": report.errors,
            },
            organisation=audit.STAFF_ONLY,
            actor=staff,
        )


def record_change(ctx: Context, table: str, row_id: int, action: str, before=None, after=None):
    """Rows for :class:`ImportChange`, inserted by the kind in bulk."""
    return {
        "batch": ctx.batch.id,
        "table_name": table,
        "row_id": row_id,
        "action": action,
        "before": json.dumps(before, default=str) if before is not None else None,
        "after": json.dumps(after, default=str) if after is not None else None,
    }


def save_changes(rows: list[dict]) -> None:
    for start in range(0, len(rows), 500):
        ImportChange.insert_many(rows[start : start + 500]).execute()
