"""Konton (ACC-1) and the account page (ACC-2).

/accounts shows the list view on the right and the searchable tree on the
left. /accounts/<id> is the account page; its tabs are their own URLs
(/accounts/<id>/services …), loaded in place by htmx and whole on reload.
For htmx every tab URL answers the tab area (tabs + panel); the list inside
a list tab carries ``hx-select`` so its own sorting and paging take just the
list out of that answer.
"""

from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.accounts import account_or_404, bp, tree
from blueprints.invoices import INVOICE_LIST
from blueprints.orders import ORDER_LIST
from blueprints.services import SERVICE_LIST
from blueprints.tickets import TICKET_LIST
from permissions import ORDER_AREA, TICKET_AREA, holds_any
from tables.billing import Invoice
from tables.orders import Order
from tables.org import CONTACT_ROLES, INVOICE_DELIVERY, Account, Contact, User
from tables.scope import visible_accounts
from tables.services import Service
from tables.tickets import Ticket
from web import excel
from web.auth import MAX_ID, parse_id, require
from web.formatting import url_if
from web.htmx import is_htmx, render
from web.i18n import N_
from web.listcolumns import Column, number_column, text_column
from web.lists.groups import GroupRule
from web.listview import ListView

# ----------------------------------------------------------------------------- the list


def accounts_query(user):
    return visible_accounts(user)


ACCOUNT_LIST = ListView(
    name="accounts",
    groups=GroupRule(account=Account.id),
    model=Account,
    query=accounts_query,
    row_template="partials/accounts/_rows.html",
    default_sort=("tree", "asc"),
    export_title=N_("Konton"),
    columns=[
        text_column("customer", N_("Kundnummer"), Account.customer_number),
        number_column("org", N_("Org. nr."), Account.org_number),
        text_column("name", N_("Namn"), Account.company_name),
        text_column("alias", N_("Alias"), Account.alias),
        text_column("reference", N_("Referens"), Account.invoice_reference),
        # Only in the Excel export:
        Column(
            "active",
            N_("Aktiv"),
            export=Account.active,
            export_format=excel.to_bool,
            show=False,
        ),
        Column("street", N_("Adress"), export=Account.street, show=False),
        Column("postcode", N_("Postnummer"), export=Account.postcode, show=False),
        Column("city", N_("Ort"), export=Account.city, show=False),
        # The default order: the tree's (each sub-tree together, parents first).
        Column("tree", N_("Trädordning"), sort=Account.path, show=False),
    ],
    essential=("customer", "name", "alias"),  # a phone's card
)


@bp.route("")
@require("accounts.view")
def index():
    """Konton: list view on the right, searchable tree on the left (ACC-1)."""
    tree_query = request.args.get("tq", "").strip()
    # htmx asks for the list only (sorting, paging, filters): no tree then.
    tree_parts = {} if is_htmx() else tree_context(current=None, query=tree_query)
    return ACCOUNT_LIST.respond(
        current_user, "accounts/index.html", tree_query=tree_query, **tree_parts
    )


# ----------------------------------------------------------------------------- the tree


def tree_context(current: Account | None, query: str = "") -> dict:
    if query:
        return {"tree_search": tree.search(current_user, query), "tree_nodes": None}
    return {"tree_search": None, "tree_nodes": tree.tree(current_user, current)}


def _current_id() -> int | None:
    return parse_id(request.args.get("current"))


def _current_account() -> Account | None:
    current_id = _current_id()
    if current_id is None:
        return None
    return visible_accounts(current_user).where(Account.id == current_id).get_or_none()


@bp.route("/tree")
@require("accounts.view")
def tree_body():
    """The tree panel's body: search hits with their paths, or (empty
    search) the tree opened down to the current account."""
    query = request.args.get("tq", "").strip()
    current = _current_account()
    return render_template(
        "partials/accounts/_tree_body.html",
        current_id=current.id if current else None,
        tree_query=query,
        **tree_context(current, query),
    )


@bp.route("/tree/<int:account_id>")
@require("accounts.view")
def tree_children(account_id: int):
    """One page of a branch's children (opening a branch, "Visa fler")."""
    parent = account_or_404(account_id)
    offset = min(max(0, request.args.get("offset", 0, type=int)), MAX_ID)
    node = tree.branch(current_user, parent, offset=offset, skip=parse_id(request.args.get("skip")))
    return render_template(
        "partials/accounts/_tree_children.html", node=node, current_id=_current_id()
    )


@bp.route("/tree/<int:account_id>/node")
@require("accounts.view")
def tree_node(account_id: int):
    """One node again (after its alias changed or a sub-account was added)."""
    account = account_or_404(account_id)
    node = tree.nodes_for(current_user, [account])[0]
    if request.args.get("open") and node.child_count:
        tree.load_children(current_user, node)
    return render_template("partials/accounts/_tree_node.html", node=node, current_id=_current_id())


# ----------------------------------------------------------------------------- the account page

SCOPES = {
    "all": N_("Alla konton"),
    "this": N_("Detta konto"),
    "subtree": N_("Detta konto och underkonton"),
}

# (key, label, endpoint, permission(s)); the list tabs name their list too.
TABS = [
    ("general", N_("Generellt"), "accounts.detail", None),
    ("services", N_("Tjänster"), "accounts.services", "services.view"),
    ("orders", N_("Beställningar"), "accounts.orders", ORDER_AREA),
    ("invoices", N_("Fakturor"), "accounts.invoices", "invoices.view"),
    ("tickets", N_("Ärenden"), "accounts.tickets", TICKET_AREA),
]

# The scope selector's label on each list tab ("Tjänster för: Detta konto").
SCOPE_LABELS = {
    "services": N_("Tjänster för:"),
    "orders": N_("Beställningar för:"),
    "invoices": N_("Fakturor för:"),
    "tickets": N_("Ärenden för:"),
}


def visible_tabs(user) -> list[tuple[str, str, str]]:
    return [
        (key, label, endpoint)
        for key, label, endpoint, permission in TABS
        if permission is None or holds_any(user, permission)
    ]


def scope_choices(user) -> dict[str, str]:
    """What the selector offers: "Alla konton" only to an Administratör
    (a Kontoadministratör's "all" would be no more than their own branch)."""
    keys = ("all", "this", "subtree") if user.is_admin else ("this", "subtree")
    return {key: SCOPES[key] for key in keys}


def chosen_scope(user) -> str:
    scope = request.args.get("scope", "this")
    return scope if scope in scope_choices(user) else "this"


def scope_condition_for(model, account: Account, scope: str):
    if scope == "this":
        return model.account == account.id
    if scope == "subtree":
        return model.account.in_(account.subtree_ids())
    return None  # all: what the user may see anyway (the list's own scope)


def account_context(account: Account, tab: str) -> dict:
    """What the account page needs; the tree only for a whole page."""
    return {
        "account": account,
        "tab": tab,
        "tabs": visible_tabs(current_user),
        "parent": (
            visible_accounts(current_user).where(Account.id == account.parent_id).get_or_none()
            if account.parent_id
            else None
        ),
        **(tree_context(account) if not is_htmx() else {}),
        "current_id": account.id,
    }


@bp.route("/<int:account_id>")
@require("accounts.view")
def detail(account_id: int):
    """Generellt: Kunduppgifter, Kontaktuppgifter and Åtgärder."""
    account = account_or_404(account_id)
    context = account_context(account, "general") | general_context(account)
    return render("accounts/account.html", "partials/accounts/_main.html", **context)


def general_context(account: Account) -> dict:
    return {
        "contacts": contacts_of(account),
        "delivery_labels": INVOICE_DELIVERY,
        "role_labels": CONTACT_ROLES,
        "ticket_url": (
            url_if("tickets.new", account=account.id)
            if holds_any(current_user, ("tickets.manage", "faults.create"))
            else None
        ),
        "order_url": (
            url_if("orders.new", account=account.id) if current_user.has("orders.create") else None
        ),
    }


def contacts_of(account: Account) -> list[Contact]:
    """The account's contact persons, each marked when a portal user is linked."""
    contacts = list(account.contacts.order_by(Contact.name, Contact.id))
    linked = {
        contact_id
        for (contact_id,) in User.select(User.contact)
        .where(User.contact.in_([c.id for c in contacts]))
        .tuples()
    }
    for contact in contacts:
        contact.is_user = contact.id in linked
    return contacts


@bp.route("/<int:account_id>/details")
@require("accounts.view")
def details_part(account_id: int):
    """Kunduppgifter again, after an edit (listens for accountChanged)."""
    account = account_or_404(account_id)
    if not is_htmx():
        return redirect(url_for("accounts.detail", account_id=account.id))
    parent = None
    if account.parent_id:
        parent = visible_accounts(current_user).where(Account.id == account.parent_id).first()
    return render_template(
        "partials/accounts/_details.html",
        account=account,
        parent=parent,
        delivery_labels=INVOICE_DELIVERY,
    )


@bp.route("/<int:account_id>/contacts")
@require("accounts.view")
def contacts_part(account_id: int):
    """Kontaktuppgifter again, after a change (listens for contactsChanged)."""
    account = account_or_404(account_id)
    if not is_htmx():
        return redirect(url_for("accounts.detail", account_id=account.id))
    return render_template(
        "partials/accounts/_contacts.html",
        account=account,
        contacts=contacts_of(account),
        role_labels=CONTACT_ROLES,
    )


def list_tab(account_id: int, tab: str, listview: ListView, model, **context):
    """A list tab: the shared list view narrowed by the scope selector."""
    account = account_or_404(account_id)
    scope = chosen_scope(current_user)
    extra = scope_condition_for(model, account, scope)
    context |= account_context(account, tab) | {
        "lv_tab": listview,
        "scope": scope,
        "scope_choices": scope_choices(current_user),
        "scope_label": SCOPE_LABELS[tab],
    }
    if is_htmx() and not request.args.get("export"):
        # The tab area (tabs, selector, list); the list's own requests
        # select their part of it (hx-select).
        listing = listview.page(current_user, listview.state(), extra)
        return render(
            "accounts/account.html",
            "partials/accounts/_main.html",
            lv=listview,
            lp=listing,
            **context,
        )
    return listview.respond(current_user, "accounts/account.html", extra=extra, **context)


@bp.route("/<int:account_id>/services")
@require("accounts.view")
@require("services.view")
def services(account_id: int):
    return list_tab(account_id, "services", SERVICE_LIST, Service)


@bp.route("/<int:account_id>/orders")
@require("accounts.view")
@require(ORDER_AREA)
def orders(account_id: int):
    return list_tab(account_id, "orders", ORDER_LIST, Order)


@bp.route("/<int:account_id>/invoices")
@require("accounts.view")
@require("invoices.view")
def invoices(account_id: int):
    return list_tab(account_id, "invoices", INVOICE_LIST, Invoice, today=dt.date.today())


@bp.route("/<int:account_id>/tickets")
@require("accounts.view")
@require(TICKET_AREA)
def tickets(account_id: int):
    return list_tab(account_id, "tickets", TICKET_LIST, Ticket)


@bp.app_template_filter("postcode")
def postcode_filter(code: str) -> str:
    from domain.numbers import format_postcode

    return format_postcode(code or "")
