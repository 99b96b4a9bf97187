"""Kostnader per grupp (GRP-4): for a category of the organisation's groups
and a range of months, the invoiced amount (VAT excluded) per group and
month, with "Utan grupp", a totals row and a totals column.

An invoice line counts toward the group its service (else its account)
belonged to in the line's period month (the invoice's period or date when
the line has none), and in that month's column: a service that changed group
mid-year moves its amounts from that month on. Lines are scoped like the
invoice list (``scope_condition`` on the invoice's account: a
Kontoadministratör sees their sub-tree's) and narrowed by ``?grupp=`` like
every report.

The result is small (at most 51 rows), but it adds up every line of the
period: beyond REPORT_PREVIEW_LINES lines the report is made by the worker
as an Excel file (web/jobs.py), as the call reports are beyond
REPORT_PREVIEW_CALLS.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask import abort, current_app, render_template, request
from flask_babel import gettext
from flask_login import current_user
from peewee import fn

from blueprints.reports import bp
from blueprints.reports import groups as report_groups
from blueprints.reports.common import TITLES, month_and_year
from domain.formats import integer
from domain.text import T_
from tables.billing import Invoice, InvoiceLine
from tables.group_filter import month_of
from tables.group_totals import line_costs, line_month
from tables.org import Group, GroupCategory
from tables.scope import scope_condition
from web import excel, jobs
from web.auth import parse_id, require
from web.i18n import N_
from web.lists.groups import organisation_of

ENDPOINT = "reports.group_costs"
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
NO_GROUP = N_("Utan grupp")


# Per field: not a month in range.
MONTH_ERRORS = {
    "from": N_("Från ska vara en månad (ÅÅÅÅ-MM) mellan år %(first)s och %(last)s."),
    "to": N_("Till ska vara en månad (ÅÅÅÅ-MM) mellan år %(first)s och %(last)s."),
}


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _parse_month(text: str) -> dt.date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text or ""):
        return None
    year, month = int(text[:4]), int(text[5:])
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


@dataclass
class CostForm:
    """Kategori, Från and Till (ÅÅÅÅ-MM) as typed, and what is wrong per field."""

    category: GroupCategory | None
    categories: list
    month_from: str
    month_to: str
    first: dt.date | None = None
    last: dt.date | None = None
    errors: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _categories(user) -> list[GroupCategory]:
    return list(
        GroupCategory.select()
        .where(
            (GroupCategory.organisation == organisation_of(user))
            & GroupCategory.removed_at.is_null()
        )
        .order_by(GroupCategory.position, GroupCategory.name, GroupCategory.id)
    )


def parse_form(user, args) -> CostForm:
    """The form's values. A category id that is not one of the
    organisation's (from the select) is a 404; months that do not parse, Till
    before Från or more than MAX_MONTHS months are messages next to the field."""
    categories = _categories(user)
    this_month = dt.date.today().replace(day=1)
    category = categories[0] if categories else None
    if "kategori" in args:
        wanted = parse_id(args.get("kategori"))
        category = next((c for c in categories if c.id == wanted), None)
        if category is None:
            abort(404)
    form = CostForm(
        category,
        categories,
        (args.get("from") or add_months(this_month, 1 - DEFAULT_MONTHS).strftime("%Y-%m")).strip(),
        (args.get("to") or this_month.strftime("%Y-%m")).strip(),
    )
    if category is None:
        form.errors["kategori"] = N_(
            "Organisationen har inga gruppkategorier – skapa dem under Grupper."
        )
    for key, text in (("from", form.month_from), ("to", form.month_to)):
        month = _parse_month(text[:7] if len(text) == 10 else text)
        if month is None:
            form.errors[key] = T_(MONTH_ERRORS[key], first=2000, last=2099)
        elif key == "from":
            form.first = month
        else:
            form.last = month
    if form.first and form.last:
        if form.last < form.first:
            form.errors["to"] = N_("Till kan inte vara före Från.")
        elif form.last >= add_months(form.first, MAX_MONTHS):
            form.errors["to"] = T_("Perioden får vara högst %(months)s månader.", months=MAX_MONTHS)
    return form


def scoped_lines(user, first: dt.date, last: dt.date, narrowed: bool = True):
    """The invoice lines of the user's scope whose month is in the range,
    narrowed to the report's groups (unless ``narrowed`` is False)."""
    month = line_month()
    # A line's month is its period's, else its invoice's: the lines with a
    # period are found by it (indexed), the others by their invoice.
    invoice_month = month_of(fn.COALESCE(Invoice.period_start, Invoice.invoice_date))
    in_range = (
        (InvoiceLine.period_start >= first) & (InvoiceLine.period_start < add_months(last, 1))
    ) | (InvoiceLine.period_start.is_null() & (invoice_month >= first) & (invoice_month <= last))
    lines = (
        InvoiceLine.select()
        .join(Invoice, on=(InvoiceLine.invoice == Invoice.id))
        .where(scope_condition(Invoice, user, Invoice.account) & in_range)
    )
    if not narrowed:
        return lines
    return report_groups.narrow(
        lines, user, account=Invoice.account, service=InvoiceLine.service, month=month
    )


def lines_beyond_preview(user, form: CostForm) -> str | None:
    """Why the report is too much to add up in a request (a message), or
    None. The lines are counted before the groups narrow them (an upper
    bound): narrowed, the count itself cost seconds at the large scale."""
    limit = current_app.config["REPORT_PREVIEW_LINES"]
    lines = scoped_lines(user, form.first, form.last, narrowed=False)
    lines = lines.select(InvoiceLine.id).order_by()
    if lines.limit(limit + 1).count() <= limit:
        return None
    return gettext(
        "Perioden omfattar fler än %(n)s fakturarader – för många för att"
        " summera på skärmen. Rapporten tas fram som Excel-fil.",
        n=integer(limit),
    )


@dataclass
class CostTable:
    months: list[dt.date]
    rows: list[dict]  # {"label", "cells": [öre per month], "total"}
    totals: list[int]
    total: int


def cost_table(user, form: CostForm) -> CostTable:
    months = []
    month = form.first
    while month <= form.last:
        months.append(month)
        month = add_months(month, 1)
    costs = line_costs(scoped_lines(user, form.first, form.last), form.category.id)
    groups = list(
        Group.select().where(Group.category == form.category.id).order_by(Group.name, Group.id)
    )
    used = {group_id for _, group_id in costs}
    rows = []
    for key, label in [
        *((g.id, g.name) for g in groups if g.removed_at is None or g.id in used),
        (None, gettext(NO_GROUP)),
    ]:
        cells = [costs.get((m, key), 0) for m in months]
        rows.append({"label": label, "cells": cells, "total": sum(cells), "group_id": key})
    totals = [sum(row["cells"][i] for row in rows) for i in range(len(months))]
    return CostTable(months, rows, totals, sum(totals))


def _month_heading(month: dt.date) -> str:
    return month_and_year(month)


def export(user, form: CostForm, title: str):
    table = cost_table(user, form)
    total = gettext("Totalt")
    headers = [form.category.name, *(_month_heading(m) for m in table.months), total]
    rows = [(row["label"], *row["cells"], row["total"]) for row in table.rows]
    rows.append((total, *table.totals, table.total))
    formats = [None] + [excel.to_kronor] * (len(headers) - 1)
    number_formats = [None] + [excel.KRONOR_FORMAT] * (len(headers) - 1)
    sheet = {
        "title": gettext(title),
        "headers": headers,
        "rows": rows,
        "formats": formats,
        "escape": [True] + [False] * (len(headers) - 1),
        "number_formats": number_formats,
    }
    if jobs.replaying() is not None:
        return jobs.write_file(**sheet)
    return excel.send_rows(**sheet)


@bp.route("/kostnader-per-grupp")
@require("reports.view")
@require("invoices.view")
def group_costs():
    title = TITLES[ENDPOINT]
    user = current_user
    form = parse_form(user, request.args)
    context = {"title": title, "form": form}
    if "kategori" not in request.args or "edit" in request.args or not form.ok:
        status = 400 if "kategori" in request.args and not form.ok else 200
        return render_template("reports/group_costs_form.html", **context), status
    if jobs.replaying() is None:
        reason = lines_beyond_preview(user, form)
        if reason:
            return jobs.start(user, title, 0, reason=reason)
    if request.args.get("export") == "xlsx":
        return export(user, form, title)
    return render_template(
        "reports/group_costs.html",
        table=cost_table(user, form),
        month_heading=_month_heading,
        form_args={
            "kategori": form.category.id,
            "from": form.month_from,
            "to": form.month_to,
            "grupp": report_groups.picked_ids(),
        },
        **context,
    )
