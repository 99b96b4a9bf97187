"""Genvägar (GRP-5): the star in the page header saves the page as a shortcut,
Översikt lists them and /shortcuts (Hantera genvägar) renames, reorders and
removes them. The rules are in domain/shortcuts.py; here the path is also
checked against the portal's own pages (a GET route for signed-in customers)."""

from __future__ import annotations

from urllib.parse import unquote, urlencode, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from domain import shortcuts as rules
from web import dialogs
from web.auth import customer_required
from web.forms import FlaskForm
from web.i18n import N_, error_text, tr

bp = Blueprint("shortcuts", __name__, url_prefix="/shortcuts")

NOT_A_PAGE = N_("Adressen är inte en sida i portalen.")
TITLE_TOO_LONG = _l("Namnet får vara högst %(count)s tecken.", count=rules.MAX_TITLE)
URL_TOO_LONG = _l("Adressen får vara högst %(count)s tecken.", count=rules.MAX_URL)


class ShortcutForm(FlaskForm):
    title = StringField(
        _l("Namn"), validators=[Length(max=rules.MAX_TITLE, message=TITLE_TOO_LONG)]
    )
    url = StringField(_l("Adress"), validators=[Length(max=rules.MAX_URL, message=URL_TOO_LONG)])


class RenameForm(FlaskForm):
    title = StringField(
        _l("Namn"), validators=[Length(max=rules.MAX_TITLE, message=TITLE_TOO_LONG)]
    )
    shown = HiddenField()


def portal_page_error(url: str) -> str | None:
    """Why ``url`` is not a page of this portal a customer's user opens, or None."""
    error = rules.path_error(url)
    if error:
        return error
    adapter = current_app.url_map.bind("portal")
    try:
        endpoint, _args = adapter.match(unquote(urlsplit(url).path), method="GET")
    except (HTTPException, RequestRedirect):
        return NOT_A_PAGE
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "access", None) != "customer":
        return NOT_A_PAGE
    return None


@bp.app_template_global()
def shortcut_star(title: str = "") -> dict | None:
    """The star for this page (base.html): its dialog's address and whether
    the page already is one of the user's shortcuts; None where it has none:
    staff, viewing as a customer (read-only), error pages, non-portal pages."""
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    if current_user.viewed_by is not None or g.get("error_page"):
        return None
    here = request.full_path.rstrip("?")
    if request.method != "GET" or portal_page_error(here):
        return None
    query = urlencode({"url": here, "title": " ".join(title.split())[: rules.MAX_TITLE]})
    return {"url": f"{url_for('shortcuts.new')}?{query}", "saved": rules.exists(current_user, here)}


def _dialog(template: str, form, **context):
    return dialogs.show(template, url_for("shortcuts.index"), form=form, **context)


@bp.route("")
@customer_required
def index():
    """Hantera genvägar. Each change posts ``shown`` (rules.version of the
    shortcuts this page shows), so one made in a stale tab is refused."""
    shortcuts = rules.for_user(current_user)
    return render_template(
        "shortcuts/index.html", shortcuts=shortcuts, shown=rules.version(shortcuts)
    )


@bp.route("/new", methods=["GET", "POST"])
@customer_required
def new():
    form = ShortcutForm(
        data={
            "title": request.args.get("title", "")[: rules.MAX_TITLE],
            "url": request.args.get("url", ""),
        }
    )
    context = {"dialog_title": _("Spara som genväg")}
    if not form.validate_on_submit():
        return _dialog("partials/shortcuts/_new.html", form, **context)
    url = form.url.data.strip()
    error = portal_page_error(url)
    if error:
        form.url.errors = [*form.url.errors, tr(error)]
        return _dialog("partials/shortcuts/_new.html", form, **context)
    try:
        rules.create(current_user, form.title.data, url)
    except rules.ShortcutError as exc:
        _show_error(form, exc)
        return _dialog("partials/shortcuts/_new.html", form, **context)
    message = _("Genvägen sparades. Du hittar den på Översikt.")
    # The star's new label travels with the event (static/shortcuts.js).
    saved = {"value": url, "label": _("Sparad som genväg – spara igen")}
    return dialogs.done(url, message, shortcutSaved=saved)


@bp.route("/<int:shortcut_id>/edit", methods=["GET", "POST"])
@customer_required
def edit(shortcut_id: int):
    shortcut = _own_or_404(shortcut_id)
    form = RenameForm(data={"title": shortcut.title, "shown": request.args.get("shown", "")})
    context = {"dialog_title": _("Byt namn på genväg"), "shortcut": shortcut}
    if request.method == "GET":
        shown = request.args.get("shown")
        if shown is not None and shown != rules.version(rules.for_user(current_user)):
            return _stale()
        return _dialog("partials/shortcuts/_rename.html", form, **context)
    if not form.validate_on_submit():
        return _dialog("partials/shortcuts/_rename.html", form, **context)
    try:
        rules.rename(current_user, shortcut, form.title.data, _shown())
    except rules.ShortcutError as exc:
        _show_error(form, exc)
        return _dialog("partials/shortcuts/_rename.html", form, **context)
    except rules.GoneShortcut:
        abort(404)
    except rules.StaleShortcuts:
        return _stale()
    return dialogs.go(url_for("shortcuts.index"), _("Genvägen har bytt namn."))


@bp.route("/<int:shortcut_id>/move", methods=["POST"])
@customer_required
def move(shortcut_id: int):
    shortcut = _own_or_404(shortcut_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    try:
        rules.move(current_user, shortcut, step, _shown())
    except rules.GoneShortcut:
        abort(404)
    except rules.StaleShortcuts:
        return _stale()
    return dialogs.go(url_for("shortcuts.index"))


@bp.route("/<int:shortcut_id>/delete", methods=["POST"])
@customer_required
def delete(shortcut_id: int):
    shortcut = _own_or_404(shortcut_id)
    try:
        rules.remove(current_user, shortcut, _shown())
    except rules.GoneShortcut:
        abort(404)
    except rules.StaleShortcuts:
        return _stale()
    message = _("Genvägen %(name)s togs bort.", name=shortcut.title)
    return dialogs.go(url_for("shortcuts.index"), message)


def _shown() -> str:
    """What the page showed (``shown``, posted by each change): 400 without it."""
    shown = request.form.get("shown", "")
    if not shown:
        abort(400)
    return shown


def _stale():
    """409: the shortcuts changed in another tab; htmx shows it in the dialog."""
    response = _dialog(
        "partials/shortcuts/_stale.html",
        None,
        dialog_title=_("Genvägarna har ändrats"),
        message=rules.STALE,
    )
    response.status_code = 409
    return response


def _own_or_404(shortcut_id: int):
    shortcut = rules.get_own(current_user, shortcut_id)
    if shortcut is None:
        abort(404)
    return shortcut


def _show_error(form, exc: rules.ShortcutError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, error_text(exc)]
    else:
        form.form_errors.append(error_text(exc))
