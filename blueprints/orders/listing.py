"""Beställningar (ORD-1): the order list."""

from __future__ import annotations

from collections import defaultdict

from flask_login import current_user

from blueprints.orders import bp
from domain.service_actions import order_summary
from permissions import ORDER_AREA
from tables.orders import ORDER_STATUSES, ORDER_TYPES, Order, OrderLine
from tables.org import Account
from tables.services import Service
from web.auth import require
from web.formatting import phone
from web.listcolumns import Column, TextFilter, choice_column, date_column
from web.listview import ListView


def orders_query(user):
    return (
        Order.visible_to(user)
        .select(Order, Account)
        .join(Account, on=(Order.account == Account.id))
    )


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
    return choice_column("type", "Typ", Order.type, ORDER_TYPES)


class ProductFilter(TextFilter):
    """Orders with a line whose product name contains the text."""

    def condition(self, expr, value):
        return Order.id.in_(OrderLine.select(OrderLine.order).where(OrderLine.name.contains(value)))


ORDER_LIST = ListView(
    name="orders",
    model=Order,
    query=orders_query,
    row_template="partials/orders/_rows.html",
    default_sort=("date", "desc"),
    export_title="Beställningar",
    rows_loader=attach_products,
    columns=[
        order_number_column("Ordernummer"),
        choice_column("status", "Status", Order.status, ORDER_STATUSES),
        order_type_column(),
        date_column("date", "Orderdatum", Order.created_at),
        date_column("end", "Slutdatum", Order.completed_at),
        Column(
            "account",
            "Konto",
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("products", "Produkter", filter=ProductFilter()),
        Column("show", ""),
    ],
    essential=("number", "status", "type", "date", "show"),  # a phone's card
)


@bp.route("")
@require(ORDER_AREA)
def index():
    return ORDER_LIST.respond(current_user, "orders/list.html")
