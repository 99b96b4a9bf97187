"""Form helpers shared by the areas."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice


def select_choices(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (WTForms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]
