"""Summa per grupp on the Fakturor and Tjänster lists (GRP-4): with
``?kategori=<category id>`` a panel (an htmx partial loaded after the list)
shows, per group of that category, the sum for the list's current filter,
with "Utan grupp":

* Fakturor: the invoiced amount (VAT excluded) split by line, each line to
  its service's (else its account's) group in its period month; an invoice
  without lines counts whole by its account (tables/group_totals.py);
* Tjänster: the number of services and their monthly fees per group this
  month.

At most GROUP_TOTALS_MAX_ROWS rows (invoice lines, services) are added up in
a request; beyond that the panel says so and points to the report Kostnader
per grupp. A category id that is not the organisation's (or not a number) is
a 404 of the partial; the list itself ignores it and offers the choice.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from domain.formats import integer
from tables.billing import Invoice, InvoiceLine
from tables.group_totals import invoice_totals, service_totals
from tables.org import Group, GroupCategory
from tables.services import Service
from web.auth import parse_id
from web.i18n import N_

PARAM = "kategori"
NO_GROUP = N_("Utan grupp")


def categories(user) -> list[GroupCategory]:
    """The organisation's categories the panel offers."""
    organisation = getattr(user, "organisation_id", None)
    if organisation is None:
        return []
    return list(
        GroupCategory.select()
        .where((GroupCategory.organisation == organisation) & GroupCategory.removed_at.is_null())
        .order_by(GroupCategory.position, GroupCategory.name, GroupCategory.id)
    )


def chosen_category(user, args) -> GroupCategory | None:
    """The ``kategori`` of the request when it is one of the organisation's."""
    wanted = parse_id(args.get(PARAM))
    return next((c for c in categories(user) if c.id == wanted), None)


def _rows(category, totals: dict, value) -> list[dict]:
    """One row per group of the category (removed ones only with a sum), then
    Utan grupp; ``value(total)`` gives the row's numbers."""
    groups = Group.select().where(Group.category == category.id).order_by(Group.name, Group.id)
    rows = [
        {"label": group.name, **value(totals.get(group.id))}
        for group in groups
        if group.removed_at is None or group.id in totals
    ]
    rows.append({"label": NO_GROUP, **value(totals.get(None)), "no_group": True})
    return rows


def _too_many(count: int) -> str | None:
    limit = current_app.config["GROUP_TOTALS_MAX_ROWS"]
    if count <= limit:
        return None
    return _(
        "Urvalet omfattar fler än %(count)s rader – för många för att summera här."
        " Använd rapporten Kostnader per grupp, eller filtrera listan mer.",
        count=integer(limit),
    )


def _within_limit(query) -> int:
    limit = current_app.config["GROUP_TOTALS_MAX_ROWS"]
    return query.limit(limit + 1).count()


def invoice_panel(listview, user):
    """The Fakturor list's panel for its current filter."""
    category = chosen_category(user, request.args) or abort(404)
    ids = listview.narrowed(user, listview.state()).select(Invoice.id).order_by()
    lines = InvoiceLine.select(InvoiceLine.id).where(InvoiceLine.invoice.in_(ids))
    message = _too_many(_within_limit(lines))
    rows, total = [], 0
    if message is None:
        totals = invoice_totals(ids, category.id)
        rows = _rows(category, totals, lambda ore: {"amount": ore or 0})
        total = sum(totals.values())
    return render_template(
        "partials/_group_totals.html",
        kind="invoices",
        category=category,
        rows=rows,
        total={"amount": total},
        message=message,
        report_url=url_for("reports.group_costs", kategori=category.id),
    )


def service_panel(listview, user):
    """The Tjänster list's panel for its current filter, this month."""
    category = chosen_category(user, request.args) or abort(404)
    services = listview.narrowed(user, listview.state()).order_by()
    message = _too_many(_within_limit(services.select(Service.id)))
    rows, total = [], {"count": 0, "monthly": 0}
    if message is None:
        month = dt.date.today().replace(day=1)
        totals = service_totals(services, category.id, month)
        rows = _rows(
            category,
            totals,
            lambda pair: {"count": (pair or (0, 0))[0], "monthly": (pair or (0, 0))[1]},
        )
        total = {
            "count": sum(c for c, _ in totals.values()),
            "monthly": sum(m for _, m in totals.values()),
        }
    return render_template(
        "partials/_group_totals.html",
        kind="services",
        category=category,
        rows=rows,
        total=total,
        message=message,
        report_url=None,
    )
