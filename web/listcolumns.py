"""The columns and filters of a list view, re-exported from web/lists/."""

from web.lists.columns import (
    Column,
    choice_column,
    date_column,
    kronor_column,
    number_column,
    text_column,
)
from web.lists.filters import (
    MAX_FILTER_TEXT,
    AmountRangeFilter,
    ChoiceFilter,
    DateRangeFilter,
    Filter,
    NumberFilter,
    RangeFilter,
    TextFilter,
    _local_midnight_utc,
    parse_kronor,
)

__all__ = [
    "MAX_FILTER_TEXT",
    "AmountRangeFilter",
    "ChoiceFilter",
    "Column",
    "DateRangeFilter",
    "Filter",
    "NumberFilter",
    "RangeFilter",
    "TextFilter",
    "_local_midnight_utc",
    "choice_column",
    "date_column",
    "kronor_column",
    "number_column",
    "parse_kronor",
    "text_column",
]
