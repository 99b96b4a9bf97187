"""Forms of the service actions.

The forms carry the fields and the CSRF token; the rules (valid numbers,
ICC check digits, dates, scope) live in domain/service_actions.py so that
every way in is checked the same, and their messages land next to the field.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField

from domain.service_actions import ActionError
from web.dialogs import message_text
from web.forms import FlaskForm, PhoneField, select_choices
from web.i18n import N_

DATE = {"type": "date"}


def parse_date(text: str | None, field: str) -> dt.date | None:
    """ÅÅÅÅ-MM-DD or nothing; anything else is an ActionError on ``field``."""
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ActionError(N_("Ange datum som ÅÅÅÅ-MM-DD."), field)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ActionError(N_("Datumet finns inte."), field) from None


def add_error(form, error: ActionError) -> None:
    """Show an ActionError next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    message = message_text(error.message)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


class UserNameForm(FlaskForm):
    user_name = StringField(_l("Användare"))


class ExternalUsernameForm(FlaskForm):
    external_username = StringField(_l("Externt användarnamn"))


class SimForm(FlaskForm):
    method = SelectField(_l("Metod"), validate_choice=False)
    sim_type = SelectField(
        "Simkorts typ",
        choices=select_choices(
            [("", _l("--Välj--")), ("physical", _l("Fysiskt SIM-kort")), ("esim", "eSIM")]
        ),
        validate_choice=False,
    )
    delivery_name = StringField(_l("Mottagare"))
    delivery_street = StringField(_l("Gatuadress"))
    delivery_postcode = StringField(_l("Postnummer"))
    delivery_city = StringField(_l("Ort"))
    email = StringField(_l("E-postadress för aktiveringsuppgifter"))
    msisdn = PhoneField(_l("Aktivt msisdn på icc"))
    icc = StringField(_l("ICC"))


class BarringForm(FlaskForm):
    kind = SelectField(_l("Lägg till spärr"), validate_choice=False)


class ForwardingForm(FlaskForm):
    direct_target = PhoneField(_l("Direkt vidarekoppling"))
    unavailable_target = PhoneField(_l("Vidarekoppla vid ej tillgänglig"))
    busy_target = PhoneField(_l("Vidarekoppla vid upptaget"))
    no_answer_target = PhoneField(_l("Vidarekoppla efter ringtid"))
    no_answer_seconds = StringField(_l("Ringtid (sekunder)"))


class ChangeForm(FlaskForm):
    price_plan = SelectField(_l("Prislista"), validate_choice=False)
    data_package = SelectField(_l("Datapaket"), validate_choice=False)
    desired_date = StringField(_l("Önskad aktivering"), render_kw=DATE)
    step = HiddenField(default="choose")


class MoveForm(FlaskForm):
    account = SelectField(_l("Konto att flytta till"), validate_choice=False)
    start_date = StringField(_l("Datum då nya kontot skall börja debiteras"), render_kw=DATE)


class TopupForm(FlaskForm):
    product = SelectField(_l("Datapaket"), validate_choice=False)


class TerminateForm(FlaskForm):
    end_date = StringField(_l("Önskat tekniskt avslutsdatum"), render_kw=DATE)


class LimitsForm(FlaskForm):
    call_limit = StringField(_l("Samtalsgräns (kr per månad)"), render_kw={"inputmode": "numeric"})
    data_limit = StringField(
        _l("Speed Stop, data (GB per månad)"), render_kw={"inputmode": "decimal"}
    )


class OptionsForm(FlaskForm):
    directory_listed = BooleanField(_l("Nummer med i telefonkatalogen (nummerupplysning)"))
    roaming_voice = BooleanField(_l("Roaming tillåten för tal"))
    roaming_data = BooleanField(_l("Roaming tillåten för data"))


class AutoUpgradeForm(FlaskForm):
    auto_upgrade = BooleanField(_l("Automatisk uppgradering till det mest fördelaktiga tillägget"))


class LostSimForm(FlaskForm):
    order_new = BooleanField(_l("Beställ ett nytt SIM-kort"))
    delivery_name = StringField(_l("Mottagare"))
    delivery_street = StringField(_l("Gatuadress"))
    delivery_postcode = StringField(_l("Postnummer"))
    delivery_city = StringField(_l("Ort"))
    # the pending SIM order the dialog said would be the replacement
    replacement = HiddenField()


class LostSimLiftForm(FlaskForm):
    withdraw = BooleanField(_l("Avbryt beställningen av nytt SIM-kort"))


class CallerIdForm(FlaskForm):
    mode = SelectField(
        _l("Visat nummer vid utgående samtal"),
        choices=select_choices(
            [
                ("own", _l("Eget nummer")),
                ("other", _l("Annat nummer (t.ex. fastnätsnumret)")),
                ("hidden", _l("Dolt nummer")),
            ]
        ),
        validate_choice=False,
    )
    number = PhoneField(_l("Nummer som visas"))


class InvoiceTextForm(FlaskForm):
    invoice_text = StringField(_l("Fakturatext"))


class ProfileForm(FlaskForm):
    profile_name = StringField(_l("Namn"))
    profile_address = StringField(_l("Adress"))
    profile_user_email = StringField(_l("Användarens e-postadress"))
    profile_admin_email = StringField(_l("Administratörens e-postadress"))


class MexForm(FlaskForm):
    mex_status = SelectField(
        _l("Växelstatus"),
        choices=select_choices(
            [("in", _l("Inloggad i växeln")), ("out", _l("Utloggad ur växeln"))]
        ),
        validate_choice=False,
    )


class AddonsForm(FlaskForm):
    """The ticked add-ons arrive as ``addons`` values (request.form.getlist)."""
