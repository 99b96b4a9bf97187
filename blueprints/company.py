"""Företagsprofil (SPEC §1, Tele2 "Mitt konto > Företagsprofil"), for users.manage:
e-mail notifications on/off, the default delivery address for SIM cards and
hardware, and "require two-factor authentication for all users".

Order approvers (ORD-4) are added with the orders area. The settings are
organisation-wide, so only Administratörer (top account) change them;
Kontoadministratörer see them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from database import write_tx
from domain import audit, twofactor
from domain.numbers import format_postcode, normalise_postcode
from tables.org import CompanyProfile, User
from web.auth import require
from web.forms import FlaskForm

bp = Blueprint("company", __name__, url_prefix="/company")

FIELDS = (
    "notify_email",
    "require_2fa",
    "delivery_name",
    "delivery_attention",
    "delivery_street",
    "delivery_postcode",
    "delivery_city",
)


class CompanyProfileForm(FlaskForm):
    notify_email = BooleanField(
        "Skicka e-post när status ändras på beställningar, ändringar och ärenden"
    )
    require_2fa = BooleanField("Kräv tvåstegsverifiering för alla användare")
    delivery_name = StringField("Namn / företag", validators=[Length(max=200)])
    delivery_attention = StringField("Att.", validators=[Length(max=200)])
    delivery_street = StringField("Gatuadress", validators=[Length(max=200)])
    delivery_postcode = StringField("Postnummer", validators=[Length(max=10)])
    delivery_city = StringField("Ort", validators=[Length(max=100)])


@bp.route("", methods=["GET", "POST"])
@require("users.manage")
def profile():
    org = current_user.organisation
    company = org.profile()
    may_edit = current_user.is_admin
    if request.method == "POST" and not may_edit:
        abort(403)
    form = CompanyProfileForm(obj=company)
    if may_edit and form.validate_on_submit():
        postcode = (form.delivery_postcode.data or "").strip()
        normalised = normalise_postcode(postcode) if postcode else ""
        if normalised is None:
            form.delivery_postcode.errors = ["Ange fem siffror, t.ex. 903 04."]
        else:
            after = {
                "notify_email": form.notify_email.data,
                "require_2fa": form.require_2fa.data,
                "delivery_name": form.delivery_name.data.strip(),
                "delivery_attention": form.delivery_attention.data.strip(),
                "delivery_street": form.delivery_street.data.strip(),
                "delivery_postcode": normalised,
                "delivery_city": form.delivery_city.data.strip(),
            }
            before = {name: getattr(company, name) for name in FIELDS}
            changed = {k: v for k, v in after.items() if before[k] != v}
            with write_tx():
                if company.id is None:
                    company = CompanyProfile.create(organisation=org.id, **after)
                else:
                    CompanyProfile.update(after).where(CompanyProfile.id == company.id).execute()
                if changed:
                    audit.record(
                        "company.profile",
                        company,
                        summary="Företagsprofilen ändrad",
                        before={k: before[k] for k in changed},
                        after=changed,
                        organisation=org.id,
                    )
            flash("Företagsprofilen är sparad.", "success")
            return redirect(url_for("company.profile"), code=303)
    without = (
        User.select()
        .where(
            (User.organisation == org.id)
            & User.active
            & User.removed_at.is_null()
            & ~User.totp_enabled
            & ~User.sms_2fa_enabled
        )
        .count()
    )
    return render_template(
        "company/profile.html",
        form=form,
        may_edit=may_edit,
        org=org,
        without_2fa=without,
        own_2fa=twofactor.has_2fa(current_user),
        postcode=format_postcode(company.delivery_postcode or ""),
    )
