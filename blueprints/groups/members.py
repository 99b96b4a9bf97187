"""Aktiva grupper (GRP-2) on the account page and the service page, and the
dialogs Lägg till i grupp, Byt grupp and Avsluta.

The panel is rendered in place by the account and service pages (the
template global ``group_panel``) and refreshes itself on ``groupsChanged``.
Accounts and services are found through the user's scope (404 outside it);
a membership through its account or service.
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.accounts import account_or_404
from blueprints.groups import bp
from blueprints.groups.forms import EndForm, MembershipForm
from domain import groups as domain
from tables.org import Account
from tables.scope import visible_accounts
from tables.services import Service
from web import dialogs
from web.auth import get_visible_or_404, parse_id, require
from web.htmx import render
from web.i18n import error_text, tr


def _service_or_404(service_id: int) -> Service:
    return get_visible_or_404(Service, service_id)


def _owner_or_404(kind: str, object_id: int):
    return account_or_404(object_id) if kind == "account" else _service_or_404(object_id)


def _page_of(obj) -> str:
    if isinstance(obj, Service):
        return url_for("services.detail", service_id=obj.id)
    return url_for("accounts.detail", account_id=obj.id)


def _membership_or_404(membership_id: int):
    membership = domain.membership_of(current_user.organisation_id, membership_id)
    if membership is None or membership.group.removed_at is not None:
        abort(404)  # a removed group's memberships are history: not changed any more
    if membership.service_id is not None:
        owner = _service_or_404(membership.service_id)
    else:
        owner = get_visible_or_404(
            Account, membership.account_id, query=visible_accounts(current_user)
        )
    return membership, owner


@bp.app_template_global()
def group_panel(obj) -> dict:
    """What Aktiva grupper shows for an account or a service."""
    month = domain.current_month()
    kind = "service" if isinstance(obj, Service) else "account"
    active = domain.active_memberships(obj, month)
    return {
        "obj": obj,
        "kind": kind,
        "active": active,
        "inherited": [e for e in domain.effective_groups(obj, month) if e["inherited"]]
        if kind == "service"
        else [],
        "planned": domain.planned_memberships(obj, month),
        "past": domain.past_memberships(obj, month),
        "can_edit": current_user.has("accounts.edit"),
        "month": month,
    }


def _panel(kind: str, object_id: int):
    obj = _owner_or_404(kind, object_id)
    return render("groups/panel_page.html", "partials/groups/_panel.html", panel=group_panel(obj))


@bp.route("/accounts/<int:account_id>/panel")
@require("accounts.view")
def account_panel(account_id: int):
    return _panel("account", account_id)


@bp.route("/services/<int:service_id>/panel")
@require("services.view")
def service_panel(service_id: int):
    return _panel("service", service_id)


def _refused(form, exc: domain.GroupError) -> None:
    target = form[exc.field].errors if exc.field in form else form.form_errors
    target.append(error_text(exc))


def _chosen_group(form):
    group_id = parse_id(form.group.data)
    group = domain.group_of(current_user.organisation_id, group_id) if group_id else None
    if group is None:
        form.group.errors.append(_("Gruppen finns inte längre. Välj en annan."))
    return group


def _add(kind: str, object_id: int):
    """Lägg till i grupp: a group, a start month (default the month it
    opened), an optional end month."""
    obj = _owner_or_404(kind, object_id)
    form = MembershipForm()
    form.set_groups(domain.groups(current_user.organisation_id))
    opened = domain.opened_month(obj)
    if request.method == "GET":
        form.start_month.data = domain.format_month(opened)
    if form.validate_on_submit():
        group = _chosen_group(form)
        if group is not None:
            try:
                domain.add_membership(obj, group, form.start or opened, form.end)
            except domain.GroupError as exc:
                _refused(form, exc)
            else:
                message = _(
                    "Tillagd i %(group)s från %(month)s.",
                    group=group.label,
                    month=domain.format_month(form.start or opened),
                )
                return dialogs.done(_page_of(obj), message, groupsChanged=True)
    return dialogs.show(
        "partials/groups/_membership.html",
        _page_of(obj),
        form=form,
        obj=obj,
        title=_("Lägg till i grupp"),
        submit=_("Lägg till grupp"),
        action=request.path,
        opened=domain.format_month(opened),
        latest=_latest_month(),
    )


@bp.route("/accounts/<int:account_id>/add", methods=["GET", "POST"])
@require("accounts.edit")
def account_add(account_id: int):
    return _add("account", account_id)


@bp.route("/services/<int:service_id>/add", methods=["GET", "POST"])
@require("accounts.edit")
def service_add(service_id: int):
    return _add("service", service_id)


@bp.route("/memberships/<int:membership_id>/change", methods=["GET", "POST"])
@require("accounts.edit")
def change(membership_id: int):
    """Byt grupp: another group of the same category from a month; the
    current membership ends the month before, in the same write."""
    membership, obj = _membership_or_404(membership_id)
    category_id = membership.group.category_id
    choices = [
        g
        for g in domain.groups(current_user.organisation_id)
        if g.category_id == category_id and g.id != membership.group_id
    ]
    form = MembershipForm()
    form.set_groups(choices)
    if request.method == "GET":
        next_month = domain.add_months(domain.current_month(), 1)
        form.start_month.data = domain.format_month(max(next_month, membership.start_month))
    if form.validate_on_submit():
        group = _chosen_group(form)
        if group is not None and group.category_id != category_id:
            form.group.errors.append(_("Välj en grupp i samma kategori."))
        elif group is not None and form.start is None:
            form.start_month.errors.append(_("Ange från vilken månad bytet gäller (ÅÅÅÅ-MM)."))
        elif group is not None:
            try:
                domain.change_group(obj, group, form.start, form.end)
            except domain.GroupError as exc:
                _refused(form, exc)
            else:
                message = _(
                    "Byter till %(group)s från %(month)s.",
                    group=group.label,
                    month=domain.format_month(form.start),
                )
                return dialogs.done(_page_of(obj), message, groupsChanged=True)
    return dialogs.show(
        "partials/groups/_membership.html",
        _page_of(obj),
        form=form,
        obj=obj,
        membership=membership,
        title=_("Byt grupp i %(name)s", name=membership.group.category.name),
        submit=_("Byt grupp"),
        action=request.path,
        latest=_latest_month(),
    )


@bp.route("/memberships/<int:membership_id>/end", methods=["GET", "POST"])
@require("accounts.edit")
def end(membership_id: int):
    """Avsluta: the last month in the group."""
    membership, obj = _membership_or_404(membership_id)
    form = EndForm()
    if request.method == "GET":
        form.end_month.data = domain.format_month(
            max(domain.current_month(), membership.start_month)
        )
    if form.validate_on_submit():
        last = domain.parse_month(form.end_month.data)
        try:
            domain.end_membership(membership, last)
        except domain.GroupError as exc:
            _refused(form, exc)
        else:
            message = _(
                "%(group)s gäller till och med %(month)s.",
                group=membership.group.label,
                month=domain.format_month(last),
            )
            return dialogs.done(_page_of(obj), message, groupsChanged=True)
    return dialogs.show(
        "partials/groups/_end.html",
        _page_of(obj),
        form=form,
        obj=obj,
        membership=membership,
        period=period_text(membership),
    )


def _latest_month() -> str:
    """The last start month a membership may have (ÅÅÅÅ-MM), for the dialogs' hint."""
    return domain.format_month(domain.add_months(domain.current_month(), domain.MONTHS_AHEAD))


def month_text(month) -> str:
    """ÅÅÅÅ-MM, or "tills vidare" in the page's language."""
    return domain.format_month(month) if month else tr(domain.UNTIL_FURTHER)


def period_text(membership) -> str:
    """ "2026-01 – tills vidare" in the page's language."""
    return f"{month_text(membership.start_month)} – {month_text(membership.end_month)}"
