"""Exact list totals from the row tally (tables/tally.py) instead of COUNT(*)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tables.tally import organisation_tally_total, tally_total

if TYPE_CHECKING:
    from web.lists.state import ListState


@dataclass
class TallyCount:
    """Exact totals from the row tally instead of COUNT(*) over the rows.

    ``table`` is a tallied table (tables/tally.TALLIED) whose scope is the
    list's; ``buckets`` maps a column key to a function from that filter's
    value to the tally buckets it selects, or None when the buckets cannot
    answer it (then the list counts its rows). Any other active filter, an
    extra condition or object-level access also means counting rows.
    """

    table: str
    buckets: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def total(self, user, state: ListState, extra=None) -> int | None:
        if extra is not None or getattr(user, "restricted", False) or state.group_ids:
            return None
        selected = self._buckets(state)
        return None if selected is False else tally_total(self.table, user, selected)

    def organisation_total(self, user, state: ListState) -> int | None:
        """The same count over the user's whole organisation."""
        if state.group_ids:
            return None
        selected = self._buckets(state)
        if selected is False:
            return None
        return organisation_tally_total(self.table, user.organisation_id, selected)

    def _buckets(self, state: ListState):
        """The buckets the filters select (None: all; False: not answerable)."""
        selected = None
        for key, value in state.filters.items():
            to_buckets = self.buckets.get(key)
            chosen = to_buckets(value) if to_buckets else None
            if chosen is None:
                return False
            selected = set(chosen) if selected is None else selected & set(chosen)
        return selected
