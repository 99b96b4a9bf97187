"""Beställningar (ORD-1): the order list."""

from __future__ import annotations

from collections import defaultdict

from flask import request
from flask_login import current_user

from blueprints.orders import bp
from database import icontains
from domain.service_actions import order_summary
from permissions import ORDER_AREA
from tables.orders import (
    CLOSED_ORDER_STATUSES,
    OPEN_ORDER_STATUSES,
    ORDER_STATUSES,
    ORDER_TYPES,
    Order,
    OrderLine,
)
from tables.org import Account
from tables.services import Service
from web.auth import require
from web.formatting import phone
from web.htmx import is_htmx
from web.i18n import N_
from web.listcolumns import ChoiceFilter, Column, TextFilter, choice_column, date_column
from web.lists.groups import GroupRule, row_month
from web.listview import ListView, status_views


def attach_products(orders):
    """Produkter: the names of each order's lines, in one query for the page."""
    names = defaultdict(list)
    lines = (
        OrderLine.select(OrderLine.order, OrderLine.name)
        .where(OrderLine.order.in_([o.id for o in orders]))
        .order_by(OrderLine.order, OrderLine.position, OrderLine.id)
        .tuples()
    )
    for order_id, name in lines:
        names[order_id].append(name)
    # Service actions (Avslut, Spärr, Flytt …) have no lines: say what they ask for.
    service_ids = {o.service_id for o in orders if o.service_id and not names[o.id]}
    numbers = dict(
        Service.select(Service.id, Service.number).where(Service.id.in_(service_ids)).tuples()
    )
    for order in orders:
        order.product_names = ", ".join(names[order.id])
        if not order.product_names and order.service_id:
            number = phone(numbers.get(order.service_id, ""))
            order.product_names = f"{order_summary(order)} – {number}"


def order_number_column(label: str) -> Column:
    """Order numbers, found by the digits typed."""
    return Column(
        "number",
        label,
        sort=Order.number,
        filter=TextFilter(),
        filter_expr=Order.number.cast("TEXT"),
        export=Order.number,
        text=False,
    )


def order_type_column() -> Column:
    return choice_column("type", N_("Typ"), Order.type, ORDER_TYPES)


# Order or Offert (Tele2): an offert is a request for something outside the
# agreement; it stays an Offert in the list after it is accepted.
ORDER_KINDS = {"order": N_("Order"), "quote": N_("Offert")}


def order_kind_column() -> Column:
    return Column(
        "kind",
        N_("Order/Offert"),
        sort=Order.is_quote,
        filter=ChoiceFilter(
            ORDER_KINDS, condition=lambda values: Order.is_quote.in_([v == "quote" for v in values])
        ),
        export=Order.is_quote,
        export_format=lambda quote: "Offert" if quote else "Order",
    )


class ProductFilter(TextFilter):
    """Orders with a line whose product name contains the text."""

    def condition(self, expr, value):
        return Order.id.in_(
            OrderLine.select(OrderLine.order).where(icontains(OrderLine.name, value))
        )


ORDER_LIST = ListView(
    name="orders",
    groups=GroupRule(
        account=Order.account, service=Order.service, month=row_month(Order.created_at)
    ),
    model=Order,
    query=Order.visible_to,
    joins=[(Account, Order.account)],
    row_template="partials/orders/_rows.html",
    default_sort=("date", "desc"),
    export_title="Beställningar",
    rows_loader=attach_products,
    columns=[
        order_number_column(N_("Ordernummer")),
        choice_column("status", N_("Status"), Order.status, ORDER_STATUSES),
        order_kind_column(),
        order_type_column(),
        date_column("date", N_("Orderdatum"), Order.created_at),
        date_column("end", N_("Slutdatum"), Order.completed_at),
        Column(
            "account",
            N_("Konto"),
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("products", N_("Produkter"), filter=ProductFilter()),
        Column("show", ""),
    ],
    essential=("number", "status", "type", "date", "show"),  # a phone's card
)


# "Visa öppna / Visa historik" (Tele2) and Utkast as status filters, so the
# links are ordinary list states: open = sent and not closed, history =
# closed; a draft is neither.
QUICK_VIEWS = [
    ("all", N_("Alla"), None),
    ("open", N_("Visa öppna"), list(OPEN_ORDER_STATUSES)),
    ("history", N_("Visa historik"), list(CLOSED_ORDER_STATUSES)),
    ("drafts", N_("Utkast"), ["draft"]),
]


@bp.route("")
@require(ORDER_AREA)
def index():
    return ORDER_LIST.respond(
        current_user,
        "orders/list.html",
        quick_views=status_views("orders.index", QUICK_VIEWS) if not is_htmx() else None,
        period_from=request.args.get("f_date_from", ""),
        period_to=request.args.get("f_date_to", ""),
    )
