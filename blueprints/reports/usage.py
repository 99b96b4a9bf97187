"""Förbrukningsrapport (Stofa's Forbrugsrapport): a month chosen at the top;
per mobile subscription the month's usage (MonthlyUsage) and cost, each
number linking to its service page (the list view: paged, sorted, exported);
the fixed-line local numbers with their month's calls, each linking to its
call records; and a chart of the mobile costs over the last months, to see
the swings (server-rendered SVG, like the invoice page's).

Scope: the services of ``scope_condition`` (the service itself for a user
limited to chosen services); MonthlyUsage carries no account of its own.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from peewee import fn
from werkzeug.exceptions import NotFound

from blueprints.invoices.show import month_start
from blueprints.reports import bp
from blueprints.reports import groups as report_groups
from blueprints.reports.common import TITLES, Link, cells_loader, datetime_bounds, month_and_year
from blueprints.reports.traffic import service_columns
from blueprints.services.charts import bar_chart
from domain.formats import integer
from tables.billing import CallRecord
from tables.org import Account
from tables.scope import scope_condition
from tables.services import MOBILE_KINDS, MonthlyUsage, Service
from web.auth import require
from web.formatting import phone
from web.htmx import is_htmx
from web.i18n import N_, kr
from web.listcolumns import Column, kronor_column, text_column
from web.lists.groups import GroupRule
from web.listview import ListView

MONTHS_OFFERED = 13
CHART_MONTHS = 6
FIXED_KINDS = ("cloud_pbx", "sip_trunk", "number_series")
FIXED_SHOWN = 100


def _scoped_services(user):
    """The services the user may see, as Service.visible_to has them (a
    hidden service is in no report); the hidden flag also lets the
    (organisation, hidden, kind, status) index pick the kinds."""
    return scope_condition(Service, user, Service.account, Service.id) & (
        Service.hidden == False  # noqa: E712
    )


def usage_query(user):
    return (
        MonthlyUsage.select()
        .join(Service, on=(MonthlyUsage.service == Service.id))
        .join_from(Service, Account, on=(Service.account == Account.id))
        .where(_scoped_services(user) & Service.kind.in_(MOBILE_KINDS))
    )


FIELDS = {
    "number": Service.number,
    "service_id": Service.id,
    "user": Service.user_name,
    "data": MonthlyUsage.data_used_mb,
    "calls": MonthlyUsage.calls,
    "seconds": MonthlyUsage.voice_seconds,
    "sms": MonthlyUsage.sms,
    "mms": MonthlyUsage.mms,
    "cost": MonthlyUsage.cost_ore,
    "account": Account.customer_number,
}


def _cells(d: dict) -> dict:
    return {
        "number": Link(phone(d["number"]), url_for("services.detail", service_id=d["service_id"])),
        "user": d["user"],
        "data": d["data"],
        "calls": d["calls"],
        "minutes": f"{(d['seconds'] or 0) / 60:.1f}".replace(".", ","),
        "sms": d["sms"],
        "mms": d["mms"],
        "cost": kr(d["cost"]),
        "account": d["account"],
    }


def _number(key, label, field, **options) -> Column:
    return Column(key, label, sort=field, export=field, text=False, align="right", **options)


def usage_beyond_preview(user) -> str | None:
    """``ListView.too_large``: a month of more mobile subscriptions than
    REPORT_PREVIEW_ROWS (a large company's tens of thousands) comes as an
    Excel file from the worker; counted with a LIMIT."""
    try:
        month = _chosen_month(user, _month_choices(dt.date.today()))
    except NotFound:
        return None  # the view answers 404
    limit = current_app.config["REPORT_PREVIEW_ROWS"]
    rows = usage_query(user).where(MonthlyUsage.month == month).select(MonthlyUsage.id)
    if rows.limit(limit + 1).count() <= limit:
        return None
    return gettext(
        "Månaden omfattar fler än %(n)s mobilabonnemang – för många för att visa på"
        " skärmen. Förbrukningsrapporten tas fram som Excel-fil.",
        n=integer(limit),
    )


USAGE = ListView(
    name="report-usage",
    model=MonthlyUsage,
    query=usage_query,
    row_template="reports/_cells.html",
    default_sort=("number", "asc"),
    export_title=N_("Förbrukningsrapport"),
    bulk_actions=[],
    too_large=usage_beyond_preview,
    # A month's usage counts toward the service's group in that month.
    groups=GroupRule(
        account=Service.account, service=MonthlyUsage.service, month=lambda: MonthlyUsage.month
    ),
    rows_loader=cells_loader(MonthlyUsage, usage_query, FIELDS, _cells),
    columns=[
        *service_columns(),
        _number("data", N_("Data (MB)"), MonthlyUsage.data_used_mb),
        _number("calls", N_("Samtal"), MonthlyUsage.calls),
        _number(
            "minutes",
            N_("Samtalstid (min)"),
            MonthlyUsage.voice_seconds,
            export_format=lambda s: round((s or 0) / 60, 1),
        ),
        _number("sms", N_("SMS"), MonthlyUsage.sms),
        _number("mms", N_("MMS"), MonthlyUsage.mms),
        kronor_column("cost", N_("Kostnad"), MonthlyUsage.cost_ore),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("number", "user", "data", "cost"),
)


def _month_choices(today: dt.date) -> list[dt.date]:
    return [month_start(today, back) for back in range(MONTHS_OFFERED)]


def _chosen_month(user, choices: list[dt.date]) -> dt.date:
    """The month asked for (ÅÅÅÅ-MM, one of the offered: else 404), or the
    latest month with usage in scope, or this month."""
    text = request.args.get("month")
    if text:
        try:
            month = dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            abort(404)
        if month not in choices:
            abort(404)
        return month
    latest = (
        usage_query(user)
        .select(fn.MAX(MonthlyUsage.month))
        .where(MonthlyUsage.month >= choices[-1])
        .scalar()
    )
    if isinstance(latest, str):
        latest = dt.date.fromisoformat(latest[:10])
    return month_start(latest) if latest else choices[0]


def cost_chart(user, month: dt.date):
    """The mobile subscriptions' cost in each of the last months up to ``month``."""
    first = month_start(month, CHART_MONTHS - 1)
    # Narrowed to the report's groups, each month's usage by that month's group.
    scoped = report_groups.narrow(
        usage_query(user),
        user,
        account=Service.account,
        service=MonthlyUsage.service,
        month=MonthlyUsage.month,
    )
    rows = (
        scoped.select(MonthlyUsage.month, fn.SUM(MonthlyUsage.cost_ore))
        .where((MonthlyUsage.month >= first) & (MonthlyUsage.month <= month))
        .group_by(MonthlyUsage.month)
        .tuples()
    )
    totals = {}
    for day, cost in rows:
        day = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
        totals[month_start(day)] = cost or 0
    months = [month_start(month, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    points = [(month_and_year(m), totals.get(m, 0) / 100, kr(totals.get(m, 0))) for m in months]
    chart = bar_chart(gettext("Mobilabonnemangens kostnad per månad"), points, "kr")
    chart.xlabels = [(x, text.split()[0]) for x, text in chart.xlabels]
    return chart


def fixed_lines(user, month: dt.date) -> list[dict]:
    """The fixed-line services (local numbers) with the month's calls."""
    after = month_start(month, -1)
    fixed = Service.select(Service.id, Service.number, Service.user_name, Service.kind).where(
        _scoped_services(user) & Service.kind.in_(FIXED_KINDS)
    )
    fixed = report_groups.narrow(
        fixed, user, account=Service.account, service=Service.id, month=month
    )
    services = list(
        fixed
        # By kind first: the switchboards, trunks and number series apart,
        # and the kind index serves the query (by number alone, SQLite
        # walked every organisation's services in number order).
        .order_by(Service.kind, Service.number).limit(FIXED_SHOWN)
    )
    low, high = datetime_bounds(month, after - dt.timedelta(days=1))
    sums = (
        {
            sid: (calls, seconds, amount)
            for sid, calls, seconds, amount in CallRecord.visible_to(user)
            .select(
                CallRecord.service,
                fn.COUNT(CallRecord.id),
                fn.SUM(CallRecord.duration_s),
                fn.SUM(CallRecord.price_ore),
            )
            .where(
                CallRecord.service.in_([s.id for s in services])
                & (CallRecord.started_at >= low)
                & (CallRecord.started_at < high)
            )
            .group_by(CallRecord.service)
            .tuples()
        }
        if services
        else {}
    )
    out = []
    for service in services:
        calls, seconds, amount = sums.get(service.id, (0, 0, 0))
        out.append(
            {
                "service": service,
                "calls": calls,
                "minutes": f"{(seconds or 0) / 60:.1f}".replace(".", ","),
                "amount": kr(amount or 0),
                "calls_url": url_for("calls.index", service=service.id),
            }
        )
    return out


@bp.route("/forbrukning")
@require("reports.view")
def usage():
    title = TITLES["reports.usage"]
    choices = _month_choices(dt.date.today())
    month = _chosen_month(current_user, choices)
    context = {}
    if not is_htmx() and "export" not in request.args:
        # The chart comes by htmx after the page (it reads six months of
        # usage); the local numbers are a page of their own.
        context = {"fixed": fixed_lines(current_user, month), "fixed_shown": FIXED_SHOWN}
    return USAGE.respond(
        current_user,
        "reports/usage.html",
        extra=(MonthlyUsage.month == month),
        title=title,
        month=month,
        choices=choices,
        month_label=month_and_year,
        **context,
    )


@bp.route("/forbrukning/diagram")
@require("reports.view")
def usage_chart():
    """Förbrukningsrapport's cost chart for the chosen month, loaded by htmx."""
    month = _chosen_month(current_user, _month_choices(dt.date.today()))
    return render_template(
        "partials/reports/_usage_chart.html", chart=cost_chart(current_user, month)
    )
