"""Sparade filter (SPEC §10): the menu on every customer list (its partial
templates/partials/saved_filters/_menu.html, included by the list view) and
the dialogs that save, rename and remove. The rules are in
domain/saved_filters.py.

A filter belongs to a list by the ListView's ``name``; the names known are
those of the customer lists the blueprints define (the back office's lists
have no saved filters), so a made-up name answers 404.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length

from domain import saved_filters as rules
from web import dialogs
from web.auth import customer_required, safe_next
from web.forms import FlaskForm
from web.i18n import error_text
from web.listview import ListView

bp = Blueprint("saved_filters", __name__, url_prefix="/filters")

_known: set[str] | None = None
NAME_TOO_LONG = _l("Namnet får vara högst %(count)s tecken.", count=rules.MAX_NAME)


def known_lists() -> set[str]:
    """The names of the customer lists (ListViews of the portal's blueprints).

    Read once from the loaded blueprint modules rather than kept in the list
    engine, which stays unaware of saved filters."""
    global _known
    if _known is None:
        _known = {
            value.name
            for module_name, module in list(sys.modules.items())
            if module_name.startswith("blueprints.")
            and not module_name.startswith("blueprints.staff")
            for value in list(vars(module).values())
            if isinstance(value, ListView)
        }
    return _known


class SaveForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[Length(max=rules.MAX_NAME, message=NAME_TOO_LONG)])
    shared = BooleanField(_l("Dela med organisationen"))
    query = HiddenField()
    back = HiddenField()


class RenameForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[Length(max=rules.MAX_NAME, message=NAME_TOO_LONG)])
    back = HiddenField()


@bp.app_template_global()
def saved_filter_menu(list_name: str, state) -> dict | None:
    """What the list's Sparade filter menu shows, or None where it has none
    (staff, back-office lists)."""
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    if list_name not in known_lists():
        return None
    current = rules.clean_query(urlsplit(state.url()).query)
    back = state.url(page=None)
    items = []
    for saved in rules.visible(current_user, list_name):
        mine = saved.user_id == current_user.id
        items.append(
            {
                "filter": saved,
                "url": f"{state.path}?{saved.query_string}" if saved.query_string else state.path,
                "mine": mine,
                "owner": saved.user.name,
                "may_remove": rules.may_remove(current_user, saved),
                "current": saved.query_string == current,
            }
        )
    return {
        "items": items,
        "save_url": url_for("saved_filters.new", list_name=list_name, q=current, back=back),
        "back": back,
        "read_only": current_user.viewed_by is not None,
    }


def _back() -> str:
    return safe_next(request.values.get("back"), url_for("dashboard.index"))


def _apply_error(form, exc: rules.FilterError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, error_text(exc)]
    else:
        form.form_errors.append(error_text(exc))


@bp.route("/<list_name>/new", methods=["GET", "POST"])
@customer_required
def new(list_name: str):
    """Spara filter: the list's current filter and sort under a name."""
    if list_name not in known_lists():
        abort(404)
    back = _back()
    form = SaveForm(data={"query": request.args.get("q", ""), "back": back})
    context = {
        "dialog_title": _("Spara filter"),
        "list_name": list_name,
        "may_share": rules.may_share(current_user),
    }
    if not form.validate_on_submit():
        return dialogs.show("partials/saved_filters/_new.html", back, form=form, **context)
    try:
        saved = rules.create(
            current_user, list_name, form.name.data, form.query.data or "", form.shared.data
        )
    except rules.FilterError as exc:
        _apply_error(form, exc)
        return dialogs.show("partials/saved_filters/_new.html", back, form=form, **context)
    if saved.shared:
        message = _("Filtret %(name)s sparades och delades med organisationen.", name=saved.name)
    else:
        message = _("Filtret %(name)s sparades.", name=saved.name)
    return dialogs.go(back, message)


@bp.route("/<int:filter_id>/edit", methods=["GET", "POST"])
@customer_required
def edit(filter_id: int):
    """Byt namn: one's own filters only."""
    saved = rules.get_visible(current_user, filter_id)
    if saved is None or saved.user_id != current_user.id:
        abort(404)
    back = _back()
    form = RenameForm(data={"name": saved.name, "back": back})
    context = {"dialog_title": _("Byt namn på filter"), "saved": saved}
    if not form.validate_on_submit():
        return dialogs.show("partials/saved_filters/_rename.html", back, form=form, **context)
    try:
        rules.rename(current_user, saved, form.name.data)
    except rules.FilterError as exc:
        _apply_error(form, exc)
        return dialogs.show("partials/saved_filters/_rename.html", back, form=form, **context)
    return dialogs.go(back, _("Filtret har bytt namn."))


@bp.route("/<int:filter_id>/delete", methods=["POST"])
@customer_required
def delete(filter_id: int):
    """Ta bort: one's own, or an administrator a shared one of the organisation."""
    saved = rules.get_visible(current_user, filter_id)
    if saved is None:
        abort(404)
    if not rules.may_remove(current_user, saved):
        abort(403)
    rules.remove(current_user, saved)
    return dialogs.go(_back(), _("Filtret %(name)s togs bort.", name=saved.name))
