"""The forms of the account dialogs (ACC-3, ACC-4), with the required fields
of the Bredband2 manual and Swedish number formats (domain/numbers.py).

Validators normalise what they accept ("903 04" → "90304",
"+46 70-123 45 67" → "0701234567"), so ``form.data`` is what gets stored.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from domain.numbers import (
    mobile_number_problem,
    normalise_mobile,
    normalise_org_number,
    normalise_phone,
    normalise_postcode,
)
from tables.org import CONTACT_ROLES
from web.forms import FlaskForm, OrgNumberField, PhoneField
from web.i18n import N_, tr


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required(message):
    """DataRequired with the whole sentence ("Ange ett alias."), translated when shown."""
    return DataRequired(message=message)


def postcode(form, field):
    value = normalise_postcode(field.data or "")
    if value is None:
        raise ValidationError(_("Ange postnumret med fem siffror, t.ex. 903 04."))
    field.data = value


def org_number(form, field):
    value = normalise_org_number(field.data or "")
    if value is None:
        raise ValidationError(
            _("Ange ett giltigt organisationsnummer med tio siffror, t.ex. 556629-0549.")
        )
    field.data = value


def phone(form, field):
    if not field.data:
        return
    value = normalise_phone(field.data)
    if value is None:
        raise ValidationError(_("Ange ett telefonnummer som börjar med 0 eller +46."))
    field.data = value


def mobile(form, field):
    if not field.data:
        return
    problem = mobile_number_problem(field.data)
    if problem:
        raise ValidationError(tr(problem))
    field.data = normalise_mobile(field.data)


def text(label, missing=None, max_length: int = 100, extra=(), kind=StringField):
    """A trimmed text field; required when ``missing`` (the message when it
    is empty, e.g. "Ange ett alias.") is given."""
    checks = [required(missing)] if missing else [Optional()]
    checks.append(Length(max=max_length, message=_l("Högst %(count)s tecken.", count=max_length)))
    return kind(label, filters=[strip], validators=[*checks, *extra])


class AliasForm(FlaskForm):
    FIELDS = ("alias",)
    alias = text(_l("Alias"), _l("Ange ett alias."), 60)


class ReferenceForm(FlaskForm):
    FIELDS = ("invoice_reference",)
    invoice_reference = text(_l("Referens"), _l("Ange en referens."), 60)


class AddressForm(FlaskForm):
    FIELDS = ("street", "care_of", "postcode", "city")
    street = text(_l("Adress"), _l("Ange en adress."))
    care_of = text(_l("c/o"), max_length=100)
    postcode = text(_l("Postnummer"), _l("Ange ett postnummer."), 6, extra=[postcode])
    city = text(_l("Ort"), _l("Ange en ort."), 60)


class InvoiceAddressForm(FlaskForm):
    FIELDS = (
        "invoice_name",
        "invoice_street",
        "invoice_street_number",
        "invoice_postcode",
        "invoice_city",
    )
    invoice_name = text(_l("Namn"), _l("Ange ett namn."))
    invoice_street = text(_l("Gata"), _l("Ange en gata."))
    invoice_street_number = text(_l("Gatunummer"), _l("Ange ett gatunummer."), 12)
    invoice_postcode = text(_l("Postnummer"), _l("Ange ett postnummer."), 6, extra=[postcode])
    invoice_city = text(_l("Ort"), _l("Ange en ort."), 60)


NOTIFICATIONS = {
    "notify_billing": N_("Fakturor och ekonomi"),
    "notify_technical": N_("Tekniska meddelanden"),
    "notify_outage": N_("Driftstörningar"),
}


class ContactForm(FlaskForm):
    """Lägg till kontaktperson: a name and at least one of phone, mobile, e-mail."""

    name = text(_l("Namn"), _l("Ange ett namn."))
    role = SelectField(
        _l("Roll"),
        choices=[SelectChoice(k, _l(v)) for k, v in CONTACT_ROLES.items()],
        default="contact",
    )
    phone = text(_l("Telefonnummer"), max_length=20, extra=[phone], kind=PhoneField)
    mobile = text(_l("Mobilnummer"), max_length=20, extra=[mobile], kind=PhoneField)
    email = text(
        _l("E-post"), max_length=254, extra=[Email(message=_l("Ange en giltig e-postadress."))]
    )
    notify_billing = BooleanField(_l("Fakturor och ekonomi"))
    notify_technical = BooleanField(_l("Tekniska meddelanden"))
    notify_outage = BooleanField(_l("Driftstörningar"))

    reach_error = None  # shown next to the three ways of reaching the person

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.mobile.data or self.email.data) and not (
            self.phone.errors or self.mobile.errors or self.email.errors
        ):
            self.reach_error = _("Fyll i minst ett av telefonnummer, mobilnummer och e-post.")
            valid = False
        wants_mail = any(self[name].data for name in NOTIFICATIONS)
        if wants_mail and not self.email.data and not self.email.errors:
            self.email.errors = [*self.email.errors, _("Ange e-post för att kunna få aviseringar.")]
            valid = False
        return valid

    @property
    def values(self) -> dict:
        return {name: self[name].data for name in ("name", "role", "phone", "mobile", "email")} | {
            name: bool(self[name].data) for name in NOTIFICATIONS
        }


class AccountForm(FlaskForm):
    """Lägg till underkonto / Nytt konto ("Skapa nytt konto")."""

    parent = text(_l("Välj huvudkonto"), _l("Ange ett huvudkonto."), 8)
    org_number = text(
        _l("Organisationsnummer"),
        _l("Ange ett organisationsnummer."),
        13,
        extra=[org_number],
        kind=OrgNumberField,
    )
    company_name = text(_l("Företagsnamn"), _l("Ange ett företagsnamn."))
    alias = text(_l("Alias"), max_length=60)
    care_of = text(_l("c/o"))
    street = text(_l("Adress"), _l("Ange en adress."))
    postcode = text(_l("Postnummer"), _l("Ange ett postnummer."), 6, extra=[postcode])
    city = text(_l("Ort"), _l("Ange en ort."), 60)

    # Copied by "Använd samma uppgifter som huvudkonto" (everything but alias).
    COPIED = ("org_number", "company_name", "care_of", "street", "postcode", "city")
    SAVED = ("org_number", "company_name", "alias", "care_of", "street", "postcode", "city")

    def copy_from(self, account) -> None:
        for name in self.COPIED:
            self[name].data = getattr(account, name)
            self[name].errors = []

    @property
    def values(self) -> dict:
        return {name: self[name].data or "" for name in self.SAVED}
