"""Totals per group (GRP-4): which group of a category a row belongs to in
its month, as SQL, and sums by that group. Built on tables/group_filter.py's
rules: a service's group in a category is its own membership there that
month if it has one, otherwise its account's; a row without a service
follows its account. Used by the report Kostnader per grupp and by the
Fakturor and Tjänster lists' "Summa per grupp".

Groups are returned by id; None stands for "Utan grupp" (no membership in
the category that month).
"""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, SQL, Select, Value, fn

from tables.billing import Invoice, InvoiceLine
from tables.group_filter import month_of
from tables.org import Group
from tables.services import GroupMembership, Service


def _holds(membership, month):
    return (membership.start_month <= month) & (
        membership.end_month.is_null() | (membership.end_month >= month)
    )


def _group_id(owner_field, owner, category_id, month):
    m = GroupMembership.alias()
    g = Group.alias()
    return (
        m.select(m.group)
        .join(g, on=(m.group == g.id))
        .where((getattr(m, owner_field) == owner) & (g.category == category_id) & _holds(m, month))
        .order_by(m.start_month.desc())
        .limit(1)
    )


def group_id_expr(category_id, *, account, month, service=None):
    """The id of the row's group in the category in ``month`` (NULL: none)."""
    by_account = _group_id("account", account, category_id, month)
    if service is None:
        return by_account
    return fn.COALESCE(_group_id("service", service, category_id, month), by_account)


def with_group(query, category_id, *, account, month, service=None, source=None):
    """``query`` LEFT JOINed to the row's memberships in the category that
    hold in ``month`` (the service's own and its account's), and the SQL of
    the row's group id (NULL: none): the same rule as :func:`group_id_expr`.

    Two joins instead of a subquery per row: at the large scale a month of
    invoice lines or the services of an organisation (100,000 rows) add up
    several times faster. A category has at most one membership per account
    or service at a time (domain/groups.py refuses overlaps), so the joins
    add no rows."""
    group_ids = [g.id for g in Group.select(Group.id).where(Group.category == category_id)]
    source = source or query.model
    if not group_ids:
        return query, Value(None)
    by_account = GroupMembership.alias("gm_account")
    query = query.join_from(
        source,
        by_account,
        JOIN.LEFT_OUTER,
        on=(by_account.account == account)
        & by_account.group.in_(group_ids)
        & _holds(by_account, month),
    )
    if service is None:
        return query, by_account.group
    own = GroupMembership.alias("gm_service")
    query = query.join_from(
        source,
        own,
        JOIN.LEFT_OUTER,
        on=(own.service == service) & own.group.in_(group_ids) & _holds(own, month),
    )
    return query, fn.COALESCE(own.group, by_account.group)


def line_month(line=InvoiceLine):
    """An invoice line's month: its period's, else its invoice's period or
    date (the query joins Invoice)."""
    return month_of(fn.COALESCE(line.period_start, Invoice.period_start, Invoice.invoice_date))


def as_month(value) -> dt.date | None:
    """A month as SQLite (text) or PostgreSQL (date) returns it."""
    if value is None or isinstance(value, dt.date):
        return value.replace(day=1) if isinstance(value, dt.date) else None
    return dt.date.fromisoformat(str(value)[:10]).replace(day=1)


def _sum_by(inner, *keys) -> list[tuple]:
    """SELECT keys…, SUM(amount), COUNT(*) FROM (inner) GROUP BY keys…"""
    sub = inner.alias("rows")
    columns = [getattr(sub.c, k) for k in keys]
    query = Select([sub], [*columns, fn.SUM(sub.c.amount), fn.COUNT(SQL("*"))]).group_by(*columns)
    return list(query.tuples().execute(InvoiceLine._meta.database))


def line_costs(lines, category_id) -> dict[tuple[dt.date, int | None], int]:
    """The amounts (öre, VAT excluded) of ``lines`` (a query of InvoiceLine
    joined to Invoice, already scoped and narrowed) by (month, group id):
    each line to its service's, else its account's, group in its period
    month."""
    month = line_month()
    lines, group = with_group(
        lines,
        category_id,
        account=Invoice.account,
        service=InvoiceLine.service,
        month=month,
        source=InvoiceLine,
    )
    inner = lines.select(
        month.alias("month"), group.alias("grp"), InvoiceLine.amount_ore.alias("amount")
    ).order_by()
    out: dict[tuple[dt.date, int | None], int] = {}
    for month_value, group_id, amount, _count in _sum_by(inner, "month", "grp"):
        key = (as_month(month_value), group_id)
        out[key] = out.get(key, 0) + int(amount or 0)
    return out


def invoice_totals(invoice_ids, category_id) -> dict[int | None, int]:
    """Summa per grupp of the invoice list: the lines of ``invoice_ids`` (a
    subquery) by group, each line in its period month; an invoice without
    lines counts whole (less VAT) by its account's group in its month."""
    lines = InvoiceLine.select().join(Invoice, on=(InvoiceLine.invoice == Invoice.id))
    lines = lines.where(InvoiceLine.invoice.in_(invoice_ids))
    out: dict[int | None, int] = {}
    for (_month, group_id), amount in line_costs(lines, category_id).items():
        out[group_id] = out.get(group_id, 0) + amount
    any_line = InvoiceLine.alias()
    month = month_of(fn.COALESCE(Invoice.period_start, Invoice.invoice_date))
    whole = Invoice.select(
        group_id_expr(category_id, account=Invoice.account, month=month).alias("grp"),
        (Invoice.amount_ore - Invoice.vat_ore).alias("amount"),
    ).where(
        Invoice.id.in_(invoice_ids)
        & ~fn.EXISTS(any_line.select(SQL("1")).where(any_line.invoice == Invoice.id))
    )
    for group_id, amount, _count in _sum_by(whole, "grp"):
        out[group_id] = out.get(group_id, 0) + int(amount or 0)
    return out


def service_totals(services, category_id, month: dt.date) -> dict[int | None, tuple[int, int]]:
    """Summa per grupp of the service list: (number of services, monthly fees
    in öre) of ``services`` (a query of Service) by their group in ``month``."""
    services, group = with_group(
        services,
        category_id,
        account=Service.account,
        service=Service.id,
        month=month,
        source=Service,
    )
    inner = services.select(group.alias("grp"), Service.monthly_ore.alias("amount")).order_by()
    return {
        group_id: (int(count), int(amount or 0))
        for group_id, amount, count in _sum_by(inner, "grp")
    }
