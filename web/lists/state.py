"""A list's state as read from the query string (``sort``, ``dir``, ``page``,
``per_page``, ``f_<column>…``) and the links that change it, so reload,
back/forward and a copied link give the same view; and the page of rows
that state shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from web.lists.groups import parse_group_ids

if TYPE_CHECKING:
    from web.lists.view import ListView


@dataclass
class ListState:
    """The list's state as read from the query string."""

    view: ListView
    args: MultiDict
    path: str
    sort_key: str
    descending: bool
    page: int
    per_page: int
    filters: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The ``grupp`` ids asked for, and once the user is known those of their
    # organisation by category (web/lists/groups.py).
    group_ids: list[int] = field(default_factory=list)
    chosen: dict[int, list[int]] | None = None

    def _is_preset(self, key: str, value) -> bool:
        """Whether ``value`` of column ``key``'s filter is the list's preset."""
        column_filter = self.view.by_key[key].filter
        return (
            self.view.preset is not None
            and column_filter.has_default
            and set(value or ()) == set(column_filter.default)
        )

    @property
    def user_filters(self) -> dict[str, Any]:
        """The filters the user chose: all of them but a preset left as it is."""
        return {k: v for k, v in self.filters.items() if not self._is_preset(k, v)}

    @property
    def active(self) -> bool:
        """Whether the user filtered the list (the manual's notice shows)."""
        return bool(self.user_filters) or self.grouped

    @property
    def grouped(self) -> bool:
        """Whether the list is narrowed to groups (of the user's organisation,
        once known)."""
        return bool(self.chosen) if self.chosen is not None else bool(self.group_ids)

    @property
    def shows_preset(self) -> bool:
        """Whether the list's preset is in effect (its information shows)."""
        if self.view.preset is None:
            return False
        return all(
            self._is_preset(column.key, self.filters.get(column.key))
            for column in self.view.columns
            if column.filter and column.filter.has_default
        )

    def url(self, **changes) -> str:
        """This list with some parameters changed; None removes one."""
        args = MultiDict(self.args)
        for key, value in changes.items():
            args.poplist(key)
            if value is None:
                continue
            for item in value if isinstance(value, (list, tuple)) else [value]:
                args.add(key, item)
        query = urlencode(list(args.items(multi=True)))
        return f"{self.path}?{query}" if query else self.path

    def sort_url(self, key: str) -> str:
        descending = not self.descending if key == self.sort_key else False
        return self.url(sort=key, dir="desc" if descending else "asc", page=None)

    def page_url(self, page: int) -> str:
        return self.url(page=page if page > 1 else None)

    def clear_url(self, key: str) -> str:
        """This list without the filter of one column (default off too)."""
        column_filter = self.view.by_key[key].filter
        changes: dict[str, Any] = {name: None for name in column_filter.params(key)}
        if column_filter.has_default:
            changes[f"f_{key}"] = ""
        return self.url(page=None, **changes)

    def reset_url(self) -> str:
        """Nollställ filtrering: back to the list's preset where it has one,
        else no filters at all, defaults included."""
        changes: dict[str, Any] = {"page": None, "grupp": None}
        for column in self.view.columns:
            if column.filter:
                for name in column.filter.params(column.key):
                    changes[name] = None
                if column.filter.has_default and self.view.preset is None:
                    changes[f"f_{column.key}"] = ""
        return self.url(**changes)

    def hidden_fields(self, *exclude: str) -> list[tuple[str, str]]:
        """Current parameters as (name, value) for a form, minus ``exclude``."""
        return [
            (k, v)
            for k, v in self.args.items(multi=True)
            if k not in exclude and k not in ("page", "export", "ids")
        ]

    def export_url(self) -> str:
        return self.url(export="xlsx", page=None)

    def filter_value(self, key: str):
        return self.filters.get(key)


@dataclass
class ListPage:
    state: ListState
    rows: list
    # None while ``uncounted``.
    total: int | None
    pages: int
    # The Grupper control's categories and groups (web/lists/groups.py).
    group_choices: list = field(default_factory=list)
    # Kronor of the invoice lines that count toward the chosen groups.
    group_total_ore: int | None = None
    # Summa per grupp (web/group_totals.py): the categories offered and the
    # one chosen with ``?kategori=``.
    total_categories: list = field(default_factory=list)
    total_category: Any = None
    # Set (to LIST_COUNT_CAP) when a group-filtered list has more rows than
    # it counts: ``total`` is then the cap + 1 and ``pages`` end at the cap.
    capped: int | None = None
    # Fakturor: the group sum is left out because the list is over the cap.
    group_total_capped: bool = False
    # A group-filtered page answered before its total is counted: there is
    # a next page (``pages`` is this one + 1); the page fetches the counted
    # pager (and Fakturor's group sum) after it has loaded (ListView.respond).
    uncounted: bool = False
    # Fakturor's group sum is fetched after the page (it reads every line).
    group_total_later: bool = False

    @property
    def beyond(self) -> bool:
        """A page past the last one offered of a capped list (shows no rows)."""
        return self.capped is not None and self.state.page > self.pages

    @property
    def first(self) -> int:
        if self.uncounted:
            return (self.state.page - 1) * self.state.per_page + 1
        if not self.total or self.beyond:
            return 0
        return (self.state.page - 1) * self.state.per_page + 1

    @property
    def last(self) -> int:
        if self.beyond:
            return 0
        if self.capped is not None or self.uncounted:
            # The end is not counted: the page ends where its rows do.
            return self.first + len(self.rows) - 1
        return min(self.total, self.state.page * self.state.per_page)

    def page_numbers(self) -> list[int | None]:
        """Page links around the current page; None marks a gap."""
        current, last = min(self.state.page, self.pages), self.pages
        shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
        out: list[int | None] = []
        for number in shown:
            if out and number - (out[-1] or 0) > 1:
                out.append(None)
            out.append(number)
        return out


def parse_state(view: ListView, args: MultiDict, path: str) -> ListState:
    """The state of ``view`` that ``args`` ask for. Unknown sorts fall back to
    the default, pages are clamped, filter values that do not parse are left
    out with a message (ListState.errors)."""
    sort_key = args.get("sort", "")
    column = view.by_key.get(sort_key)
    if column is None or column.sort is None:
        sort_key, direction = view.default_sort
    else:
        direction = args.get("dir", "asc")
    try:
        per_page = int(args.get("per_page", 20))
    except ValueError:
        per_page = 20
    if per_page not in view.per_page_choices:
        per_page = min(view.per_page_choices, key=lambda n: abs(n - per_page))
    try:
        page = max(1, min(int(args.get("page", 1)), 10**9))
    except ValueError:
        page = 1
    state = ListState(
        view=view,
        args=args,
        path=path,
        sort_key=sort_key,
        descending=direction == "desc",
        page=page,
        per_page=per_page,
        group_ids=parse_group_ids(args) if view.groups else [],
    )
    for column in view.columns:
        if column.filter is None:
            continue
        value, error = column.filter.parse(args, column.key)
        if value is not None:
            state.filters[column.key] = value
        if error:
            state.errors[column.key] = error
    return state
