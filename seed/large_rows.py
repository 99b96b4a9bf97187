"""Writing the large data set fast: rows as tuples, executemany in chunks,
each chunk its own ``write_tx``, ids assigned by the seed (the database is
fresh). Shared by seed/large.py, seed/large_billing.py and
seed/large_tickets.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from peewee import AutoField
from psycopg2.extras import execute_values

from database import db, is_sqlite, write_tx
from models import Sequence as NumberSequence
from models import next_number
from seed import demo

CHUNK = 50_000


def insert_sql(model, columns: Sequence[str]) -> tuple[str, tuple]:
    """The INSERT for ``columns`` and the tail of model defaults for the
    fields left out (what ``Model.create`` would give them)."""
    fields = model._meta.fields
    defaults = []
    for name, field in fields.items():
        if name in columns or field.default is None:
            continue
        value = field.default() if callable(field.default) else field.default
        defaults.append((name, field.db_value(value)))
    names = [fields[c].column_name for c in columns] + [fields[n].column_name for n, _ in defaults]
    # SQLite: executemany of one row's VALUES; PostgreSQL: execute_values
    # fills the one %s with many rows at a time (executemany would make a
    # round trip per row).
    values = "({})".format(", ".join("?" * len(names))) if is_sqlite() else "%s"
    sql = 'INSERT INTO "{}" ({}) VALUES {}'.format(
        model._meta.table_name, ", ".join(f'"{n}"' for n in names), values
    )
    return sql, tuple(v for _, v in defaults)


def bulk_insert(model, columns: Sequence[str], rows: Iterable[tuple], chunk: int = CHUNK) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) with executemany.

    Fields left out get their model default, like ``Model.create`` would
    give them. Each chunk commits in its own ``write_tx``.
    """
    writer = BulkWriter(model, columns, chunk=chunk)
    for row in rows:
        writer.add(row)
    return writer.close()


class BulkWriter:
    """``bulk_insert`` row by row, for rows of two tables made together:
    a writer with ``before`` flushes that writer first, so a line is never
    written before the row it points at (foreign keys are enforced)."""

    def __init__(self, model, columns: Sequence[str], chunk: int = CHUNK, before=None):
        self.sql, self.tail = insert_sql(model, columns)
        self.chunk = chunk
        self.before = before
        self.batch: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.batch.append(row + self.tail)
        if len(self.batch) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.before is not None:
            self.before.flush()
        if self.batch:
            with write_tx():
                if is_sqlite():
                    db.obj.cursor().executemany(self.sql, self.batch)
                else:
                    execute_values(db.obj.cursor(), self.sql, self.batch, page_size=1000)
            self.count += len(self.batch)
            self.batch = []

    def close(self) -> int:
        self.flush()
        return self.count


def reserve_numbers(name: str, count: int) -> int:
    """Take ``count`` consecutive numbers of a sequence; returns the first."""
    with write_tx():
        first = next_number(name)
        NumberSequence.update(value=NumberSequence.value + (count - 1)).where(
            NumberSequence.name == name
        ).execute()
    return first


@contextlib.contextmanager
def foreign_keys_off(table: str):
    """Rows may name rows written later while this lasts. SQLite: checks
    off for the connection. PostgreSQL: the table's foreign keys dropped,
    then made again (checking every row) at the end."""
    if is_sqlite():
        db.execute_sql("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            db.execute_sql("PRAGMA foreign_keys = ON")
        return
    keys = db.execute_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        (f'"{table}"',),
    ).fetchall()
    with write_tx():
        for name, _ in keys:
            db.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    try:
        yield
    finally:
        with write_tx():
            for name, definition in keys:
                db.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def reset_id_sequences(models) -> None:
    """PostgreSQL: move each table's id sequence past the ids the seed gave
    (SQLite takes the next id from the table itself)."""
    if is_sqlite():
        return
    with write_tx():
        for model in models:
            if not isinstance(model._meta.primary_key, AutoField):
                continue  # keyed by name (settings, sequences…)
            table = model._meta.table_name
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )


def next_id(model) -> int:
    return (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1


def month_start(day: dt.date, back: int = 0) -> dt.date:
    return demo.month_start(day, back)


def iso(value: dt.date | None) -> str | None:
    """Dates and timestamps as the text Peewee stores in SQLite."""
    if value is None:
        return None
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value.isoformat()


class Progress:
    def __init__(self, echo: Callable):
        self.echo = echo
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        self.echo(f"[{time.perf_counter() - self.started:6.1f} s] {text}")


class LargeService(NamedTuple):
    """What the billing, usage and tickets of the large seed need of a service."""

    id: int
    account: int
    kind: str
    number: str
    status: str
    monthly_ore: int
    start: dt.date
    end: dt.date | None
    product_name: str
    user_name: str
    invoice_text: str
    data_mb: int  # the data package's quota, 0 without one


MOBILE_KINDS = frozenset(("mobile", "mobile_pbx", "mbb"))
