"""Reading a billing CSV file: UTF-8 (a BOM allowed), ``;`` between fields,
a header row naming the columns, one row at a time so that memory does not
grow with the file. Field parsers turn text into the stored types or raise
:class:`RowError` with the reason an operator reads next to the line number.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from domain.formats import LOCAL_TZ


class FileError(Exception):
    """The whole file is refused (encoding, header): nothing is imported."""


class RowError(Exception):
    """One row (record) is invalid; the message is the reason."""


@dataclass
class Row:
    line: int  # the file's line number the row starts on (the header is line 1)
    values: dict[str, str]


def _decoded_lines(stream) -> Iterator[tuple[int, str]]:
    """The file's lines as text, numbered from 1; a line that is not UTF-8
    refuses the file, naming the line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileError(
                f"Rad {number}: filen är inte UTF-8 (byte {error.start + 1} på raden). "
                "Spara filen som CSV UTF-8."
            ) from None


def read_rows(stream, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Iterator[Row]:
    """Rows of a binary ``stream`` as :class:`Row`. The header must hold every
    ``required`` column and nothing outside ``required + optional``
    (case and surrounding spaces ignored); otherwise the file is refused."""
    numbered = _decoded_lines(stream)
    current = [0]

    def text_lines():
        for number, text in numbered:
            current[0] = number
            yield text

    reader = csv.reader(text_lines(), delimiter=";", quotechar='"', strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise FileError(f"Rad 1: rubrikraden går inte att läsa ({error}).") from None
    if header is None or not any(cell.strip() for cell in header):
        raise FileError("Filen är tom: den första raden ska vara en rubrikrad med kolumnnamn.")
    names = [cell.strip().lower() for cell in header]
    known = set(required) | set(optional)
    unknown = [name for name in names if name not in known]
    missing = [name for name in required if name not in names]
    doubled = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append("saknade kolumner: " + ", ".join(missing))
    if unknown:
        problems.append("okända kolumner: " + ", ".join(unknown or ["(tom)"]))
    if doubled:
        problems.append("dubbla kolumner: " + ", ".join(doubled))
    if problems:
        raise FileError("Rubrikraden stämmer inte med formatet – " + "; ".join(problems) + ".")
    width = len(names)
    while True:
        start = current[0] + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileError(f"Rad {start}: raden går inte att läsa som CSV ({error}).") from None
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (Excel leaves some at the end)
        if len(cells) != width:
            yield Row(start, {"__width__": f"{len(cells)} fält, rubriken har {width}"})
            continue
        yield Row(start, {name: cell.strip() for name, cell in zip(names, cells, strict=True)})


# ----------------------------------------------------------------- fields

_AMOUNT = re.compile(r"^(-?)(\d+)(?:[.,](\d{1,2}))?$")
_INT = re.compile(r"^-?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}(-01)?$")


def text(values: dict, column: str, *, required: bool = True, max_length: int = 255) -> str:
    value = values.get(column, "")
    if required and not value:
        raise RowError(f"{column} saknas")
    if len(value) > max_length:
        raise RowError(f"{column} är längre än {max_length} tecken")
    return value


def amount(values: dict, column: str, *, required: bool = True) -> int | None:
    """Kronor with a decimal comma or point ("1 234,50", "-12.5") as öre."""
    raw = values.get(column, "").replace(" ", "").replace("\u00a0", "")
    if not raw:
        if required:
            raise RowError(f"{column} saknas")
        return None
    match = _AMOUNT.match(raw)
    if not match:
        raise RowError(f"{column}: {values[column]!r} är inget belopp (kronor, t.ex. 1234,50)")
    sign, kronor, ore = match.groups()
    value = int(kronor) * 100 + int((ore or "0").ljust(2, "0"))
    if value > 10**12:
        raise RowError(f"{column}: {values[column]!r} är orimligt stort")
    return -value if sign else value


def integer(values: dict, column: str, *, default: int | None = None, minimum: int = 0) -> int:
    raw = values.get(column, "")
    if not raw:
        if default is None:
            raise RowError(f"{column} saknas")
        return default
    if not _INT.match(raw) or abs(int(raw)) > 2**62:
        raise RowError(f"{column}: {raw!r} är inget heltal")
    value = int(raw)
    if value < minimum:
        raise RowError(f"{column}: {raw} är mindre än {minimum}")
    return value


def date(values: dict, column: str, *, required: bool = True) -> dt.date | None:
    raw = values.get(column, "")
    if not raw:
        if required:
            raise RowError(f"{column} saknas")
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise RowError(f"{column}: {raw!r} är inget datum (ÅÅÅÅ-MM-DD)") from None


def month(values: dict, column: str) -> dt.date:
    raw = values.get(column, "")
    if not raw:
        raise RowError(f"{column} saknas")
    try:
        if not _MONTH.match(raw):
            raise ValueError
        return dt.date(int(raw[:4]), int(raw[5:7]), 1)
    except ValueError:
        raise RowError(f"{column}: {raw!r} är ingen månad (ÅÅÅÅ-MM)") from None


def local_time(values: dict, column: str) -> dt.datetime:
    """Swedish local time "ÅÅÅÅ-MM-DD HH:MM:SS" as naive UTC (how the app
    stores timestamps). In the autumn's repeated hour the first (summer
    time) occurrence is meant; a time the spring skips is refused."""
    raw = values.get(column, "")
    if not raw:
        raise RowError(f"{column} saknas")
    try:
        if not _TIME.match(raw):
            raise ValueError
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise RowError(f"{column}: {raw!r} är ingen tid (ÅÅÅÅ-MM-DD HH:MM:SS)") from None
    aware = naive.replace(tzinfo=LOCAL_TZ)
    utc = aware.astimezone(dt.UTC)
    if utc.astimezone(LOCAL_TZ).replace(tzinfo=None) != naive:
        raise RowError(f"{column}: {raw} finns inte i svensk tid (sommartidens timme)")
    return utc.replace(tzinfo=None)


def choice(values: dict, column: str, choices: dict[str, str], *, default: str | None = None):
    raw = values.get(column, "").lower()
    if not raw and default is not None:
        return default
    if raw not in choices:
        shown = ", ".join(sorted({k for k in choices if k}))
        raise RowError(f"{column}: {values.get(column, '')!r} är inget av {shown}")
    return choices[raw]


YES_NO = {"ja": True, "j": True, "1": True, "nej": False, "n": False, "0": False}
