"""Files staff import into the catalogue's tables (issue 17 item 3): numbers
for the number pool and the fixed-network availability table.

A file is CSV (UTF-8 or Windows-1252; semicolon, comma or tab) or Excel
(.xlsx, the first sheet). Every row is checked and every problem reported as
(row, value, reason); the valid rows are added unless the caller asks for
all or nothing, when one bad row adds nothing. Call the importing functions
inside ``write_tx``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from database import utcnow
from domain import audit
from domain.text import N_, T_
from tables.orders import Availability, PoolNumber

MAX_ROWS = 50_000
NUMBER_KINDS = {"mobile": N_("Mobil"), "fixed": N_("Fast")}
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
FIXED_TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Problem:
    row: int
    value: str
    reason: str


@dataclass
class Report:
    added: int = 0
    updated: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    applied: bool = True  # False: all or nothing, and something was wrong

    def problem(self, row: int, value, reason: str) -> None:
        self.problems.append(Problem(row, str(value if value is not None else ""), reason))


# -- reading


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of text cells (empty rows kept, for numbering)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _excel_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise FileRefused(N_("Filen är varken CSV eller Excel (.xlsx)."))
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count) if any(c in sample for c in ";,\t") else ";"
    rows = [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    if len(rows) > MAX_ROWS:
        raise FileRefused(T_("Filen har fler än %(max)s rader. Dela upp den.", max=MAX_ROWS))
    return rows


def _excel_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FileRefused(N_("Excelfilen kunde inte läsas (.xlsx krävs).")) from error
    rows = []
    for values in book.worksheets[0].iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
        if len(rows) > MAX_ROWS:
            raise FileRefused(T_("Filen har fler än %(max)s rader. Dela upp den.", max=MAX_ROWS))
    book.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# -- numbers


def number_problem(text: str, kind: str) -> tuple[str | None, str | None]:
    """(digits as stored, None) or (None, reason)."""
    raw = text.strip()
    if isinstance(raw, str) and re.fullmatch(r"7\d{8}", raw):
        raw = "0" + raw  # Excel drops the leading zero of a number cell
    try:
        parsed = phonenumbers.parse(raw, "SE")
    except NumberParseException:
        return None, N_("inte ett svenskt nummer")
    if parsed.country_code != 46 or not phonenumbers.is_valid_number(parsed):
        return None, N_("inte ett svenskt nummer")
    kind_of = phonenumbers.number_type(parsed)
    if kind == "mobile" and kind_of not in MOBILE_TYPES:
        return None, N_("inte ett mobilnummer (07…)")
    if kind == "fixed" and kind_of not in FIXED_TYPES:
        return None, N_("inte ett fastnätsnummer")
    return "0" + str(parsed.national_number), None


def import_numbers(rows: list[list[str]], kind: str, all_or_nothing: bool = False) -> Report:
    """One number per row (the first cell); a heading row is skipped."""
    if kind not in NUMBER_KINDS:
        raise FileRefused(N_("Välj mobil eller fast."))
    report = Report()
    seen: dict[str, int] = {}
    valid: list[tuple[int, str, str]] = []
    for index, row in enumerate(rows, start=1):
        value = row[0] if row else ""
        if not value:
            continue
        if index == 1 and not re.search(r"\d", value):
            continue  # a heading such as "Nummer"
        report.rows += 1
        digits, reason = number_problem(value, kind)
        if reason:
            report.problem(index, value, reason)
        elif digits in seen:
            report.problem(index, value, T_("dubblett (samma som rad %(row)s)", row=seen[digits]))
        else:
            seen[digits] = index
            valid.append((index, value, digits))
    existing = set()
    digits_all = [d for _, _, d in valid]
    for start in range(0, len(digits_all), 500):
        chunk = digits_all[start : start + 500]
        query = PoolNumber.select(PoolNumber.number).where(PoolNumber.number.in_(chunk))
        existing.update(n for (n,) in query.tuples())
    fresh = []
    for index, value, digits in valid:
        if digits in existing:
            report.problem(index, value, N_("finns redan i nummerpoolen"))
        else:
            fresh.append(digits)
    report.problems.sort(key=lambda p: p.row)
    if all_or_nothing and report.problems:
        report.applied = False
        return report
    now = utcnow()
    for start in range(0, len(fresh), 500):
        PoolNumber.insert_many(
            [
                {"number": d, "kind": kind, "status": "free", "changed_at": now}
                for d in fresh[start : start + 500]
            ]
        ).execute()
    report.added = len(fresh)
    audit.record(
        "catalogue.numbers_imported",
        summary=f"{report.added} {NUMBER_KINDS[kind].lower()}a nummer importerade till nummerpoolen"
        + (f", {len(report.problems)} rader avvisade" if report.problems else ""),
        organisation=audit.STAFF_ONLY,
    )
    return report


# -- availability

AVAILABILITY_COLUMNS = {
    "postnummer": "postcode",
    "teknik": "technology",
    "ned": "down",
    "upp": "up",
}
MAX_MBIT = 100_000


def _heading(cell: str) -> str:
    return re.sub(r"\s*\(.*\)$", "", cell.strip().casefold())  # "Ned (Mbit/s)" → "ned"


def import_availability(
    rows: list[list[str]], mode: str = "merge", all_or_nothing: bool = False
) -> Report:
    """Rows under the heading Postnummer, Teknik, Ned, Upp (Mbit/s).
    ``merge`` adds and updates (postcode, technology) pairs; ``replace``
    makes the file the whole table."""
    if mode not in ("merge", "replace"):
        raise FileRefused(N_("Välj ersätt eller slå samman."))
    if not rows:
        raise FileRefused(N_("Filen är tom."))
    headings = [_heading(c) for c in rows[0]]
    missing = [name.capitalize() for name in AVAILABILITY_COLUMNS if name not in headings]
    if missing:
        raise FileRefused(
            T_(
                "Första raden måste ha kolumnerna Postnummer, Teknik, Ned och Upp; saknas: "
                "%(missing)s.",
                missing=", ".join(missing),
            )
        )
    at = {AVAILABILITY_COLUMNS[h]: i for i, h in enumerate(headings) if h in AVAILABILITY_COLUMNS}
    report = Report()
    seen: dict[tuple[str, str], int] = {}
    valid: dict[tuple[str, str], tuple[int, int]] = {}
    for index, row in enumerate(rows[1:], start=2):
        cells = {key: (row[i] if i < len(row) else "") for key, i in at.items()}
        if not any(cells.values()):
            continue
        report.rows += 1
        postcode = re.sub(r"\s", "", cells["postcode"])
        if not re.fullmatch(r"[1-9]\d{4}", postcode):
            report.problem(index, cells["postcode"], N_("ogiltigt postnummer (fem siffror)"))
            continue
        technology = cells["technology"].strip()
        if not technology or len(technology) > 40:
            report.problem(index, cells["technology"], N_("ange teknik (högst 40 tecken)"))
            continue
        speeds = []
        for key, label in (("down", "Ned"), ("up", "Upp")):
            text = cells[key].replace(" ", "")
            if not re.fullmatch(r"\d{1,6}", text) or not 0 < int(text) <= MAX_MBIT:
                report.problem(
                    index,
                    cells[key],
                    T_(
                        "%(column)s: ange Mbit/s som ett heltal 1–%(max)s",
                        column=label,
                        max=MAX_MBIT,
                    ),
                )
                break
            speeds.append(int(text))
        if len(speeds) != 2:
            continue
        key = (postcode, technology)
        if key in seen:
            report.problem(
                index,
                f"{postcode} {technology}",
                T_("dubblett (samma som rad %(row)s)", row=seen[key]),
            )
            continue
        seen[key] = index
        valid[key] = (speeds[0], speeds[1])
    if all_or_nothing and report.problems:
        report.applied = False
        return report
    if mode == "replace":
        report.removed = Availability.delete().execute()
        existing = {}
    else:
        existing = {}
        postcodes = sorted({p for p, _ in valid})
        for start in range(0, len(postcodes), 500):
            chunk = Availability.select().where(
                Availability.postcode.in_(postcodes[start : start + 500])
            )
            existing.update({(a.postcode, a.technology): a for a in chunk})
    for (postcode, technology), (down, up) in valid.items():
        found = existing.get((postcode, technology))
        if found is None:
            Availability.create(
                postcode=postcode, technology=technology, down_mbit=down, up_mbit=up
            )
            report.added += 1
        elif (found.down_mbit, found.up_mbit) != (down, up):
            Availability.update(down_mbit=down, up_mbit=up).where(
                Availability.id == found.id
            ).execute()
            report.updated += 1
    audit.record(
        "catalogue.availability_imported",
        summary=f"Tillgänglighet importerad ({'ersatt' if mode == 'replace' else 'sammanslagen'}): "
        f"{report.added} nya, {report.updated} ändrade, {report.removed} borttagna"
        + (f", {len(report.problems)} rader avvisade" if report.problems else ""),
        organisation=audit.STAFF_ONLY,
    )
    return report
