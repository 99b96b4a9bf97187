"""The forms of Driftinformation in the back office: publish, update,
resolve, and the coverage file. Times are typed in Swedish local time and
stored in UTC."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from domain import geo
from domain.formats import LOCAL_TZ
from domain.outage_publishing import OutageData, parse_postcodes
from tables.ops import OUTAGE_KINDS
from tables.services import SERVICE_KINDS
from web.forms import FlaskForm, select_choices

TIME_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_RADIUS_KM = 5.0
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def to_utc(local: dt.datetime | None) -> dt.datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(utc: dt.datetime | None) -> dt.datetime | None:
    if utc is None:
        return None
    return utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ).replace(tzinfo=None, second=0)


def sensible_time(field) -> bool:
    """A time between 2000 and 2100 (outside that a typo, and year 1 would
    not survive the step to UTC); else an error on the field."""
    value = field.data
    if value is not None and not 2000 <= value.year <= 2100:
        field.errors.append(_("Ange en tid mellan år 2000 och 2100."))
        return False
    return True


def _decimal(field) -> float | None:
    text = (field.data or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        field.errors.append(_("Ange ett decimaltal, t.ex. %(example)s.", example="63,8258"))
        return None
    if value != value or value in (float("inf"), float("-inf")):
        field.errors.append(_("Ange ett decimaltal, t.ex. %(example)s.", example="63,8258"))
        return None
    return value


class OutageForm(FlaskForm):
    kind = RadioField(
        _l("Typ"), choices=select_choices((k, _l(v)) for k, v in OUTAGE_KINDS.items()),
        default="fault", validators=[InputRequired(_l("Välj typ."))],
    )  # fmt: skip
    title = StringField(
        _l("Rubrik"),
        validators=[InputRequired(_l("Ange en rubrik.")), Length(max=200, message=_l("Högst 200 tecken."))],
    )  # fmt: skip
    description = TextAreaField(
        _l("Beskrivning"), validators=[Length(max=4000, message=_l("Högst 4000 tecken."))]
    )
    area = StringField(
        _l("Område (ort eller kommun)"),
        validators=[Length(max=120, message=_l("Högst 120 tecken."))],
    )
    postcodes = TextAreaField(_l("Berörda postnummer"))
    service_kinds = SelectMultipleField(
        _l("Berörda tjänstetyper"),
        choices=select_choices((k, _l(v)) for k, v in SERVICE_KINDS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    latitude = StringField(_l("Latitud"))
    longitude = StringField(_l("Longitud"))
    radius_km = StringField(_l("Radie (km)"), default=str(DEFAULT_RADIUS_KM).replace(".", ","))
    starts_at = DateTimeLocalField(
        _l("Start"), format=TIME_FORMAT, validators=[InputRequired(_l("Ange när det börjar."))]
    )
    expected_end = DateTimeLocalField(
        _l("Beräknat klart"), format=TIME_FORMAT, validators=[Optional()]
    )
    token = HiddenField()
    preview_of = HiddenField()

    def checked(self) -> OutageData | None:
        """The form's data checked beyond the fields' own validators (run
        ``validate_on_submit`` first); None with the errors on the fields."""
        ok = True
        if not _TOKEN.match(self.token.data or ""):
            self.form_errors.append(_("Formuläret är för gammalt. Ladda om sidan och försök igen."))
            ok = False
        postcodes, bad = parse_postcodes(self.postcodes.data)
        if bad:
            self.postcodes.errors.append(
                _(
                    "Postnummer är fem siffror (t.ex. 901 55): %(wrong)s",
                    wrong=", ".join(f"”{b}”" for b in bad[:5]),
                )
            )
            ok = False
        if len(postcodes) > 500:
            self.postcodes.errors.append(_("Högst 500 postnummer."))
            ok = False
        if not self.service_kinds.data:
            self.service_kinds.errors.append(_("Välj minst en tjänstetyp."))
            ok = False
        lat, lon = _decimal(self.latitude), _decimal(self.longitude)
        if self.latitude.errors or self.longitude.errors:
            ok = False
        elif (lat is None) != (lon is None):
            (self.longitude if lon is None else self.latitude).errors.append(
                _("Ange både latitud och longitud, eller ingen av dem.")
            )
            ok = False
        elif lat is not None and not geo.in_sweden(lat, lon):
            self.latitude.errors.append(_("Positionen ligger utanför Sverige."))
            ok = False
        radius = _decimal(self.radius_km)
        if self.radius_km.errors:
            ok = False
        elif radius is not None and not 0.1 <= radius <= 500:
            self.radius_km.errors.append(_("Radien är 0,1–500 km."))
            ok = False
        if not (sensible_time(self.starts_at) & sensible_time(self.expected_end)):
            return None
        start, end = self.starts_at.data, self.expected_end.data
        if self.kind.data == "maintenance" and end is None:
            self.expected_end.errors.append(_("Ange när underhållet beräknas vara klart."))
            ok = False
        if start and end and end <= start:
            self.expected_end.errors.append(_("Beräknat klart ska vara efter start."))
            ok = False
        if not ok:
            return None
        return OutageData(
            kind=self.kind.data,
            title=self.title.data.strip(),
            description=(self.description.data or "").strip(),
            area=(self.area.data or "").strip(),
            postcodes=postcodes,
            service_kinds=[k for k in SERVICE_KINDS if k in self.service_kinds.data],
            latitude=lat,
            longitude=lon,
            radius_km=(radius or DEFAULT_RADIUS_KM) if lat is not None else None,
            starts_at=to_utc(start),
            expected_end=to_utc(end),
        )


def fingerprint(data: OutageData) -> str:
    """What the preview showed: publishing needs the same data."""
    raw = json.dumps(data.__dict__, default=str, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class UpdateForm(FlaskForm):
    text = TextAreaField(
        _l("Uppdatering"),
        validators=[InputRequired(_l("Skriv uppdateringen.")), Length(max=2000, message=_l("Högst 2000 tecken."))],
    )  # fmt: skip
    expected_end = DateTimeLocalField(
        _l("Nytt beräknat klart"), format=TIME_FORMAT, validators=[Optional()]
    )
    seen = HiddenField()  # how many updates the employee saw


class ResolveForm(FlaskForm):
    text = TextAreaField(
        _l("Kommentar till kunderna"),
        validators=[Length(max=2000, message=_l("Högst 2000 tecken."))],
    )


class CoverageForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil att importera."))])
