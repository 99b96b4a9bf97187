"""Hantera flera (GRP-3): an Excel file that creates categories and groups
and places many accounts and services in them.

One row per group or membership, columns as in :data:`COLUMNS`. A row with
only Kategori and Grupp (and Beskrivning) creates what is missing; with a
Kundnummer or a Nummer it also places that account or service in the group
from Från månad (default the month it opened) to Till månad (tills vidare
when empty). Accounts and services are looked up in the user's scope only;
one outside it is reported as unknown, one of the organisation outside the
user's part of the tree as outside their scope.

Every row is checked by carrying it out in a savepoint of one transaction,
so rows see each other (a group created on row 2 takes members on row 3;
two rows that overlap are caught) and the limits count what the file adds.
"All or nothing" rolls the whole transaction back when any row failed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from database import write_tx
from domain import audit
from domain import groups as domain
from domain.numbers import number_query
from domain.text import LANGUAGES, N_, T_, translate
from tables.org import Account, Group
from tables.scope import visible_accounts
from tables.services import Service

# The template's header (Swedish; the template is written in the user's
# language and a header in any of the portal's languages is read).
COLUMNS = (
    N_("Kategori"),
    N_("Grupp"),
    N_("Beskrivning"),
    N_("Kundnummer"),
    N_("Nummer"),
    N_("Från månad"),
    N_("Till månad"),
)
KEYS = ("category", "group", "description", "customer_number", "number", "start", "end")
MAX_ROWS = 5000


class FileRefused(ValueError):
    """The file as a whole cannot be read; ``str(exc)`` says why (a marked
    message: the web layer shows it with ``error_text``)."""


class RowRefused(ValueError):
    """A row that cannot be carried out: ``reason`` is a marked message
    (N_/T_, or a GroupError's, whose full stop the report leaves out)."""

    def __init__(self, value: str, reason: str):
        super().__init__(reason)
        self.value = value
        self.reason = reason


@dataclass
class RowResult:
    row: int
    value: str
    reason: str = ""  # empty: the row is valid; a marked message (tr() shows it)
    outcome_parts: list[str] = field(default_factory=list)  # marked messages

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def outcome(self) -> str:
        """What the row did (or would have done), in Swedish."""
        return ", ".join(self.outcome_parts)


@dataclass
class Report:
    results: list[RowResult] = field(default_factory=list)
    applied: bool = False
    all_or_nothing: bool = True

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.results if not r.ok]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.results if r.ok]


# ----------------------------------------------------------------------------- the file


INSTRUCTIONS = (
    N_("En rad per grupp eller per kundnummer/abonnemang som ska in i en grupp."),
    N_("Kategori och Grupp: finns de inte skapas de (högst 10 kategorier och 50 grupper)."),
    N_("Kundnummer eller Nummer (abonnemangets nummer, t.ex. 070-123 45 67): läggs i gruppen."),
    N_("Från månad: ÅÅÅÅ-MM, tom = månaden kundnumret/abonnemanget öppnades."),
    N_("Till månad: ÅÅÅÅ-MM, tom = tills vidare."),
    N_("Ett kundnummer eller abonnemang kan bara vara i en grupp per kategori åt gången."),
)


def template_workbook(organisation, lang: str = "sv") -> bytes:
    """The template in ``lang``: the header, then the organisation's groups
    as rows (uploading them again changes nothing), and a sheet of
    instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = translate(N_("Grupper"), lang)
    sheet.append([translate(title, lang) for title in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for group in domain.groups(organisation):
        sheet.append([group.category.name, group.name, group.description, "", "", "", ""])
    for column, width in zip("ABCDEFG", (18, 18, 30, 14, 16, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    help_sheet = book.create_sheet(translate(N_("Instruktioner"), lang))
    for line in INSTRUCTIONS:
        help_sheet.append([translate(line, lang)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _titles(title: str) -> set[str]:
    """A column's title in every language, casefolded."""
    return {translate(title, lang).casefold() for lang in LANGUAGES}


def read_rows(data: bytes, lang: str = "sv") -> list[tuple[int, dict]]:
    """The file's rows as (row number in the sheet, values by key); empty
    rows are skipped. Refuses a file that is not an Excel workbook. The
    header may be in any of the portal's languages; ``lang`` is the user's,
    for the column names in a refusal."""
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise FileRefused(N_("Filen är inte en Excel-fil. Ladda upp en .xlsx-fil (se mallen)."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FileRefused(
            N_("Filen är inte en Excel-fil som går att läsa (.xlsx krävs).")
        ) from error
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_text(v).casefold() for v in next(rows, ())]
        positions = {}
        for key, title in zip(KEYS, COLUMNS, strict=True):
            found_at = [i for i, name in enumerate(header) if name in _titles(title)]
            if not found_at:
                raise FileRefused(
                    T_(
                        "Kolumnen %(column)s saknas på första raden. Använd mallen (%(columns)s).",
                        column=translate(title, lang),
                        columns=", ".join(translate(t, lang) for t in COLUMNS),
                    )
                )
            positions[key] = found_at[0]
        found = []
        for number, values in enumerate(rows, start=2):
            values = list(values)
            row = {
                key: values[i] if i < len(values) and values[i] is not None else ""
                for key, i in positions.items()
            }
            if not any(_text(v) for v in row.values()):
                continue
            found.append((number, row))
            if len(found) > MAX_ROWS:
                raise FileRefused(
                    T_("Filen har fler än %(count)s rader. Dela upp den.", count=MAX_ROWS)
                )
    finally:
        book.close()
    return found


# ----------------------------------------------------------------------------- the rows


def _month(value, refusal: str):
    """The month in ``value`` (None when empty); ``refusal`` when it is none."""
    if value in ("", None):
        return None
    month = domain.parse_month(value)
    if month is None:
        raise RowRefused(_text(value), refusal)
    return month


def _account(user, customer_number: str) -> Account:
    account = visible_accounts(user).where(Account.customer_number == customer_number).get_or_none()
    if account is not None:
        return account
    in_org = Account.get_or_none(
        (Account.customer_number == customer_number)
        & (Account.organisation == user.organisation_id)
    )
    if in_org is not None:
        raise RowRefused(customer_number, N_("kundnumret ligger utanför din behörighet"))
    raise RowRefused(customer_number, N_("okänt kundnummer"))


def _service(user, text: str) -> Service:
    digits = number_query(text) or text
    if re.fullmatch(r"7\d{8}", digits):
        digits = "0" + digits  # Excel drops the leading zero of a number cell
    visible = Service.visible_to(user).where(Service.number == digits).first()
    if visible is not None:
        return visible
    in_org = Service.get_or_none(
        (Service.number == digits)
        & (Service.organisation == user.organisation_id)
        & (Service.hidden == False)  # noqa: E712
    )
    if in_org is not None:
        raise RowRefused(text, N_("abonnemanget ligger utanför din behörighet"))
    raise RowRefused(text, N_("numret finns inte"))


def _group(user, row: dict, may_create: bool) -> tuple[Group, list[str]]:
    """The row's group, created (with its category) when missing."""
    org = user.organisation_id
    category_name = " ".join(_text(row["category"]).split())
    group_name = " ".join(_text(row["group"]).split())
    if not category_name or not group_name:
        raise RowRefused(f"{category_name}:{group_name}", N_("Kategori och Grupp måste anges"))
    value = f"{category_name}:{group_name}"
    done = []
    category = next(
        (c for c in domain.categories(org) if c.name.casefold() == category_name.casefold()), None
    )
    if category is None:
        if not may_create:
            raise RowRefused(value, N_("kategorin finns inte och du får inte skapa kategorier"))
        try:
            category = domain.create_category(org, category_name)
        except domain.GroupError as exc:
            raise RowRefused(value, exc.args[0]) from exc
        done.append(T_("kategori %(name)s skapad", name=category.name))
    group = next(
        (
            g
            for g in domain.groups(org)
            if g.category_id == category.id and g.name.casefold() == group_name.casefold()
        ),
        None,
    )
    if group is None:
        if not may_create:
            raise RowRefused(value, N_("gruppen finns inte och du får inte skapa grupper"))
        try:
            group = domain.create_group(category, group_name, _text(row["description"]))
        except domain.GroupError as exc:
            raise RowRefused(value, exc.args[0]) from exc
        done.append(T_("grupp %(name)s skapad", name=group.label))
    return group, done


def _apply_row(user, row: dict, may_create: bool) -> list[str]:
    customer_number = _text(row["customer_number"])
    number = _text(row["number"])
    if customer_number and number:
        raise RowRefused(
            f"{customer_number} / {number}", N_("ange antingen Kundnummer eller Nummer på en rad")
        )
    start = _month(row["start"], N_("Från månad är ingen månad (ÅÅÅÅ-MM)"))
    end = _month(row["end"], N_("Till månad är ingen månad (ÅÅÅÅ-MM)"))
    target = None
    if customer_number:
        target = _account(user, customer_number)
    elif number:
        target = _service(user, number)
    elif start or end:
        raise RowRefused(_text(row["start"]), N_("månader utan kundnummer eller nummer"))
    group, done = _group(user, row, may_create)
    if target is not None:
        try:
            membership = domain.add_membership(target, group, start, end)
        except domain.GroupError as exc:
            raise RowRefused(customer_number or number, exc.args[0]) from exc
        what = customer_number or number
        values = {
            "what": what,
            "group": group.label,
            "start": domain.format_month(membership.start_month),
        }
        if membership.end_month is None:
            done.append(T_("%(what)s i %(group)s %(start)s – tills vidare", **values))
        else:
            end_month = domain.format_month(membership.end_month)
            done.append(T_("%(what)s i %(group)s %(start)s – %(end)s", end=end_month, **values))
    return done or [T_("%(group)s finns redan", group=group.label)]


class _Undo(Exception):
    """Raised to roll the whole upload back (all or nothing)."""


def apply(user, rows: list[tuple[int, dict]], all_or_nothing: bool, may_create: bool) -> Report:
    """Carry out every row; with ``all_or_nothing`` nothing stays when a row
    failed. The report has one line per row."""
    report = Report(all_or_nothing=all_or_nothing)
    try:
        with write_tx():
            for number, row in rows:
                try:
                    with write_tx():
                        outcome = _apply_row(user, row, may_create)
                except RowRefused as refused:
                    report.results.append(RowResult(number, refused.value, refused.reason))
                else:
                    value = _text(row["customer_number"]) or _text(row["number"])
                    value = value or f"{_text(row['category'])}:{_text(row['group'])}"
                    report.results.append(RowResult(number, value, outcome_parts=outcome))
            if all_or_nothing and report.failed:
                raise _Undo
            audit.record(
                "group.upload",
                summary=f"Hantera flera: {len(report.valid)} rader sparade, "
                f"{len(report.failed)} fel",
                organisation=user.organisation_id,
                actor=user,
            )
    except _Undo:
        report.applied = False
    else:
        report.applied = bool(report.valid)
    return report
