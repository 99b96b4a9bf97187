"""Carrying out service changes: what each operation does to the service
and what hangs off it (lines, SIM cards, barrings, limits …).

Called by domain/provisioning.py when an order is carried out (at once, by
staff, or on its date), inside the write transaction. Each applier returns
(before, after) for the audit log. The rules a request must pass live in
domain/service_rules.py; by the time an applier runs they have passed.

Layers: service_terms → service_rules → service_actions → service_changes →
provisioning → domain/orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from database import utcnow
from domain import switchboard
from domain.service_terms import (
    active_sim,
    add_months,
    current_addon_codes,
    current_data_line,
    first_of_month,
    prices,
)
from domain.text import N_
from tables.catalogue import Product
from tables.services import (
    Barring,
    CallForwarding,
    MonthlyUsage,
    Service,
    ServiceAddon,
    ServiceLine,
    SimCard,
    SpendingLimit,
    TopUp,
)


class ProvisioningError(Exception):
    """The change cannot be carried out (the backend refused it, or the
    service is no longer in a state for it); the message is shown to the
    user. Raised here and by domain/provisioning.py, which exports it."""


APPLIERS: dict[str, Callable] = {}


def applier(op: str):
    def decorator(fn):
        APPLIERS[op] = fn
        return fn

    return decorator


def apply(order, service, payload: dict, actor):
    """Carry out the order's operation on the service; returns (before, after)."""
    return APPLIERS[payload.get("op")](order, service, payload, actor)


def _set_fields(service, values: dict):
    before = {k: getattr(service, k) for k in values}
    Service.update(**values).where(Service.id == service.id).execute()
    for key, value in values.items():
        setattr(service, key, value)
    return before, dict(values)


def recalculate_monthly(service) -> int:
    total = sum(
        amount
        for (amount,) in ServiceLine.select(ServiceLine.monthly_ore)
        .where(ServiceLine.service == service.id)
        .tuples()
    )
    Service.update(monthly_ore=total).where(Service.id == service.id).execute()
    service.monthly_ore = total
    return total


def _next_position(service) -> int:
    last = (
        ServiceLine.select(ServiceLine.position)
        .where(ServiceLine.service == service.id)
        .order_by(ServiceLine.position.desc())
        .scalar()
    )
    return (last or 0) + 1


# Operations that only set fields of the service, and which fields.
SIMPLE_FIELDS = {
    "user_name": ("user_name",),
    "external_username": ("external_username",),
    "invoice_text": ("invoice_text",),
    "auto_upgrade": ("auto_upgrade",),
    "options": ("directory_listed", "roaming_voice", "roaming_data"),
    "profile": ("profile_name", "profile_address", "profile_user_email", "profile_admin_email"),
    "mex": ("mex_status",),
    "caller_id": ("caller_id", "caller_id_hidden"),
}


def _apply_fields(order, service, payload, actor):
    return _set_fields(service, {k: payload[k] for k in SIMPLE_FIELDS[payload["op"]]})


for _op in SIMPLE_FIELDS:
    APPLIERS[_op] = _apply_fields


@applier("barring_add")
def _apply_barring_add(order, service, payload, actor):
    before = sorted(b.kind for b in service.barrings)
    user = actor if actor is not None and not actor.is_staff else None
    Barring.get_or_create(service=service.id, kind=payload["kind"], defaults={"created_by": user})
    return {"barrings": before}, {"barrings": sorted({*before, payload["kind"]})}


@applier("barring_remove")
def _apply_barring_remove(order, service, payload, actor):
    before = sorted(b.kind for b in service.barrings)
    Barring.delete().where(
        (Barring.service == service.id) & (Barring.kind == payload["kind"])
    ).execute()
    return {"barrings": before}, {"barrings": [k for k in before if k != payload["kind"]]}


@applier("forwarding")
def _apply_forwarding(order, service, payload, actor):
    before = {f.kind: f.target for f in service.forwardings}
    CallForwarding.delete().where(CallForwarding.service == service.id).execute()
    for kind, entry in payload["forwardings"].items():
        CallForwarding.create(
            service=service.id,
            kind=kind,
            target=entry["target"],
            ring_seconds=entry.get("ring_seconds"),
        )
    after = {k: v["target"] for k, v in payload["forwardings"].items()}
    return {"forwardings": before}, {"forwardings": after}


def _status_before_block(card) -> str:
    """The service's status before ``card`` was blocked as lost (cards blocked
    before that was recorded: Aktiv, the only status a block changed)."""
    return card.blocked_status or "active"


def _end_lost_block(service, card) -> None:
    """The lost-SIM block of ``card`` ends (Häv spärr, or its replacement is
    active): the service gets back the status the block took, unless it had
    another reason to be Spärrad already."""
    if service.status == "barred" and _status_before_block(card) == "active":
        Service.update(status="active").where(Service.id == service.id).execute()
        service.status = "active"


def _replace_sim(service, new_card_fields: dict, payload: dict):
    old = active_sim(service)
    before = {"icc": old.icc if old else None, "status": service.status}
    if old is not None:
        # a lost card stays blocked for good: replaced (its blocked_at kept)
        SimCard.update(status="replaced").where(SimCard.id == old.id).execute()
    stock = SimCard.get_or_none(SimCard.icc == new_card_fields["icc"])
    now = utcnow()
    if stock is not None:
        SimCard.update(
            service=service.id,
            status="active",
            activated_at=now,
            **{k: v for k, v in new_card_fields.items() if v and k != "icc"},
        ).where(SimCard.id == stock.id).execute()
    else:
        SimCard.create(
            service=service.id,
            organisation=service.organisation_id,
            status="active",
            activated_at=now,
            **new_card_fields,
        )
    if old is not None and old.status == "blocked":
        _end_lost_block(service, old)
    return before, {"icc": new_card_fields["icc"], "status": service.status}


@applier("sim_customer")
def _apply_sim_customer(order, service, payload, actor):
    return _replace_sim(service, {"icc": payload["icc"], "imsi": "", "pin": "", "puk": ""}, payload)


@applier("sim_send")
def _apply_sim_send(order, service, payload, actor):
    """Staff give the shipped card's details when completing (extra: icc, imsi, pin, puk)."""
    card = {
        "icc": payload["icc"],
        "imsi": payload.get("imsi", ""),
        "pin": payload.get("pin", ""),
        "puk": payload.get("puk", ""),
        "sim_type": payload.get("sim_type", "physical"),
    }
    return _replace_sim(service, card, payload)


def _lost_card(service, payload):
    """The card an order about a lost SIM names (the service's current card
    for orders that name none)."""
    if payload.get("icc"):
        return SimCard.get_or_none(
            (SimCard.service == service.id)
            & (SimCard.icc == payload["icc"])
            & SimCard.status.in_(("active", "blocked"))
        )
    return active_sim(service)


@applier("lost_sim")
def _apply_lost_sim(order, service, payload, actor):
    sim = _lost_card(service, payload)
    if sim is None:
        raise ProvisioningError(N_("Tjänsten har inget aktivt SIM-kort att spärra."))
    before = {"sim_status": sim.status, "status": service.status}
    if sim.status == "active":
        SimCard.update(status="blocked", blocked_at=utcnow(), blocked_status=service.status).where(
            SimCard.id == sim.id
        ).execute()
    if service.status == "active":
        Service.update(status="barred").where(Service.id == service.id).execute()
        service.status = "barred"
    return before, {"sim_status": "blocked", "status": service.status}


@applier("lost_sim_lift")
def _apply_lost_sim_lift(order, service, payload, actor):
    """Häv spärr: the lost card turned up and works again."""
    sim = _lost_card(service, payload)
    if sim is None or sim.status != "blocked":
        raise ProvisioningError(N_("SIM-kortet är inte spärrat längre."))
    before = {"sim_status": "blocked", "status": service.status}
    SimCard.update(status="active", blocked_at=None, blocked_status=None).where(
        SimCard.id == sim.id
    ).execute()
    _end_lost_block(service, sim)
    return before, {"sim_status": "active", "status": service.status}


@applier("topup")
def _apply_topup(order, service, payload, actor):
    product = Product.get(Product.code == payload["product"])
    month = dt.date.fromisoformat(payload["month"])
    user = actor if actor is not None and not actor.is_staff else None
    TopUp.create(
        service=service.id,
        product=product,
        month=month,
        data_mb=payload["data_mb"],
        price_ore=payload["price_ore"],
        created_by=user,
    )
    usage, _ = MonthlyUsage.get_or_create(service=service.id, month=month)
    before = usage.topup_mb
    if payload["data_mb"]:
        MonthlyUsage.update(topup_mb=MonthlyUsage.topup_mb + payload["data_mb"]).where(
            MonthlyUsage.id == usage.id
        ).execute()
    return {"topup_mb": before}, {"topup_mb": before + payload["data_mb"]}


@applier("change_service")
def _apply_change_service(order, service, payload, actor):
    before = {
        "price_plan": service.price_plan.code if service.price_plan_id else None,
        "data_package": None,
        "monthly_ore": service.monthly_ore,
    }
    org = service.organisation
    old_data = current_data_line(service)
    if old_data is not None and old_data.product_id:
        before["data_package"] = old_data.product.code
    if payload.get("data_package"):
        data = Product.get(Product.code == payload["data_package"])
        position = old_data.position if old_data is not None else _next_position(service)
        ServiceLine.delete().where(
            (ServiceLine.service == service.id) & (ServiceLine.section == "data")
        ).execute()
        ServiceLine.create(
            service=service.id,
            section="data",
            product=data,
            name=data.name,
            monthly_ore=prices(org, data)[0],
            position=position,
        )
        today = dt.date.today()
        if order.desired_date is None or order.desired_date <= today:
            MonthlyUsage.update(data_quota_mb=data.data_mb or 0).where(
                (MonthlyUsage.service == service.id) & (MonthlyUsage.month == first_of_month(today))
            ).execute()
    if payload.get("price_plan"):
        plan = Product.get(Product.code == payload["price_plan"])
        plan_lines = (
            ServiceLine.select(ServiceLine.id)
            .join(Product, on=(ServiceLine.product == Product.id))
            .where((ServiceLine.service == service.id) & (Product.kind == "price_plan"))
        )
        ServiceLine.delete().where(ServiceLine.id.in_(plan_lines)).execute()
        monthly = prices(org, plan)[0]
        if monthly:
            ServiceLine.create(
                service=service.id,
                section="start",
                product=plan,
                name=plan.name,
                monthly_ore=monthly,
                position=_next_position(service),
            )
        Service.update(price_plan=plan).where(Service.id == service.id).execute()
        service.price_plan = plan
    if payload.get("binding_months"):
        start = order.desired_date or dt.date.today()
        binding_end = add_months(start, payload["binding_months"])
        if service.binding_end is None or binding_end > service.binding_end:
            Service.update(binding_end=binding_end).where(Service.id == service.id).execute()
    recalculate_monthly(service)
    after = {
        "price_plan": payload.get("price_plan") or before["price_plan"],
        "data_package": payload.get("data_package") or before["data_package"],
        "monthly_ore": service.monthly_ore,
    }
    return before, after


@applier("move")
def _apply_move(order, service, payload, actor):
    before = {"account_id": service.account_id}
    Service.update(account=payload["account_id"]).where(Service.id == service.id).execute()
    service.account = payload["account_id"]
    return before, {"account_id": payload["account_id"]}


@applier("terminate")
def _apply_terminate(order, service, payload, actor):
    end = dt.date.fromisoformat(payload["end_date"])
    before = {"status": service.status, "end_date": service.end_date}
    status = "terminated" if end <= dt.date.today() else "terminating"
    Service.update(status=status, end_date=end).where(Service.id == service.id).execute()
    service.status, service.end_date = status, end
    return before, {"status": status, "end_date": end}


@applier("addons")
def _apply_addons(order, service, payload, actor):
    effective = dt.date.fromisoformat(payload["effective"])
    org = service.organisation
    before = current_addon_codes(service)
    for code in payload["add"]:
        product = Product.get(Product.code == code)
        ServiceLine.create(
            service=service.id,
            section="addon",
            product=product,
            name=product.name,
            monthly_ore=prices(org, product)[0],
            position=_next_position(service),
        )
        ServiceAddon.create(service=service.id, product=product, start_date=effective)
    for code in payload["remove"]:
        product = Product.get(Product.code == code)
        ServiceLine.delete().where(
            (ServiceLine.service == service.id)
            & (ServiceLine.section == "addon")
            & (ServiceLine.product == product.id)
        ).execute()
        ServiceAddon.update(end_date=effective).where(
            (ServiceAddon.service == service.id)
            & (ServiceAddon.product == product.id)
            & ServiceAddon.end_date.is_null()
        ).execute()
    recalculate_monthly(service)
    return {"addons": before}, {"addons": current_addon_codes(service)}


@applier("limits")
def _apply_limits(order, service, payload, actor):
    before = {
        limit.kind: (limit.amount_ore if limit.kind == "call" else limit.data_mb)
        for limit in service.limits
        if limit.active
    }
    now = utcnow()
    for kind, field, value in (
        ("call", "amount_ore", payload["call_ore"]),
        ("data", "data_mb", payload["data_mb"]),
    ):
        row = SpendingLimit.get_or_none(
            (SpendingLimit.service == service.id) & (SpendingLimit.kind == kind)
        )
        if row is None and value is None:
            continue
        if row is None:
            SpendingLimit.create(
                service=service.id, kind=kind, active=True, updated_at=now, **{field: value}
            )
        else:
            SpendingLimit.update(active=value is not None, updated_at=now, **{field: value}).where(
                SpendingLimit.id == row.id
            ).execute()
    after = {
        k: v
        for k, v in (("call", payload["call_ore"]), ("data", payload["data_mb"]))
        if v is not None
    }
    return before, after


@applier("switchboard")
def _apply_switchboard(order, service, payload, actor):
    """A molnväxel change that was ordered (domain/switchboard.py), checked again now."""
    try:
        return switchboard.carry_out(service, payload)
    except switchboard.SwitchboardError as error:
        raise ProvisioningError(error.message) from error
