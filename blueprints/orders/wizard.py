"""Ny beställning (ORD-2): konto och typ → produktkategori → produkt →
konfiguration → Slutför beställningen → bekräftelse.

Every step is a page of its own and, for htmx, the same step as a fragment
swapped into ``#wizard``. The state lives on the server in the draft order
(domain/orders/drafts.py): each step writes as it goes, so Back, a reload, a
second tab or a new login find what was entered. Every id a step receives is
looked up through the user's scope and the agreement (404 or a message,
never trusted).
"""

from __future__ import annotations

import json

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.orders import bp
from domain.orders import drafts, pool, sending
from domain.orders.drafts import DraftError
from domain.text import T_
from tables.orders import PRODUCT_AREAS, Order
from tables.org import Account
from web.auth import parse_id, require
from web.htmx import is_htmx, render
from web.i18n import N_, tr

WIZARD = "orders/wizard/"
PARTIALS = "partials/orders/wizard/"
STEPS = [
    N_("Konto"),
    N_("Produktkategori"),
    N_("Produkt"),
    N_("Konfiguration"),
    N_("Slutför beställningen"),
]


def page(step: str, number: int, draft=None, **context):
    """Step ``step`` as a page, or its fragment for htmx."""
    return render(
        f"{WIZARD}page.html",
        f"{PARTIALS}_{step}.html",
        partial_name=f"{PARTIALS}_{step}.html",
        step_number=number,
        steps=STEPS,
        draft=draft,
        **context,
    )


def goto(url: str):
    """On to the next step: htmx loads it into ``#wizard`` (and the address
    bar); without htmx a 303 to its page."""
    if is_htmx():
        response = make_response("")
        response.headers["HX-Location"] = json.dumps(
            {"path": url, "target": "#wizard", "swap": "innerHTML"}
        )
        return response
    return redirect(url, code=303)


def load_draft(draft_id: int) -> Order:
    """A draft the user may resume (their own, or in scope with orders.manage)."""
    draft = drafts.load(current_user, draft_id) if 0 < draft_id < 2**63 else None
    if draft is None:
        abort(404)
    return draft


def load_line(draft: Order, line_id: int):
    line = drafts.line_of(draft, line_id) if 0 < line_id < 2**63 else None
    if line is None:
        abort(404)
    return line


def locked(draft) -> bool:
    return bool(draft and drafts._payload(draft).get("locked"))


# --------------------------------------------------------------------------- step 1


@bp.route("/new", methods=["GET", "POST"])
@require("orders.create")
def new():
    """Konto och typ: Order (from the agreement) or Offert. Started from an
    account (?account=) that account is chosen and locked."""
    preset = None
    if request.args.get("account"):
        preset = (
            drafts.orderable_accounts(current_user)
            .where(Account.id == parse_id(request.values.get("account")))
            .first()
        )
        if preset is None:
            abort(404)
    values = {"account": preset.id if preset else "", "kind": "order"}
    errors: dict = {}
    if request.method == "POST":
        values = _posted_start(preset)
        try:
            draft = drafts.start(current_user, _account_id(values), _is_quote(values))
        except DraftError as error:
            errors = error.errors
        else:
            if preset:
                _mark_locked(draft)
            return goto(url_for("orders.draft_category", draft_id=draft.id))
    return start_page(None, values, errors, preset)


@bp.route("/drafts/<int:draft_id>/start", methods=["GET", "POST"])
@require("orders.create")
def draft_start(draft_id: int):
    draft = load_draft(draft_id)
    preset = draft.account if locked(draft) else None
    values = {"account": draft.account_id, "kind": "quote" if draft.is_quote else "order"}
    errors: dict = {}
    if request.method == "POST":
        values = _posted_start(preset)
        try:
            drafts.start(current_user, _account_id(values), _is_quote(values), draft)
        except DraftError as error:
            errors = error.errors
        else:
            return goto(url_for("orders.draft_category", draft_id=draft.id))
    return start_page(draft, values, errors, preset)


def _posted_start(preset) -> dict:
    """Konto och typ as posted: the account picked from the list, or typed
    as a kundnummer where the user has too many accounts for a list."""
    values = {
        "account": request.form.get("account", ""),
        "account_number": request.form.get("account_number", "").strip()[:20],
        "kind": request.form.get("kind", ""),
    }
    if preset:
        values["account"] = preset.id
    elif "account_number" in request.form:
        typed = drafts.account_by_number(current_user, values["account_number"])
        values["account"] = typed.id if typed else ""
    return values


def _account_id(values) -> int | None:
    if not values["account"] and values.get("account_number"):
        raise DraftError(
            {
                "account": T_(
                    "Inget av dina konton har kundnumret %(number)s.",
                    number=values["account_number"],
                )
            }
        )
    return parse_id(values["account"])


def start_page(draft, values, errors, preset):
    from domain.orders.pricing import current_agreement, order_refusal

    agreement = current_agreement(current_user.organisation_id)
    refusal = None if agreement else order_refusal(current_user.organisation_id)
    if not agreement and not errors and request.method == "GET":
        values["kind"] = "quote"
    orderable = drafts.orderable_accounts(current_user)
    many = orderable.count() > drafts.ACCOUNT_LIST_LIMIT
    if many and values.get("account") and not values.get("account_number"):
        chosen = orderable.where(Account.id == parse_id(values["account"])).first()
        values["account_number"] = chosen.customer_number if chosen else ""
    return page(
        "start",
        1,
        draft,
        accounts=None if many else list(orderable),
        values=values,
        errors=errors,
        preset=preset,
        agreement=agreement,
        refusal=refusal,
        my_drafts=list(drafts.drafts_of(current_user).order_by(Order.changed_at.desc()).limit(5))
        if draft is None
        else [],
    )


def _is_quote(values) -> bool:
    if values.get("kind") not in ("order", "quote"):
        raise DraftError({"kind": N_("Välj order eller offert.")})
    return values["kind"] == "quote"


def _mark_locked(draft) -> None:
    from database import write_tx

    payload = drafts._payload(draft)
    payload["locked"] = True
    with write_tx():
        draft.payload = json.dumps(payload, ensure_ascii=False)
        draft.save(only=[Order.payload])


# --------------------------------------------------------------------------- resume, delete


@bp.route("/drafts/<int:draft_id>")
@require("orders.create")
def draft(draft_id: int):
    """Resume a draft where it makes sense: its products, else the catalogue."""
    found = load_draft(draft_id)
    if drafts.products(found):
        return redirect(url_for("orders.draft_finish", draft_id=found.id))
    return redirect(url_for("orders.draft_category", draft_id=found.id))


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
@require("orders.create")
def draft_delete(draft_id: int):
    found = load_draft(draft_id)
    drafts.delete(current_user, found)
    flash(_("Utkastet %(number)s är borttaget.", number=found.number), "success")
    target = url_for("orders.index")
    if is_htmx():
        response = make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


# --------------------------------------------------------------------------- steps 2, 3


@bp.route("/drafts/<int:draft_id>/category")
@require("orders.create")
def draft_category(draft_id: int):
    found = load_draft(draft_id)
    catalogue = drafts.catalogue_for(found, current_user)
    query = request.args.get("q", "")[:100]
    return page(
        "category",
        2,
        found,
        catalogue=catalogue,
        sections=catalogue.sections(query),
        query=query,
        lines=drafts.products(found),
    )


@bp.route("/drafts/<int:draft_id>/category/<int:category_id>")
@require("orders.create")
def draft_products(draft_id: int, category_id: int):
    found = load_draft(draft_id)
    catalogue = drafts.catalogue_for(found, current_user)
    category = catalogue.category(category_id)
    if category is None:
        abort(404)
    return page(
        "products",
        3,
        found,
        catalogue=catalogue,
        category=category,
        products=catalogue.products_in(category_id),
    )


@bp.route("/drafts/<int:draft_id>/lines", methods=["POST"])
@require("orders.create")
def draft_add(draft_id: int):
    """Lägg till produkt: a line with its defaults, then its configuration."""
    found = load_draft(draft_id)
    try:
        line = drafts.add_product(current_user, found, parse_id(request.form.get("product")))
    except DraftError as error:
        flash(tr(error.errors.get("product")) or "; ".join(map(tr, error.errors.values())), "error")
        return goto(url_for("orders.draft_category", draft_id=found.id))
    return goto(url_for("orders.draft_line", draft_id=found.id, line_id=line.id))


# --------------------------------------------------------------------------- step 4


@bp.route("/drafts/<int:draft_id>/lines/<int:line_id>", methods=["GET", "POST"])
@require("orders.create")
def draft_line(draft_id: int, line_id: int):
    """Konfiguration: every option group with its monthly cost and the
    running totals, recomputed here at each change (htmx ``refresh``)."""
    found = load_draft(draft_id)
    line = load_line(found, line_id)
    errors: dict = {}
    quantity = line.quantity
    if request.method == "POST":
        catalogue = drafts.catalogue_for(found, current_user)
        picked = {
            offer.group.id: request.form.getlist(f"group-{offer.group.id}")
            for offer in catalogue.option_groups(line.product)
        }
        quantity = request.form.get("quantity", line.quantity)
        try:
            drafts.configure(current_user, found, line, picked, quantity)
        except DraftError as error:
            errors = error.errors
        else:
            if request.form.get("action") == "next":
                return goto(url_for("orders.draft_finish", draft_id=found.id))
        line = load_line(found, line_id)
    return line_page(found, line, errors, quantity)


def line_page(found, line, errors, quantity):
    catalogue = drafts.catalogue_for(found, current_user)
    offers = catalogue.option_groups(line.product)
    picked = drafts.chosen(line)
    all_lines = drafts.products(found)
    return page(
        "line",
        4,
        found,
        line=line,
        offers=offers,
        picked=picked,
        errors=errors,
        quantity=quantity,
        catalogue=catalogue,
        line_total=drafts.line_totals(catalogue, line),
        order_total=drafts.totals(catalogue, all_lines),
        several=len(all_lines) > 1,
    )


@bp.route("/drafts/<int:draft_id>/lines/<int:line_id>/remove", methods=["POST"])
@require("orders.create")
def draft_line_remove(draft_id: int, line_id: int):
    found = load_draft(draft_id)
    line = load_line(found, line_id)
    drafts.remove_line(found, line)
    flash(_("%(product)s är borttagen ur beställningen.", product=line.name), "success")
    if drafts.products(found):
        return goto(url_for("orders.draft_finish", draft_id=found.id))
    return goto(url_for("orders.draft_category", draft_id=found.id))


# --------------------------------------------------------------------------- step 5


@bp.route("/drafts/<int:draft_id>/finish", methods=["GET", "POST"])
@require("orders.create")
def draft_finish(draft_id: int):
    """Slutför beställningen. Every POST keeps what was typed first; then
    ``action`` says what else: autosave (nothing), refresh (re-render),
    save (Spara som utkast), add (Lägg till produkt), send (Skicka)."""
    found = load_draft(draft_id)
    errors: dict = {}
    if request.method == "POST":
        action = request.form.get("action", "save")
        drafts.save_finish(found, request.form)
        if action == "autosave":
            response = make_response("", 204)
            return response
        if action == "save":
            flash(
                _("Beställningen är sparad som utkast %(number)s.", number=found.number), "success"
            )
            return goto(url_for("orders.index"))
        if action == "add":
            return goto(url_for("orders.draft_category", draft_id=found.id))
        if action == "send":
            try:
                orders = sending.send(found, current_user)
            except sending.AlreadySent:
                return goto(url_for("orders.sent", order_id=found.id))
            except DraftError as error:
                errors = error.errors
            else:
                return goto(url_for("orders.sent", order_id=orders[0].id))
    return finish_page(found, errors)


def finish_page(found, errors):
    catalogue = drafts.catalogue_for(found, current_user)
    lines = drafts.products(found)
    form = drafts.order_form(found)
    profile = found.organisation.profile()
    line_details = {line.id: drafts.details(line) for line in lines}
    postcodes = {
        line.id: drafts.availability(line_details[line.id].get("postcode", "").replace(" ", ""))
        for line in lines
        if "address" in line.product.finish_keys
    }
    needs_delivery = any(
        "delivery" in line.product.finish_keys
        or ("sim" in line.product.finish_keys and line_details[line.id].get("sim", "new") == "new")
        for line in lines
    )
    # The numbers another line of this draft has chosen stay in every list.
    free = pool.free_numbers("mobile", limit=50)
    return page(
        "finish",
        5,
        found,
        lines=lines,
        line_details=line_details,
        line_totals={line.id: drafts.line_totals(catalogue, line) for line in lines},
        order_total=drafts.totals(catalogue, lines),
        catalogue=catalogue,
        form=form,
        errors=errors,
        profile=profile,
        free_numbers=free,
        postcodes=postcodes,
        needs_delivery=needs_delivery,
        accounts=drafts.billing_choices(current_user, found.account),
        contacts=list(drafts.contacts_for(current_user).order_by(drafts.Contact.name)),
        sim_choices=drafts.SIM_CHOICES,
        number_choices=drafts.NUMBER_CHOICES,
        contact_methods=drafts.CONTACT_METHODS,
        delivery_choices=drafts.DELIVERY_CHOICES,
        may_allocate=current_user.has("services.allocate_sim"),
    )


# --------------------------------------------------------------------------- step 6


@bp.route("/sent/<int:order_id>")
@require(("orders.create", "orders.manage"))
def sent(order_id: int):
    """Bekräftelse: the order numbers of everything sent together."""
    if not 0 < order_id < 2**63:
        abort(404)
    order = Order.visible_to(current_user).where(Order.id == order_id).first()
    if order is None or order.status == "draft":
        abort(404)
    batch = list(
        Order.visible_to(current_user)
        .where((Order.batch == order.batch) & (Order.batch != ""))
        .order_by(Order.number)
    ) or [order]
    return page("sent", 6, None, orders=batch, areas=PRODUCT_AREAS)
