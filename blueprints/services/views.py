"""The detail page of a service (SRV-2), one layout per kind, with the
action menu (Åtgärder) on the right. htmx requests (the page refreshing
itself after an action, event ``serviceChanged``) get the page body only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import fn
from werkzeug.routing import BuildError

from blueprints.services import bp
from blueprints.services.charts import bar_chart, line_chart, month_label
from blueprints.services.switchboard import panel_context as switchboard_panel
from domain import outages
from domain import service_actions as sa
from domain.provisioning import payload_of
from permissions import ORDER_AREA, TICKET_AREA, holds_any
from tables.billing import Invoice, InvoiceLine
from tables.catalogue import Product
from tables.orders import Order, OrderEvent
from tables.services import (
    BARRING_KINDS,
    FORWARDING_KINDS,
    LINE_SECTIONS,
    Device,
    MonitoringSample,
    MonthlyUsage,
    PhoneNumber,
    Service,
    ServiceAddon,
    ServiceLine,
    SpendingLimit,
    TopUp,
)
from tables.tickets import Ticket
from web.auth import get_visible_or_404, require
from web.formatting import local
from web.htmx import is_htmx, render
from web.i18n import gigabytes, kr

RELATED_LIMIT = 10
MONITORING_DAYS = 7


@bp.app_template_global()
def link_to(endpoint: str, **values) -> str | None:
    """The URL of another area's page, or None while it does not exist (or
    takes other parameters)."""
    from flask import current_app

    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def spec_sections(service) -> list[tuple[str, list]]:
    """Tjänstespecifikation: lines grouped Startpaket, Datapaket, Handtag,
    Tilläggstjänster, in that order."""
    grouped = defaultdict(list)
    for line in service.lines.order_by(ServiceLine.position, ServiceLine.id):
        grouped[line.section].append(line)
    return [(LINE_SECTIONS[key], grouped[key]) for key in LINE_SECTIONS if grouped[key]]


def usage_context(service, today: dt.date) -> dict:
    """Förbrukning this month and the trends over the last six months."""
    months = [sa.add_months(sa.first_of_month(today), -back) for back in range(5, -1, -1)]
    rows = {
        u.month: u
        for u in MonthlyUsage.select().where(
            (MonthlyUsage.service == service.id) & (MonthlyUsage.month >= months[0])
        )
    }
    current = rows.get(months[-1]) or MonthlyUsage(service=service.id, month=months[-1])
    quota = (current.data_quota_mb or 0) + (current.topup_mb or 0)
    remaining = max(quota - current.data_used_mb, 0) if quota else None
    data_points = []
    voice_points = []
    sms_points = []
    for month in months:
        row = rows.get(month)
        used = row.data_used_mb if row else 0
        data_points.append((month_label(month), used / 1024, gigabytes(used)))
        minutes = round((row.voice_seconds if row else 0) / 60)
        voice_points.append((month_label(month), minutes, _("%(n)s min", n=minutes)))
        messages = (row.sms + row.mms) if row else 0
        sms_points.append((month_label(month), messages, _("%(n)s st", n=messages)))
    return {
        "usage": current,
        "quota_mb": quota,
        "remaining_mb": remaining,
        "data_chart": bar_chart(_("Dataförbrukning per månad"), data_points, "GB"),
        "voice_chart": bar_chart(_("Samtalsminuter per månad"), voice_points, _("min")),
        "sms_chart": bar_chart(_("SMS och MMS per månad"), sms_points, _("st")),
    }


def monitoring_chart(service):
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=MONITORING_DAYS)
    samples = list(
        MonitoringSample.select()
        .where((MonitoringSample.service == service.id) & (MonitoringSample.at >= since))
        .order_by(MonitoringSample.at)
    )
    if not samples:
        return None
    series = [
        (_("Inkommande"), "line-rx", [(local(s.at), s.rx_bps) for s in samples]),
        (_("Utgående"), "line-tx", [(local(s.at), s.tx_bps) for s in samples]),
    ]
    return line_chart(
        _("Trafik de senaste %(n)s dagarna", n=MONITORING_DAYS), series, unit="Mbit/s", scale=10**6
    )


def attach_staff_comments(orders) -> None:
    """Each order's latest "Kommentar till kunden" from operator staff (Slutför
    or Avvisa in the back office), in one query for the list."""
    comments = dict(
        OrderEvent.select(OrderEvent.order, OrderEvent.comment)
        .where(
            OrderEvent.order.in_([o.id for o in orders])
            & OrderEvent.staff.is_null(False)
            & (OrderEvent.comment != "")
        )
        .order_by(OrderEvent.id)
        .tuples()
    )
    for order in orders:
        order.staff_comment = comments.get(order.id, "")


def related(service, user) -> dict:
    """The service's orders, tickets and invoices the user may see."""
    out = {"orders": None, "tickets": None, "invoices": None, "invoice_chart": None}
    if holds_any(user, ORDER_AREA):
        out["orders"] = list(
            Order.visible_to(user)
            .where(Order.service == service.id)
            .order_by(Order.created_at.desc())
            .limit(RELATED_LIMIT)
        )
        attach_staff_comments(out["orders"])
    if holds_any(user, TICKET_AREA):
        out["tickets"] = list(
            Ticket.visible_to(user)
            .where(Ticket.service == service.id)
            .order_by(Ticket.created_at.desc())
            .limit(RELATED_LIMIT)
        )
    if user.has("invoices.view"):
        amounts = dict(
            InvoiceLine.select(InvoiceLine.invoice, fn.SUM(InvoiceLine.amount_ore))
            .where(InvoiceLine.service == service.id)
            .group_by(InvoiceLine.invoice)
            .tuples()
        )
        invoices = list(
            Invoice.visible_to(user)
            .where(Invoice.id.in_(list(amounts)))
            .order_by(Invoice.invoice_date.desc())
            .limit(RELATED_LIMIT + 2)
        )
        for invoice in invoices:
            invoice.service_amount = amounts.get(invoice.id, 0)
        out["invoices"] = invoices
        if invoices:
            points = [
                (month_label(i.invoice_date), i.service_amount / 100, kr(i.service_amount))
                for i in reversed(invoices)
            ]
            out["invoice_chart"] = bar_chart(_("Belopp per faktura (exkl. moms)"), points, "kr")
    return out


def pending_changes(service) -> list:
    orders = list(sa.pending_orders(service).order_by(Order.created_at))
    for order in orders:
        payload = payload_of(order)
        order.summary = sa.order_summary(order)
        order.scheduled = bool(payload.get("scheduled"))
    attach_staff_comments(orders)
    return orders


def detail_context(service) -> dict:
    user = current_user
    today = dt.date.today()
    actions = sa.available(user, service)
    sections = spec_sections(service)
    ctx = {
        "service": service,
        "today": today,
        "actions": [a for a in actions if a.group == "main"],
        "admin_actions": [a for a in actions if a.group == "admin"],
        "can": {a.key for a in actions},
        "sections": sections,
        "spec_total": sum(line.monthly_ore for _, lines in sections for line in lines),
        "pending": pending_changes(service),
        "related": related(service, user),
        "barring_kinds": BARRING_KINDS,
        "forwarding_kinds": FORWARDING_KINDS,
        "numbers": list(service.numbers.order_by(PhoneNumber.position, PhoneNumber.id)),
        "agreement": service.agreement
        if service.agreement_id
        else service.organisation.current_agreement(),
        "price_plan": service.price_plan if service.price_plan_id else None,
        "notice_end": sa.notice_end(service, today),
        "billed_if_today": sa.billed_until(service, today, today),
        "outages": outages.current_for(service),
    }
    if service.is_mobile:
        ctx.update(usage_context(service, today))
        ctx.update(
            sim=sa.active_sim(service),
            # device info is gated by "Hantera hårdvara" (SPEC §1)
            show_device=user.has("services.hardware"),
            show_calls=user.has("reports.view"),  # Samtal (/calls) for this service
            device=_device(service) if user.has("services.hardware") else None,
            barrings=list(service.barrings),
            forwardings=list(service.forwardings),
            limits=_limits(service),
            addons=_addons(service, today),
            topups=list(_topups(service, today)),
        )
    if service.kind in ("broadband", "capacity"):
        ctx["monitoring"] = monitoring_chart(service)
    if service.kind == "cloud_pbx":
        ctx["members"] = list(
            Service.visible_to(user)
            .select(Service, Product)
            .join(Product, on=(Service.product == Product.id))
            .where(Service.parent == service.id)
            .order_by(Service.number)
        )
    ctx.update(switchboard_panel(service, user))
    if service.parent_id:
        ctx["switchboard"] = (
            Service.visible_to(user).where(Service.id == service.parent_id).get_or_none()
        )
    return ctx


def _limits(service) -> dict:
    query = SpendingLimit.select().where(
        (SpendingLimit.service == service.id) & (SpendingLimit.active == True)  # noqa: E712
    )
    return {limit.kind: limit for limit in query}


def _device(service):
    return (
        Device.select().where(Device.service == service.id).order_by(Device.seen_at.desc()).first()
    )


def _addons(service, today):
    """Tilläggstjänster: the add-on lines, with when an add-on subscription started."""
    started = {
        a.product_id: a
        for a in ServiceAddon.select().where(
            (ServiceAddon.service == service.id)
            & (ServiceAddon.end_date.is_null() | (ServiceAddon.end_date > today))
        )
    }
    lines = [
        line
        for line in service.lines.order_by(ServiceLine.position)
        if line.section in ("addon", "handset")
    ]
    for line in lines:
        line.subscription = started.get(line.product_id)
    return lines


def _topups(service, today):
    return (
        TopUp.select(TopUp, Product)
        .join(Product, on=(TopUp.product == Product.id))
        .where((TopUp.service == service.id) & (TopUp.month == sa.first_of_month(today)))
        .order_by(TopUp.created_at)
    )


@bp.route("/<int:service_id>")
@require("services.view")
def detail(service_id: int):
    service = get_visible_or_404(Service, service_id)
    return render(
        "services/detail.html",
        "partials/services/_detail.html",
        refreshing=is_htmx(),
        **detail_context(service),
    )
