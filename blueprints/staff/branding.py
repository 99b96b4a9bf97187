"""Inställningar (/staff/branding, UI-10): the operator's name, logo, colour
and customer-service details, kept in the database (domain/branding.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Email, Length, Optional, ValidationError

from blueprints.staff import bp
from database import write_tx
from domain import branding
from domain.numbers import normalise_org_number
from domain.operator import current
from web.auth import staff_required
from web.forms import FlaskForm
from web.i18n import error_text, tr


def _colour(form, field):
    if field.data and (problem := branding.colour_problem(field.data.strip())):
        raise ValidationError(tr(problem))


def _org_number(form, field):
    if field.data and normalise_org_number(field.data) is None:
        raise ValidationError(_("Ogiltigt organisationsnummer (10 siffror med kontrollsiffra)."))


def _web(form, field):
    if field.data and not field.data.strip().startswith(("https://", "http://")):
        raise ValidationError(_("Ange adressen med https://."))


def _label(key: str):
    """A field's label (domain.branding.FIELD_LABELS, marked there), translated when shown."""
    return _l(branding.FIELD_LABELS[key])


TEXT = [Optional(), Length(max=200, message=_l("Högst 200 tecken."))]


class BrandingForm(FlaskForm):
    name = StringField(
        _label("name"),
        validators=[Length(min=1, max=80, message=_l("Ange ett namn."))],
    )
    phone = StringField(_label("phone"), validators=TEXT)
    email = StringField(_label("email"), validators=[*TEXT, Email(_l("Ogiltig e-postadress."))])
    web = StringField(_label("web"), validators=[*TEXT, _web])
    support_url = StringField(_label("support_url"), validators=[*TEXT, _web])
    address = StringField(_label("address"), validators=TEXT)
    org_number = StringField(_label("org_number"), validators=[*TEXT, _org_number])
    vat_number = StringField(_label("vat_number"), validators=TEXT)
    bankgiro = StringField(_label("bankgiro"), validators=TEXT)
    plusgiro = StringField(_label("plusgiro"), validators=TEXT)
    colour = StringField(_label("colour"), validators=[_colour])
    logo = FileField(_l("Logotyp"))
    remove_logo = BooleanField(_l("Ta bort logotypen (visa standardlogotypen)"))


@bp.route("/branding", methods=["GET", "POST"], endpoint="branding")
@staff_required("admin")
def branding_edit():
    operator = current()
    form = BrandingForm(obj=operator)
    if request.method == "POST" and form.validate_on_submit():
        upload = form.logo.data
        data = upload.read() if upload else b""
        content_type = None
        if data:
            try:
                content_type = branding.check_logo(data, upload.filename or "")
            except branding.LogoRefused as refused:
                form.logo.errors = [error_text(refused)]
        if not form.logo.errors:
            values = {name: form[name].data for name in branding.FIELD_LABELS}
            with write_tx():
                changes = branding.save(values)
                if content_type:
                    branding.save_logo(data, content_type)
                elif form.remove_logo.data and operator.has_logo:
                    branding.remove_logo()
            flash(
                _("Inställningarna är sparade.")
                if changes or content_type
                else _("Inget ändrades."),
                "success",
            )
            return redirect(url_for("staff.branding"), code=303)
    return render_template("staff/branding.html", form=form, max_kb=branding.MAX_LOGO_BYTES // 1024)
