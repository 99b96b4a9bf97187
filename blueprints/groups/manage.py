"""The page Grupper (GRP-1) and the dialogs that change categories and groups.

Each dialog answers ``web.dialogs``: the form (and an invalid POST with its
errors) in place, a valid POST closes it with the event ``groupsChanged``
that makes the page's list refresh itself. Only live categories and groups
of the user's organisation are found; others answer 404.
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.groups import bp, can_manage, require_manager
from blueprints.groups.forms import NameForm
from domain import groups as domain
from web import dialogs
from web.auth import require
from web.htmx import render
from web.i18n import error_text


def _back() -> str:
    return url_for("groups.index")


def _category_or_404(category_id: int):
    category = domain.category_of(current_user.organisation_id, category_id)
    if category is None:
        abort(404)
    return category


def _group_or_404(group_id: int):
    group = domain.group_of(current_user.organisation_id, group_id)
    if group is None:
        abort(404)
    return group


def page_context() -> dict:
    org = current_user.organisation_id
    categories = domain.categories(org)
    groups = domain.groups(org)
    by_category = {c.id: [] for c in categories}
    counts = domain.usage_by_group(org, current_user)
    for group in groups:
        accounts, services = counts.get(group.id, (0, 0))
        by_category[group.category_id].append(
            {"group": group, "accounts": accounts, "services": services}
        )
    return {
        "categories": categories,
        "by_category": by_category,
        "group_count": len(groups),
        "can_manage": can_manage(current_user),
        "max_categories": domain.MAX_CATEGORIES,
        "max_groups": domain.MAX_GROUPS,
    }


@bp.route("")
@require("accounts.view")
def index():
    """Grupper: every category with its groups and how many are in each."""
    return render("groups/index.html", "partials/groups/_categories.html", **page_context())


def _name_dialog(form, title: str, action: str, submit: str, **context):
    return dialogs.show(
        "partials/groups/_name.html",
        _back(),
        form=form,
        title=title,
        action=action,
        submit=submit,
        **context,
    )


def _save(form, write, message: str):
    """Run ``write`` for a valid form; a refusal goes next to its field."""
    if not form.validate_on_submit():
        return None
    try:
        write(form.name.data, form.description.data or "")
    except domain.GroupError as exc:
        target = form[exc.field].errors if exc.field in form else form.form_errors
        target.append(error_text(exc))
        return None
    return dialogs.done(_back(), message, groupsChanged=True)


@bp.route("/categories/new", methods=["GET", "POST"])
@require("accounts.edit")
def new_category():
    require_manager()
    form = NameForm()
    org = current_user.organisation_id
    done = _save(
        form,
        lambda name, text: domain.create_category(org, name, text),
        _("Kategorin %(name)s är skapad.", name=form.name.data or ""),
    )
    return done or _name_dialog(
        form, _("Skapa gruppkategori"), url_for("groups.new_category"), _("Skapa ny kategori")
    )


@bp.route("/categories/<int:group_category_id>/edit", methods=["GET", "POST"])
@require("accounts.edit")
def edit_category(group_category_id: int):
    require_manager()
    category = _category_or_404(group_category_id)
    form = NameForm(obj=category) if request.method == "GET" else NameForm()
    done = _save(
        form,
        lambda name, text: domain.update_category(category, name, text),
        _("Kategorin är sparad."),
    )
    action = url_for("groups.edit_category", group_category_id=category.id)
    return done or _name_dialog(form, _("Ändra gruppkategori"), action, _("Spara"))


@bp.route("/categories/<int:group_category_id>/remove", methods=["GET", "POST"])
@require("accounts.edit")
def remove_category(group_category_id: int):
    """Ta bort kategori: asks first, saying how many are in its groups."""
    require_manager()
    category = _category_or_404(group_category_id)
    if request.method == "POST":
        domain.remove_category(category)
        message = _("Kategorin %(name)s är borttagen.", name=category.name)
        return dialogs.done(_back(), message, groupsChanged=True)
    accounts, services = domain.category_usage(category)
    return dialogs.show(
        "partials/groups/_remove.html",
        _back(),
        title=_("Ta bort gruppkategori"),
        action=url_for("groups.remove_category", group_category_id=category.id),
        what=_("kategorin %(name)s och alla dess grupper", name=category.name),
        usage=domain.usage_text(accounts, services, category=True),
        in_use=accounts + services,
    )


@bp.route("/categories/<int:group_category_id>/groups/new", methods=["GET", "POST"])
@require("accounts.edit")
def new_group(group_category_id: int):
    require_manager()
    category = _category_or_404(group_category_id)
    form = NameForm()
    done = _save(
        form,
        lambda name, text: domain.create_group(category, name, text),
        _("Gruppen %(name)s är skapad.", name=f"{category.name}:{form.name.data or ''}"),
    )
    action = url_for("groups.new_group", group_category_id=category.id)
    return done or _name_dialog(
        form, _("Skapa grupp i %(name)s", name=category.name), action, _("Skapa")
    )


@bp.route("/<int:org_group_id>/edit", methods=["GET", "POST"])
@require("accounts.edit")
def edit_group(org_group_id: int):
    require_manager()
    group = _group_or_404(org_group_id)
    form = NameForm(obj=group) if request.method == "GET" else NameForm()
    done = _save(
        form, lambda name, text: domain.update_group(group, name, text), _("Gruppen är sparad.")
    )
    action = url_for("groups.edit_group", org_group_id=group.id)
    return done or _name_dialog(
        form, _("Ändra grupp %(name)s", name=group.label), action, _("Spara")
    )


@bp.route("/<int:org_group_id>/remove", methods=["GET", "POST"])
@require("accounts.edit")
def remove_group(org_group_id: int):
    """Ta bort grupp: asks first ("N konton och M tjänster är med i gruppen")."""
    require_manager()
    group = _group_or_404(org_group_id)
    if request.method == "POST":
        domain.remove_group(group)
        message = _("Gruppen %(name)s är borttagen.", name=group.label)
        return dialogs.done(_back(), message, groupsChanged=True)
    accounts, services = domain.usage(group)
    return dialogs.show(
        "partials/groups/_remove.html",
        _back(),
        title=_("Ta bort grupp"),
        action=url_for("groups.remove_group", org_group_id=group.id),
        what=_("gruppen %(name)s", name=group.label),
        usage=domain.usage_text(accounts, services),
        in_use=accounts + services,
    )


@bp.app_template_global()
def overview_groups(limit: int = 10) -> dict:
    """Översikt's list of the organisation's groups (at most ``limit``)."""
    groups = domain.groups(current_user.organisation_id)
    return {"groups": groups[:limit], "more": len(groups) > limit, "total": len(groups)}
