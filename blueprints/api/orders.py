"""Beställningar over the API: the list (the Beställningar list's filters
and sorts, blueprints/orders/listing.py) and one order. Which orders a
token sees is the portal's rule (Order.visible_to): all in scope with
orders.manage, else its creator's own and those they approve."""

from __future__ import annotations

from blueprints.api import bp
from blueprints.api import schemas as s
from blueprints.orders.listing import ORDER_LIST
from domain import service_actions as sa
from permissions import ORDER_AREA
from tables.orders import Order
from web.api.listing import filter_params, in_order, list_ids, paging_params
from web.api.operations import json_response, operation
from web.api.paging import envelope
from web.api.problems import ApiError

SORTS = ("number", "status", "date", "account")
# What order_out reads: a page loads these, not the order's 35 columns.
LIST_FIELDS = (
    *(Order.id, Order.number, Order.version, Order.type, Order.status, Order.account),
    *(Order.service, Order.payload, Order.created_at, Order.submitted_at),
    *(Order.desired_date, Order.completed_at),
)


def order_out(order: Order) -> dict:
    return {
        "id": order.id,
        "number": order.number,
        "version": order.version,
        "label": order.label,
        "type": order.type,
        "status": order.status,
        "account_id": order.account_id,
        "service_id": order.service_id,
        "summary": sa.order_summary(order),
        "created_at": order.created_at,
        "submitted_at": order.submitted_at,
        "desired_date": order.desired_date,
        "completed_at": order.completed_at,
    }


@operation(
    bp,
    "/orders",
    summary="List orders",
    tag="Orders",
    permission=ORDER_AREA,
    response=s.OrderPage,
    paged=True,
    query=[*paging_params(SORTS, "date"), *filter_params(ORDER_LIST)],
)
def orders_list(user):
    ids, cursor = list_ids(ORDER_LIST, user, SORTS, extra=user.narrowed(Order))
    rows = in_order(Order.select(*LIST_FIELDS).where(Order.id.in_(ids)), ids)
    body, headers = envelope(s.OrderOut(many=True).dump([order_out(o) for o in rows]), cursor)
    return json_response(body, headers=headers)


@operation(
    bp,
    "/orders/<int:order_id>",
    summary="Read an order",
    tag="Orders",
    permission=ORDER_AREA,
    response=s.OrderOut,
)
def order_read(user, order_id: int):
    order = (
        Order.visible_to(user).where((Order.id == order_id) & user.narrowed(Order)).get_or_none()
    )
    if order is None:
        raise ApiError(404, "No such order in the token's scope.")
    return json_response(s.OrderOut().dump(order_out(order)))
