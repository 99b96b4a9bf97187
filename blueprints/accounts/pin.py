"""An account's PIN for kundnummer + PIN sign-in (AUTH-7, domain/account_pin.py).

The organisation's users holding ``accounts.edit`` set or remove the PIN of
an account in their scope (404 outside it), as a dialog like the other
Kontoåtgärder; the routes answer 404 while the operator has PIN sign-in off.
"""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask_babel import gettext as _

from blueprints.accounts import account_or_404, bp
from database import write_tx
from domain import account_pin
from web import dialogs
from web.auth import require
from web.forms import FlaskForm, PinForm
from web.i18n import tr


def _enabled() -> None:
    if not current_app.config.get("PIN_LOGIN_ENABLED"):
        abort(404)


def _back(account) -> str:
    return url_for("accounts.detail", account_id=account.id)


@bp.route("/<int:account_id>/pin", methods=["GET", "POST"])
@require("accounts.edit")
def set_pin(account_id: int):
    _enabled()
    account = account_or_404(account_id)
    form = PinForm()
    if form.validate_on_submit():
        had = account.pin_hash is not None
        with write_tx():
            account_pin.set_pin(account, form.pin.data.strip())
        return dialogs.done(
            _back(account),
            _("PIN-koden är ändrad.") if had else _("PIN-koden är sparad."),
            accountChanged=account.id,
        )
    # PinForm (web/forms.py) is shared with the back office: its label and
    # the domain's message (domain.text.T_) are translated here.
    form.pin.label.text = _("Ny PIN-kod")
    form.pin.errors = [tr(error) for error in form.pin.errors]
    return dialogs.show("partials/accounts/_pin.html", _back(account), form=form, account=account)


@bp.route("/<int:account_id>/pin/remove", methods=["GET", "POST"])
@require("accounts.edit")
def remove_pin(account_id: int):
    _enabled()
    account = account_or_404(account_id)
    form = FlaskForm()
    if form.validate_on_submit():
        with write_tx():
            removed = account_pin.remove_pin(account)
        return dialogs.done(
            _back(account),
            _("PIN-koden är borttagen.") if removed else _("Kontot har ingen PIN-kod."),
            accountChanged=account.id,
        )
    return dialogs.show(
        "partials/accounts/_pin_remove.html", _back(account), form=form, account=account
    )
