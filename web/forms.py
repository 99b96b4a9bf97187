"""Form helpers shared by the areas, and the base class of every form.

Every form derives from :class:`FlaskForm` here rather than Flask-WTF's, so
two rules hold for all text input without a line in each form:

* **No control characters** (ASVS 1.2.10, 2.2.1): NUL and the other C0/C1
  control characters, DEL, and the Unicode bidi embedding, override and
  isolate characters (which reorder how a name reads, e.g. in the audit log)
  are refused with a message next to the field. Tab, line feed and carriage
  return are allowed where text has several lines (``TextAreaField``).
  Passwords are exempt: they are hashed, never shown or exported.
* **A missing text field is empty**: a browser sends ``""`` for an empty
  input, but a hand-made POST may leave the field out, and WTForms would
  then hand ``None`` to a NOT NULL column.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from domain.numbers import format_org_number, format_phone
from web.i18n import N_, tr

CONTROL_MESSAGE = N_("Fältet innehåller otillåtna tecken.")

_BIDI = "\u202a-\u202e\u2066-\u2069"
SINGLE_LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
MULTI_LINE_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def forbidden_characters(field) -> re.Pattern | None:
    """The characters ``field`` refuses, or None for fields not checked."""
    if not isinstance(field, StringField) or isinstance(field, PasswordField):
        return None
    return MULTI_LINE_FORBIDDEN if isinstance(field, TextAreaField) else SINGLE_LINE_FORBIDDEN


def _no_control_characters(pattern: re.Pattern):
    def check(form, field):
        if isinstance(field.data, str) and pattern.search(field.data):
            raise ValidationError(gettext(CONTROL_MESSAGE))

    return check


class FlaskForm(_FlaskForm):
    """Flask-WTF's form with the text rules above; every form derives from it."""

    class Meta(_FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            # On the field itself, so that forms validating field by field
            # (the two-step user form) check it too.
            field = super().bind_field(form, unbound_field, options)
            pattern = forbidden_characters(field)
            if pattern is not None:
                field.validators = [*field.validators, _no_control_characters(pattern)]
            return field

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        # A posted form (also an empty POST, where Flask-WTF passes no
        # form data at all): a missing text field is "", never None.
        if self.meta.wrap_formdata(self, formdata) is not None or self.is_submitted():
            for field in self:
                if isinstance(field, StringField) and field.data is None:
                    field.data = ""


def select_choices(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (WTForms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


class PhoneField(StringField):
    """A phone number field: a stored number ("0701234567") is shown the way
    people write it ("070-123 45 67"); what a person typed is shown as typed."""

    def _value(self):
        return format_phone(self.data) if isinstance(self.data, str) else super()._value()


class OrgNumberField(StringField):
    """An organisation number field: a stored "5566290549" shows as "556629-0549"."""

    def _value(self):
        return format_org_number(self.data) if isinstance(self.data, str) else super()._value()


class PinForm(FlaskForm):
    """An account's PIN for kundnummer + PIN sign-in (domain/account_pin.py)."""

    pin = PasswordField(_l("Ny PIN-kod"))

    def validate_pin(self, field):
        from domain.account_pin import pin_problem

        problem = pin_problem((field.data or "").strip())
        if problem:
            raise ValidationError(tr(problem))
