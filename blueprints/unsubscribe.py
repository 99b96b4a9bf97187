"""Avregistrering (/unsubscribe/<token>, SPEC §10): the signed link in every
mail by preference (domain/notifications.py) turns that box off for the
contacts it names, without signing in.

* GET shows what the link does and a button; it changes nothing, because
  mail scanners and link previews follow links.
* POST (the button) turns the box off and audits it. The button's form has
  its CSRF token as every form; the view is left out of the global check
  only so that a mail client's one-click POST (RFC 8058, sent to the
  List-Unsubscribe address with the body ``List-Unsubscribe=One-Click`` and
  no session) works too. The signed token is what authorises either.
* A link that is not ours (tampered, cut short) answers 404 with a page that
  says so; a contact whose box is already off sees "redan avregistrerad".
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from domain import notifications
from tables.ops import NOTIFICATION_KINDS
from web.auth import public
from web.forms import FlaskForm
from web.i18n import N_, tr

bp = Blueprint("unsubscribe", __name__)


class UnsubscribeForm(FlaskForm):
    """The button: a form for its CSRF token."""


def _page(status: int = 200, **context):
    return (
        render_template("unsubscribe/page.html", **context),
        status,
        {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token):
    found = notifications.read_unsubscribe_token(token)
    contacts = notifications.contacts_of_token(found[0]) if found else []
    if not contacts:
        return _page(404, state="invalid", heading=N_("Länken är ogiltig"))
    ids, kind = found
    label = NOTIFICATION_KINDS[kind]
    box = notifications.BOX[kind].name
    context = {
        "kind_label": label,
        "email": contacts[0].email,
        "accounts": sorted(
            {f"{c.account.customer_number} {c.account.company_name}" for c in contacts}
        ),
    }
    form = UnsubscribeForm()
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        if not one_click and not form.validate_on_submit():
            return _page(
                400,
                state="confirm",
                heading=_("Avregistrera från %(kind)s", kind=tr(label)),
                form=form,
                error=_("Sidan hade gått ut. Tryck på knappen igen."),
                **context,
            )
        changed = notifications.unsubscribe(ids, kind)
        state = "done" if changed else "already"
        return _page(state=state, heading=N_("Avregistrerad"), **context)
    if not any(getattr(c, box) for c in contacts):
        return _page(state="already", heading=N_("Avregistrerad"), **context)
    return _page(
        state="confirm",
        heading=_("Avregistrera från %(kind)s", kind=tr(label)),
        form=form,
        **context,
    )


@bp.record_once
def _one_click_without_csrf(state):
    state.app.extensions["csrf"].exempt(unsubscribe)
