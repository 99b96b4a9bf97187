"""How service changes are carried out: the provisioning interface.

Every service action (SRV-3, SRV-4) becomes an :class:`~tables.orders.Order`
whose payload names the operation (``{"op": "barring_add", …}``). Right
after the order is written, inside the same transaction, the configured
backend's ``submit(order, change)`` decides what happens to it:

* it returns ``True``: the change has been carried out in the network now;
  the portal applies it to its own records and the order is *Slutförd*;
* it returns ``False``: the order stays *Mottagen* until it is completed
  later — by operator staff in the back office (``/staff/changes``:
  "Slutför" / "Avvisa"), or by the backend itself calling
  :func:`complete` (e.g. from a callback or a cron job of its own);
* it raises :class:`ProvisioningError`: the message is shown to the user
  and nothing is saved (the transaction rolls back).

``submit`` runs inside the database write transaction, so that a refusal
leaves nothing behind: keep it quick (a synchronous API call with a short
timeout), and return ``False`` for work that takes longer, completing it later.

*Urgent* operations (:data:`URGENT_OPERATIONS`: blocking a lost SIM card)
are the exception: the portal records them the moment they are asked for —
the card is blocked and the service Spärrad in its records, audited — and
only then is the backend told, whatever it answers. ``True``: the order is
*Slutförd*. ``False``, or the backend raising anything at all (logged): the
block stands in the portal and the order stays *Mottagen* with the backend's
message, so that staff block the card in the network and mark it done with
"Slutför" (which does not apply it again). Nothing holds an urgent operation
for anyone's approval.

When staff reject a pending order, or the customer withdraws one, the
backend's optional ``cancel(order)`` is called. Dated changes (change of
service, move, add-ons) completed before their date are *scheduled*: the
order stays *Pågår* and
``flask services apply-due`` (run daily from cron) carries them out on the
date, and turns services that were given notice (*Uppsagd*) into
*Avslutad* on their end date.

A completed *Nybeställning* (domain/orders/fulfilment.py) creates its
services in the portal as staff complete it, and tells the backend about
each with ``submit(order, change)`` where ``change.op`` is ``"new_service"``
(:func:`provision_new`): the backend may set the subscription up in the
network, or refuse with :class:`ProvisioningError` (nothing is saved). What
it returns does not matter: staff complete an order once it is delivered. A
service ordered for a later date is *Beställd* until ``services apply-due``
makes it *Aktiv* on that date (:func:`activate_ordered`).

Choose the backend with the config/environment value ``PROVISIONING_BACKEND``:
``builtin`` (default) or ``package.module:ClassName`` of an operator's own
backend, e.g. one that talks to the mobile core network's provisioning API::

    class MyNetwork:
        def submit(self, order, change) -> bool:
            if change.op == "barring_add":
                network_api.add_barring(change.service.number, change.payload["kind"])
                return True
            return False            # leave the rest to staff

        def cancel(self, order) -> None:
            pass
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass

from flask import current_app

from database import utcnow, write_tx
from domain import audit, mail, service_changes
from domain import operator as operators
from domain.numbers import format_phone
from domain.service_actions import payload_of  # noqa: F401 - also reached from here
from domain.service_changes import ProvisioningError  # noqa: F401 - also reached from here
from domain.service_rules import decode_text
from domain.service_terms import (  # noqa: F401 - PENDING_STATUSES also reached from here
    PENDING_STATUSES,
    current_data_line,
)
from domain.settings import config_value
from domain.text import N_, T_, Text, translate
from tables.orders import Order, OrderEvent, OrderLine
from tables.services import MonthlyUsage, Service, SimCard

# Operations the built-in backend carries out at once; everything else
# (new SIM by post, change of service, add-on subscriptions, move,
# termination) waits for operator staff.
IMMEDIATE_OPERATIONS = frozenset(
    {
        "user_name",
        "external_username",
        "barring_add",
        "barring_remove",
        "forwarding",
        "sim_customer",
        "topup",
        "limits",
        "options",
        "auto_upgrade",
        "lost_sim",
        "lost_sim_lift",
        "caller_id",
        "invoice_text",
        "profile",
        "mex",
    }
)

# Operations recorded in the portal at once whatever the backend answers, and
# never held for approval: a lost phone is blocked the moment it is reported.
URGENT_OPERATIONS = frozenset({"lost_sim"})

# Operations with a date from which they apply (Önskad aktivering, the move's
# billing start, the add-on month): completed early, they wait for the date.
DATED_OPERATIONS = frozenset({"change_service", "move"})


@dataclass
class Change:
    """What a backend is asked to carry out."""

    order: Order
    service: object
    op: str
    payload: dict


class BuiltinBackend:
    """Completes the immediate changes at once; leaves the rest for staff."""

    name = "builtin"

    def submit(self, order, change: Change) -> bool:
        return change.op in IMMEDIATE_OPERATIONS

    def cancel(self, order) -> None:
        return None


def backend():
    """The configured backend (one instance per app)."""
    spec = config_value("PROVISIONING_BACKEND", "builtin")
    cache = current_app.extensions.setdefault("provisioning", {})
    if spec not in cache:
        if spec == "builtin":
            cache[spec] = BuiltinBackend()
        else:
            module_name, _, attr = spec.partition(":")
            cls = getattr(importlib.import_module(module_name), attr or "Backend")
            cache[spec] = cls()
    return cache[spec]


def _event(order, to_status: str, *, user=None, staff=None, comment: str = ""):
    OrderEvent.create(
        order=order,
        from_status=order.status,
        to_status=to_status,
        user=user,
        staff=staff,
        comment=comment,
    )
    order.status = to_status


def _actor_fields(actor):
    if actor is None:
        return {}
    return {"staff": actor} if actor.is_staff else {"user": actor}


def submit(order, service, actor) -> bool:
    """Hand a new order to the backend; call inside ``write_tx``.

    Returns True when it was carried out at once.
    """
    payload = payload_of(order)
    change = Change(order, service, payload.get("op", ""), payload)
    if change.op in URGENT_OPERATIONS:
        return _submit_urgent(order, change, actor)
    done = backend().submit(order, change)
    if done:
        carry_out(order, actor, comment="Genomförd direkt")
    return bool(done)


def _submit_urgent(order, change: Change, actor) -> bool:
    """Record an urgent change in the portal now, then tell the backend (see
    the module's docstring); True when the backend carried it out too."""
    _apply(order, change.service, change.payload, actor)
    change.payload["recorded"] = True
    order.payload = json.dumps(change.payload, ensure_ascii=False)
    order.save()
    message = ""
    try:
        with write_tx():  # a savepoint: a failing backend's own writes are undone alone
            done = bool(backend().submit(order, change))
    except Exception as error:  # noqa: BLE001 - whatever the backend does, the block stands
        current_app.logger.exception("provisioning backend failed on order %s", order.label)
        done, message = False, str(error) or type(error).__name__
    if done:
        carry_out(order, actor, comment="Genomförd direkt")
    else:
        change.payload["network"] = message or "Väntar på att nätet genomför ändringen."
        order.payload = json.dumps(change.payload, ensure_ascii=False)
        order.save()
    return done


def _apply(order, service, payload: dict, actor) -> None:
    """Apply the order's operation to the service's records and audit it."""
    try:
        before, after = service_changes.apply(order, service, payload, actor)
    except (KeyError, ValueError, TypeError) as error:
        raise ProvisioningError(
            T_(
                "Ändringen saknar uppgifter som behövs för att genomföra den här "
                "(%(error)s). Genomför den i näten och avvisa den här, eller be kunden "
                "beställa igen.",
                error=str(error),
            )
        ) from error
    audit.record(
        f"service.{payload.get('op', order.type)}",
        service,
        summary=f"{payload.get('summary', order.type_label)} ({service.number}, order {order.label})",
        before=before,
        after=after,
        actor=actor,
    )


def carry_out(order, actor=None, *, comment: str = "", extra: dict | None = None):
    """Apply the order to the service and mark it Slutförd (inside ``write_tx``).

    An urgent change is in the portal's records since it was asked for: it
    is only marked Slutförd, never applied twice."""
    payload = payload_of(order)
    if extra:
        payload.update(extra)
    payload.pop("scheduled", None)
    if payload.get("recorded"):
        payload.pop("network", None)
        audit.record(
            "order.completed",
            order,
            summary=f"Order {order.label} genomförd i nätet: {payload.get('summary', '')}",
            actor=actor,
        )
    else:
        _apply(order, order.service, payload, actor)
    order.payload = json.dumps(payload, ensure_ascii=False)
    _event(order, "completed", comment=comment, **_actor_fields(actor))
    order.completed_at = utcnow()
    order.save()
    return order


def complete(order, actor=None, *, comment: str = "", extra: dict | None = None, today=None):
    """Complete a pending order: carry it out now, or on its date when that is
    still ahead (dated operations). Notifies the creator. Inside ``write_tx``."""
    today = today or dt.date.today()
    if order.status not in PENDING_STATUSES:
        raise ProvisioningError(N_("Ändringen är redan hanterad."))
    payload = payload_of(order)
    if extra:
        payload.update(extra)
    if payload.get("op") in DATED_OPERATIONS and order.desired_date and order.desired_date > today:
        payload["scheduled"] = True
        order.payload = json.dumps(payload, ensure_ascii=False)
        text = f"Godkänd, genomförs {order.desired_date.isoformat()}"
        # the event keeps only what staff wrote to the customer (shown and mailed)
        _event(order, "in_progress", comment=comment, **_actor_fields(actor))
        order.save()
        audit.record(
            "order.scheduled",
            order,
            summary=f"Order {order.label} {text.lower()}",
            actor=actor,
        )
    else:
        carry_out(order, actor, comment=comment, extra=extra)
    notify(order)
    return order


def reject(order, actor, comment: str = ""):
    """Avvisa: the pending order is refused and nothing changes (inside ``write_tx``)."""
    if order.status not in PENDING_STATUSES:
        raise ProvisioningError(N_("Ändringen är redan hanterad."))
    if payload_of(order).get("recorded"):
        raise ProvisioningError(
            N_(
                "Spärren gäller redan i portalen och kan inte avvisas. Slutför den när kortet "
                "är spärrat i nätet; kunden häver den själv med Häv spärr."
            )
        )
    backend_ = backend()
    if hasattr(backend_, "cancel"):
        backend_.cancel(order)
    _event(order, "rejected", comment=comment, **_actor_fields(actor))
    order.completed_at = utcnow()
    order.save()
    audit.record(
        "order.rejected",
        order,
        summary=f"Order {order.label} avvisad" + (f": {comment}" if comment else ""),
        actor=actor,
    )
    notify(order)
    return order


def withdraw(order, actor, comment: str = ""):
    """Avbryt: the customer withdraws a pending order before it is carried
    out; nothing changes on the service (inside ``write_tx``)."""
    if order.status not in PENDING_STATUSES:
        raise ProvisioningError(N_("Beställningen är redan hanterad."))
    backend_ = backend()
    if hasattr(backend_, "cancel"):
        backend_.cancel(order)
    _event(order, "cancelled", comment=comment, **_actor_fields(actor))
    order.completed_at = utcnow()
    order.save()
    audit.record(
        "order.cancelled",
        order,
        summary=f"Order {order.label} avbruten" + (f": {comment}" if comment else ""),
        actor=actor,
    )
    return order


NEW_SERVICE = "new_service"


def provision_new(order, service, payload: dict) -> bool:
    """Tell the backend about a service a completed order created (inside
    ``write_tx``); a refusal raises :class:`ProvisioningError`."""
    return bool(backend().submit(order, Change(order, service, NEW_SERVICE, payload)))


def ordered_services_due(today: dt.date):
    """Services created by a completed order (Beställd) whose activation date has come."""
    from_orders = OrderLine.select(OrderLine.service).where(OrderLine.service.is_null(False))
    return Service.select().where(
        (Service.status == "ordered") & (Service.start_date <= today) & Service.id.in_(from_orders)
    )


def activate(service, actor=None, *, today: dt.date | None = None) -> None:
    """Beställd → Aktiv: the service starts on its activation date (inside ``write_tx``)."""
    today = today or dt.date.today()
    Service.update(status="active").where(Service.id == service.id).execute()
    service.status = "active"
    SimCard.update(activated_at=utcnow()).where(
        (SimCard.service == service.id) & SimCard.activated_at.is_null()
    ).execute()
    data = current_data_line(service)
    quota = (data.product.data_mb or 0) if data is not None and data.product_id else 0
    MonthlyUsage.get_or_create(
        service=service.id, month=today.replace(day=1), defaults={"data_quota_mb": quota}
    )
    audit.record(
        "service.activated",
        service,
        summary=f"Tjänsten {service.number} aktiverad {today.isoformat()}",
        before={"status": "ordered"},
        after={"status": "active"},
        actor=actor,
    )


def activate_ordered(today: dt.date | None = None) -> int:
    """Make ordered services Aktiv on their date (inside ``write_tx``)."""
    today = today or dt.date.today()
    count = 0
    for service in ordered_services_due(today):
        activate(service, today=today)
        count += 1
    return count


def staff_comment(order) -> str:
    """What staff wrote to the customer with the order's latest status change."""
    event = order.events.order_by(OrderEvent.id.desc()).first()
    if event is None or event.staff_id is None:
        return ""
    return event.comment


def apply_due(today: dt.date | None = None) -> dict:
    """Carry out scheduled orders whose date has come and end services whose
        notice ran out (Uppsagd → Avslutad on the end date), and make services
    ordered for today or earlier Aktiv (Beställd → Aktiv)."""
    today = today or dt.date.today()
    done = {"orders": 0, "terminated": 0, "activated": 0}
    with write_tx():
        done["activated"] = activate_ordered(today)
        due = Order.select().where(
            (Order.status == "in_progress")
            & Order.service.is_null(False)
            & (Order.desired_date <= today)
            & Order.payload.contains('"scheduled": true')
        )
        for order in due:
            carry_out(order, None, comment="Genomförd på önskat datum")
            notify(order)
            done["orders"] += 1
        ending = Service.select().where(
            (Service.status == "terminating") & (Service.end_date <= today)
        )
        for service in ending:
            Service.update(status="terminated").where(Service.id == service.id).execute()
            audit.record(
                "service.terminated",
                service,
                summary=f"Tjänsten {service.number} avslutad {service.end_date.isoformat()}",
                before={"status": "terminating"},
                after={"status": "terminated"},
            )
            done["terminated"] += 1
    return done


def _translated(text, lang: str) -> str:
    """``translate`` for a message whose values may be marked labels too."""
    if isinstance(text, Text) and text.params:
        params = {
            key: _translated(value, lang) if isinstance(value, Text) else value
            for key, value in text.params.items()
        }
        return translate(text.msgid, lang) % params
    return translate(text, lang)


def notify(order) -> None:
    """E-mail the creator about a status change made by someone else, when
    the organisation's Företagsprofil has notifications on."""
    user = order.created_by
    if user is None or not user.email:
        return
    if not order.organisation.profile().notify_email:
        return
    # in the recipient's language (Min profil → Språk); Swedish as before
    lang = getattr(user, "language", None) or "sv"
    payload = payload_of(order)
    what = payload.get("summary") or translate(order.type_label, lang)
    if payload.get("summary_text"):
        what = _translated(decode_text(payload["summary_text"]), lang)
    type_label = translate(order.type_label, lang)
    status_label = translate(order.status_label, lang)
    if order.service_id:
        about = T_(
            "Gäller: %(what)s, tjänst %(number)s",
            what=what,
            number=format_phone(order.service.number),
        )
    else:
        about = T_("Gäller: %(what)s", what=what)
    lines = [
        T_("Hej %(name)s,", name=user.name),
        "",
        T_(
            "Order %(order)s (%(type)s) har fått status %(status)s.",
            order=order.label,
            type=type_label,
            status=status_label,
        ),
        about,
    ]
    if order.status == "in_progress" and order.desired_date:
        lines.append(T_("Ändringen genomförs %(date)s.", date=order.desired_date.isoformat()))
    comment = staff_comment(order)
    if comment:
        operator = operators.current().name or "Teleportal"
        lines.append(
            T_("Kommentar från %(operator)s: %(comment)s", operator=operator, comment=comment)
        )
    subject = T_("Order %(order)s: %(status)s", order=order.label, status=status_label)
    mail.send_email(
        user.email,
        translate(subject, lang),
        "\n".join(translate(line, lang) for line in lines),
        organisation=order.organisation_id,
    )
