"""Mobile coverage (SPEC UI-6, Mobilnätet): the operator's coverage file
imported into the Coverage table, the Plats look-up, and Nätverksstatus.

The file (CSV with ``;`` or ``,``, UTF-8, or Excel .xlsx) has a header row
with the columns Plats, Postnummer, Nät, Tal, Surf, Signalstyrka and
optionally Lat and Lon (also Latitud/Longitud). An import replaces the whole
table, and only a file without errors is imported: half a coverage table
would show white (no coverage) where the operator has coverage. Every bad row
is reported with its line number and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from database import icontains, utcnow, write_tx
from domain import audit, geo
from domain.outages import postcodes_of
from tables.ops import Coverage, Outage

NETWORKS = ("2G", "3G", "4G", "4G+", "5G")
STRENGTHS = {3: "Mycket god", 2: "God", 1: "Bas", 0: "Ingen"}
MOBILE_KINDS = ("mobile", "mobile_pbx", "mbb")
# Nätverksstatus: planned maintenance this close ahead already shows yellow.
PLANNED_AHEAD = dt.timedelta(days=7)

_COLUMNS = {
    "plats": "place",
    "postnummer": "postcode",
    "nät": "network",
    "nat": "network",
    "tal": "voice",
    "surf": "data",
    "signalstyrka": "strength",
    "lat": "latitude",
    "latitud": "latitude",
    "lon": "longitude",
    "longitud": "longitude",
}
_REQUIRED = ("place", "postcode", "network", "voice", "data", "strength")
_YES = {"ja", "j", "x", "1", "true", "yes"}
_NO = {"nej", "n", "", "0", "false", "no"}
_POSTCODE = re.compile(r"^(\d{3}) ?(\d{2})$")


class FileRefused(Exception):
    """The file cannot be read at all (format, header)."""


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: bool = False

    @property
    def summary(self) -> str:
        if self.imported:
            return f"{len(self.rows)} rader importerade; täckningen är ersatt."
        return (
            f"{len(self.errors)} rad(er) med fel, inget importerat; "
            "täckningen är oförändrad. Rätta filen och ladda upp den igen."
        )


def _cells(filename: str, content: bytes) -> list[list[str]]:
    """The file's rows as text cells (the header first)."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:  # openpyxl raises many kinds on a file that is not .xlsx
            raise FileRefused("Filen går inte att läsa som Excel (.xlsx).") from None
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    if not filename.lower().endswith((".csv", ".txt")):
        raise FileRefused("Filen ska vara CSV (.csv) eller Excel (.xlsx).")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("Filen är inte UTF-8. Spara den som CSV UTF-8.") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _yes_no(value: str, column: str) -> bool:
    value = value.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(f"{column} ska vara Ja eller Nej, inte ”{value}”")


def _strength(value: str) -> int:
    value = value.strip()
    for number, label in STRENGTHS.items():
        if value.lower() in (label.lower(), str(number)):
            return number
    raise ValueError(f"Signalstyrka ska vara Mycket god, God, Bas eller Ingen, inte ”{value}”")


def _row(values: dict[str, str]) -> dict:
    place = values.get("place", "")
    if not place:
        raise ValueError("Plats saknas")
    match = _POSTCODE.match(values.get("postcode", ""))
    if not match:
        raise ValueError(f"Postnummer ska vara fem siffror, inte ”{values.get('postcode', '')}”")
    network = values.get("network", "").upper()
    if network not in NETWORKS:
        raise ValueError(
            f"Nät ska vara ett av {', '.join(NETWORKS)}, inte ”{values.get('network')}”"
        )
    row = {
        "place": place[:255],
        "postcode": match.group(1) + match.group(2),
        "network": network,
        "voice": _yes_no(values.get("voice", ""), "Tal"),
        "data": _yes_no(values.get("data", ""), "Surf"),
        "strength": _strength(values.get("strength", "")),
        "latitude": None,
        "longitude": None,
    }
    lat, lon = values.get("latitude", ""), values.get("longitude", "")
    if lat or lon:
        try:
            row["latitude"], row["longitude"] = (
                float(lat.replace(",", ".")),
                float(lon.replace(",", ".")),
            )
        except ValueError:
            raise ValueError("Lat och Lon ska vara decimaltal, t.ex. 59.3326 och 18.0649") from None
        if not geo.in_sweden(row["latitude"], row["longitude"]):
            raise ValueError("Positionen ligger utanför Sverige")
    return row


def read(filename: str, content: bytes) -> ImportReport:
    """Check every row of the file; nothing is written."""
    cells = _cells(filename, content)
    while cells and not any(cells[0]):
        cells.pop(0)
    if not cells:
        raise FileRefused("Filen är tom: den första raden ska vara en rubrikrad.")
    names = [_COLUMNS.get(cell.strip().lower(), "?" + cell.strip()) for cell in cells[0]]
    unknown = [name[1:] for name in names if name.startswith("?") and name != "?"]
    wanted = ("Plats", "Postnummer", "Nät", "Tal", "Surf", "Signalstyrka")
    missing = [label for label, name in zip(wanted, _REQUIRED, strict=True) if name not in names]
    if unknown or missing:
        problems = []
        if missing:
            problems.append("saknade kolumner: " + ", ".join(missing))
        if unknown:
            problems.append("okända kolumner: " + ", ".join(unknown))
        raise FileRefused("Rubrikraden stämmer inte – " + "; ".join(problems) + ".")
    report = ImportReport()
    for line, row in enumerate(cells[1:], start=2):
        if not any(row):
            continue
        values = {name: (row[i] if i < len(row) else "") for i, name in enumerate(names)}
        try:
            report.rows.append(_row(values))
        except ValueError as error:
            report.errors.append((line, str(error)))
    if not report.rows and not report.errors:
        raise FileRefused("Filen har inga rader under rubrikraden.")
    return report


def import_file(filename: str, content: bytes) -> ImportReport:
    """Replace the Coverage table with the file's rows, if every row is valid."""
    report = read(filename, content)
    if report.errors:
        return report
    with write_tx():
        before = Coverage.select().count()
        Coverage.delete().execute()
        for start in range(0, len(report.rows), 500):
            Coverage.insert_many(report.rows[start : start + 500]).execute()
        audit.record(
            "coverage.import",
            None,
            summary=f"Täckning importerad från {filename}: {len(report.rows)} rader "
            f"(ersatte {before}).",
            organisation=audit.STAFF_ONLY,
        )
    report.imported = True
    return report


# ------------------------------------------------------------------ look-up

_FIVE_DIGITS = re.compile(r"\b(\d{3}) ?(\d{2})\b")


def lookup(query: str) -> list[dict]:
    """Plats: coverage per place for an address or postcode, each place with
    its networks in order (Tal, Surf, Signalstyrka). A postcode in the query
    decides; otherwise the place's name is searched."""
    query = (query or "").strip()
    if not query:
        return []
    match = _FIVE_DIGITS.search(query)
    if match:
        rows = Coverage.select().where(Coverage.postcode == match.group(1) + match.group(2))
    else:
        words = [w for w in re.split(r"[\s,]+", query) if w and w.lower() != "sverige"]
        if not words:
            return []
        condition = icontains(Coverage.place, words[0])
        for word in words[1:]:
            condition &= icontains(Coverage.place, word)
        rows = Coverage.select().where(condition)
    places: dict[tuple[str, str], dict] = {}
    for row in rows.order_by(Coverage.place).limit(200):
        place = places.setdefault(
            (row.place, row.postcode),
            {"place": row.place, "postcode": row.postcode, "networks": []},
        )
        place["networks"].append(row)
    for place in places.values():
        place["networks"].sort(key=lambda r: NETWORKS.index(r.network), reverse=True)
    return list(places.values())[:10]


def points(network: str) -> list[Coverage]:
    """The coverage rows of ``network`` that have a position (for the map)."""
    return list(
        Coverage.select()
        .where(
            (Coverage.network == network)
            & Coverage.latitude.is_null(False)
            & Coverage.longitude.is_null(False)
        )
        .order_by(Coverage.strength)  # the best drawn last, on top
    )


# -------------------------------------------------------------- Nätverksstatus


def mobile_outages(now: dt.datetime | None = None) -> list[Outage]:
    """Unresolved outages of the mobile network: going on, or planned to
    start within ``PLANNED_AHEAD``."""
    now = now or utcnow()
    rows = (
        Outage.select()
        .where(
            (Outage.resolved_at.is_null() | (Outage.resolved_at > now))
            & (Outage.starts_at <= now + PLANNED_AHEAD)
        )
        .order_by(Outage.starts_at)
    )
    return [o for o in rows if set(o.kinds) & set(MOBILE_KINDS)]


def network_status(now: dt.datetime | None = None) -> list[dict]:
    """Every län with its colour: red while a mobile-network fault goes on
    there, yellow for maintenance going on or planned within a week, else
    green. An outage without postcodes covers every län."""
    now = now or utcnow()
    status = {code: {"code": code, "colour": "green", "outages": []} for code in geo.REGIONS}
    rank = {"green": 0, "yellow": 1, "red": 2}
    for outage in mobile_outages(now):
        postcodes = postcodes_of(outage)
        codes = {geo.region_of(p) for p in postcodes} - {None} if postcodes else set(geo.REGIONS)
        colour = "red" if outage.kind == "fault" and outage.starts_at <= now else "yellow"
        for code in codes:
            entry = status[code]
            entry["outages"].append(outage)
            if rank[colour] > rank[entry["colour"]]:
                entry["colour"] = colour
    out = []
    for code, (name, lat, lon) in geo.REGIONS.items():
        entry = status[code]
        entry["name"] = name
        entry["x"], entry["y"] = geo.project(lat, lon)
        out.append(entry)
    return sorted(out, key=lambda e: e["name"])
