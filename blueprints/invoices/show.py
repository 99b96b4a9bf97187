"""The invoice page /invoices/<id> (INV-1): what the invoice holds, grouped by
service, the credit notes issued against it, how it is paid, and what the
account was invoiced month by month over the year up to it (Tele2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, fn

from blueprints.invoices import bp
from blueprints.services.charts import bar_chart
from domain.formats import kr
from domain.invoice_pdf import ocr_reference
from tables.billing import CallRecord, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from tables.services import Service
from web.auth import get_visible_or_404, require
from web.formatting import url_if
from web.listcolumns import DateRangeFilter

CHART_MONTHS = 12


@dataclass
class ServiceGroup:
    """The lines of one service, or of none (Övrigt)."""

    service: Service | None
    lines: list = field(default_factory=list)
    calls_url: str | None = None  # the call records behind the lines

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)


def month_start(day: dt.date, back: int = 0) -> dt.date:
    months = day.year * 12 + day.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 1)


def line_groups(invoice: Invoice, user) -> list[ServiceGroup]:
    """The invoice's lines by service in the order billing gave them; lines
    without a service last, under Övrigt."""
    lines = (
        InvoiceLine.select(InvoiceLine, Service)
        .join(Service, on=(InvoiceLine.service == Service.id), join_type=JOIN.LEFT_OUTER)
        .where(InvoiceLine.invoice == invoice.id)
        .order_by(InvoiceLine.position, InvoiceLine.id)
    )
    groups: dict[int | None, ServiceGroup] = {}
    for line in lines:
        key = line.service_id
        if key not in groups:
            groups[key] = ServiceGroup(line.service if key else None)
        groups[key].lines.append(line)
    other = groups.pop(None, None)
    out = list(groups.values()) + ([other] if other else [])
    if user.has("reports.view") and url_if("calls.index"):
        link_call_records(invoice, out, user)
    return out


def invoice_period(invoice: Invoice, lines) -> tuple[dt.date | None, dt.date | None]:
    """The period the invoice bills: its own, else the span of its lines'."""
    if invoice.period_start and invoice.period_end:
        return invoice.period_start, invoice.period_end
    starts = [line.period_start for line in lines if line.period_start]
    ends = [line.period_end for line in lines if line.period_end]
    return min(starts, default=None), max(ends, default=None)


def link_call_records(invoice: Invoice, groups: list[ServiceGroup], user) -> None:
    """Each service with call records in the invoice's period links to them
    in Samtal (/calls), filtered by the service and the period.

    Only for users with reports.view, as Samtal itself: the records carry
    the B-numbers called (personal data)."""
    by_service = {g.service.id: g for g in groups if g.service is not None}
    start, end = invoice_period(invoice, [line for g in groups for line in g.lines])
    if not by_service or not (start and end):
        return
    in_period = DateRangeFilter().condition(CallRecord.started_at, (start, end))
    with_calls = (
        CallRecord.visible_to(user)
        .select(CallRecord.service)
        .where(CallRecord.service.in_(list(by_service)) & in_period)
        .distinct()
        .tuples()
    )
    period = {"f_started_from": start.isoformat(), "f_started_to": end.isoformat()}
    for (service_id,) in with_calls:
        by_service[service_id].calls_url = url_for("calls.index", service=service_id, **period)


def credit_notes(invoice: Invoice) -> list[CreditNote]:
    """The credit notes issued against the invoice, each with its lines and
    the invoice line each of them credits."""
    notes = list(
        CreditNote.select()
        .where(CreditNote.invoice == invoice.id)
        .order_by(CreditNote.issued_on, CreditNote.id)
    )
    by_id = {note.id: note for note in notes}
    for note in notes:
        note.line_list = []
    if notes:
        Credited = InvoiceLine.alias()
        rows = (
            CreditNoteLine.select(CreditNoteLine, Credited, Service)
            .join(Credited, JOIN.LEFT_OUTER, on=(CreditNoteLine.invoice_line == Credited.id))
            .switch(CreditNoteLine)
            .join(Service, JOIN.LEFT_OUTER, on=(CreditNoteLine.service == Service.id))
            .where(CreditNoteLine.credit_note.in_(list(by_id)))
            .order_by(CreditNoteLine.id)
        )
        for row in rows:
            by_id[row.credit_note_id].line_list.append(row)
    return notes


def monthly_chart(query, last_month: dt.date, title: str):
    """Invoiced amounts (VAT included) of ``query``'s invoices in each of the
    twelve months up to ``last_month``; that month is the highlighted bar.

    Summed per invoice date in SQL and folded into months here, which reads
    the same on SQLite and PostgreSQL (no date functions of either)."""
    # Imported here: the reports (Förbrukningsrapport) import this module.
    from blueprints.reports.common import month_and_year

    first = month_start(last_month, CHART_MONTHS - 1)
    after = month_start(last_month, -1)
    rows = (
        query.select(Invoice.invoice_date, fn.SUM(Invoice.amount_ore))
        .where((Invoice.invoice_date >= first) & (Invoice.invoice_date < after))
        .group_by(Invoice.invoice_date)
        .tuples()
    )
    totals: dict[dt.date, int] = {}
    for day, amount in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        totals[month_start(day)] = totals.get(month_start(day), 0) + int(amount or 0)
    months = [month_start(last_month, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    points = [(month_and_year(m), totals.get(m, 0) / 100, kr(totals.get(m, 0))) for m in months]
    chart = bar_chart(title, points, "kr")
    # Month names alone under the bars; the year is in the table and the tooltips.
    chart.xlabels = [(x, text.split()[0]) for x, text in chart.xlabels]
    return chart


def month_chart(invoice: Invoice, user):
    """What the account was invoiced in the twelve months up to the invoice's."""
    query = Invoice.visible_to(user).where(Invoice.account == invoice.account_id)
    return monthly_chart(query, invoice.invoice_date, _("Fakturerat per månad (inkl. moms)"))


@bp.route("/<int:invoice_id>")
@require("invoices.view")
def detail(invoice_id: int):
    invoice = get_visible_or_404(Invoice, invoice_id)
    groups = line_groups(invoice, current_user)
    # The total is the lines plus VAT; credit notes are documents of their
    # own shown beside it and change neither.
    net_ore = sum(group.total_ore for group in groups)
    notes = credit_notes(invoice)
    credited = {
        row.invoice_line_id: note.number
        for note in notes
        for row in note.line_list
        if row.invoice_line_id
    }
    return render_template(
        "invoices/show.html",
        invoice=invoice,
        account=invoice.account,
        groups=groups,
        net_ore=net_ore,
        total_ore=net_ore + invoice.vat_ore,
        credit_notes=notes,
        credited=credited,
        credited_ore=sum(note.amount_ore for note in notes),
        chart=month_chart(invoice, current_user),
        ocr=ocr_reference(invoice),
        today=dt.date.today(),
    )


@bp.route("/diagram")
@require("invoices.view")
def scope_chart():
    """Fakturor's chart: everything the user may see, the twelve months up to
    the newest invoice date (this month before its invoices are out would be
    an empty bar). Loaded by htmx after the list, so the list never waits."""
    query = Invoice.visible_to(current_user)
    newest = (
        query.select(fn.MAX(Invoice.invoice_date))
        .where(Invoice.invoice_date <= dt.date.today())
        .scalar()
    )
    if isinstance(newest, str):
        newest = dt.date.fromisoformat(newest)
    chart = monthly_chart(query, newest or dt.date.today(), _("Per månad, inkl. moms"))
    return render_template("partials/invoices/_scope_chart.html", chart=chart)
