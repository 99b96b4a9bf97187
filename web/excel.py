"""Excel export (.xlsx) in constant memory: rows stream from a database
cursor through openpyxl's write-only mode into a spooled temporary file.

Text that a spreadsheet could run as a formula (starting with = + - @, tab
or CR) is written as a text cell with Excel's quote prefix, so it shows
as typed and is never evaluated. Control characters that a workbook cannot
hold (NUL, ESC and the other C0 characters but tab, LF and CR) are written
as U+FFFD, so that whatever is stored exports and the spot stays visible.

The sheet is ready to read: columns as wide as the header and the first
rows need, amounts as numbers in kronor shown as "1 234,50 kr", dates as
dates, the header row frozen and with an autofilter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import count, islice

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from database import db, is_sqlite
from web.formatting import LOCAL_TZ, local
from web.i18n import N_

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = frozenset("=+-@\t\r")
BATCH = 1000  # rows per fetch and per conversion: a few hundred kB however long the export
SPOOL_BYTES = 1024 * 1024  # a workbook beyond this is spooled to disk
EXPORT_CACHE_KIB = 8192  # SQLite's page cache while an export reads (small_page_cache)
_CURSORS = count(1)  # names of PostgreSQL's server-side cursors
TEXT = "text"  # escape kind: the column holds only str or None
REPLACEMENT = "\ufffd"  # written for a character a workbook cannot hold

# Excel number formats. Format codes are the same in every locale; Excel
# shows them in the reader's ("1 234,50 kr" in Swedish).
KRONOR_FORMAT = '#,##0.00 "kr"'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"

# Column widths, in characters of the default font: the header and the
# first WIDTH_SAMPLE rows decide, within these bounds.
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 6, 50
FILTER_BUTTON = 3  # the header's autofilter button takes about this many


def iterate(query) -> Iterator[tuple]:
    """Rows of a query straight off the driver's cursor, in batches.

    PostgreSQL's driver would fetch the whole result into memory before the
    first row (a million call records: hundreds of MB); there the rows come
    through a server-side cursor, a batch at a time, in a read transaction.
    """
    if not is_sqlite():
        yield from _server_side(query)
        return
    with small_page_cache():
        cursor = db.execute(query)
        try:
            while batch := cursor.fetchmany(BATCH):
                yield from batch
        finally:
            cursor.close()


def _server_side(query) -> Iterator[tuple]:
    """DECLARE … CURSOR and FETCH in the read transaction peewee began (the
    driver's own named cursors refuse the autocommit connection peewee
    keeps); ending the transaction, also when the reader stops early,
    closes the cursor."""
    sql, params = query.sql()
    name = f"export_{next(_CURSORS)}"
    with db.atomic():
        db.execute_sql(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
        while batch := db.execute_sql(f"FETCH FORWARD {BATCH} FROM {name}").fetchall():
            yield from batch


@contextlib.contextmanager
def small_page_cache():
    """On SQLite, read with a small page cache (EXPORT_CACHE_KIB) meanwhile.

    An export reads the listed table's pages about once, and so does the
    count before it; the cache only needs to hold what is looked up again
    and again (the upper levels of the b-trees, a joined table's index).
    Left at the connection's cache_size (32 MB) it fills up with pages read
    once: counting a million call records grew the process by 31 MB, a
    peak that stays in its memory high-water mark. (Reading them through
    a 2 MB cache took as long in a loop of its own; in the benchmark the
    export then ran at 90.0 and 92.5 % of plain openpyxl, with 8 MB at
    94.3 %: within this machine's noise, but too near the 90 % target for
    the 5 MB it saves, so 8 MB it stays; see bench/README.md.)
    """
    if not is_sqlite():
        yield
        return
    database = db.obj
    saved = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    database.execute_sql(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(saved)}")


# Converters for raw driver values (SQLite gives dates as text, PostgreSQL as dates).


def to_date(value):
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def to_datetime(value):
    """UTC text or datetime → naive Stockholm local time (what users read).

    An export converts every row, so the offset from UTC is looked up once
    per UTC hour (SQLite's text by its hour prefix) instead of asking the
    time zone each time.
    """
    if value.__class__ is str:
        hour = value[:13]
        offset = _TEXT_HOUR_OFFSETS.get(hour)
        value = dt.datetime.fromisoformat(value)
        if offset is None:
            offset = _utc_offset(value.year, value.month, value.day, value.hour) or False
            if len(_TEXT_HOUR_OFFSETS) < 65536:
                _TEXT_HOUR_OFFSETS[hour] = offset
    else:
        offset = _utc_offset(value.year, value.month, value.day, value.hour) or False
    return value + offset if offset is not False else local(value).replace(tzinfo=None)


# "ÅÅÅÅ-MM-DD HH" of UTC text → the offset all through that hour, or False.
_TEXT_HOUR_OFFSETS: dict[str, dt.timedelta | bool] = {}


@functools.lru_cache(maxsize=65536)
def _utc_offset(year: int, month: int, day: int, hour: int) -> dt.timedelta | None:
    """The local offset from UTC all through one UTC hour, or None when it
    changes within that hour."""
    start = dt.datetime(year, month, day, hour, tzinfo=dt.UTC)
    first = start.astimezone(LOCAL_TZ).utcoffset()
    end = start + dt.timedelta(hours=1, microseconds=-1)
    return first if end.astimezone(LOCAL_TZ).utcoffset() == first else None


def to_kronor(ore):
    return ore / 100


def clean_text(text: str) -> str:
    """``text`` with the characters a workbook cannot hold made U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)


YES, NO = N_("Ja"), N_("Nej")


def to_bool(value):
    return YES if value else NO


class Labels:
    """A coded column's export format: a code → its label (Swedish, as
    marked); :func:`in_language` gives the same in the reader's language."""

    __slots__ = ("mapping",)

    def __init__(self, mapping: dict):
        self.mapping = mapping

    def __call__(self, value):
        return self.mapping.get(value, value)


def labels(mapping: dict) -> Callable:
    return Labels(mapping)


def in_language(export_format, translate: Callable[[str], str]):
    """``export_format`` with the labels it writes (a coded column's, Ja/Nej)
    translated once for the whole file by ``translate`` (``web.i18n.tr``
    in the request, and in the worker's replay under the job's language);
    any other format as it is. Cells stay a dictionary look-up each."""
    if isinstance(export_format, Labels):
        mapping = {code: translate(label) for code, label in export_format.mapping.items()}
        return lambda value: mapping.get(value, value)
    if export_format is to_bool:
        yes, no = translate(YES), translate(NO)
        return lambda value: yes if value else no
    return export_format


def _escaped(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _row_converter(ws, formats, escape):
    """One row of driver values → the values and cells of a sheet row.

    ``escape`` per column: False (not text), TEXT (a text field's own
    values, str or None) or True (any value).

    An export converts every row, so the converter is compiled for the
    columns at hand, as dataclasses and namedtuple build their methods:
    straight-line code, a statement per step, no loop over the columns
    (a third cheaper per row). Its source holds column numbers only; the
    formats come in by name.
    """
    if not formats:
        return tuple
    names = ", ".join(f"v{i}" for i in range(len(formats)))
    lines = ["def convert(row):", f"    {names}, = row"]
    env = {
        "FORMULA_START": FORMULA_START,
        "escaped": functools.partial(_escaped, ws),
        "clean": clean_text,
    }
    for i, fmt in enumerate(formats):
        if fmt is not None:
            env[f"format{i}"] = fmt
            lines.append(f"    if v{i} is not None: v{i} = format{i}(v{i})")
    for i, kind in enumerate(escape):
        if kind is TEXT:
            text = f"v{i}"
        elif kind:
            text = f"v{i}.__class__ is str and v{i}"
        else:
            continue
        # isprintable() is False for every character to clean (and a few
        # more, such as tab and NBSP), and costs a fraction of the search.
        lines.append(f"    if {text} and not v{i}.isprintable(): v{i} = clean(v{i})")
        lines.append(f"    if {text} and v{i}[0] in FORMULA_START: v{i} = escaped(v{i})")
    lines.append(f"    return ({names},)")
    exec("\n".join(lines), env)  # noqa: S102 - source of column numbers only
    return env["convert"]


def write_rows(
    fileobj,
    title: str,
    headers: list[str],
    rows: Iterable,
    formats: list | None = None,
    escape: list | None = None,
    number_formats: list | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a one-sheet workbook to ``fileobj``; returns the number of rows.

    ``number_formats`` per column: an Excel number format for its cells
    (KRONOR_FORMAT, DATE_FORMAT, …) or None. ``progress``, when given, is
    called with the number of rows written after each batch of BATCH rows
    (a background job's progress bar; once per batch costs nothing).
    """
    formats = formats or [None] * len(headers)
    escape = escape if escape is not None else [True] * len(headers)
    number_formats = number_formats or [None] * len(headers)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31] or "Export")
    convert = _row_converter(ws, formats, escape)
    rows = iter(rows)

    def next_batch():
        taken = list(islice(rows, BATCH))
        return list(map(convert, taken))

    # The first batch is converted before anything is written: a write-only
    # sheet takes its column widths before its first row.
    batch = next_batch()
    _fit_columns(ws, headers, batch[:WIDTH_SAMPLE], number_formats)
    ws.freeze_panes = "A2"
    ws._values_to_row = _row_cells(ws, number_formats)
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    append = ws.append
    # A batch at a time: its rows are taken (fetched, for a query), then
    # converted, then written. Each step so runs over BATCH rows with its
    # code and look-up tables warm in the processor's caches; row by row,
    # every step would start cold after the writer's work on the row
    # before, which made the export's own part cost about twice as much.
    while batch:
        for values in batch:
            append(values)
        count += len(batch)
        if progress is not None:
            progress(count)
        batch = next_batch()
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    wb.save(fileobj)
    return count


def _row_cells(ws, number_formats):
    """The sheet's row writer (openpyxl's ``_values_to_row``), with one cell
    kept per formatted column.

    openpyxl writes each row's values through one reused cell, and a value
    with a style of its own (a date, an amount's format) through a new cell
    made, styled and dropped again; its style is looked up in the workbook
    for every such cell. Here each formatted column has one cell, styled
    once: the writer writes a cell before it asks for the next, so the same
    cell can carry that column's value row after row.
    """
    styled = {}
    for column, number_format in enumerate(number_formats, 1):
        if number_format:
            styled[column] = cell = WriteOnlyCell(ws)
            cell.number_format = number_format

    def values_to_row(values, row_idx):
        plain = WriteOnlyCell(ws)
        for column, value in enumerate(values, 1):
            if value is None:
                continue
            if value.__class__ is Cell:  # made by the converter (escaped text)
                cell = value
            else:
                cell = styled.get(column, plain)
                cell.value = value
            cell.column = column
            cell.row = row_idx
            yield cell
            if cell is plain and plain.has_style:  # a value openpyxl styled itself
                plain = WriteOnlyCell(ws)

    return values_to_row


def _fit_columns(ws, headers, sample, number_formats) -> None:
    """Column widths for the header and the sample rows' values."""
    for column, header in enumerate(headers):
        number_format = number_formats[column]
        widest = len(header) + FILTER_BUTTON
        for row in sample:
            value = row[column]
            if value is not None:
                widest = max(widest, _shown_width(value, number_format))
        width = min(max(widest + 1, MIN_WIDTH), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(column + 1)].width = width


def _shown_width(value, number_format) -> int:
    """About how many characters a cell's value shows as."""
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, str):
        return max(map(len, value.splitlines())) if "\n" in value else len(value)
    if number_format == KRONOR_FORMAT:
        # "-1 234 567,89 kr", and room for amounts beyond the sample's
        return max(len(f"{value:,.2f}") + 3, len("1 234 567,00 kr"))
    if isinstance(value, dt.datetime):
        return len("2026-12-31 23:59:59")
    if isinstance(value, dt.date):
        return len("2026-12-31")
    return len(str(value))


NUMBER_FORMATS = {to_kronor: KRONOR_FORMAT, to_date: DATE_FORMAT, to_datetime: DATETIME_FORMAT}


def number_format(export_format) -> str | None:
    """The Excel number format of a column whose cells ``export_format`` makes."""
    return NUMBER_FORMATS.get(export_format)


def send_rows(
    title: str, headers: list[str], rows: Iterable, formats=None, escape=None, number_formats=None
):
    """An .xlsx download of ``rows``, spooled to disk beyond SPOOL_BYTES."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - send_file closes it
    write_rows(spool, title, headers, rows, formats, escape, number_formats)
    spool.seek(0)
    filename = f"{title} {dt.date.today().isoformat()}.xlsx"
    return send_file(spool, mimetype=XLSX_MIME, as_attachment=True, download_name=filename)
