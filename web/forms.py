"""Form helpers shared by the areas."""

from __future__ import annotations

from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from domain.numbers import format_org_number, format_phone


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
