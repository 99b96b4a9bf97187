"""Molnväxel changes that the switchboard backend wants as orders (issue 21
item 3): the same calls as domain/switchboard.py, with the signed-in user's
``orderer``, which records the change as a service order on the molnväxel
through domain/orders/service_requests.py — the path of every service action.
The provisioning backend then leaves it *Mottagen* for staff (or carries it
out at once), it is listed under *Pågående ändringar* on the molnväxel's
page, and Slutför applies it (domain/service_changes.py →
``switchboard.carry_out``)."""

from __future__ import annotations

from domain import switchboard
from domain.orders import service_requests
from domain.service_actions import ActionError
from domain.switchboard import Ordered, SwitchboardError

__all__ = ["Ordered", "SwitchboardError"]


def orderer(user):
    """The callable domain/switchboard.py hands a change to when it needs an order."""

    def place(pbx, payload: dict, summary: str):
        try:
            return service_requests.request(user, pbx, "switchboard", payload, summary=summary)
        except ActionError as error:
            raise SwitchboardError(error.message) from error

    return place


def save_employee(user, pbx, data: dict, employee=None):
    return switchboard.save_employee(pbx, data, employee, orderer(user))


def remove_employee(user, pbx, employee):
    return switchboard.remove_employee(pbx, employee, orderer(user))


def save_queue(user, pbx, data: dict, queue=None):
    return switchboard.save_queue(pbx, data, queue, orderer(user))


def remove_queue(user, pbx, queue):
    return switchboard.remove_queue(pbx, queue, orderer(user))


def set_membership(user, service, queue, action: str):
    return switchboard.set_membership(service, queue, action, orderer(user))
