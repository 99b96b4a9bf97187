"""The forms of Grupper: names of categories and groups, memberships, upload."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from domain import groups as domain
from web.forms import FlaskForm, select_choices

MONTH_HINT = _l("ÅÅÅÅ-MM")


def _month(form, field):
    if field.data and domain.parse_month(field.data) is None:
        raise ValidationError(_("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-01."))


class NameForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        validators=[
            InputRequired(_l("Ange ett namn.")),
            Length(max=domain.NAME_LENGTH),
        ],
    )
    description = TextAreaField(_l("Beskrivning"), validators=[Optional(), Length(max=500)])


class MembershipForm(FlaskForm):
    """Lägg till i grupp and Byt grupp: a group (by category), from a month."""

    group = SelectField(_l("Grupp"), validate_choice=False)
    start_month = StringField(_l("Startmånad"), validators=[Optional(), _month])
    end_month = StringField(_l("Slutmånad"), validators=[Optional(), _month])

    def set_groups(self, groups) -> None:
        """The groups as options, under their category's name."""
        choices = select_choices([("", _("Välj grupp"))])
        for group in groups:
            choices += select_choices([(str(group.id), group.label)], group.category.name)
        self.group.choices = choices

    def validate_group(self, field):
        if not field.data:
            raise ValidationError(_("Välj en grupp."))

    @property
    def start(self):
        return domain.parse_month(self.start_month.data)

    @property
    def end(self):
        return domain.parse_month(self.end_month.data)


class EndForm(FlaskForm):
    end_month = StringField(
        _l("Slutmånad"), validators=[InputRequired(_l("Ange slutmånaden (ÅÅÅÅ-MM).")), _month]
    )


class UploadForm(FlaskForm):
    file = FileField(_l("Excel-fil (.xlsx)"))
    mode = RadioField(
        _l("Om någon rad är fel"),
        choices=select_choices(
            [
                ("all", _l("Allt eller inget: spara ingenting om någon rad är fel")),
                ("valid", _l("Spara giltiga rader")),
            ]
        ),
        default="all",
        validate_choice=False,  # anything but "valid" is the safe choice: all or nothing
    )

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise ValidationError(_("Välj en Excel-fil."))
