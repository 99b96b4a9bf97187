"""Demo data the reports need besides seed/demo.py's: a few credit notes on
A3 Demo Connect's invoices (Krediterade tjänster), each crediting a real
invoice line of a service, and the cost of each month's usage
(Förbrukningsrapport), as billing would give it. The organisation's agreement already carries the
operator's SLA (seed_operator), so the SLA report is offered to it."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from tables.billing import CallRecord, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from tables.org import Organisation
from tables.services import MonthlyUsage, Service

# (which of the organisation's invoices with service lines, oldest first;
#  share of the line credited; why)
CREDITS = [
    (1, 1.0, "Dubbeldebitering av månadsavgift"),
    (3, 0.5, "Kompensation för driftstörning"),
    (5, 1.0, "Tjänsten avslutad före perioden – felaktig debitering"),
]


def seed_credit_notes(org_number: str = "5566290549") -> list[CreditNote]:
    """Credit notes ten days after their invoices, lines pointing at the lines they credit."""
    org = Organisation.get(Organisation.org_number == org_number)
    invoices = list(
        Invoice.select()
        .where(Invoice.organisation == org.id)
        .order_by(Invoice.invoice_date, Invoice.id)
    )
    with_lines = [
        inv
        for inv in invoices
        if InvoiceLine.select()
        .where((InvoiceLine.invoice == inv.id) & InvoiceLine.service.is_null(False))
        .exists()
    ]
    notes = []
    for n, (position, share, reason) in enumerate(CREDITS, start=1):
        if position >= len(with_lines):
            continue
        invoice = with_lines[position]
        line = (
            InvoiceLine.select()
            .where((InvoiceLine.invoice == invoice.id) & InvoiceLine.service.is_null(False))
            .order_by(InvoiceLine.amount_ore.desc(), InvoiceLine.id)
            .first()
        )
        amount = round(line.amount_ore * share)
        note = CreditNote.create(
            organisation=org.id,
            account=invoice.account_id,
            invoice=invoice,
            number=f"KR-{invoice.number.split('-')[-1]}-{n}",
            issued_on=invoice.invoice_date + dt.timedelta(days=10),
            amount_ore=round(amount * (100 + line.vat_percent) / 100),
            reason=reason,
        )
        CreditNoteLine.create(
            credit_note=note,
            invoice_line=line,
            service=line.service_id,
            description=f"Kreditering: {line.description}",
            amount_ore=amount,
        )
        notes.append(note)
    return notes


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def seed_usage_costs() -> int:
    """Each MonthlyUsage without a cost gets the service's monthly fee plus
    the month's call charges (the current month's fee in part, by the day)."""
    today = dt.date.today()
    changed = 0
    usages = (
        MonthlyUsage.select(MonthlyUsage, Service)
        .join(Service, on=(MonthlyUsage.service == Service.id))
        .where(MonthlyUsage.cost_ore == 0)
    )
    for usage in usages:
        start, after = usage.month, _next_month(usage.month)
        traffic = (
            CallRecord.select(fn.SUM(CallRecord.price_ore))
            .where(
                (CallRecord.service == usage.service_id)
                & (CallRecord.started_at >= dt.datetime.combine(start, dt.time()))
                & (CallRecord.started_at < dt.datetime.combine(after, dt.time()))
            )
            .scalar()
            or 0
        )
        fee = usage.service.monthly_ore or 0
        if start <= today < after:
            fee = fee * today.day // (after - start).days
        MonthlyUsage.update(cost_ore=fee + traffic).where(MonthlyUsage.id == usage.id).execute()
        changed += 1
    return changed
