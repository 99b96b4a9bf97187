"""Spärra förlorat SIM-kort and Häv spärr (SRV-4): the lost phone, the most
urgent thing a customer does in the portal, so it is never refused.

Blocking is an urgent operation (domain/provisioning.py): the card is
blocked and the service Spärrad in the portal's records the moment it is
asked for, whatever the provisioning backend answers, and nothing holds it
for approval. A new SIM card is never ordered twice: a SIM order already
pending on the service becomes the replacement, and when it is activated the
service gets back the status the block took (domain/service_changes.py).

Häv spärr (the phone turned up) makes the lost card work again for as long
as no replacement has been activated; a pending replacement order stays,
as an ordinary SIM swap, unless the customer withdraws it in the same step.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from database import write_tx
from domain import audit, provisioning
from domain import service_actions as sa
from domain.orders import service_requests
from domain.text import N_
from tables.orders import Order
from tables.services import Service, SimCard

log = logging.getLogger(__name__)


@dataclass
class Blocked:
    """What a block did: its order, and the replacement SIM order (``adopted``:
    one that was pending already; ``ordered``: a new one; both None: none)."""

    order: Order
    card: SimCard
    adopted: Order | None = None
    ordered: Order | None = None
    not_ordered: str = ""  # why the new SIM card asked for could not be ordered

    @property
    def replacement(self) -> Order | None:
        return self.adopted or self.ordered


@dataclass
class Lifted:
    order: Order
    withdrawn: Order | None = None  # the replacement SIM order withdrawn with it
    kept: Order | None = None  # the replacement SIM order left to go ahead


def blocked_card(service) -> SimCard | None:
    """The service's card, when it is blocked as lost."""
    card = sa.active_sim(service)
    return card if card is not None and card.status == "blocked" else None


def pending_sim_order(service) -> Order | None:
    """A pending order that puts a new SIM card on the service (the oldest)."""
    for order in sa.pending_orders(service).order_by(Order.id):
        if provisioning.payload_of(order).get("op") in sa.SIM_OPERATIONS:
            return order
    return None


def latest_order(service, op: str, card: SimCard) -> Order | None:
    """The newest order of operation ``op`` about ``card``."""
    for order in (
        Order.select()
        .where((Order.service == service.id) & (Order.type == sa.ACTIONS[op].order_type))
        .order_by(Order.id.desc())
    ):
        if provisioning.payload_of(order).get("icc") == card.icc:
            return order
    return None


def block(user, service, *, address: dict | None = None) -> Blocked:
    """Block the service's SIM card as lost. With ``address`` a new SIM card
    is sent there, unless a SIM order is pending already: that one becomes
    the replacement. Raises sa.AlreadyBlocked when the card is blocked
    already, sa.ActionError for a bad address (nothing written)."""
    with write_tx():
        # read again inside the write lock: two requests cannot both block
        service = Service.get_by_id(service.id)
        args = sa.prepare_lost_sim(service)
        card = sa.active_sim(service)
        pending = pending_sim_order(service)
        new_sim = None
        if pending is None and address is not None:
            new_sim = sa.prepare_sim_send(service, "physical", address, "")
        order = service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)
        service = Service.get_by_id(service.id)
        card = SimCard.get_by_id(card.id)
        result = Blocked(order=order, card=card)
        if pending is not None:
            result.adopted = _adopt(pending, card, user, ordered_with_block=False)
        elif new_sim is not None:
            new_sim["payload"].update(after_lost_sim=True, lost_icc=card.icc, with_block=True)
            try:
                with write_tx():  # a savepoint: a failed SIM order leaves the block standing
                    result.ordered = service_requests.request(
                        user, service, new_sim.pop("op"), new_sim.pop("payload"), **new_sim
                    )
            except sa.ActionError as error:
                result.not_ordered = error.message
            except Exception:  # noqa: BLE001 - whatever the backend does, the block stands
                log.exception("ordering the replacement of lost SIM %s failed", card.icc)
                result.not_ordered = N_("Beställningen kunde inte tas emot just nu.")
    return result


def _adopt(order: Order, card: SimCard, user, *, ordered_with_block: bool) -> Order:
    """Make the pending SIM order the lost card's replacement."""
    payload = provisioning.payload_of(order)
    payload.update(after_lost_sim=True, lost_icc=card.icc, with_block=ordered_with_block)
    order.payload = json.dumps(payload, ensure_ascii=False)
    order.save()
    audit.record(
        "order.lost_sim_replacement",
        order,
        summary=f"Order {order.label} blir ersättningskort för förlorat SIM-kort {card.icc}",
        actor=user,
    )
    return order


def lift(user, service, *, withdraw_replacement: bool = False) -> Lifted:
    """Häv spärr: the lost card works again. The pending replacement SIM
    order is withdrawn when asked, else kept as an ordinary SIM swap.
    Raises sa.ActionError when there is no block to lift (nothing written)."""
    with write_tx():
        service = Service.get_by_id(service.id)
        args = sa.prepare_lost_sim_lift(service)
        card = sa.active_sim(service)
        order = service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)
        result = Lifted(order=order)
        # the block's order still waiting for the network has nothing left to do
        block_order = latest_order(service, "lost_sim", card)
        if block_order is not None and block_order.status in provisioning.PENDING_STATUSES:
            provisioning.withdraw(
                block_order, user, N_("Spärren hävdes innan nätet spärrade kortet.")
            )
        pending = pending_sim_order(service)
        if pending is not None and withdraw_replacement:
            provisioning.withdraw(pending, user, N_("Det förlorade SIM-kortet hittades."))
            result.withdrawn = pending
        elif pending is not None:
            payload = provisioning.payload_of(pending)
            for key in ("after_lost_sim", "lost_icc", "with_block"):
                payload.pop(key, None)
            pending.payload = json.dumps(payload, ensure_ascii=False)
            pending.save()
            result.kept = pending
    return result
