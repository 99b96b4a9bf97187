"""The filters of a list's columns (UI-4): how each reads its value from the
query string and turns it into SQL. Bad values never fail: each filter
answers a message to show next to it and the list ignores the value."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from peewee import SQL, DateTimeField

from database import icontains
from domain.numbers import number_query
from web.formatting import LOCAL_TZ

MAX_FILTER_TEXT = 100


class Filter:
    kind = ""

    def params(self, key: str) -> list[str]:
        return [f"f_{key}"]

    def parse(self, args, key: str) -> tuple[Any, str | None]:
        """(value or None when inactive, error message or None)."""
        raise NotImplementedError

    def condition(self, expr, value):
        raise NotImplementedError

    @property
    def has_default(self) -> bool:
        return False


class TextFilter(Filter):
    """Contains-search, case-insensitive."""

    kind = "text"

    def parse(self, args, key):
        value = args.get(f"f_{key}", "").strip()
        if len(value) > MAX_FILTER_TEXT:
            return None, f"Högst {MAX_FILTER_TEXT} tecken."
        return (value or None), None

    def condition(self, expr, value):
        if "\x00" in value:
            # No stored text holds NUL; SQLite's LIKE would end the pattern
            # there and match everything, PostgreSQL refuses the parameter.
            return SQL("1 = 0")
        exprs = expr if isinstance(expr, tuple) else (expr,)
        cond = icontains(exprs[0], value)
        for other in exprs[1:]:
            cond |= icontains(other, value)
        return cond


class NumberFilter(TextFilter):
    """A TextFilter on numbers stored as plain digits (phone numbers, org.nr):
    "070-123 45 67", "070 123 45 67" and "+46 70 123 45 67" find "0701234567".

    Only the typed text is brought to the stored form (domain/numbers.py);
    the columns are compared as they are, never through a function, so the
    query keeps the plan and the indexes of any text filter. The text as
    typed is searched too, for text columns sharing the filter (a user name).
    """

    def condition(self, expr, value):
        cond = super().condition(expr, value)
        digits = number_query(value)
        if digits and digits != value and "\x00" not in value:
            cond |= super().condition(expr, digits)
        return cond


class ChoiceFilter(Filter):
    """One or more of fixed choices (checkboxes). ``default`` applies while
    the parameter is absent; an empty parameter (``f_status=``) means all."""

    kind = "choice"

    def __init__(
        self,
        choices: dict[str, str],
        default: tuple[str, ...] | None = None,
        condition: Callable | None = None,
    ):
        self.choices = choices
        self.default = default
        self._condition = condition

    @property
    def has_default(self):
        return bool(self.default)

    @property
    def one_value_at_a_time(self) -> bool:
        """Whether the rows of several values are the rows of each value alone
        (a plain IN), so a list may query them value by value."""
        return self._condition is None

    def parse(self, args, key):
        name = f"f_{key}"
        if name not in args:
            return (list(self.default) if self.default else None), None
        raw = [v for v in args.getlist(name) if v != ""]
        values = [v for v in raw if v in self.choices]
        error = "Okänt val ignorerades." if len(values) != len(raw) else None
        return (values or None), error

    def condition(self, expr, value):
        if self._condition is not None:
            return self._condition(value)
        return expr.in_(value)


def _parse_date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _local_midnight_utc(day: dt.date) -> dt.datetime | None:
    """The UTC time of ``day``'s local midnight; None past the ends of the
    calendar (0001-01-01 or the day after 9999-12-31), where no stored time
    lies beyond the bound."""
    try:
        start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
        return start.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        return None


class RangeFilter(Filter):
    """A lower and an upper bound, each optional: ``f_<key>_<suffix>`` for
    each of ``suffixes``. A bound that does not parse is dropped with
    ``bad_bound`` shown; bounds the wrong way round are ``reversed``."""

    suffixes: tuple[str, str]
    bad_bound: str
    reversed: str

    def params(self, key):
        return [f"f_{key}_{suffix}" for suffix in self.suffixes]

    def parse_bound(self, text: str):
        raise NotImplementedError

    def parse(self, args, key):
        bounds, error = [], None
        for name in self.params(key):
            text = args.get(name, "").strip()
            if not text:
                bounds.append(None)
                continue
            try:
                bounds.append(self.parse_bound(text))
            except ValueError:
                bounds.append(None)
                error = self.bad_bound
        low, high = bounds
        if low is not None and high is not None and low > high:
            return None, self.reversed
        if low is None and high is None:
            return None, error
        return (low, high), error


class DateRangeFilter(RangeFilter):
    """From and to dates (inclusive), ISO ÅÅÅÅ-MM-DD."""

    kind = "daterange"
    suffixes = ("from", "to")
    bad_bound = "Ange datum som ÅÅÅÅ-MM-DD."
    reversed = "Från-datum är efter till-datum."

    def parse_bound(self, text):
        return _parse_date(text)

    def condition(self, expr, value):
        start, end = value
        if isinstance(expr, DateTimeField):
            # Local days as UTC times, from start's midnight to the one after end;
            # a bound past the ends of the calendar holds every stored time.
            low = _local_midnight_utc(start) if start else None
            high = (
                _local_midnight_utc(end + dt.timedelta(days=1))
                if end and end < dt.date.max
                else None
            )
        else:
            low, high = start, end
        conds = []
        if low is not None:
            conds.append(expr >= low)
        if high is not None:
            conds.append(expr < high if isinstance(expr, DateTimeField) else expr <= high)
        if not conds:
            return expr.is_null(False)
        return conds[0] if len(conds) == 1 else conds[0] & conds[1]


def parse_kronor(text: str) -> int:
    """ "1 234,50" or "1234.5" kronor → öre."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,2})?", cleaned):
        raise ValueError(text)
    kronor, _, ore = cleaned.partition(".")
    sign = -1 if kronor.startswith("-") else 1
    return sign * (abs(int(kronor)) * 100 + int((ore + "00")[:2]))


class AmountRangeFilter(RangeFilter):
    """Minimum and maximum amounts in kronor; the column holds öre."""

    kind = "amountrange"
    suffixes = ("min", "max")
    bad_bound = "Ange ett belopp i kronor, t.ex. 99,50."
    reversed = "Lägsta belopp är större än högsta."

    def parse_bound(self, text):
        return parse_kronor(text)

    def condition(self, expr, value):
        low, high = value
        if low is not None and high is not None:
            return expr.between(low, high)
        return expr >= low if low is not None else expr <= high
