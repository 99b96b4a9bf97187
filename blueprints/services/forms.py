"""Forms of the service actions.

The forms carry the fields and the CSRF token; the rules (valid numbers,
ICC check digits, dates, scope) live in domain/service_actions.py so that
every way in is checked the same, and their messages land next to the field.
"""

from __future__ import annotations

import datetime as dt
import re

from wtforms import BooleanField, HiddenField, SelectField, StringField

from domain.service_actions import ActionError
from web.forms import FlaskForm, PhoneField, select_choices

DATE = {"type": "date"}


def parse_date(text: str | None, field: str) -> dt.date | None:
    """ÅÅÅÅ-MM-DD or nothing; anything else is an ActionError on ``field``."""
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ActionError("Ange datum som ÅÅÅÅ-MM-DD.", field)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ActionError("Datumet finns inte.", field) from None


def add_error(form, error: ActionError) -> None:
    """Show an ActionError next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class UserNameForm(FlaskForm):
    user_name = StringField("Användare")


class ExternalUsernameForm(FlaskForm):
    external_username = StringField("Externt användarnamn")


class SimForm(FlaskForm):
    method = SelectField("Metod", validate_choice=False)
    sim_type = SelectField(
        "Simkorts typ",
        choices=select_choices(
            [("", "--Välj--"), ("physical", "Fysiskt SIM-kort"), ("esim", "eSIM")]
        ),
        validate_choice=False,
    )
    delivery_name = StringField("Mottagare")
    delivery_street = StringField("Gatuadress")
    delivery_postcode = StringField("Postnummer")
    delivery_city = StringField("Ort")
    email = StringField("E-postadress för aktiveringsuppgifter")
    msisdn = PhoneField("Aktivt msisdn på icc")
    icc = StringField("ICC")


class BarringForm(FlaskForm):
    kind = SelectField("Lägg till spärr", validate_choice=False)


class ForwardingForm(FlaskForm):
    direct_target = PhoneField("Direkt vidarekoppling")
    unavailable_target = PhoneField("Vidarekoppla vid ej tillgänglig")
    busy_target = PhoneField("Vidarekoppla vid upptaget")
    no_answer_target = PhoneField("Vidarekoppla efter ringtid")
    no_answer_seconds = StringField("Ringtid (sekunder)")


class ChangeForm(FlaskForm):
    price_plan = SelectField("Prislista", validate_choice=False)
    data_package = SelectField("Datapaket", validate_choice=False)
    desired_date = StringField("Önskad aktivering", render_kw=DATE)
    step = HiddenField(default="choose")


class MoveForm(FlaskForm):
    account = SelectField("Konto att flytta till", validate_choice=False)
    start_date = StringField("Datum då nya kontot skall börja debiteras", render_kw=DATE)


class TopupForm(FlaskForm):
    product = SelectField("Datapaket", validate_choice=False)


class TerminateForm(FlaskForm):
    end_date = StringField("Önskat tekniskt avslutsdatum", render_kw=DATE)


class LimitsForm(FlaskForm):
    call_limit = StringField("Samtalsgräns (kr per månad)", render_kw={"inputmode": "numeric"})
    data_limit = StringField("Speed Stop, data (GB per månad)", render_kw={"inputmode": "decimal"})


class OptionsForm(FlaskForm):
    directory_listed = BooleanField("Nummer med i telefonkatalogen (nummerupplysning)")
    roaming_voice = BooleanField("Roaming tillåten för tal")
    roaming_data = BooleanField("Roaming tillåten för data")


class AutoUpgradeForm(FlaskForm):
    auto_upgrade = BooleanField("Automatisk uppgradering till det mest fördelaktiga tillägget")


class LostSimForm(FlaskForm):
    order_new = BooleanField("Beställ ett nytt SIM-kort")
    delivery_name = StringField("Mottagare")
    delivery_street = StringField("Gatuadress")
    delivery_postcode = StringField("Postnummer")
    delivery_city = StringField("Ort")
    # the pending SIM order the dialog said would be the replacement
    replacement = HiddenField()


class LostSimLiftForm(FlaskForm):
    withdraw = BooleanField("Avbryt beställningen av nytt SIM-kort")


class CallerIdForm(FlaskForm):
    mode = SelectField(
        "Visat nummer vid utgående samtal",
        choices=select_choices(
            [
                ("own", "Eget nummer"),
                ("other", "Annat nummer (t.ex. fastnätsnumret)"),
                ("hidden", "Dolt nummer"),
            ]
        ),
        validate_choice=False,
    )
    number = PhoneField("Nummer som visas")


class InvoiceTextForm(FlaskForm):
    invoice_text = StringField("Fakturatext")


class ProfileForm(FlaskForm):
    profile_name = StringField("Namn")
    profile_address = StringField("Adress")
    profile_user_email = StringField("Användarens e-postadress")
    profile_admin_email = StringField("Administratörens e-postadress")


class MexForm(FlaskForm):
    mex_status = SelectField(
        "Växelstatus",
        choices=select_choices([("in", "Inloggad i växeln"), ("out", "Utloggad ur växeln")]),
        validate_choice=False,
    )


class AddonsForm(FlaskForm):
    """The ticked add-ons arrive as ``addons`` values (request.form.getlist)."""
