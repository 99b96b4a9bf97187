"""The columns a list view is configured with (UI-4): what a column shows,
sorts by, filters on and exports."""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import CharField, DateTimeField, TextField

from web import excel
from web.lists.filters import ChoiceFilter, DateRangeFilter, Filter, NumberFilter, TextFilter


def _resolve(expr):
    """Expressions may be given as functions, evaluated per request (today's date)."""
    return expr() if isinstance(expr, (types.FunctionType, types.MethodType)) else expr


@dataclass
class Column:
    """One column. ``sort``, ``filter_expr`` and ``export`` are SQL expressions,
    or functions returning one when it depends on the request (e.g. today)."""

    key: str
    label: str
    sort: Any = None  # expression to order by; None: not sortable
    filter: Filter | None = None
    filter_expr: Any = None  # defaults to ``sort``
    export: Any = None  # expression for the Excel column; None: not exported
    export_format: Callable | None = None  # raw value → cell value
    text: bool = True  # Excel: escape text that a spreadsheet could run
    align: str = "left"
    show: bool = True  # False: only in the Excel export
    essential: bool = False  # shown on a phone's card (see ListView.card_hidden)

    @property
    def target(self):
        return _resolve(self.filter_expr if self.filter_expr is not None else self.sort)

    @property
    def sort_expr(self):
        return _resolve(self.sort)

    @property
    def export_expr(self):
        return _resolve(self.export)

    @property
    def export_escape(self):
        """How the Excel export guards this column against formulas: not at
        all (not text), excel.TEXT (a text field's own values) or True."""
        if not self.text:
            return False
        if self.export_format is None and isinstance(self.export_expr, (CharField, TextField)):
            return excel.TEXT
        return True


def text_column(key: str, label: str, field, **options) -> Column:
    """A sortable text column found by the text typed in its filter."""
    return Column(key, label, sort=field, filter=TextFilter(), export=field, **options)


def number_column(key: str, label: str, field, **options) -> Column:
    """A text column of numbers shown grouped ("070-123 45 67"), found
    however the number is typed; exported as the stored digits, as text."""
    return Column(key, label, sort=field, filter=NumberFilter(), export=field, **options)


def kronor_column(key: str, label: str, field, **options) -> Column:
    """An amount in öre: sorted by it, right-aligned, exported as kronor."""
    return Column(
        key,
        label,
        sort=field,
        export=field,
        export_format=excel.to_kronor,
        text=False,
        align="right",
        **options,
    )


def date_column(key: str, label: str, field, **options) -> Column:
    """A sortable date or time column with a date range filter; the Excel
    cell is a date (a DateField) or a local time (a DateTimeField)."""
    to_cell = excel.to_datetime if isinstance(field, DateTimeField) else excel.to_date
    return Column(
        key,
        label,
        sort=field,
        filter=DateRangeFilter(),
        export=field,
        export_format=to_cell,
        text=False,
        **options,
    )


def choice_column(key: str, label: str, field, choices: dict, filter=None, **options) -> Column:
    """A sortable column of coded values shown (and exported) by their labels,
    filtered by ticking values (``filter`` to narrow or preset the choices)."""
    return Column(
        key,
        label,
        sort=field,
        filter=filter or ChoiceFilter(choices),
        export=field,
        export_format=excel.labels(choices),
        **options,
    )
