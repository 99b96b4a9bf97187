"""Excel export (.xlsx) in constant memory: rows stream from a database
cursor through openpyxl's write-only mode into a spooled temporary file.

Text that a spreadsheet could run as a formula (starting with = + - @, tab
or CR) is written as a text cell with Excel's quote prefix, so it shows
as typed and is never evaluated.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from database import db

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = frozenset("=+-@\t\r")
BATCH = 5000


def iterate(query) -> Iterator[tuple]:
    """Rows of a query straight off the driver's cursor, in batches."""
    cursor = db.execute(query)
    try:
        while batch := cursor.fetchmany(BATCH):
            yield from batch
    finally:
        cursor.close()


# Converters for raw driver values (SQLite gives dates as text, PostgreSQL as dates).


def to_date(value):
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def to_datetime(value):
    """UTC text or datetime → naive Stockholm local time (what users read)."""
    from web.formatting import local

    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return local(value).replace(tzinfo=None)


def to_kronor(ore):
    return ore / 100


def to_bool(value):
    return "Ja" if value else "Nej"


def labels(mapping: dict) -> Callable:
    return lambda value: mapping.get(value, value)


def _escaped(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _row_converter(ws, formats, escape):
    fmt_steps = [(i, f) for i, f in enumerate(formats) if f is not None]
    esc_steps = [i for i, e in enumerate(escape) if e]

    def convert(row):
        out = list(row)
        for i, fmt in fmt_steps:
            value = out[i]
            if value is not None:
                out[i] = fmt(value)
        for i in esc_steps:
            value = out[i]
            if value.__class__ is str and value and value[0] in FORMULA_START:
                out[i] = _escaped(ws, value)
        return out

    return convert


def write_rows(
    fileobj,
    title: str,
    headers: list[str],
    rows: Iterable,
    formats: list | None = None,
    escape: list | None = None,
) -> int:
    """Write a one-sheet workbook to ``fileobj``; returns the number of rows."""
    formats = formats or [None] * len(headers)
    escape = escape if escape is not None else [True] * len(headers)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31] or "Export")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    convert = _row_converter(ws, formats, escape)
    count = 0
    append = ws.append
    for row in rows:
        append(convert(row))
        count += 1
    wb.save(fileobj)
    return count


def send_rows(title: str, headers: list[str], rows: Iterable, formats=None, escape=None):
    """An .xlsx download of ``rows``, spooled to disk beyond 8 MB."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    write_rows(spool, title, headers, rows, formats, escape)
    spool.seek(0)
    filename = f"{title} {dt.date.today().isoformat()}.xlsx"
    return send_file(spool, mimetype=XLSX_MIME, as_attachment=True, download_name=filename)
