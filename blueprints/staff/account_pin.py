"""Staff set or remove an account's PIN (AUTH-7, domain/account_pin.py) from
the customer's page in the back office (Konton); 404 while PIN sign-in is off."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.staff import bp
from blueprints.staff.organisations import confirm_page, load_organisation
from database import write_tx
from domain import account_pin
from tables.org import Account
from web.auth import staff_required
from web.forms import FlaskForm, PinForm


def _account(org_id: int, account_id: int) -> Account:
    if not current_app.config.get("PIN_LOGIN_ENABLED"):
        abort(404)
    org = load_organisation(org_id)
    account = Account.get_or_none((Account.id == account_id) & (Account.organisation == org.id))
    if account is None:
        abort(404)
    return account


def _back(account: Account) -> str:
    return url_for("staff.organisation", org_id=account.organisation_id, _anchor="accounts")


@bp.route("/organisations/<int:org_id>/accounts/<int:account_id>/pin", methods=["GET", "POST"])
@staff_required("support")
def account_pin_set(org_id: int, account_id: int):
    account = _account(org_id, account_id)
    form = PinForm()
    if form.validate_on_submit():
        had = account.pin_hash is not None
        with write_tx():
            account_pin.set_pin(account, form.pin.data.strip())
        flash(_("PIN-koden är ändrad.") if had else _("PIN-koden är sparad."), "success")
        return redirect(_back(account), code=303)
    return render_template(
        "staff/organisations/pin.html", form=form, account=account, back=_back(account)
    )


@bp.route(
    "/organisations/<int:org_id>/accounts/<int:account_id>/pin/remove",
    methods=["GET", "POST"],
)
@staff_required("support")
def account_pin_remove(org_id: int, account_id: int):
    account = _account(org_id, account_id)
    if request.method == "GET":
        return confirm_page(
            _("Ta bort PIN-kod"),
            _(
                "Ta bort PIN-koden för kundnummer %(number)s? Inloggning med "
                "kundnummer och PIN-kod slutar fungera.",
                number=account.customer_number,
            ),
            _("Ta bort"),
            _back(account),
            danger=True,
        )
    if FlaskForm().validate_on_submit():
        with write_tx():
            removed = account_pin.remove_pin(account)
        flash(
            _("PIN-koden är borttagen.") if removed else _("Kontot har ingen PIN-kod."), "success"
        )
        return redirect(_back(account), code=303)
    abort(400)
