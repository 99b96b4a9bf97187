"""What the reports share: the index's registry (which reports a user is
offered), the period form's parsing with each report's longest period, rows
that stand for groups (aggregated reports through the list view) and the
generic row template's cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from babel.dates import format_date
from flask import abort, render_template, request
from flask_login import current_user
from peewee import Entity, fn

from blueprints.services import charts
from domain.text import T_
from web.i18n import N_, locale_code

# ----------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Report:
    title: str
    description: str  # one line, from the manual
    endpoint: str | None = None  # None: not built here (said why in the description)
    needs: str | None = None  # a permission besides reports.view
    sla_only: bool = False  # offered only with an SLA in the agreement


INVOICES = "invoices.view"

# The eleven Bredband2 reports in the manual's order and wording, then
# Stofa's two (Forbrugsrapport, Lokalnummer CDR rapporter) and its queue
# statistics, which belong with the switchboard.
REPORTS = [
    Report(
        N_("Specifikation – Faktura"),
        N_(
            "Visar fakturor per användare och tjänst, för hela organisationen eller per konto"
            " – användbar för att hitta användare som kostat ovanligt mycket."
        ),
        "reports.invoice_specification",
        needs=INVOICES,
    ),
    Report(
        N_("Krediterade tjänster"),
        N_("Visar de tjänster som krediterats under vald period."),
        "reports.credited",
        needs=INVOICES,
    ),
    Report(
        N_("Specifikation – Samtal"),
        N_(
            "Trafiken specificerad ner till vilka länder det ringts till; visar även ännu ej"
            " fakturerad trafik."
        ),
        "reports.call_specification",
    ),
    Report(
        N_("Historik – Avslutade tjänster"),
        N_("Sammanfattar de tjänster som avslutats."),
        "reports.terminated",
    ),
    Report(
        N_("Översikt – Abonnemang"),
        N_("Visar en översikt av alla tjänster."),
        "reports.subscriptions",
    ),
    Report(
        N_("SLA"),
        N_("Följ upp åtgärdstid på ärenden om du har avtalad SLA."),
        "reports.sla",
        sla_only=True,
    ),
    Report(
        N_("Trafikspecifikation"),
        N_(
            "Kontrollera ett enskilt nummers trafik under vald period, med B-nummer och ännu ej"
            " fakturerad trafik."
        ),
        "reports.traffic",
    ),
    Report(
        N_("Trafikspecifikation – alla tjänster"),
        N_(
            "Alla nummers redan fakturerade förbrukning under vald tid, per trafiktyp: samtal till"
            " mobil, nationella, utlandssamtal, SMS och MMS."
        ),
        "reports.traffic_all",
        needs=INVOICES,
    ),
    Report(N_("Översikt – Beställningar"), N_("Rapport på beställningar."), "reports.orders"),
    Report(N_("Ärenden"), N_("Rapport på ärenden."), "reports.tickets"),
    Report(
        N_("Samtalsspecifikation – Faktura"),
        N_("Visar samtalsspecifikation för den faktura man söker på."),
        "reports.invoice_calls",
        needs=INVOICES,
    ),
    Report(
        N_("Förbrukningsrapport"),
        N_(
            "Månadens förbrukning och kostnad per mobilabonnemang, lokalnumrens samtal och hur"
            " kostnaderna svängt de senaste månaderna."
        ),
        "reports.usage",
    ),
    Report(
        N_("Samtalsstatistik"),
        N_("Per dag: antal samtal, genomsnittlig samtalstid och flest samtidiga samtal."),
        "reports.call_statistics",
    ),
    Report(
        N_("Kostnader per grupp"),
        N_(
            "Fakturerat belopp per grupp och månad för en gruppkategori, med summor per grupp"
            " och månad."
        ),
        "reports.group_costs",
        needs=INVOICES,
    ),
    Report(
        N_("Köstatistik"),
        N_(
            "Per kö i molnväxeln: samtal per timme och per månad, besvarade och ej besvarade,"
            " genomsnittlig väntetid och samtalstid, och per agent."
        ),
        "reports.queues",
    ),
]
TITLES = {r.endpoint: r.title for r in REPORTS if r.endpoint}
BY_ENDPOINT = {r.endpoint: r for r in REPORTS if r.endpoint}


def has_sla(user) -> bool:
    """Whether the user's organisation's agreement in force has an SLA."""
    if user.is_staff:
        return False
    agreement = user.organisation.current_agreement()
    return bool(agreement and agreement.sla_id)


def offered(user) -> list[Report]:
    """The reports the index lists for ``user`` (reports.view checked by the view)."""
    sla = None
    out = []
    for report in REPORTS:
        if report.needs and not user.has(report.needs):
            continue
        if report.sla_only:
            sla = has_sla(user) if sla is None else sla
            if not sla:
                continue
        out.append(report)
    return out


def check_offered(endpoint: str) -> None:
    """404 for a report the user is not offered (no SLA in the agreement);
    the permissions themselves are the views' ``@require``."""
    if BY_ENDPOINT[endpoint].sla_only and not has_sla(current_user):
        abort(404)


# ------------------------------------------------------------------ month names


def month_label(day: dt.date) -> str:
    """A month's short name in the page's language: "maj" in Swedish (the
    charts' own names), "May" in English, "maj" in Danish."""
    lang = locale_code()
    if lang == "sv":
        return charts.month_label(day)
    return format_date(day, "LLL", locale=lang).rstrip(".")


def month_and_year(day: dt.date) -> str:
    """ "maj 2026" (Swedish as before), "May 2026", "maj 2026"."""
    return f"{month_label(day)} {day.year}"


# ------------------------------------------------------------------------- period

# The longest period a report accepts: call reports a year and a month (the
# manual's "vald period" compared with last year's same month), per-day
# statistics three months, lists of services or tickets five years.
CALL_MONTHS = 13
STATISTICS_MONTHS = 3
LIST_MONTHS = 60
# Dates a report accepts: no data lies outside, and the calendar's ends
# (year 1 or 9999) stay out of date arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass
class PeriodForm:
    """Från/Till as typed and what is wrong with them, per field."""

    date_from: str
    date_to: str
    start: dt.date | None = None
    end: dt.date | None = None
    errors: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_period(args, max_months: int = LIST_MONTHS) -> PeriodForm:
    """Från and Till (ÅÅÅÅ-MM-DD) with a message next to the field that is
    wrong: missing, not a date, outside FIRST_YEAR–LAST_YEAR, Till before
    Från, or longer than ``max_months`` months."""
    form = PeriodForm((args.get("from") or "").strip(), (args.get("to") or "").strip(), errors={})
    values = {}
    for key, text in (("from", form.date_from), ("to", form.date_to)):
        missing, not_a_date, out_of_range = PERIOD_ERRORS[key]
        if not text:
            form.errors[key] = missing
            continue
        try:
            values[key] = dt.date.fromisoformat(text)
        except ValueError:
            form.errors[key] = not_a_date
            continue
        if not FIRST_YEAR <= values[key].year <= LAST_YEAR:
            form.errors[key] = T_(out_of_range, first=FIRST_YEAR, last=LAST_YEAR)
    if form.errors:
        return form
    form.start, form.end = values["from"], values["to"]
    if form.end < form.start:
        form.errors["to"] = N_("Till kan inte vara före Från.")
    elif form.end >= _months_later(form.start, max_months):
        form.errors["to"] = T_("Perioden får vara högst %(months)s månader.", months=max_months)
    return form


# Per field: (missing, not a date, outside FIRST_YEAR–LAST_YEAR).
PERIOD_ERRORS = {
    "from": (
        N_("Ange Från."),
        N_("Från är inte ett datum (ÅÅÅÅ-MM-DD)."),
        N_("Från ska ligga mellan år %(first)s och %(last)s."),
    ),
    "to": (
        N_("Ange Till."),
        N_("Till är inte ett datum (ÅÅÅÅ-MM-DD)."),
        N_("Till ska ligga mellan år %(first)s och %(last)s."),
    ),
}


def default_period(months: int = 1) -> PeriodForm:
    """The last ``months`` months up to today, as the form opens."""
    today = dt.date.today()
    start = _months_later(today, -months) + dt.timedelta(days=1)
    return PeriodForm(start.isoformat(), today.isoformat(), errors={})


def opening_form(default_months: int) -> PeriodForm | None:
    """The period form to show as the report opens: the last
    ``default_months`` months when no period is given, the given one
    (unchecked) when "Ändra parametrar" asked for the form (``edit``); None
    when the report is to run."""
    args = request.args
    if "edit" in args:
        return PeriodForm(args.get("from", ""), args.get("to", ""), errors={})
    if "from" not in args and "to" not in args:
        return default_period(default_months)
    return None


def request_period(max_months: int) -> tuple[dt.date, dt.date]:
    """The request's (already checked) period; 400 if it does not parse,
    e.g. when a query function runs for an export of a bad link."""
    form = parse_period(request.args, max_months)
    if not form.ok:
        abort(400)
    return form.start, form.end


def datetime_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC times from ``start``'s local midnight to the one after ``end``."""
    from web.listcolumns import _local_midnight_utc

    return _local_midnight_utc(start), _local_midnight_utc(end + dt.timedelta(days=1))


def form_page(template: str, status: int = 200, **context):
    return render_template(template, **context), status


# ------------------------------------------------------------------ grouped rows

AGG = "agg"


def agg(name: str) -> Entity:
    """A column of the grouped subquery joined as ``agg`` (see ``grouped``)."""
    return Entity(AGG, name)


def grouped(model, inner, keys: list, sums: dict):
    """The rows of ``model`` that stand for the groups of ``inner`` by ``keys``
    (the lowest id of each group), joined to the group's ``sums`` (name →
    aggregate) as columns of ``agg``.

    The list view pages by ids of its model: with one row standing for each
    group it counts, sorts (by a group key through the row, or by a sum
    through ``agg(name)``) and pages the groups, and the export selects the
    sums like any column. ``inner`` carries the scope and the period, so the
    aggregation reads only the period's rows of the scope (indexed on
    (organisation|account|service, started_at)).
    """
    sub = (
        inner.select(fn.MIN(model.id).alias("rep_id"), *(e.alias(n) for n, e in sums.items()))
        .group_by(*keys)
        .order_by()
        .alias(AGG)
    )
    return model.select().join(sub, on=(sub.c.rep_id == model.id))


# ------------------------------------------------------------------------- cells


class Link(NamedTuple):
    text: str
    href: str | None


def cells_loader(model, query: Callable, fields: dict, cells: Callable[[dict], dict], narrow=None):
    """A rows_loader giving each row of a page ``row.cells`` (column key →
    text or Link) for templates/reports/_cells.html: one query selects
    ``fields`` (name → expression, the agg columns included) for the page's
    ids through the report's own ``query`` (so its joins and sums).

    ``narrow(rows)``, for grouped reports, gives keyword arguments for
    ``query`` that limit its aggregation to the page's whole groups (their
    services, their days): the page's sums then cost what its 20 groups do
    instead of a third pass over the whole period.
    """

    def load(rows):
        ids = [row.id for row in rows]
        selected = [model.id.alias("_id"), *(e.alias(n) for n, e in fields.items())]
        options = narrow(rows) if narrow else {}
        found = query(current_user, **options).where(model.id.in_(ids)).select(*selected)
        data = {d["_id"]: d for d in found.order_by().dicts()}
        for row in rows:
            row.cells = cells(data[row.id])

    return load


def page_services(rows) -> dict:
    """``narrow`` for reports grouped by service (and more): the page's services."""
    return {"services": sorted({row.service_id for row in rows})}
