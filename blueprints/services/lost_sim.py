"""Spärra förlorat SIM-kort and Häv spärr: the dialogs of the lost phone.

Blocking is never refused for want of anyone's approval or because an order
is pending (the rules and writes: domain/lost_sim.py). A second submit, a
colleague who got there first or Back and submit again all end on the same
answer: the card is blocked, by which order, and what replaces it.
"""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.services import bp
from blueprints.services.actions import DIALOGS, Refused, back_url, company_address, dialog
from blueprints.services.forms import LostSimForm, LostSimLiftForm, add_error
from domain import lost_sim as lost
from domain import provisioning
from domain import service_actions as sa
from tables.orders import Order
from tables.services import Service
from web import dialogs
from web.auth import get_visible_or_404, require
from web.htmx import confirm, is_htmx, trigger


def allowed(service, key: str):
    """``service`` if the user may use action ``key`` on it, else Refused (403)."""
    message = sa.refusal(current_user, service, key)
    if message:
        raise Refused(service, message)
    return service


def settled(service, response):
    """An answer telling what is already so: the page behind may be stale."""
    if is_htmx():
        return trigger(response, serviceChanged=service.id)
    return response


@bp.route("/<int:service_id>/lost-sim", methods=["GET", "POST"])
@require("services.view")
def lost_sim(service_id: int):
    """Spärra förlorat SIM-kort: blocked at once; a pending SIM order becomes
    the replacement, else a new card may be sent with it."""
    service = get_visible_or_404(Service, service_id)
    if lost.blocked_card(service) is not None and current_user.has("services.hardware"):
        return already_blocked(service)
    allowed(service, "lost_sim")
    replacement = lost.pending_sim_order(service)
    form = LostSimForm(
        data={
            **company_address(service),
            "order_new": True,
            "replacement": str(replacement.id) if replacement else "",
        }
    )
    context = {"sim": sa.active_sim(service), "replacement": replacement}
    if not form.validate_on_submit():
        return dialog("lost_sim", service, form=form, **context)
    address = None
    # the address only counts where the dialog offered a new card
    if not form.replacement.data and form.order_new.data:
        address = {k: form[k].data for k in sa.DELIVERY_FIELDS}
    try:
        result = lost.block(current_user, service, address=address)
    except sa.AlreadyBlocked:
        return already_blocked(service)
    except sa.ActionError as error:
        add_error(form, error)
        return dialog("lost_sim", service, form=form, **context)
    return blocked(service, result, promised=form.replacement.data)


def blocked(service, result: lost.Blocked, promised: str = ""):
    """The receipt: the card is blocked, with the order number and what replaces it."""
    order = result.order
    gone = None  # the replacement the dialog promised, no longer pending
    if promised.isdigit() and (result.adopted is None or str(result.adopted.id) != promised):
        gone = Order.get_or_none((Order.id == int(promised)) & (Order.service == service.id))
    message = _(
        "SIM-kortet %(icc)s är spärrat (order %(order)s).", icc=result.card.icc, order=order.label
    )
    if not is_htmx():
        flash(message, "success")
        return redirect(back_url(service), code=303)
    response = dialogs.show(
        DIALOGS + "_lost_sim_done.html",
        back_url(service),
        service=service,
        result=result,
        ordered_summary=sa.order_summary(result.ordered) if result.ordered else "",
        gone=gone,
        dialog_title=_("SIM-kortet är spärrat"),
    )
    return trigger(confirm(response, message), serviceChanged=service.id)


def already_blocked(service):
    """Someone (or an earlier submit) blocked the card already: say so, as information."""
    card = lost.blocked_card(service)
    response = dialog(
        "lost_sim_blocked",
        service,
        title=_("SIM-kortet är redan spärrat"),
        card=card,
        order=lost.latest_order(service, "lost_sim", card),
        replacement=lost.pending_sim_order(service),
        can_lift=sa.refusal(current_user, service, "lost_sim_lift") is None,
    )
    return settled(service, response)


@bp.route("/<int:service_id>/lost-sim/lift", methods=["GET", "POST"])
@require("services.view")
def lost_sim_lift(service_id: int):
    """Häv spärr: the lost phone turned up; its card works again."""
    service = get_visible_or_404(Service, service_id)
    if sa.refusal(current_user, service, "lost_sim_lift") and already_lifted(service):
        return lifted_already(service)
    allowed(service, "lost_sim_lift")
    card = lost.blocked_card(service)
    replacement = lost.pending_sim_order(service)
    with_block = bool(replacement and provisioning.payload_of(replacement).get("with_block"))
    form = LostSimLiftForm(data={"withdraw": with_block})
    context = {
        "card": card,
        "block_order": lost.latest_order(service, "lost_sim", card),
        "replacement": replacement,
        # Spärrad for another reason before the card was lost: it stays so
        "stays_barred": service.status == "barred" and card.blocked_status == "barred",
    }
    if not form.validate_on_submit():
        return dialog(
            "lost_sim_lift", service, form=form, title=_("Häv spärr av SIM-kort"), **context
        )
    try:
        result = lost.lift(
            current_user, service, withdraw_replacement=bool(form.withdraw.data and replacement)
        )
    except sa.ActionError as error:
        if already_lifted(service):
            return lifted_already(service)
        add_error(form, error)
        return dialog(
            "lost_sim_lift", service, form=form, title=_("Häv spärr av SIM-kort"), **context
        )
    message = _(
        "Spärren är hävd och SIM-kortet %(icc)s fungerar igen (order %(order)s).",
        icc=card.icc,
        order=result.order.label,
    )
    if result.withdrawn is not None:
        message += " " + _(
            "Beställningen %(order)s av nytt SIM-kort är avbruten.", order=result.withdrawn.label
        )
    elif result.kept is not None:
        message += " " + _(
            "Beställningen %(order)s av nytt SIM-kort ligger kvar.", order=result.kept.label
        )
    return dialogs.done(back_url(service), message, serviceChanged=service.id)


def already_lifted(service) -> Order | None:
    """The order that lifted the block of the service's (working) card, for
    a user who may lift blocks: a second submit, or a colleague first."""
    card = sa.active_sim(service)
    if card is None or card.status != "active" or not current_user.has("services.hardware"):
        return None
    return lost.latest_order(service, "lost_sim_lift", card)


def lifted_already(service):
    response = dialog(
        "lost_sim_lifted",
        service,
        title=_("Spärren är redan hävd"),
        card=sa.active_sim(service),
        order=already_lifted(service),
    )
    return settled(service, response)
