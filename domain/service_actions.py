"""Service actions (SRV-3, SRV-4): which exist, for which kind and status of
service and which user, and which operation an order stands for.

A request goes: :func:`check` (kind, status, permission) → a ``prepare_*``
function of domain/service_rules.py (the values, dates and business rules;
raises :class:`ActionError` with a message for the form) →
domain/orders/service_requests.request (an Order with the operation in its
payload, handed to the provisioning backend, see domain/provisioning.py) →
domain/service_changes.py when it is carried out, now or later by operator
staff. Nothing is written unless every check passed.

Layers: service_terms → service_rules → service_actions → service_changes →
provisioning → domain/orders. The names of the two lower modules imported
below stay reachable from here (``sa.prepare_terminate``, ``sa.active_sim``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from domain.mobile_admin_rules import (  # noqa: F401 - part of this module's interface
    AlreadyBlocked,
    organisation_numbers_match,
    prepare_addons,
    prepare_auto_upgrade,
    prepare_caller_id,
    prepare_invoice_text,
    prepare_limits,
    prepare_lost_sim,
    prepare_lost_sim_lift,
    prepare_mex,
    prepare_options,
    prepare_profile,
)
from domain.service_rules import (  # noqa: F401 - part of this module's interface
    DELIVERY_FIELDS,
    SIM_TYPES,
    VOICE_KINDS,
    ActionError,
    barring_kinds_for,
    change_preview,
    decode_text,
    delivery_address,
    icc_refusal,
    move_targets,
    prepare_barring_add,
    prepare_barring_remove,
    prepare_change_service,
    prepare_external_username,
    prepare_forwarding,
    prepare_move,
    prepare_sim_customer,
    prepare_sim_send,
    prepare_terminate,
    prepare_topup,
    prepare_user_name,
)
from domain.service_terms import (  # noqa: F401 - part of this module's interface
    PENDING_STATUSES,
    active_sim,
    add_months,
    addon_options,
    billed_until,
    change_options,
    current_addon_codes,
    current_data_line,
    earliest_move_date,
    first_of_month,
    first_of_next_month,
    last_of_month,
    notice_end,
    pending_orders,
    prices,
    topup_products,
)
from domain.text import N_, T_
from permissions import holds_any
from tables.orders import ORDER_TYPES
from tables.services import MOBILE_KINDS, SERVICE_KINDS, SERVICE_STATUSES, SimCard

ALL_KINDS = tuple(SERVICE_KINDS)
ANY_STATUS = tuple(SERVICE_STATUSES)
OPEN = ("active", "barred")
RUNNING = ("active", "barred", "terminating")

PRODUCT_AREA = {
    "mobile": "mobile",
    "mobile_pbx": "mobile",
    "mbb": "mobile",
    "cloud_pbx": "fixed",
    "sip_trunk": "fixed",
    "number_series": "fixed",
}

# ----------------------------------------------------------------- the actions


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    order_type: str | None  # None: not an order (Skapa ärende)
    permission: str | tuple[str, ...]
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    group: str = "main"  # main: Åtgärder; admin: Mobiladministration; inline: pencil
    requires: Callable | None = None  # further condition on the service → message or None


def _has_change_options(service) -> str | None:
    options = change_options(service)
    if not options["data_package"] and not options["price_plan"]:
        return N_("Tjänsten har inga datapaket eller prislistor att byta till.")
    return None


def _has_addon_options(service) -> str | None:
    if not addon_options(service):
        return N_("Det finns inga tilläggsabonnemang för den här tjänsten.")
    return None


def _has_sim(service) -> str | None:
    sim = active_sim(service)
    if sim is None:
        return N_("Tjänsten har inget aktivt SIM-kort att spärra.")
    if sim.status == "blocked":
        return N_("SIM-kortet är redan spärrat.")
    return None


def _has_lost_block(service) -> str | None:
    """Häv spärr: while the lost card is blocked and no replacement is active."""
    sim = active_sim(service)
    if sim is not None and sim.status == "blocked":
        return None
    replaced = (
        SimCard.select()
        .where(
            (SimCard.service == service.id)
            & (SimCard.status == "replaced")
            & SimCard.blocked_at.is_null(False)
        )
        .exists()
    )
    if replaced and sim is not None:
        return N_(
            "Det förlorade SIM-kortet har ersatts av ett nytt och förblir spärrat; "
            "spärren kan inte hävas."
        )
    return N_("SIM-kortet är inte spärrat.")


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        Action("user_name", N_("Ändra användare"), "setting", "services.addons", ALL_KINDS,
               ("ordered",) + RUNNING, group="inline"),
        Action("sim", N_("Ersätt SIM-kort"), "sim_swap",
               ("services.hardware", "services.allocate_sim"), MOBILE_KINDS, OPEN),
        Action("barrings", N_("Mobilspärrar"), "barring", "services.addons", MOBILE_KINDS, RUNNING),
        Action("forwardings", N_("Vidarekopplingar"), "forwarding", "services.addons", VOICE_KINDS,
               RUNNING),
        Action("external_username", N_("Externt användarnamn"), "setting",
               "services.external_username", MOBILE_KINDS, RUNNING),
        Action("change", N_("Ändra tjänst"), "change", "orders.create", ALL_KINDS, OPEN,
               requires=_has_change_options),
        Action("move", N_("Flytta till annat konto"), "move", "services.move", ALL_KINDS, OPEN),
        Action("topup", N_("Fyll på data"), "topup", "orders.create", MOBILE_KINDS, ("active",)),
        Action("terminate", N_("Avsluta tjänst"), "termination", "orders.create", ALL_KINDS,
               ("ordered", "active", "barred")),
        Action("ticket", N_("Skapa ärende"), None, ("tickets.manage", "faults.create"), ALL_KINDS,
               ANY_STATUS),
        # Stofa's mobile administration (SRV-4) and other settings
        Action("limits", N_("Förbrukningsgränser"), "setting", "services.addons", MOBILE_KINDS,
               RUNNING, group="admin"),
        Action("options", N_("Optioner"), "setting", "services.addons", MOBILE_KINDS, RUNNING,
               group="admin"),
        Action("addons", N_("Tilläggsabonnemang"), "addon", "services.addons", MOBILE_KINDS, OPEN,
               group="admin", requires=_has_addon_options),
        Action("auto_upgrade", N_("Auto-uppgradering"), "setting", "services.addons", MOBILE_KINDS,
               RUNNING, group="admin"),
        Action("lost_sim", N_("Spärra förlorat SIM-kort"), "lost_sim", "services.hardware",
               MOBILE_KINDS, OPEN, group="admin", requires=_has_sim),
        Action("lost_sim_lift", N_("Häv spärr"), "lost_sim_lift", "services.hardware",
               MOBILE_KINDS, OPEN, group="admin", requires=_has_lost_block),
        Action("caller_id", N_("Nummervisning"), "setting", "services.addons", VOICE_KINDS, RUNNING,
               group="admin"),
        Action("invoice_text", N_("Fakturatext"), "setting", "services.addons", ALL_KINDS, RUNNING,
               group="admin"),
        Action("profile", N_("Profil"), "setting", "services.addons", MOBILE_KINDS, RUNNING,
               group="admin"),
        Action("mex", N_("Växelstatus (MEX)"), "setting", "services.mex", ("mobile_pbx",), RUNNING,
               group="admin"),
        # A molnväxel change that its backend wants as an order (domain/switchboard.py):
        # placed from the Medarbetare/Köer dialogs, never listed among the actions.
        Action("switchboard", N_("Ändring i molnväxeln"), "setting",
               ("services.addons", "services.mex"), ("cloud_pbx",), RUNNING, group="switchboard"),
    ]
}  # fmt: skip

# operation (payload "op") → the action whose rules it follows
OPERATIONS = {
    "user_name": "user_name",
    "sim_send": "sim",
    "sim_customer": "sim",
    "barring_add": "barrings",
    "barring_remove": "barrings",
    "forwarding": "forwardings",
    "external_username": "external_username",
    "change_service": "change",
    "move": "move",
    "topup": "topup",
    "terminate": "terminate",
    "limits": "limits",
    "options": "options",
    "addons": "addons",
    "auto_upgrade": "auto_upgrade",
    "lost_sim": "lost_sim",
    "lost_sim_lift": "lost_sim_lift",
    "caller_id": "caller_id",
    "invoice_text": "invoice_text",
    "profile": "profile",
    "mex": "mex",
    "switchboard": "switchboard",
}
# A narrower permission for one way of doing an action.
OPERATION_PERMISSION = {
    "sim_send": "services.hardware",
    "sim_customer": "services.allocate_sim",
}
# Operations of which a service may have only one pending at a time.
ONE_PENDING = ("sim_send", "change_service", "move", "terminate", "addons", "lost_sim_lift")
# Operations that put a new SIM card on the service.
SIM_OPERATIONS = ("sim_send", "sim_customer")


def refusal(user, service, key: str) -> str | None:
    """Why ``user`` may not use action ``key`` on ``service`` (None: allowed)."""
    action = ACTIONS[key]
    if service.kind not in action.kinds:
        return T_(
            "Åtgärden %(action)s finns inte för tjänster av typen %(kind)s.",
            action=T_(action.label),
            kind=T_(service.kind_label),
        )
    if not holds_any(user, action.permission):
        return T_("Du har inte behörighet att använda %(action)s.", action=T_(action.label))
    if service.status not in action.statuses:
        return T_(
            "Åtgärden %(action)s kan inte användas när tjänsten har status %(status)s.",
            action=T_(action.label),
            status=T_(service.status_label),
        )
    if action.requires is not None:
        return action.requires(service)
    return None


def check(user, service, key: str) -> Action:
    message = refusal(user, service, key)
    if message:
        raise ActionError(message)
    return ACTIONS[key]


def available(user, service) -> list[Action]:
    return [a for key, a in ACTIONS.items() if refusal(user, service, key) is None]


# ----------------------------------------------------------------- orders' operations

# Orders made before service actions recorded their operation (imports, demo
# data) have only a type: the operation it stands for.
TYPE_OPERATIONS = {
    "termination": "terminate",
    "move": "move",
    "change": "change_service",
    "topup": "topup",
    "addon": "addons",
    "lost_sim": "lost_sim",
}


def payload_of(order) -> dict:
    """A service-action order's payload, with the operation it stands for."""
    try:
        payload = json.loads(order.payload or "{}")
    except ValueError:
        payload = {}
    if "op" not in payload:
        if order.type == "sim_swap":
            payload["op"] = "sim_customer" if payload.get("method") == "customer" else "sim_send"
        elif order.type in TYPE_OPERATIONS:
            payload["op"] = TYPE_OPERATIONS[order.type]
    return payload


def order_summary(order) -> str:
    """What a service order asks for, in words (Produkter for orders without lines)."""
    payload = payload_of(order)
    if payload.get("summary"):
        summary = payload["summary"]
        if payload.get("summary_text"):
            try:
                summary = decode_text(payload["summary_text"])
            except (KeyError, TypeError, ValueError):
                summary = payload["summary"]
        if payload.get("lost_icc"):
            return T_(
                "%(summary)s – ersätter förlorat SIM-kort %(icc)s",
                summary=summary,
                icc=payload["lost_icc"],
            )
        return summary
    label = ORDER_TYPES.get(order.type, order.type)
    if order.type == "termination" and payload.get("end_date"):
        return T_("Avslut per %(date)s", date=payload["end_date"])
    if order.type == "sim_swap" and payload.get("method") == "send":
        sim_type = SIM_TYPES.get(payload.get("sim_type"), N_("SIM-kort"))
        return T_("Nytt SIM-kort (%(type)s) skickas", type=T_(sim_type))
    return label
