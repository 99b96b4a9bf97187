"""The service actions (SRV-3, SRV-4), each an in-place dialog.

Every endpoint loads the service through the user's scope (404 outside it),
refuses with a clear message (403) when the action does not exist for the
kind, the status or the user's permissions, and hands valid input to
domain/service_actions.py. Invalid input re-renders the dialog with the
message next to the field and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from blueprints.services import bp
from blueprints.services.forms import (
    AutoUpgradeForm,
    BarringForm,
    CallerIdForm,
    ChangeForm,
    ExternalUsernameForm,
    ForwardingForm,
    InvoiceTextForm,
    LimitsForm,
    MexForm,
    MoveForm,
    OptionsForm,
    ProfileForm,
    SimForm,
    TerminateForm,
    TopupForm,
    UserNameForm,
    add_error,
    parse_date,
)
from domain import operator as operators
from domain import service_actions as sa
from domain.orders import service_requests
from domain.provisioning import payload_of
from tables.services import BARRING_KINDS, FORWARDING_KINDS, Service, SpendingLimit
from web import dialogs, i18n
from web.auth import get_visible_or_404, parse_id, require
from web.formatting import amount
from web.forms import select_choices
from web.htmx import confirm, is_htmx, trigger
from web.i18n import N_, tr

DIALOGS = "partials/services/dialogs/"


class Refused(Exception):
    """The action is not there for this service or user."""

    def __init__(self, service, message: str):
        super().__init__(message)
        self.service = service
        self.message = message


@bp.errorhandler(Refused)
def refused(error: Refused):
    response = dialogs.show(
        DIALOGS + "_refused.html",
        back_url(error.service),
        service=error.service,
        message=dialogs.message_text(error.message),
        dialog_title=_("Åtgärden kan inte utföras"),
    )
    response.status_code = 403
    return response


def back_url(service) -> str:
    return url_for("services.detail", service_id=service.id)


def load(service_id: int, key: str):
    """The service, if the user may use action ``key`` on it (else Refused)."""
    service = get_visible_or_404(Service, service_id)
    message = sa.refusal(current_user, service, key)
    if message:
        raise Refused(service, message)
    return service


def refresh_attrs(service, endpoint: str) -> dict:
    """htmx attributes that re-render the dialog when a choice changes."""
    return {
        "hx-post": url_for(endpoint, service_id=service.id),
        "hx-trigger": "change",
        "hx-target": "#dialog",
        "hx-vals": '{"refresh": "1"}',
        "hx-disabled-elt": "unset",  # a refresh keeps the fields usable
    }


def is_refresh() -> bool:
    return request.method == "POST" and request.form.get("refresh") == "1"


def dialog(name: str, service, **context):
    """The action dialog ``name``, titled by the action of that name."""
    action = sa.ACTIONS.get(context.pop("action_key", name))
    return dialogs.show(
        f"{DIALOGS}_{name}.html",
        back_url(service),
        service=service,
        dialog_title=context.pop("title", tr(action.label) if action else ""),
        **context,
    )


# What a carried-out change says in the confirmation, by operation
# (%(kind)s: the barring's name, %(user_name)s: the service's new user).
DONE_MESSAGES = {
    "user_name": N_("Användaren är ändrad till %(user_name)s."),
    "external_username": N_("Det externa användarnamnet är sparat."),
    "barring_add": N_("Spärren %(kind)s är tillagd."),
    "barring_remove": N_("Spärren %(kind)s är borttagen."),
    "forwarding": N_("Vidarekopplingarna är sparade."),
    "sim_customer": N_("SIM-kortet är bytt."),
    "sim_send": N_("Ett nytt SIM-kort är beställt."),
    "change_service": N_("Tjänsten är ändrad."),
    "move": N_("Tjänsten är flyttad."),
    "topup": N_("Datapåfyllningen är genomförd."),
    "terminate": N_("Tjänsten är avslutad."),
    "limits": N_("Förbrukningsgränserna är sparade."),
    "options": N_("Optionerna är sparade."),
    "addons": N_("Tilläggsabonnemangen är sparade."),
    "auto_upgrade": N_("Auto-uppgraderingen är sparad."),
    "lost_sim": N_("SIM-kortet är spärrat."),
    "caller_id": N_("Nummervisningen är sparad."),
    "invoice_text": N_("Fakturatexten är sparad."),
    "profile": N_("Profilen är sparad."),
    "mex": N_("Växelstatusen är sparad."),
}


def confirmation(order) -> str:
    """The short confirmation of a requested change: what was done, or
    which order carries it out."""
    payload = payload_of(order)
    if order.status != "completed":
        return _(
            "Beställningen %(order)s är mottagen: %(summary)s.",
            order=order.label,
            summary=dialogs.message_text(sa.order_summary(order)),
        )
    kind = BARRING_KINDS.get(payload.get("kind"), payload.get("kind", ""))
    text = DONE_MESSAGES.get(payload.get("op"), N_("Ändringen är genomförd."))
    return _(text, kind=tr(kind), user_name=payload.get("user_name", ""))


def finished(service, order, note: str = ""):
    """After a request: close the dialog (immediate changes) or show a
    receipt; either way a confirmation, and the page refreshes itself
    (serviceChanged)."""
    done = order.status == "completed"
    if done:
        text = confirmation(order)
    else:
        text = _(
            "Beställningen %(order)s är mottagen och genomförs av %(operator)s. "
            "Den visas under Pågående ändringar tills den är klar.",
            order=order.label,
            operator=operators.current().name,
        )
    if not is_htmx():
        flash(" ".join(p for p in (text, note) if p), "success")
        return redirect(back_url(service), code=303)
    if done and not note:
        return dialogs.done(back_url(service), confirmation(order), serviceChanged=service.id)
    response = dialogs.show(
        DIALOGS + "_done.html",
        back_url(service),
        service=service,
        order=order,
        summary=dialogs.message_text(sa.order_summary(order)),
        text=text,
        note=note,
        dialog_title=_("Tack!"),
    )
    return confirm(trigger(response, serviceChanged=service.id), confirmation(order))


def perform(service, form, prepare, name: str, **context):
    """Validate with ``prepare()`` and request the change; errors go back to
    the dialog ``name`` next to their fields."""
    try:
        args = prepare()
        order = service_requests.request(
            current_user, service, args.pop("op"), args.pop("payload"), **args
        )
    except sa.ActionError as error:
        add_error(form, error)
        return dialog(name, service, form=form, **context)
    return finished(service, order, note=context.get("note_after", ""))


def submit(service, form, prepare, name: str, **context):
    """The usual action: its dialog until ``form`` validates, then perform."""
    if not form.validate_on_submit():
        return dialog(name, service, form=form, **context)
    return perform(service, form, prepare, name, **context)


# --------------------------------------------------------------------- Användare (pencil)


@bp.route("/<int:service_id>/user-name", methods=["GET", "POST"])
@require("services.view")
def user_name(service_id: int):
    service = load(service_id, "user_name")
    form = UserNameForm(data={"user_name": service.user_name})
    form.user_name.label.text = pgettext("tjänstens", "Användare")
    context = {"title": _("Ändra användare")}
    return submit(
        service, form, lambda: sa.prepare_user_name(service, form.user_name.data),
        "user_name", **context,
    )  # fmt: skip


# --------------------------------------------------------------------- Ersätt SIM-kort


def company_address(service) -> dict:
    """The Företagsprofil delivery address, else the account's address."""
    profile = service.organisation.profile()
    if profile.delivery_street:
        return {
            "delivery_name": profile.delivery_name or service.organisation.name,
            "delivery_street": profile.delivery_street,
            "delivery_postcode": profile.delivery_postcode,
            "delivery_city": profile.delivery_city,
        }
    account = service.account
    return {
        "delivery_name": account.company_name,
        "delivery_street": account.street,
        "delivery_postcode": account.postcode,
        "delivery_city": account.city,
    }


def sim_methods(user) -> list[tuple[str, str]]:
    methods = [("", _("Välj metod..."))]
    if user.has("services.hardware"):
        methods.append(("send", _("Skicka nytt SIM")))
    if user.has("services.allocate_sim"):
        methods.append(("customer", _("Använd kundplacerat SIM-kort")))
    return methods


@bp.route("/<int:service_id>/sim", methods=["GET", "POST"])
@require("services.view")
def sim(service_id: int):
    service = load(service_id, "sim")
    form = SimForm(data={**company_address(service), "msisdn": service.number})
    form.method.choices = select_choices(sim_methods(current_user))
    context = {
        "refresh": refresh_attrs(service, "services.sim"),
        "profile_email": current_user.email,
    }
    if is_refresh() or not form.validate_on_submit():
        return dialog("sim", service, form=form, **context)

    def prepare():
        method = form.method.data
        if method == "send":
            if not current_user.has("services.hardware"):
                raise sa.ActionError(
                    N_("Du har inte behörighet att beställa nya SIM-kort."), "method"
                )
            address = {k: form[k].data for k in sa.DELIVERY_FIELDS}
            return sa.prepare_sim_send(service, form.sim_type.data, address, form.email.data)
        if method == "customer":
            if not current_user.has("services.allocate_sim"):
                raise sa.ActionError(
                    N_("Du har inte behörighet att allokera kundplacerade SIM-kort."), "method"
                )
            return sa.prepare_sim_customer(service, form.msisdn.data, form.icc.data)
        raise sa.ActionError(N_("Välj metod."), "method")

    if form.method.data == "customer":
        note = _(
            "Sätt i det nya SIM-kortet i mobilen och starta om den. När telefonen har fått "
            "nät är bytet klart."
        )
    elif form.sim_type.data == "esim":
        note = _(
            "Aktiveringsuppgifterna skickas med e-post. Installera eSIM-profilen och starta "
            "om telefonen."
        )
    else:
        note = _("När SIM-kortet har kommit: sätt i det i mobilen och starta om den.")
    return perform(service, form, prepare, "sim", note_after=note, **context)


# --------------------------------------------------------------------- Mobilspärrar


def barrings_dialog(service, form=None, message=None, status=200):
    form = form or BarringForm()
    kinds = sa.barring_kinds_for(service)
    active = {b.kind for b in service.barrings}
    form.kind.choices = select_choices((k, tr(v)) for k, v in kinds.items() if k not in active)
    response = dialog(
        "barrings",
        service,
        title=_("Hantera spärrar"),
        form=form,
        barrings=list(service.barrings),
        barring_kinds=BARRING_KINDS,
        message=message,
    )
    response.status_code = status
    return response


def barring_changed(service, order):
    text = order_text(order)
    if not is_htmx():
        flash(confirmation(order), "success")
        return redirect(url_for("services.barrings", service_id=service.id), code=303)
    response = trigger(barrings_dialog(service, message=text), serviceChanged=service.id)
    return confirm(response, confirmation(order))


def order_text(order) -> str:
    summary = dialogs.message_text(sa.order_summary(order))
    if order.status == "completed":
        return _("Klart: %(summary)s.", summary=summary)
    return _("Beställt: %(summary)s (order %(order)s).", summary=summary, order=order.label)


@bp.route("/<int:service_id>/barrings", methods=["GET", "POST"])
@require("services.view")
def barrings(service_id: int):
    """Hantera spärrar: the active barrings, "Lägg till" one at a time."""
    service = load(service_id, "barrings")
    form = BarringForm()
    if not form.validate_on_submit():
        return barrings_dialog(service, form)
    try:
        args = sa.prepare_barring_add(service, form.kind.data)
        order = service_requests.request(
            current_user, service, args.pop("op"), args.pop("payload"), **args
        )
    except sa.ActionError as error:
        add_error(form, error)
        return barrings_dialog(service, form)
    return barring_changed(service, order)


@bp.post("/<int:service_id>/barrings/remove")
@require("services.view")
def barring_remove(service_id: int):
    service = load(service_id, "barrings")
    form = BarringForm()
    if not form.validate_on_submit():
        return barrings_dialog(service, form)
    try:
        args = sa.prepare_barring_remove(service, parse_id(request.form.get("barring")))
        order = service_requests.request(
            current_user, service, args.pop("op"), args.pop("payload"), **args
        )
    except sa.ActionError as error:
        add_error(form, error)
        return barrings_dialog(service, form)
    return barring_changed(service, order)


# --------------------------------------------------------------------- Vidarekopplingar


@bp.route("/<int:service_id>/forwardings", methods=["GET", "POST"])
@require("services.view")
def forwardings(service_id: int):
    service = load(service_id, "forwardings")
    current = {f.kind: f for f in service.forwardings}
    data = {f"{kind}_target": f.target for kind, f in current.items()}
    if "no_answer" in current and current["no_answer"].ring_seconds:
        data["no_answer_seconds"] = str(current["no_answer"].ring_seconds)
    form = ForwardingForm(data=data)
    context = {"title": _("Hantera vidarekopplingar")}

    def prepare():
        values = {
            kind: (form[f"{kind}_target"].data, form.no_answer_seconds.data)
            for kind in FORWARDING_KINDS
        }
        return sa.prepare_forwarding(service, values)

    return submit(service, form, prepare, "forwardings", **context)


# --------------------------------------------------------------------- Externt användarnamn


@bp.route("/<int:service_id>/external-username", methods=["GET", "POST"])
@require("services.view")
def external_username(service_id: int):
    service = load(service_id, "external_username")
    form = ExternalUsernameForm(data={"external_username": service.external_username})
    return submit(
        service, form,
        lambda: sa.prepare_external_username(service, form.external_username.data),
        "external_username",
    )  # fmt: skip


# --------------------------------------------------------------------- Ändra tjänst


def _option_choices(products, org) -> list[tuple[str, str]]:
    return [
        (p.code, _("%(name)s – %(price)s/mån", name=p.name, price=i18n.kr(sa.prices(org, p)[0])))
        for p in products
    ]


@bp.route("/<int:service_id>/change", methods=["GET", "POST"])
@require("services.view")
def change(service_id: int):
    """Ändra tjänst: choose data package and price list (with the new costs),
    then "Nästa »" and the desired activation date."""
    service = load(service_id, "change")
    options = sa.change_options(service)
    org = service.organisation
    current = sa.change_preview(service, None, None)
    form = ChangeForm(
        data={
            "price_plan": current["current_plan"].code if current["current_plan"] else "",
            "data_package": current["current_data"].code if current["current_data"] else "",
        }
    )
    form.price_plan.choices = select_choices(_option_choices(options["price_plan"], org))
    form.data_package.choices = select_choices(_option_choices(options["data_package"], org))
    context = {"refresh": refresh_attrs(service, "services.change")}

    def preview():
        return sa.change_preview(service, form.price_plan.data, form.data_package.data)

    if not form.validate_on_submit() or is_refresh():
        return dialog("change", service, form=form, preview=preview(), step="choose", **context)
    if form.step.data != "confirm":
        shown = preview()
        if not shown["changed"]:
            add_error(
                form,
                sa.ActionError(
                    N_("Välj ett annat datapaket eller en annan prislista än de nuvarande.")
                ),
            )
            return dialog("change", service, form=form, preview=shown, step="choose", **context)
        form.desired_date.data = shown["earliest"].isoformat()
        return dialog("change", service, form=form, preview=shown, step="confirm", **context)
    try:
        desired = parse_date(form.desired_date.data, "desired_date")
        args = sa.prepare_change_service(
            service, form.price_plan.data, form.data_package.data, desired
        )
        order = service_requests.request(
            current_user, service, args.pop("op"), args.pop("payload"), **args
        )
    except sa.ActionError as error:
        add_error(form, error)
        step = "confirm" if error.field == "desired_date" else "choose"
        return dialog("change", service, form=form, preview=preview(), step=step, **context)
    return finished(service, order)


# --------------------------------------------------------------------- Flytta till annat konto


@bp.route("/<int:service_id>/move", methods=["GET", "POST"])
@require("services.view")
def move(service_id: int):
    service = load(service_id, "move")
    earliest = sa.earliest_move_date()
    targets = sa.move_targets(current_user, service)
    form = MoveForm(data={"start_date": earliest.isoformat()})
    form.account.choices = select_choices(
        [("", _("Välj konto..."))] + [(str(a.id), a.label) for a in targets]
    )
    context = {"earliest": earliest, "targets": targets}

    def prepare():
        start = parse_date(form.start_date.data, "start_date")
        return sa.prepare_move(current_user, service, form.account.data, start)

    return submit(service, form, prepare, "move", **context)


# --------------------------------------------------------------------- Fyll på data


def _topup_price(ore: int) -> str:
    """Swedish as it always was ("1 234,50 kr"), else the locale's currency."""
    return f"{amount(ore)} kr" if i18n.locale_code() == "sv" else i18n.kr(ore)


@bp.route("/<int:service_id>/topup", methods=["GET", "POST"])
@require("services.view")
def topup(service_id: int):
    service = load(service_id, "topup")
    products = sa.topup_products(service)
    org = service.organisation
    form = TopupForm(data={"product": products[0].code if products else ""})
    form.product.choices = select_choices(
        (p.code, f"{p.name} {_topup_price(sa.prices(org, p)[0] or sa.prices(org, p)[1])}")
        for p in products
    )
    today = dt.date.today()
    context = {"valid_until": sa.last_of_month(today)}
    return submit(
        service, form, lambda: sa.prepare_topup(service, form.product.data), "topup", **context
    )


# --------------------------------------------------------------------- Avsluta tjänst


@bp.route("/<int:service_id>/terminate", methods=["GET", "POST"])
@require("services.view")
def terminate(service_id: int):
    service = load(service_id, "terminate")
    today = dt.date.today()
    form = TerminateForm()
    context = {
        "notice_end": sa.notice_end(service, today),
        "today_iso": today.isoformat(),
        "refresh": refresh_attrs(service, "services.terminate"),
    }
    try:
        chosen = parse_date(form.end_date.data, "end_date")
    except sa.ActionError:
        chosen = None
    if chosen and chosen >= today:
        context["billed_until"] = sa.billed_until(service, chosen, today)
    if is_refresh() or not form.validate_on_submit():
        return dialog("terminate", service, form=form, **context)

    def prepare():
        return sa.prepare_terminate(service, parse_date(form.end_date.data, "end_date"))

    return perform(service, form, prepare, "terminate", **context)


# --------------------------------------------------------------------- Mobiladministration


@bp.route("/<int:service_id>/limits", methods=["GET", "POST"])
@require("services.view")
def limits(service_id: int):
    service = load(service_id, "limits")
    current = {
        limit.kind: limit
        for limit in service.limits.where(SpendingLimit.active == True)  # noqa: E712
    }
    data = {}
    if "call" in current and current["call"].amount_ore:
        data["call_limit"] = str(current["call"].amount_ore // 100)
    if "data" in current and current["data"].data_mb:
        data["data_limit"] = f"{current['data'].data_mb / 1024:g}".replace(".", ",")
    form = LimitsForm(data=data)
    return submit(
        service, form,
        lambda: sa.prepare_limits(service, form.call_limit.data, form.data_limit.data),
        "limits",
    )  # fmt: skip


@bp.route("/<int:service_id>/options", methods=["GET", "POST"])
@require("services.view")
def options(service_id: int):
    service = load(service_id, "options")
    form = OptionsForm(
        data={
            "directory_listed": service.directory_listed,
            "roaming_voice": service.roaming_voice,
            "roaming_data": service.roaming_data,
        }
    )

    def prepare():
        return sa.prepare_options(
            service,
            form.directory_listed.data,
            form.roaming_voice.data,
            form.roaming_data.data,
        )

    return submit(service, form, prepare, "options")


@bp.route("/<int:service_id>/addons", methods=["GET", "POST"])
@require("services.view")
def addons(service_id: int):
    service = load(service_id, "addons")
    from blueprints.services.forms import AddonsForm

    form = AddonsForm()
    products = sa.addon_options(service)
    current = set(sa.current_addon_codes(service))
    chosen = set(request.form.getlist("addons")) if request.method == "POST" else current
    org = service.organisation
    context = {
        "choices": [(p, sa.prices(org, p)[0], p.code in chosen) for p in products],
        "effective": sa.first_of_month(dt.date.today()),
    }
    return submit(
        service, form,
        lambda: sa.prepare_addons(service, request.form.getlist("addons")),
        "addons", **context,
    )  # fmt: skip


@bp.route("/<int:service_id>/auto-upgrade", methods=["GET", "POST"])
@require("services.view")
def auto_upgrade(service_id: int):
    service = load(service_id, "auto_upgrade")
    form = AutoUpgradeForm(data={"auto_upgrade": service.auto_upgrade})
    return submit(
        service, form,
        lambda: sa.prepare_auto_upgrade(service, form.auto_upgrade.data),
        "auto_upgrade",
    )  # fmt: skip


@bp.route("/<int:service_id>/caller-id", methods=["GET", "POST"])
@require("services.view")
def caller_id(service_id: int):
    service = load(service_id, "caller_id")
    mode = "hidden" if service.caller_id_hidden else ("other" if service.caller_id else "own")
    form = CallerIdForm(data={"mode": mode, "number": service.caller_id})
    context = {"refresh": refresh_attrs(service, "services.caller_id")}
    if is_refresh() or not form.validate_on_submit():
        return dialog("caller_id", service, form=form, **context)
    return perform(
        service, form,
        lambda: sa.prepare_caller_id(service, form.mode.data, form.number.data),
        "caller_id", **context,
    )  # fmt: skip


@bp.route("/<int:service_id>/invoice-text", methods=["GET", "POST"])
@require("services.view")
def invoice_text(service_id: int):
    service = load(service_id, "invoice_text")
    form = InvoiceTextForm(data={"invoice_text": service.invoice_text})
    return submit(
        service, form,
        lambda: sa.prepare_invoice_text(service, form.invoice_text.data),
        "invoice_text",
    )  # fmt: skip


@bp.route("/<int:service_id>/profile", methods=["GET", "POST"])
@require("services.view")
def profile(service_id: int):
    service = load(service_id, "profile")
    fields = ("profile_name", "profile_address", "profile_user_email", "profile_admin_email")
    form = ProfileForm(data={k: getattr(service, k) for k in fields})
    return submit(
        service, form,
        lambda: sa.prepare_profile(service, *(form[k].data for k in fields)),
        "profile",
    )  # fmt: skip


@bp.route("/<int:service_id>/mex", methods=["GET", "POST"])
@require("services.view")
def mex(service_id: int):
    service = load(service_id, "mex")
    form = MexForm(data={"mex_status": service.mex_status or "in"})
    return submit(
        service, form, lambda: sa.prepare_mex(service, form.mex_status.data), "mex",
    )  # fmt: skip
