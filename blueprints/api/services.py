"""Tjänster over the API: the list with the list view's filters and sorts
(blueprints/services/listing.py SERVICE_LIST), one service, and barring
(spärr) and unbarring through the same domain code as the portal's dialog
(domain/service_actions.py → domain/orders/service_requests.py), which
creates the same orders."""

from __future__ import annotations

from flask import url_for
from peewee import JOIN

from blueprints.api import bp
from blueprints.api import schemas as s
from blueprints.api.orders import order_out
from blueprints.services.listing import SERVICE_LIST
from domain import service_actions as sa
from domain.orders import service_requests
from permissions import holds_any
from tables.catalogue import Product
from tables.org import Account
from tables.services import FORWARDING_KINDS, Barring, MonthlyUsage, Service
from web.api.listing import filter_params, list_ids, paging_params
from web.api.operations import json_response, operation, page_response
from web.api.paging import limit_arg, page_ids
from web.api.problems import ApiError

SORTS = ("number", "user", "kind", "status", "product", "monthly", "account")


_Plan = Product.alias("plan")


def service_items(ids: list[int]) -> list[dict]:
    """The services ``ids`` as the API shows them, in that order: the fields
    shown and no more, as tuples (whole joined rows cost ten times as much)."""
    rows = (
        Service.select(
            Service.id,
            Service.number,
            Service.kind,
            Service.status,
            Service.user_name,
            Account.id,
            Account.customer_number,
            Product.code,
            Product.name,
            _Plan.code,
            _Plan.name,
            Service.monthly_ore,
            Service.start_date,
            Service.binding_end,
            Service.end_date,
            Service.created_at,
        )
        .join_from(Service, Account, on=(Service.account == Account.id))
        .join_from(Service, Product, on=(Service.product == Product.id))
        .join_from(Service, _Plan, JOIN.LEFT_OUTER, on=(Service.price_plan == _Plan.id))
        .where(Service.id.in_(ids))
        .tuples()
    )
    by_id = {}
    for row in rows:
        (sid, number, kind, status, user_name, account_id, customer_number) = row[:7]
        (code, name, plan_code, plan_name, monthly, start, binding, end, created) = row[7:]
        by_id[sid] = {
            "id": sid,
            "number": number,
            "kind": kind,
            "status": status,
            "user_name": user_name,
            "account": {"id": account_id, "customer_number": customer_number},
            "product": {"code": code, "name": name},
            "price_plan": {"code": plan_code, "name": plan_name} if plan_code else None,
            "monthly": s.money(monthly),
            "start_date": start,
            "binding_end": binding,
            "end_date": end,
            "created_at": created,
        }
    return [by_id[i] for i in ids if i in by_id]


def service_or_404(user, service_id: int) -> Service:
    service = Service.visible_to(user).where(Service.id == service_id).get_or_none()
    if service is None:
        raise ApiError(404, "No such service in the token's scope.")
    return service


@operation(
    bp,
    "/services",
    summary="List services",
    description="Filters and sorts are the Tjänster list's, under the same query parameters; "
    "like the list, `f_status` defaults to active and barred services.",
    tag="Services",
    permission="services.view",
    response=s.ServicePage,
    paged=True,
    query=[*paging_params(SORTS, "number"), *filter_params(SERVICE_LIST)],
)
def services_list(user):
    ids, cursor = list_ids(SERVICE_LIST, user, SORTS)
    items = s.ServiceOut(many=True).dump(service_items(ids))
    return page_response(items, cursor)


@operation(
    bp,
    "/services/<int:service_id>",
    summary="Read a service",
    tag="Services",
    permission="services.view",
    response=s.ServiceDetail,
)
def service_read(user, service_id: int):
    service = service_or_404(user, service_id)
    out = service_items([service.id])[0]
    out["barrings"] = [
        {"id": b.id, "kind": b.kind}
        for b in Barring.select().where(Barring.service == service.id).order_by(Barring.id)
    ]
    return json_response(s.ServiceDetail().dump(out))


def _service_action(user, service_id: int, key: str, prepare, field: str = "kind"):
    """An action of the service page's Åtgärder with the portal's rules
    (domain/service_actions.py): 403 without the action's permission, 409
    when the service's kind or status does not allow it or the rules refuse
    it as a whole, 422 naming the body's field a value was refused for
    (``field`` when the rules name none); 201 with the order it made."""
    service = service_or_404(user, service_id)
    action = sa.ACTIONS[key]
    if not holds_any(user, action.permission):
        wanted = action.permission
        wanted = " or ".join(wanted) if isinstance(wanted, tuple) else wanted
        raise ApiError(403, f"The API token does not carry {wanted}.")
    refusal = sa.refusal(user, service, key)
    if refusal:
        raise ApiError(409, refusal)
    try:
        args = prepare(service)
        order = service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)
    except sa.ActionError as error:
        if error.field:
            name = field if key == "barrings" else error.field
            raise ApiError(
                422,
                error.message,
                errors=[{"name": name, "pointer": f"#/{name}", "detail": error.message}],
            ) from None
        raise ApiError(409, error.message) from None
    location = url_for("api.order_read", order_id=order.id)
    return json_response(
        s.OrderOut().dump(order_out(order)), status=201, headers={"Location": location}
    )


def _barring_action(user, service_id: int, prepare):
    return _service_action(user, service_id, "barrings", prepare)


@operation(
    bp,
    "/services/<int:service_id>/bar",
    "POST",
    summary="Bar a service (Mobilspärr)",
    description="Orders a barring, as Hantera spärrar in the portal; answers the order.",
    tag="Services",
    permission="services.view",
    body=s.BarringAdd,
    response=s.OrderOut,
    status=201,
)
def service_bar(user, service_id: int, body: dict):
    return _barring_action(user, service_id, lambda svc: sa.prepare_barring_add(svc, body["kind"]))


@operation(
    bp,
    "/services/<int:service_id>/unbar",
    "POST",
    summary="Lift a barring of a service",
    tag="Services",
    permission="services.view",
    body=s.BarringAdd,
    response=s.OrderOut,
    status=201,
)
def service_unbar(user, service_id: int, body: dict):
    def prepare(service):
        barring = Barring.get_or_none(
            (Barring.service == service.id) & (Barring.kind == body["kind"])
        )
        if barring is None:
            raise sa.ActionError("Spärren är inte aktiv.", "kind")
        return sa.prepare_barring_remove(service, barring.id)

    return _barring_action(user, service_id, prepare)


@operation(
    bp,
    "/services/<int:service_id>/change",
    "POST",
    summary="Change price plan or data package (Ändra tjänst)",
    description="As Ändra tjänst on the service's page: `price_plan` and/or `data_package` "
    "by product code (one of the service's alternatives), taking effect `desired_date`; "
    "a lower data package not before the binding period ends. Needs orders.create; "
    "answers the order.",
    tag="Services",
    permission="services.view",
    body=s.ServiceChange,
    response=s.OrderOut,
    status=201,
)
def service_change(user, service_id: int, body: dict):
    def prepare(service):
        return sa.prepare_change_service(
            service, body["price_plan"], body["data_package"], body["desired_date"]
        )

    return _service_action(user, service_id, "change", prepare, "price_plan")


@operation(
    bp,
    "/services/<int:service_id>/forwardings",
    "POST",
    summary="Set call forwarding (Vidarekopplingar)",
    description="As Vidarekopplingar on the service's page: the body is the whole set wanted, "
    "a kind left out is removed. `no_answer_seconds` (5–60) goes with `no_answer_target`. "
    "Needs services.addons; answers the order.",
    tag="Services",
    permission="services.view",
    body=s.Forwardings,
    response=s.OrderOut,
    status=201,
)
def service_forwardings(user, service_id: int, body: dict):
    def prepare(service):
        values = {
            kind: (body.get(f"{kind}_target"), body.get("no_answer_seconds"))
            for kind in FORWARDING_KINDS
        }
        return sa.prepare_forwarding(service, values)

    return _service_action(user, service_id, "forwardings", prepare, "direct_target")


@operation(
    bp,
    "/services/<int:service_id>/sim",
    "POST",
    summary="Replace the SIM card (Ersätt SIM-kort)",
    description="As Ersätt SIM-kort on the service's page. `method` `send` (needs "
    "services.hardware): `sim_type` `physical` with the `delivery_*` address, or `esim` with "
    "`email`. `method` `customer` (needs services.allocate_sim): a card the customer has, "
    "`msisdn` (the service's number) and `icc`. Answers the order.",
    tag="Services",
    permission="services.view",
    body=s.SimSwap,
    response=s.OrderOut,
    status=201,
)
def service_sim(user, service_id: int, body: dict):
    needed = "services.hardware" if body["method"] == "send" else "services.allocate_sim"
    service_or_404(user, service_id)
    if not holds_any(user, needed):
        raise ApiError(403, f"The API token does not carry {needed}.")

    def prepare(service):
        if body["method"] == "send":
            address = {k: body.get(k) or "" for k in sa.DELIVERY_FIELDS}
            return sa.prepare_sim_send(service, body["sim_type"], address, body["email"])
        return sa.prepare_sim_customer(service, body["msisdn"], body["icc"])

    return _service_action(user, service_id, "sim", prepare, "method")


@operation(
    bp,
    "/services/<int:service_id>/usage",
    summary="A service's usage per month",
    description="Förbrukning as the service's page shows it — data used against the quota and "
    "top-ups, call minutes, SMS and MMS — one item a month, newest first, paged by cursor.",
    tag="Services",
    permission="services.view",
    response=s.UsagePage,
    paged=True,
    query=[
        ("cursor", {"type": "string"}, "The `next` link's cursor."),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Months a page (50)."),
    ],
)
def service_usage(user, service_id: int):
    service = service_or_404(user, service_id)
    query = MonthlyUsage.select().where(MonthlyUsage.service == service.id)
    ids, cursor = page_ids(query, MonthlyUsage.month, MonthlyUsage.id, True, limit_arg())
    rows = {u.id: u for u in MonthlyUsage.select().where(MonthlyUsage.id.in_(ids))}
    items = []
    for row in (rows[i] for i in ids if i in rows):
        quota = (row.data_quota_mb or 0) + (row.topup_mb or 0)
        items.append(
            {
                "month": row.month,
                "data_used_mb": row.data_used_mb,
                "data_quota_mb": row.data_quota_mb,
                "topup_mb": row.topup_mb,
                "quota_mb": quota,
                "remaining_mb": max(quota - row.data_used_mb, 0) if quota else None,
                "voice_seconds": row.voice_seconds,
                "calls": row.calls,
                "sms": row.sms,
                "mms": row.mms,
            }
        )
    return page_response(s.UsageMonth(many=True).dump(items), cursor)
