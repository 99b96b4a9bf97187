"""Beställningar over the API: the list (the Beställningar list's filters
and sorts, blueprints/orders/listing.py) and one order. Which orders a
token sees is the portal's rule (Order.visible_to): all in scope with
orders.manage, else its creator's own and those they approve."""

from __future__ import annotations

from flask import url_for

from blueprints.api import bp
from blueprints.api import schemas as s
from blueprints.orders.listing import ORDER_LIST
from domain import service_actions as sa
from domain.orders import drafts, placing, sending
from domain.orders.drafts import DraftError
from permissions import ORDER_AREA
from tables.orders import Order
from web.api.listing import filter_params, in_order, list_ids, paging_params
from web.api.operations import json_response, operation, page_response
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
    return page_response(s.OrderOut(many=True).dump([order_out(o) for o in rows]), cursor)


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


# Body fields → the wizard's form fields of Slutför beställningen.
FORM_FIELDS = {
    "billing_account_id": "billing_account",
    "extra_contact_id": "extra_contact",
    **{name: name for name in drafts.ORDER_FIELDS},
}


@operation(
    bp,
    "/orders",
    "POST",
    summary="Place an order (Ny beställning)",
    description="Runs the order wizard's steps and checks in one go: the account, each product "
    "(by code) with its options and Slutför beställningen's details, then sends it. A new "
    "mobile number left out is the first free one. Invalid input is a 422 naming the fields "
    "(`lines/0/details/end_user`); nothing is written then. Answers the first order the "
    "request became (one per product area, sharing a batch).",
    tag="Orders",
    permission="orders.create",
    body=s.OrderCreate,
    response=s.OrderOut,
    status=201,
)
def order_create(user, body: dict):
    form = {}
    for name, value in body.items():
        if name in FORM_FIELDS:
            form[FORM_FIELDS[name]] = (
                value.isoformat() if hasattr(value, "isoformat") else str(value)
            )
    request = placing.OrderRequest(
        account_id=body["account_id"],
        quote=body["kind"] == "quote",
        form=form,
        lines=[
            placing.LineRequest(
                product=line["product"],
                quantity=line["quantity"],
                options=line.get("options"),
                details={
                    k: v.isoformat() if hasattr(v, "isoformat") else v
                    for k, v in line["details"].items()
                },
            )
            for line in body["lines"]
        ],
    )
    try:
        orders = placing.place(user, request)
    except DraftError as error:
        problems = [
            {"name": name, "pointer": f"#/{name}" if name else "#", "detail": message}
            for name, message in error.errors.items()
        ]
        raise ApiError(422, "The order cannot be placed.", errors=problems) from None
    except sending.AlreadySent:  # pragma: no cover - a fresh draft is never sent
        raise ApiError(409, "The order was sent already.") from None
    order = orders[0]
    return json_response(
        s.OrderOut().dump(order_out(order)),
        status=201,
        headers={"Location": url_for("api.order_read", order_id=order.id)},
    )
