"""The overview reports: Översikt – Abonnemang, Historik – Avslutade tjänster,
Översikt – Beställningar and Ärenden (lists of the scope's services, orders
and tickets, the terminated services in a period)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from blueprints.orders.listing import (
    ORDER_LIST,
    attach_products,
    order_kind_column,
    order_number_column,
    order_type_column,
)
from blueprints.reports import bp
from blueprints.reports.common import LIST_MONTHS, TITLES, opening_form, parse_period
from blueprints.services.listing import PLAN_NAME, attach_price_plans
from blueprints.tickets.listing import TICKET_JOINS, TICKET_LIST
from blueprints.tickets.listing import shared_columns as ticket_columns
from tables.catalogue import Product
from tables.orders import ORDER_STATUSES, Order
from tables.org import Account
from tables.services import SERVICE_KINDS, SERVICE_STATUSES, Service
from tables.tickets import TICKET_STATUSES, Ticket
from web import excel
from web.auth import require
from web.i18n import N_, NC_
from web.listcolumns import (
    ChoiceFilter,
    Column,
    TextFilter,
    choice_column,
    date_column,
    kronor_column,
    number_column,
    text_column,
)
from web.lists.groups import GroupRule, row_month
from web.listview import ListView, TallyCount

# ------------------------------------------------------------ Översikt – Abonnemang


def _account_columns() -> list[Column]:
    return [
        Column(
            "account",
            N_("Konto"),
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("account_name", N_("Kontonamn"), export=Account.company_name),
    ]


def _service_columns() -> list[Column]:
    return [
        choice_column("status", N_("Status"), Service.status, SERVICE_STATUSES),
        number_column("number", N_("Nummer"), Service.number),
        text_column("user", NC_("tjänstens", "Användare"), Service.user_name),
        choice_column("kind", N_("Typ"), Service.kind, SERVICE_KINDS),
        text_column("product", N_("Tjänst"), Product.name),
        Column("plan", N_("Prislista"), export=PLAN_NAME),
        kronor_column("monthly", N_("Månadsavg."), Service.monthly_ore),
        *_account_columns(),
        date_column("start", N_("Startdatum"), Service.start_date),
        date_column("binding", N_("Bindningstid t.o.m."), Service.binding_end),
        date_column("end", N_("Slutdatum"), Service.end_date),
    ]


SUBSCRIPTIONS = ListView(
    name="report-subscriptions",
    model=Service,
    query=Service.visible_to,
    joins=[(Account, Service.account), (Product, Service.product)],
    row_template="reports/_service_rows.html",
    default_sort=("number", "asc"),
    export_title=N_("Översikt – Abonnemang"),
    rows_loader=attach_price_plans,
    bulk_actions=[],
    # Counted from the row tally like Tjänster (by status), not row by row.
    tally=TallyCount("service", {"status": lambda statuses: statuses}),
    walk_each="status",  # every status's services in order, merged: no sort of them all
    groups=GroupRule(account=Service.account, service=Service.id),  # this month's groups
    columns=_service_columns(),
    essential=("status", "number", "user", "monthly"),
)


@bp.route("/abonnemang")
@require("reports.view")
def subscriptions():
    return SUBSCRIPTIONS.respond(
        current_user, "reports/preview.html", title=TITLES["reports.subscriptions"]
    )


# ---------------------------------------------------- Historik – Avslutade tjänster

TERMINATED = ListView(
    name="report-terminated",
    model=Service,
    query=Service.visible_to,
    joins=[(Account, Service.account), (Product, Service.product)],
    row_template="reports/_service_rows.html",
    default_sort=("end", "desc"),
    export_title=N_("Historik – Avslutade tjänster"),
    rows_loader=attach_price_plans,
    bulk_actions=[],
    # A terminated service counts toward its group in the month it ended.
    groups=GroupRule(
        account=Service.account, service=Service.id, month=row_month(Service.end_date)
    ),
    columns=[c for c in _service_columns() if c.key != "status"],
    essential=("number", "user", "end"),
)


@bp.route("/avslutade-tjanster")
@require("reports.view")
def terminated():
    title = TITLES["reports.terminated"]
    if (opening := opening_form(12)) is not None:
        return render_template("reports/period_form.html", title=title, form=opening)
    form = parse_period(request.args, LIST_MONTHS)
    if not form.ok:
        return render_template("reports/period_form.html", title=title, form=form)
    start, end = form.start, form.end
    extra = (Service.status == "terminated") & Service.end_date.between(start, end)
    return TERMINATED.respond(
        current_user,
        "reports/preview.html",
        extra=extra,
        title=title,
        period=(start, end),
        form_endpoint="reports.terminated",
    )


# ---------------------------------------------------------- Översikt – Beställningar

ORDERS = ListView(
    name="report-orders",
    model=Order,
    query=Order.visible_to,  # one's own (and to approve) without orders.manage
    joins=[(Account, Order.account)],
    row_template="reports/_order_rows.html",
    default_sort=("date", "desc"),
    export_title=N_("Översikt – Beställningar"),
    rows_loader=attach_products,
    bulk_actions=[],
    groups=ORDER_LIST.groups,  # by the month the order was placed
    columns=[
        order_number_column("Ordernummer"),
        choice_column("status", N_("Status"), Order.status, ORDER_STATUSES),
        order_kind_column(),
        order_type_column(),
        date_column("date", N_("Orderdatum"), Order.created_at),
        date_column("end", N_("Slutdatum"), Order.completed_at),
        *_account_columns(),
        Column("products", N_("Produkter")),
    ],
    essential=("number", "status", "type", "date"),
)


@bp.route("/bestallningar")
@require("reports.view")
def orders():
    return ORDERS.respond(current_user, "reports/preview.html", title=TITLES["reports.orders"])


# --------------------------------------------------------------------------- Ärenden


def tickets_query(user):
    """Tickets as Ärenden lists them (one's own only without tickets.view),
    drafts left out: a report is of sent tickets."""
    return Ticket.visible_to(user).where(Ticket.status != "draft")


_tickets = ticket_columns()
TICKETS = ListView(
    name="report-tickets",
    model=Ticket,
    query=tickets_query,
    joins=TICKET_JOINS,
    row_template="reports/_ticket_rows.html",
    default_sort=("created", "desc"),
    export_title=N_("Ärenden"),
    bulk_actions=[],
    groups=TICKET_LIST.groups,  # by the month the ticket was created
    columns=[
        Column(
            "status",
            N_("Status"),
            sort=Ticket.status,
            filter=ChoiceFilter({k: v for k, v in TICKET_STATUSES.items() if k != "draft"}),
            export=Ticket.status,
            export_format=excel.labels(TICKET_STATUSES),
        ),
        _tickets["number"],
        _tickets["category"],
        _tickets["priority"],
        text_column("subject", N_("Rubrik"), Ticket.subject),
        Column("service", N_("Tjänst"), sort=Service.number, export=Service.number),
        *_account_columns(),
        _tickets["created"],
        _tickets["action"],
    ],
    essential=("status", "number", "subject", "created"),
)


@bp.route("/arenden")
@require("reports.view")
def tickets():
    return TICKETS.respond(current_user, "reports/preview.html", title=TITLES["reports.tickets"])
