"""Översikt: the start page with the dashboard tiles and Driftinformation."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user
from peewee import Case, fn

from blueprints.services import SERVICE_LIST
from domain import shortcuts
from permissions import ORDER_AREA, TICKET_AREA, holds_any
from tables.billing import Invoice
from tables.orders import OPEN_ORDER_STATUSES, Order
from tables.services import SERVICE_KINDS
from tables.tickets import OPEN_TICKET_STATUSES, Ticket
from web import driftinfo
from web.auth import customer_required
from web.htmx import is_htmx, render
from web.i18n import N_

bp = Blueprint("dashboard", __name__)


def tiles(user) -> list[dict]:
    """UI-1: each tile counts exactly what its pre-filtered list shows."""
    out = []
    if user.has("services.view"):
        out.append(
            {
                "label": N_("Aktiva tjänster"),
                # the list's own count of its opening view: the same rows by construction
                "count": SERVICE_LIST.opening_total(user),
                "url": url_for("services.index"),
            }
        )
    if holds_any(user, ORDER_AREA):
        out.append(
            {
                "label": N_("Pågående beställningar"),
                # drafts are not Pågående (they have the list's Utkast filter)
                "count": Order.visible_to(user)
                .where(Order.status.in_(OPEN_ORDER_STATUSES))
                .count(),
                "url": url_for("orders.index", f_status=list(OPEN_ORDER_STATUSES)),
            }
        )
    if holds_any(user, TICKET_AREA):
        out.append(
            {
                "label": N_("Pågående ärenden"),
                "count": Ticket.visible_to(user)
                .where(Ticket.status.in_(OPEN_TICKET_STATUSES))
                .count(),
                "url": url_for("tickets.index", f_status=list(OPEN_TICKET_STATUSES)),
            }
        )
    if user.has("invoices.view"):
        out += invoice_tiles(user)
    return out


def invoice_tiles(user) -> list[dict]:
    """What is unpaid and, singled out, what of it is overdue: counts and
    amounts of the invoices the user sees, each what its list shows."""
    overdue = Invoice.shown_as(["overdue"])  # the rule the list's status filter uses
    count, total, overdue_count, overdue_total = (
        Invoice.visible_to(user)
        .select(
            fn.COUNT(Invoice.id),
            fn.SUM(Invoice.amount_ore),
            fn.SUM(Case(None, ((overdue, 1),), 0)),
            fn.SUM(Case(None, ((overdue, Invoice.amount_ore),), 0)),
        )
        .where(Invoice.status == "unpaid")
        .scalar(as_tuple=True)
    )
    return [
        {
            "label": N_("Obetalda fakturor"),
            "count": count,
            "amount": total or 0,
            "money": True,
            "url": url_for("invoices.index", f_status=["unpaid", "overdue"]),
        },
        {
            "label": N_("Förfallna fakturor"),
            "count": overdue_count or 0,
            "amount": overdue_total or 0,
            "money": True,
            "url": url_for("invoices.index", f_status="overdue"),
            "alert": bool(overdue_count),
        },
    ]


def quick_links(user) -> list[dict]:
    """UI-1 "+ Skapa": what the user may create, where that page exists."""
    from blueprints.tickets import CREATE_PERMISSIONS
    from web.formatting import url_if

    candidates = [
        (N_("Skapa ärende"), "tickets.new", CREATE_PERMISSIONS),
        (N_("Ny beställning"), "orders.new", "orders.create"),
        (N_("Nytt konto"), "accounts.new_account", "accounts.create"),
        (N_("Skapa användare"), "users.new", "users.manage"),
    ]
    links = []
    for label, endpoint, permission in candidates:
        url = url_if(endpoint)
        if url and holds_any(user, permission):
            links.append({"label": label, "url": url})
    return links


@bp.route("/")
@customer_required
def index():
    """Översikt; for htmx only the Driftinformation panel (its tabs)."""
    page = (
        {}
        if is_htmx()
        else {
            "tiles": tiles(current_user),
            "quick_links": quick_links(current_user),
            "shortcuts": shortcuts.for_user(current_user),
        }
    )
    return render(
        "dashboard/index.html",
        "partials/dashboard/_driftinfo.html",
        service_kinds=SERVICE_KINDS,
        **driftinfo.panel(current_user, request.args),
        **page,
    )
