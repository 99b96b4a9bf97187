"""The traffic reports: Specifikation – Samtal (per service, traffic type and
country called), Trafikspecifikation (one number's calls with B-numbers) and
Samtalsstatistik (Stofa's Lokalnummer CDR rapporter: per day the number of
calls, their average length and the most calls at the same time).

All read CallRecord through ``CallRecord.visible_to`` and bounded by the
period on ``started_at`` (indexed with organisation, account and service),
invoiced or not: the forms say so next to the dates, as the manual does.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from peewee import JOIN, Case, Entity, Select, Value, fn

from blueprints.calls import CALL_RECORD_LIST, DIRECTIONS
from blueprints.reports import bp
from blueprints.reports import groups as report_groups
from blueprints.reports.common import (
    CALL_MONTHS,
    STATISTICS_MONTHS,
    TITLES,
    Link,
    agg,
    cells_loader,
    datetime_bounds,
    grouped,
    opening_form,
    page_services,
    parse_period,
    request_period,
)
from database import is_sqlite
from domain.formats import integer
from domain.numbers import number_query
from tables.billing import TRAFFIC_TYPES, CallRecord
from tables.group_filter import month_of
from tables.org import Account
from tables.services import Service
from web import excel
from web.auth import require
from web.formatting import local, phone
from web.i18n import N_, NC_, kr
from web.listcolumns import Column, NumberFilter, choice_column, kronor_column, text_column
from web.listview import ListView

NOT_INVOICED_NOTE = N_(
    "Rapporten visar även ännu ej fakturerad trafik – tänk på det när du väljer datum."
)
GDPR_NOTE = N_(
    "Rapporten visar B-nummer, d.v.s. vilka nummer användaren ringt till – tänk på det med"
    " tanke på GDPR beroende på hur rapporten ska användas. I den exporterade Excel-filen går"
    " kolumnen att ta bort."
)


def period_condition(start: dt.date, end: dt.date):
    low, high = datetime_bounds(start, end)
    return (CallRecord.started_at >= low) & (CallRecord.started_at < high)


def calls_beyond_preview(user) -> str | None:
    """``ListView.too_large`` of the reports that add up call records: more
    calls in the period (and number, where one is chosen) than
    REPORT_PREVIEW_CALLS is more than a request adds up in good time (a
    month of a 100,000-service organisation is a third of a million calls),
    so the report comes as an Excel file from the worker instead of on
    screen. Counted with a LIMIT, so the check itself stays cheap."""
    form = parse_period(request.args, CALL_MONTHS)
    if not form.ok:
        return None  # the view answers with the form
    limit = current_app.config["REPORT_PREVIEW_CALLS"]
    calls = CallRecord.visible_to(user).where(period_condition(form.start, form.end))
    if (request.args.get("number") or "").strip():
        service, _ = find_service(user, request.args["number"])
        calls = calls.where(CallRecord.service == (service.id if service else 0))
    if calls.select(CallRecord.id).limit(limit + 1).count() <= limit:
        return None
    return gettext(
        "Perioden omfattar fler än %(n)s samtal – för många för att"
        " visa på skärmen. Rapporten tas fram som Excel-fil; välj en kortare period för att se"
        " den här.",
        n=integer(limit),
    )


def call_groups(query, user):
    """Call records narrowed to the report's groups (``?grupp=``): each call
    by its service's (else account's) group in the month of its date."""
    return report_groups.narrow(
        query,
        user,
        account=CallRecord.account,
        service=CallRecord.service,
        month=month_of(CallRecord.started_at),
    )


def find_service(user, text: str):
    """(service, error): a number of the user's scope typed in any form."""
    digits = number_query(text)
    if not (text or "").strip():
        return None, N_("Ange ett nummer.")
    if digits is None:
        return None, N_("Ange ett telefonnummer, t.ex. 070-123 45 67.")
    service = (
        Service.visible_to(user).where(Service.number == digits).order_by(Service.id.desc()).first()
    )
    if service is None:
        return None, N_("Numret finns inte bland de tjänster du har behörighet till.")
    return service, None


def _number_link(number, service_id) -> Link:
    href = url_for("services.detail", service_id=service_id) if service_id else None
    return Link(phone(number) if number else "–", href)


def _minutes(seconds) -> str:
    return f"{(seconds or 0) / 60:.1f}".replace(".", ",")


def to_minutes(seconds):
    return round((seconds or 0) / 60, 1)


# ---------------------------------------------------------- Specifikation – Samtal

CALL_SUMS = {
    "calls": fn.COUNT(CallRecord.id),
    "seconds": fn.SUM(CallRecord.duration_s),
    "amount": fn.SUM(CallRecord.price_ore),
    "not_invoiced": fn.SUM(Case(None, ((CallRecord.invoiced == False, CallRecord.price_ore),), 0)),  # noqa: E712
}


def call_specification_query(user, services=None):
    """One row per service, traffic type and country called in the period
    (only those of ``services``, when given: a page's)."""
    start, end = request_period(CALL_MONTHS)
    inner = call_groups(CallRecord.visible_to(user).where(period_condition(start, end)), user)
    if services is not None:
        inner = inner.where(CallRecord.service.in_(services))
    keys = [CallRecord.service, CallRecord.traffic_type, CallRecord.country]
    return (
        grouped(CallRecord, inner, keys, CALL_SUMS)
        .join_from(CallRecord, Service, on=(CallRecord.service == Service.id))
        .join_from(CallRecord, Account, on=(CallRecord.account == Account.id))
    )


def amount_column(key: str, label: str, name: str) -> Column:
    """A summed amount of the grouped rows (``agg(name)``), in kronor."""
    return kronor_column(key, label, agg(name))


def count_column(key: str, label: str, name: str, export_format=None) -> Column:
    return Column(
        key,
        label,
        sort=agg(name),
        export=agg(name),
        export_format=export_format,
        text=False,
        align="right",
    )


def service_columns() -> list[Column]:
    return [
        Column(
            "number",
            N_("Nummer"),
            sort=Service.number,
            filter=NumberFilter(),
            filter_expr=(Service.number, Service.user_name),
            export=Service.number,
        ),
        text_column("user", NC_("tjänstens", "Användare"), Service.user_name),
    ]


def _call_spec_cells(d: dict) -> dict:
    return {
        "number": _number_link(d["number"], d["service_id"]),
        "user": d["user"],
        "traffic": gettext(TRAFFIC_TYPES.get(d["traffic"], d["traffic"])),
        "country": d["country"],
        "calls": d["calls"],
        "minutes": _minutes(d["seconds"]),
        "amount": kr(d["amount"]),
        "not_invoiced": kr(d["not_invoiced"]),
        "account": d["account"],
    }


CALL_SPEC_FIELDS = {
    "number": Service.number,
    "service_id": Service.id,
    "user": Service.user_name,
    "traffic": CallRecord.traffic_type,
    "country": CallRecord.country,
    "calls": agg("calls"),
    "seconds": agg("seconds"),
    "amount": agg("amount"),
    "not_invoiced": agg("not_invoiced"),
    "account": Account.customer_number,
}

CALL_SPECIFICATION = ListView(
    name="report-call-specification",
    model=CallRecord,
    query=call_specification_query,
    row_template="reports/_cells.html",
    default_sort=("number", "asc"),
    export_title=N_("Specifikation – Samtal"),
    bulk_actions=[],
    too_large=calls_beyond_preview,
    rows_loader=cells_loader(
        CallRecord, call_specification_query, CALL_SPEC_FIELDS, _call_spec_cells, page_services
    ),
    columns=[
        *service_columns(),
        choice_column("traffic", N_("Trafiktyp"), CallRecord.traffic_type, TRAFFIC_TYPES),
        text_column("country", N_("Land"), CallRecord.country),
        count_column("calls", N_("Antal"), "calls"),
        count_column("minutes", N_("Minuter"), "seconds", to_minutes),
        amount_column("amount", N_("Belopp"), "amount"),
        amount_column("not_invoiced", N_("Varav ej fakturerat"), "not_invoiced"),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("number", "traffic", "country", "amount"),
)


def _period_report(endpoint, listview, max_months, note=None, **form_context):
    """The period form, or the report's preview (and export) for a valid period."""
    title = TITLES[endpoint]
    context = {"title": title, "note": note, **form_context}
    if (opening := opening_form(1)) is not None:
        return render_template("reports/period_form.html", form=opening, **context)
    form = parse_period(request.args, max_months)
    if not form.ok:
        return render_template("reports/period_form.html", form=form, **context)
    return listview.respond(
        current_user,
        "reports/preview.html",
        title=title,
        period=(form.start, form.end),
        note=note,
        form_endpoint=endpoint,
        form_args={"from": form.date_from, "to": form.date_to},
    )


@bp.route("/specifikation-samtal")
@require("reports.view")
def call_specification():
    return _period_report(
        "reports.call_specification", CALL_SPECIFICATION, CALL_MONTHS, note=NOT_INVOICED_NOTE
    )


# ------------------------------------------------------------- Trafikspecifikation


def call_list(name: str, title: str) -> ListView:
    """Call records one by one, as the Samtal list shows them (its columns,
    row template and page fields), for a report that narrows them with
    ``extra`` (one service and a period, one invoice)."""
    return ListView(
        name=name,
        model=CallRecord,
        query=CallRecord.visible_to,
        joins=CALL_RECORD_LIST.joins,
        page_fields=CALL_RECORD_LIST.page_fields,
        row_template="partials/calls/_rows.html",
        default_sort=("started", "asc"),
        export_title=title,
        bulk_actions=[],
        groups=CALL_RECORD_LIST.groups,
        columns=CALL_RECORD_LIST.columns,
        essential=("started", "b_number", "duration", "price"),
    )


TRAFFIC = call_list("report-traffic", N_("Trafikspecifikation"))


@bp.route("/trafikspecifikation")
@require("reports.view")
def traffic():
    """One number of the scope (else a message next to it) and a period."""
    title = TITLES["reports.traffic"]
    context = {
        "title": title,
        "note": NOT_INVOICED_NOTE,
        "gdpr": GDPR_NOTE,
        "number_field": "required",
        "number": request.args.get("number", ""),
    }
    if (opening := opening_form(1)) is not None:
        return render_template("reports/period_form.html", form=opening, **context)
    form = parse_period(request.args, CALL_MONTHS)
    service, problem = find_service(current_user, request.args.get("number", ""))
    if problem:
        form.errors = {"number": problem, **form.errors}
    if not form.ok:
        return render_template("reports/period_form.html", form=form, **context)
    # The service named twice keeps SQLite on the (service, started_at)
    # index (see blueprints/calls.py).
    extra = (
        (CallRecord.service == service.id)
        & CallRecord.service.in_([service.id])
        & period_condition(form.start, form.end)
    )
    return TRAFFIC.respond(
        current_user,
        "reports/preview.html",
        extra=extra,
        title=f"{gettext(title)} – {phone(service.number)}",
        period=(form.start, form.end),
        note=NOT_INVOICED_NOTE,
        lines=[GDPR_NOTE],
        form_endpoint="reports.traffic",
        form_args={"number": service.number, "from": form.date_from, "to": form.date_to},
        traffic_types=TRAFFIC_TYPES,
        directions=DIRECTIONS,
    )


# ---------------------------------------------------------------- Samtalsstatistik

VOICE_TYPES = ("mobile", "national", "international")
# A call is counted on the local day it started; calls that started up to
# this long before the period still count as going on at its start.
LONGEST_CALL = dt.timedelta(days=1)


def _is_voice():
    return CallRecord.traffic_type.in_(VOICE_TYPES) | (
        (CallRecord.traffic_type == "roaming") & (CallRecord.duration_s > 0)
    )


def _dst_spans(first_year: int, last_year: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """Summer time in Sweden as naive UTC spans: from 01:00 UTC on the last
    Sunday of March to 01:00 UTC on the last Sunday of October (EU rule)."""

    def last_sunday(year, month):
        day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)

    return [
        (
            dt.datetime.combine(last_sunday(y, 3), dt.time(1)),
            dt.datetime.combine(last_sunday(y, 10), dt.time(1)),
        )
        for y in range(first_year, last_year + 1)
    ]


def local_day(start: dt.date, end: dt.date):
    """SQL: the Swedish local date a call started on (times are stored UTC)."""
    stamp = CallRecord.started_at
    if not is_sqlite():
        return fn.DATE(fn.timezone("Europe/Stockholm", fn.timezone("UTC", stamp)))
    summer = [
        ((stamp >= low) & (stamp < high), fn.date(stamp, "+2 hours"))
        for low, high in _dst_spans(start.year - 1, end.year)
    ]
    return Case(None, summer, fn.date(stamp, "+1 hours"))


def _event_times():
    """SQL: (start, end) of a call as comparable times."""
    if is_sqlite():
        seconds = Value("+").concat(CallRecord.duration_s).concat(" seconds")
        return fn.datetime(CallRecord.started_at), fn.datetime(CallRecord.started_at, seconds)
    from peewee import SQL

    return CallRecord.started_at, CallRecord.started_at + CallRecord.duration_s * SQL(
        "INTERVAL '1 second'"
    )


def page_days(rows) -> dict:
    """``narrow`` for Samtalsstatistik: the local days of the page's rows."""
    days = sorted(local(row.started_at).date() for row in rows)
    return {"days": (days[0], days[-1]), "peaks": True}


PEAK = Entity("pk", "peak")


def statistics_query(user, days=None, peaks=None):
    """One row per local day with calls started in the period.

    Peak concurrency, computed in SQL so the preview and the export agree: each
    call is two events, +1 at its start and −1 at its end (start plus
    duration). Ordered by time, ends before starts at the same instant (a call
    ending as another starts is not concurrent with it), the running sum of
    the events is the number of calls going on just after each event; the
    day's peak is the largest running sum at a start on that day (the count
    only rises at starts). Calls started up to ``LONGEST_CALL`` before the
    period are in the events, so a call still going on at the period's start
    counts. One pass with a window function; no pairwise comparison.

    The peaks are the costly part (a sort of two events per call), so they
    are joined (on the day, after grouping) only where they are read: the
    export, a sort by them and the page's cells (for the page's days), not
    for counting and paging the days.
    """
    if peaks is None:
        peaks = request.args.get("export") == "xlsx" or request.args.get("sort") == "peak"
    start, end = request_period(STATISTICS_MONTHS)
    if days is not None:  # a page's days only (whole days: the rows' sums are the same)
        start, end = max(start, days[0]), min(end, days[1])
    scope = call_groups(CallRecord.visible_to(user).where(_is_voice()), user)
    if (request.args.get("number") or "").strip():
        service, _ = find_service(user, request.args["number"])
        scope = scope.where(CallRecord.service == (service.id if service else 0))
    day = local_day(start, end)
    low, high = datetime_bounds(start, end)
    begins, ends = _event_times()
    around = scope.where(
        (CallRecord.started_at >= low - LONGEST_CALL) & (CallRecord.started_at < high)
    )
    sums = {
        "day": day,
        "calls": fn.COUNT(CallRecord.id),
        "avg_s": fn.ROUND(fn.AVG(CallRecord.duration_s)),
        "seconds": fn.SUM(CallRecord.duration_s),
    }
    query = grouped(CallRecord, scope.where(period_condition(start, end)), [day], sums)
    if not peaks:
        return query
    events = (
        around.select(day.alias("day"), begins.alias("t"), Value(1).alias("delta"))
        + around.select(day.alias("day"), ends.alias("t"), Value(-1).alias("delta"))
    ).alias("ev")
    running = Select(
        [events],
        [
            events.c.day,
            events.c.delta,
            fn.SUM(events.c.delta).over(order_by=[events.c.t, events.c.delta]).alias("n"),
        ],
    ).alias("run")
    peak_days = (
        Select([running], [running.c.day, fn.MAX(running.c.n).alias("peak")])
        .where(running.c.delta == 1)
        .group_by(running.c.day)
        .alias("pk")
    )
    return query.join(peak_days, JOIN.LEFT_OUTER, on=(peak_days.c.day == agg("day")))


def _statistics_cells(d: dict) -> dict:
    return {
        "day": str(d["day"])[:10],
        "calls": d["calls"],
        "avg": int(d["avg_s"] or 0),
        "minutes": _minutes(d["seconds"]),
        "peak": d["peak"],
    }


STATISTICS = ListView(
    name="report-call-statistics",
    model=CallRecord,
    query=statistics_query,
    row_template="reports/_cells.html",
    default_sort=("day", "asc"),
    export_title=N_("Samtalsstatistik"),
    bulk_actions=[],
    too_large=calls_beyond_preview,
    rows_loader=cells_loader(
        CallRecord,
        statistics_query,
        {**{k: agg(k) for k in ("day", "calls", "avg_s", "seconds")}, "peak": PEAK},
        _statistics_cells,
        page_days,
    ),
    columns=[
        Column("day", N_("Datum"), sort=agg("day"), export=agg("day"), export_format=excel.to_date),
        count_column("calls", N_("Antal samtal"), "calls"),
        count_column("avg", N_("Snittlängd (s)"), "avg_s", lambda s: int(s or 0)),
        count_column("minutes", N_("Minuter totalt"), "seconds", to_minutes),
        Column("peak", N_("Flest samtidiga"), sort=PEAK, export=PEAK, text=False, align="right"),
    ],
)


@bp.route("/samtalsstatistik")
@require("reports.view")
def call_statistics():
    """A period (at most three months: a row per day) and optionally a number."""
    title = TITLES["reports.call_statistics"]
    context = {
        "title": title,
        "number_field": "optional",
        "number": request.args.get("number", ""),
    }
    if (opening := opening_form(1)) is not None:
        return render_template("reports/period_form.html", form=opening, **context)
    form = parse_period(request.args, STATISTICS_MONTHS)
    service = None
    if (request.args.get("number") or "").strip():
        service, problem = find_service(current_user, request.args["number"])
        if problem:
            form.errors = {"number": problem, **form.errors}
    if not form.ok:
        return render_template("reports/period_form.html", form=form, **context)
    lines = [gettext("Nummer: %(number)s", number=phone(service.number))] if service else []
    lines.append(
        N_(
            "Ett samtal räknas på den dag det började. Flest samtidiga: det högsta antalet"
            " samtal som pågick samtidigt under dagen."
        )
    )
    return STATISTICS.respond(
        current_user,
        "reports/preview.html",
        title=title,
        period=(form.start, form.end),
        lines=lines,
        form_endpoint="reports.call_statistics",
        form_args={
            "number": request.args.get("number", ""),
            "from": form.date_from,
            "to": form.date_to,
        },
    )
