"""The forms of the account dialogs (ACC-3, ACC-4), with the required fields
of the Bredband2 manual and Swedish number formats (domain/numbers.py).

Validators normalise what they accept ("903 04" → "90304",
"+46 70-123 45 67" → "0701234567"), so ``form.data`` is what gets stored.
"""

from __future__ import annotations

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


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required(what: str):
    return DataRequired(message=f"Ange {what}.")


def postcode(form, field):
    value = normalise_postcode(field.data or "")
    if value is None:
        raise ValidationError("Ange postnumret med fem siffror, t.ex. 903 04.")
    field.data = value


def org_number(form, field):
    value = normalise_org_number(field.data or "")
    if value is None:
        raise ValidationError(
            "Ange ett giltigt organisationsnummer med tio siffror, t.ex. 556629-0549."
        )
    field.data = value


def phone(form, field):
    if not field.data:
        return
    value = normalise_phone(field.data)
    if value is None:
        raise ValidationError("Ange ett telefonnummer som börjar med 0 eller +46.")
    field.data = value


def mobile(form, field):
    if not field.data:
        return
    problem = mobile_number_problem(field.data)
    if problem:
        raise ValidationError(problem)
    field.data = normalise_mobile(field.data)


def text(label: str, what: str | None = None, max_length: int = 100, extra=(), kind=StringField):
    """A trimmed text field; required when ``what`` (e.g. "ett alias") is given."""
    checks = [required(what)] if what else [Optional()]
    checks.append(Length(max=max_length, message=f"Högst {max_length} tecken."))
    return kind(label, filters=[strip], validators=[*checks, *extra])


class AliasForm(FlaskForm):
    FIELDS = ("alias",)
    alias = text("Alias", "ett alias", 60)


class ReferenceForm(FlaskForm):
    FIELDS = ("invoice_reference",)
    invoice_reference = text("Referens", "en referens", 60)


class AddressForm(FlaskForm):
    FIELDS = ("street", "care_of", "postcode", "city")
    street = text("Adress", "en adress")
    care_of = text("c/o", max_length=100)
    postcode = text("Postnummer", "ett postnummer", 6, extra=[postcode])
    city = text("Ort", "en ort", 60)


class InvoiceAddressForm(FlaskForm):
    FIELDS = (
        "invoice_name",
        "invoice_street",
        "invoice_street_number",
        "invoice_postcode",
        "invoice_city",
    )
    invoice_name = text("Namn", "ett namn")
    invoice_street = text("Gata", "en gata")
    invoice_street_number = text("Gatunummer", "ett gatunummer", 12)
    invoice_postcode = text("Postnummer", "ett postnummer", 6, extra=[postcode])
    invoice_city = text("Ort", "en ort", 60)


NOTIFICATIONS = {
    "notify_billing": "Fakturor och ekonomi",
    "notify_technical": "Tekniska meddelanden",
    "notify_outage": "Driftstörningar",
}


class ContactForm(FlaskForm):
    """Lägg till kontaktperson: a name and at least one of phone, mobile, e-mail."""

    name = text("Namn", "ett namn")
    role = SelectField(
        "Roll", choices=[SelectChoice(k, v) for k, v in CONTACT_ROLES.items()], default="contact"
    )
    phone = text("Telefonnummer", max_length=20, extra=[phone], kind=PhoneField)
    mobile = text("Mobilnummer", max_length=20, extra=[mobile], kind=PhoneField)
    email = text("E-post", max_length=254, extra=[Email(message="Ange en giltig e-postadress.")])
    notify_billing = BooleanField(NOTIFICATIONS["notify_billing"])
    notify_technical = BooleanField(NOTIFICATIONS["notify_technical"])
    notify_outage = BooleanField(NOTIFICATIONS["notify_outage"])

    reach_error = None  # shown next to the three ways of reaching the person

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.mobile.data or self.email.data) and not (
            self.phone.errors or self.mobile.errors or self.email.errors
        ):
            self.reach_error = "Fyll i minst ett av telefonnummer, mobilnummer och e-post."
            valid = False
        wants_mail = any(self[name].data for name in NOTIFICATIONS)
        if wants_mail and not self.email.data and not self.email.errors:
            self.email.errors = [*self.email.errors, "Ange e-post för att kunna få aviseringar."]
            valid = False
        return valid

    @property
    def values(self) -> dict:
        return {name: self[name].data for name in ("name", "role", "phone", "mobile", "email")} | {
            name: bool(self[name].data) for name in NOTIFICATIONS
        }


class AccountForm(FlaskForm):
    """Lägg till underkonto / Nytt konto ("Skapa nytt konto")."""

    parent = text("Välj huvudkonto", "ett huvudkonto", 8)
    org_number = text(
        "Organisationsnummer",
        "ett organisationsnummer",
        13,
        extra=[org_number],
        kind=OrgNumberField,
    )
    company_name = text("Företagsnamn", "ett företagsnamn")
    alias = text("Alias", max_length=60)
    care_of = text("c/o")
    street = text("Adress", "en adress")
    postcode = text("Postnummer", "ett postnummer", 6, extra=[postcode])
    city = text("Ort", "en ort", 60)

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
