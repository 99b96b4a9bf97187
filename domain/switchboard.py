"""Molnväxel administration: employees and queues (their call statistics:
domain/switchboard_stats.py), carried out through a pluggable switchboard
backend (docs/SWITCHBOARD.md).

Every change is checked here (extension taken, queue without members, a
number that is not the organisation's), written with its audit row inside
one ``write_tx`` and handed to the configured backend, which may refuse it
with :class:`SwitchboardError` (nothing is saved then).

A backend may also say that a change needs an order (``needs_order(pbx,
op)``): then, once the input has been checked, the change is not written
but handed to ``orderer`` (domain/switchboard_orders.py records it as a
service order through domain/orders/service_requests.py), and staff carry it
out later with Slutför, which calls :func:`carry_out`.

Choose the backend with ``SWITCHBOARD_BACKEND``: ``builtin`` (default: the
portal's own tables are the switchboard's state, and it records calls to
queues for the statistics) or ``package.module:ClassName`` of a backend that
talks to a real PBX.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from flask import current_app
from peewee import fn

from database import write_tx
from domain import audit
from domain.numbers import normalise_phone
from domain.settings import config_value
from domain.text import N_, T_
from tables.services import MOBILE_KINDS, PhoneNumber, Service
from tables.switchboard import (
    RING_STRATEGIES,
    SwitchboardEmployee,
    SwitchboardQueue,
    SwitchboardQueueMember,
)

EXTENSION = re.compile(r"\d{2,6}")
MEMBER_KINDS = MOBILE_KINDS


class SwitchboardError(Exception):
    """Input or a backend refusal; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BuiltinBackend:
    """Keeps the switchboard's state in the portal's tables: every change is
    accepted as it is saved."""

    name = "builtin"

    def apply(self, pbx, op: str, obj, data: dict) -> None:
        return None

    def needs_order(self, pbx, op: str) -> bool:
        return False


class OrderingBackend(BuiltinBackend):
    """``SWITCHBOARD_BACKEND=orders``: every change is an order that
    operator staff carry out (then it is applied to the portal's tables)."""

    name = "orders"

    def needs_order(self, pbx, op: str) -> bool:
        return True


@dataclass(frozen=True)
class Ordered:
    """A change recorded as an order instead of being applied (``order``)."""

    order: object

    @property
    def message(self) -> str:
        return T_(
            "Ändringen är beställd (order %(order)s) och genomförs av operatören. "
            "Den visas som pågående tills dess.",
            order=self.order.label,
        )


def needs_order(pbx, op: str) -> bool:
    """Whether the backend wants this change as an order (optional method)."""
    asked = getattr(backend(), "needs_order", None)
    return bool(asked is not None and asked(pbx, op))


def _maybe_order(orderer, pbx, op: str, target, data: dict, summary: str):
    """An :class:`Ordered` when the change goes as an order, else None."""
    if orderer is None or not needs_order(pbx, op):
        return None
    payload = {"switchboard": op, "target": target, "data": data}
    return Ordered(orderer(pbx, payload, summary))


def backend():
    """The configured backend (one instance per app)."""
    spec = config_value("SWITCHBOARD_BACKEND", "builtin")
    cache = current_app.extensions.setdefault("switchboard", {})
    if spec not in cache:
        if spec == "builtin":
            cache[spec] = BuiltinBackend()
        elif spec == "orders":
            cache[spec] = OrderingBackend()
        else:
            module_name, _, attr = spec.partition(":")
            cache[spec] = getattr(importlib.import_module(module_name), attr or "Backend")()
    return cache[spec]


# ----------------------------------------------------------------- reading


def employees(pbx) -> list:
    return list(
        SwitchboardEmployee.select()
        .where(SwitchboardEmployee.pbx == pbx.id)
        .order_by(SwitchboardEmployee.extension)
    )


def queues(pbx) -> list:
    rows = list(
        SwitchboardQueue.select()
        .where(SwitchboardQueue.pbx == pbx.id)
        .order_by(SwitchboardQueue.name)
    )
    members = members_of([q.id for q in rows])
    for queue in rows:
        queue.member_list = members.get(queue.id, [])
    return rows


def members_of(queue_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    if not queue_ids:
        return out
    query = (
        SwitchboardQueueMember.select(SwitchboardQueueMember, Service)
        .join(Service, on=(SwitchboardQueueMember.service == Service.id))
        .where(SwitchboardQueueMember.queue.in_(queue_ids))
        .order_by(SwitchboardQueueMember.position, SwitchboardQueueMember.id)
    )
    for member in query:
        out.setdefault(member.queue_id, []).append(member)
    return out


def memberships(service) -> list:
    """The queues a number is in, and those of its molnväxel it could join."""
    return list(
        SwitchboardQueueMember.select(SwitchboardQueueMember, SwitchboardQueue)
        .join(SwitchboardQueue)
        .where(SwitchboardQueueMember.service == service.id)
        .order_by(SwitchboardQueue.name)
    )


def linked_employees(service) -> list:
    """The employees (Medarbetare) this mobile number reaches."""
    return list(
        SwitchboardEmployee.select()
        .where(SwitchboardEmployee.mobile == service.id)
        .order_by(SwitchboardEmployee.extension)
    )


def joinable(service) -> list:
    if not service.parent_id:
        return []
    inside = SwitchboardQueueMember.select(SwitchboardQueueMember.queue).where(
        SwitchboardQueueMember.service == service.id
    )
    return list(
        SwitchboardQueue.select()
        .where((SwitchboardQueue.pbx == service.parent_id) & SwitchboardQueue.id.not_in(inside))
        .order_by(SwitchboardQueue.name)
    )


def member_choices(pbx) -> list:
    """The organisation's numbers that may be linked or be queue members:
    the molnväxel's växelanvändare and the organisation's other mobiles."""
    return list(
        Service.select()
        .where(
            (Service.organisation == pbx.organisation_id)
            & Service.kind.in_(MEMBER_KINDS)
            & (Service.hidden == False)  # noqa: E712
            & Service.status.in_(("active", "barred"))
        )
        .order_by(Service.number)
    )


def fixed_numbers(pbx) -> list[str]:
    return [
        n.number
        for n in PhoneNumber.select()
        .join(Service)
        .where(
            (Service.organisation == pbx.organisation_id)
            & (PhoneNumber.number_type == "fixed")
            & PhoneNumber.range_end.is_null()
        )
        .order_by(PhoneNumber.number)
    ]


# ----------------------------------------------------------------- checks


def _org_service(pbx, service_id, field: str):
    if service_id in (None, "", 0):
        return None
    try:
        service_id = int(service_id)
    except (TypeError, ValueError):
        raise SwitchboardError(N_("Välj ett av organisationens nummer."), field) from None
    found = Service.get_or_none(
        (Service.id == service_id)
        & (Service.organisation == pbx.organisation_id)
        & Service.kind.in_(MEMBER_KINDS)
    )
    if found is None:
        raise SwitchboardError(N_("Numret hör inte till organisationen."), field)
    return found


def _fixed(pbx, text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    number = normalise_phone(text)
    if number is None or number not in fixed_numbers(pbx):
        raise SwitchboardError(
            N_("Numret är inte ett av organisationens fasta nummer."), "fixed_number"
        )
    return number


def _name(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SwitchboardError(N_("Ange namn."), "name")
    if len(text) > 100:
        raise SwitchboardError(N_("Namnet får vara högst 100 tecken."), "name")
    return text


def _extension(pbx, text: str, employee_id=None) -> str:
    text = (text or "").strip()
    if not EXTENSION.fullmatch(text):
        raise SwitchboardError(N_("Anknytningen ska vara 2–6 siffror."), "extension")
    taken = SwitchboardEmployee.select().where(
        (SwitchboardEmployee.pbx == pbx.id) & (SwitchboardEmployee.extension == text)
    )
    if employee_id:
        taken = taken.where(SwitchboardEmployee.id != employee_id)
    if taken.exists():
        raise SwitchboardError(
            T_("Anknytningen %(extension)s används redan i växeln.", extension=text), "extension"
        )
    return text


def _employee_view(e) -> dict:
    return {
        "name": e.name,
        "extension": e.extension,
        "mobile": e.mobile_id,
        "fixed_number": e.fixed_number,
    }


def _queue_view(q, member_ids) -> dict:
    return {
        "name": q.name,
        "number": q.number,
        "strategy": q.strategy,
        "opening_hours": q.opening_hours,
        "overflow": q.overflow,
        "members": list(member_ids),
    }


# ----------------------------------------------------------------- employees


def _applied(pbx, op, obj, before, after, action, summary):
    """Hand an employee's or queue's change to the backend (what it looks like
    after, or before when removed) and audit it."""
    backend().apply(pbx, op, obj, after if after is not None else before)
    audit.record(
        action,
        obj,
        summary=summary,
        before=before,
        after=after,
        organisation=pbx.organisation_id,
    )


def save_employee(pbx, data: dict, employee=None, orderer=None):
    """Add (``employee`` None) or change a Medarbetare. Checked inside the
    write transaction, so two requests for one extension cannot both pass.
    Returns the employee, or :class:`Ordered` when it went as an order."""
    with write_tx():
        return _save_employee(pbx, data, employee, orderer)


def _save_employee(pbx, data: dict, employee=None, orderer=None):
    name = _name(data.get("name"))
    extension = _extension(pbx, data.get("extension"), employee.id if employee else None)
    mobile = _org_service(pbx, data.get("mobile"), "mobile")
    fixed = _fixed(pbx, data.get("fixed_number"))
    ordered = _maybe_order(
        orderer,
        pbx,
        "employee_save",
        employee.id if employee else None,
        {"name": name, "extension": extension, "mobile": mobile.id if mobile else None,
         "fixed_number": fixed},
        f"{'Ändra' if employee else 'Ny'} medarbetare {name} ({extension}) i molnväxel {pbx.number}",
    )  # fmt: skip
    if ordered:
        return ordered
    with write_tx():
        before = _employee_view(employee) if employee else None
        if employee is None:
            employee = SwitchboardEmployee(organisation=pbx.organisation_id, pbx=pbx.id)
        employee.name, employee.extension = name, extension
        employee.mobile = mobile.id if mobile else None
        employee.fixed_number = fixed
        employee.save()
        after = _employee_view(employee)
        _applied(
            pbx,
            "employee_save",
            employee,
            before,
            after,
            "switchboard.employee_" + ("change" if before else "add"),
            f"Medarbetare {name} ({extension}) i molnväxel {pbx.number}",
        )
    return employee


def remove_employee(pbx, employee, orderer=None):
    """Remove a Medarbetare; :class:`Ordered` when it went as an order."""
    summary = f"Ta bort medarbetare {employee.name} ({employee.extension}) i molnväxel {pbx.number}"
    with write_tx():
        ordered = _maybe_order(orderer, pbx, "employee_remove", employee.id, {}, summary)
        if ordered:
            return ordered
        before = _employee_view(employee)
        _applied(
            pbx,
            "employee_remove",
            employee,
            before,
            None,
            "switchboard.employee_remove",
            f"Medarbetare {employee.name} ({employee.extension}) borttagen",
        )
        employee.delete_instance()


# ----------------------------------------------------------------- queues


def save_queue(pbx, data: dict, queue=None, orderer=None):
    """Add or change a Kö; ``data["members"]`` lists service ids in ring order.
    Checked inside the write transaction (a queue's number is unique too).
    Returns the queue, or :class:`Ordered` when it went as an order."""
    with write_tx():
        return _save_queue(pbx, data, queue, orderer)


def _save_queue(pbx, data: dict, queue=None, orderer=None):
    name = _name(data.get("name"))
    number = normalise_phone(data.get("number") or "")
    if (data.get("number") or "").strip() and EXTENSION.fullmatch(data["number"].strip()):
        number = data["number"].strip()  # an internal queue number
    if not number:
        raise SwitchboardError(N_("Ange könummer (telefonnummer eller 2–6 siffror)."), "number")
    clash = SwitchboardQueue.select().where(
        (SwitchboardQueue.pbx == pbx.id) & (SwitchboardQueue.number == number)
    )
    if queue is not None:
        clash = clash.where(SwitchboardQueue.id != queue.id)
    if clash.exists():
        raise SwitchboardError(N_("Numret används redan av en annan kö."), "number")
    strategy = data.get("strategy") or "ringall"
    if strategy not in RING_STRATEGIES:
        raise SwitchboardError(N_("Välj ringstrategi."), "strategy")
    hours = (data.get("opening_hours") or "").strip()
    if len(hours) > 200:
        raise SwitchboardError(N_("Öppettiderna får vara högst 200 tecken."), "opening_hours")
    overflow = (data.get("overflow") or "").strip()
    if overflow and not EXTENSION.fullmatch(overflow):
        overflow = normalise_phone(overflow) or ""
        if not overflow:
            raise SwitchboardError(N_("Ange ett telefonnummer eller en anknytning."), "overflow")
    members = []
    for raw in data.get("members") or []:
        if str(raw).strip() == "":
            continue
        service = _org_service(pbx, raw, "members")
        if service.id not in [m.id for m in members]:
            members.append(service)
    if not members:
        raise SwitchboardError(N_("En kö måste ha minst en medlem."), "members")
    ordered = _maybe_order(
        orderer,
        pbx,
        "queue_save",
        queue.id if queue else None,
        {"name": name, "number": number, "strategy": strategy, "opening_hours": hours,
         "overflow": overflow, "members": [m.id for m in members]},
        f"{'Ändra kö' if queue else 'Ny kö'} {name} ({number}) i molnväxel {pbx.number}",
    )  # fmt: skip
    if ordered:
        return ordered
    with write_tx():
        before = None
        paused = {}
        if queue is None:
            queue = SwitchboardQueue(organisation=pbx.organisation_id, pbx=pbx.id)
        else:
            old = list(queue.members.order_by(SwitchboardQueueMember.position))
            before = _queue_view(queue, [m.service_id for m in old])
            paused = {m.service_id: m.paused for m in old}
        queue.name, queue.number, queue.strategy = name, number, strategy
        queue.opening_hours, queue.overflow = hours, overflow
        queue.save()
        SwitchboardQueueMember.delete().where(SwitchboardQueueMember.queue == queue.id).execute()
        for position, service in enumerate(members, start=1):
            SwitchboardQueueMember.create(
                queue=queue.id,
                service=service.id,
                position=position,
                paused=paused.get(service.id, False),
            )
        after = _queue_view(queue, [m.id for m in members])
        _applied(
            pbx,
            "queue_save",
            queue,
            before,
            after,
            "switchboard.queue_" + ("change" if before else "add"),
            f"Kö {name} ({number}) i molnväxel {pbx.number}",
        )
    return queue


def remove_queue(pbx, queue, orderer=None):
    """Remove a Kö; :class:`Ordered` when it went as an order."""
    summary = f"Ta bort kö {queue.name} ({queue.number}) i molnväxel {pbx.number}"
    with write_tx():
        ordered = _maybe_order(orderer, pbx, "queue_remove", queue.id, {}, summary)
        if ordered:
            return ordered
        before = _queue_view(queue, [m.service_id for m in queue.members])
        _applied(
            pbx,
            "queue_remove",
            queue,
            before,
            None,
            "switchboard.queue_remove",
            f"Kö {queue.name} borttagen",
        )
        queue.delete_instance()


def set_membership(service, queue, action: str, orderer=None):
    """join / leave / pause / resume ``queue`` for the number ``service``
    (looked up and changed in one write transaction); :class:`Ordered` when
    it went as an order (on the molnväxel), else None."""
    with write_tx():
        return _set_membership(service, queue, action, orderer)


def _set_membership(service, queue, action: str, orderer=None):
    pbx = Service.get_by_id(queue.pbx_id)
    member = SwitchboardQueueMember.get_or_none(
        (SwitchboardQueueMember.queue == queue.id) & (SwitchboardQueueMember.service == service.id)
    )
    # A number joins the queues of its own molnväxel; one put in a queue
    # from the molnväxel's page (any mobile of the organisation) may pause
    # and leave it.
    if queue.organisation_id != service.organisation_id or (
        action == "join" and queue.pbx_id != service.parent_id
    ):
        raise SwitchboardError(N_("Kön hör inte till numrets molnväxel."))
    if action not in MEMBER_ACTIONS:
        raise SwitchboardError(N_("Okänd åtgärd."))
    if action == "join" and member is not None:
        raise SwitchboardError(N_("Numret är redan med i kön."))
    if action != "join" and member is None:
        raise SwitchboardError(N_("Numret är inte med i kön."))
    ordered = _maybe_order(
        orderer,
        pbx,
        "member_" + action,
        queue.id,
        {"service": service.id, "action": action},
        f"{service.number} {MEMBER_ACTIONS[action]} kö {queue.name} (molnväxel {pbx.number})",
    )
    if ordered:
        return ordered
    with write_tx():
        if action == "join":
            if member is not None:
                raise SwitchboardError(N_("Numret är redan med i kön."))
            last = (
                SwitchboardQueueMember.select(fn.MAX(SwitchboardQueueMember.position))
                .where(SwitchboardQueueMember.queue == queue.id)
                .scalar()
            )
            member = SwitchboardQueueMember.create(
                queue=queue.id, service=service.id, position=(last or 0) + 1
            )
        elif member is None:
            raise SwitchboardError(N_("Numret är inte med i kön."))
        elif action == "leave":
            others = SwitchboardQueueMember.select().where(
                (SwitchboardQueueMember.queue == queue.id)
                & (SwitchboardQueueMember.id != member.id)
            )
            if not others.exists():
                raise SwitchboardError(
                    N_("Numret är köns enda medlem: en kö måste ha minst en medlem.")
                )
            member.delete_instance()
        elif action in ("pause", "resume"):
            member.paused = action == "pause"
            member.save()
        else:
            raise SwitchboardError(N_("Okänd åtgärd."))
        backend().apply(pbx, "member_" + action, member, {"queue": queue.id})
        audit.record(
            "switchboard.member_" + action,
            service,
            summary=f"{service.number} {MEMBER_ACTIONS[action]} kö {queue.name}",
            after={"queue": queue.id, "action": action},
            organisation=service.organisation_id,
        )


MEMBER_ACTIONS = {
    "join": "gick med i",
    "leave": "lämnade",
    "pause": "pausade i",
    "resume": "återupptog i",
}


# ----------------------------------------------------------------- orders carried out


def carry_out(pbx, payload: dict) -> tuple[dict, dict]:
    """Apply a switchboard change that was ordered (staff's Slutför, through
    domain/service_changes.py); checked again now. (before, after) for the
    order's audit row; SwitchboardError when it can no longer be done."""
    op, target, data = payload.get("switchboard"), payload.get("target"), payload.get("data") or {}
    if op == "employee_save":
        employee = _ordered_target(SwitchboardEmployee, pbx, target) if target else None
        saved = _save_employee(pbx, data, employee)
        return {"switchboard": op}, {"employee": saved.id, **_employee_view(saved)}
    if op == "employee_remove":
        employee = _ordered_target(SwitchboardEmployee, pbx, target)
        remove_employee(pbx, employee)
        return {"switchboard": op, "employee": target}, {}
    if op == "queue_save":
        queue = _ordered_target(SwitchboardQueue, pbx, target) if target else None
        saved = _save_queue(pbx, data, queue)
        return {"switchboard": op}, {"queue": saved.id, "name": saved.name}
    if op == "queue_remove":
        remove_queue(pbx, _ordered_target(SwitchboardQueue, pbx, target))
        return {"switchboard": op, "queue": target}, {}
    if op and op.startswith("member_"):
        queue = _ordered_target(SwitchboardQueue, pbx, target)
        service = Service.get_or_none(
            (Service.id == data.get("service")) & (Service.organisation == pbx.organisation_id)
        )
        if service is None:
            raise SwitchboardError(N_("Numret finns inte längre."))
        _set_membership(service, queue, data.get("action", ""))
        return {"switchboard": op}, {"queue": queue.id, "service": service.id}
    raise SwitchboardError(N_("Okänd ändring av molnväxeln."))


def _ordered_target(model, pbx, target):
    found = model.get_or_none((model.id == target) & (model.pbx == pbx.id))
    if found is None:
        raise SwitchboardError(N_("Det som ändringen gäller finns inte längre i växeln."))
    return found
