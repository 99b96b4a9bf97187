"""Logga in med Microsoft for one customer, as the operator sets it up
(the organisation page; the same form as the customer's Företagsinställningar)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.oidc import callback_url, provider_form, save_provider_form
from blueprints.staff import bp
from blueprints.staff.organisations import load_organisation
from domain import oidc
from web.auth import staff_required


@bp.route("/organisations/<int:org_id>/microsoft", methods=["GET", "POST"])
@staff_required("admin")
def organisation_microsoft(org_id: int):
    org = load_organisation(org_id)
    form = provider_form(org)
    if request.method == "POST" and save_provider_form(form, org, current_user):
        flash(_("Inställningarna för inloggning med Microsoft är sparade."), "success")
        return redirect(url_for("staff.organisation", org_id=org.id), code=303)
    return render_template(
        "oidc/settings.html",
        form=form,
        org=org,
        settings=oidc.settings_view(org),
        callback=callback_url(),
        back=url_for("staff.organisation", org_id=org.id),
        heading=_("Inloggning med Microsoft – %(name)s", name=org.name),
    ), (400 if form.errors else 200)
