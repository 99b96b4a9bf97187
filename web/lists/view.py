"""The list view (Listvy, UI-4), written once and configured by every list.

A list is a :class:`ListView`: column definitions (label, sort expression,
filter, export value; web/lists/columns.py), a scoped base query and a row
template. It reads its whole state from the query string
(web/lists/state.py); htmx requests get the list fragment only. Bad input
never fails: unknown sorts fall back to the default, pages are clamped,
malformed filter values are ignored and explained next to the filter. How
it finds its rows is web/lists/planning.py; its Excel export
web/lists/export.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from flask import abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from tables.prepared import Prepared
from web import group_totals, jobs
from web.htmx import render
from web.i18n import N_
from web.lists import groups
from web.lists.columns import Column
from web.lists.export import ExportMixin
from web.lists.groups import GroupRule
from web.lists.planning import PlanningMixin
from web.lists.state import ListPage, ListState, parse_state
from web.lists.tallies import TallyCount


class ListView(PlanningMixin, ExportMixin):
    """One list: its columns, scoped query, joins and templates.

    ``query(user)`` is the model's rows the user may see (``visible_to``);
    ``joins`` are (model, foreign key) pairs for what the rows also show.
    ``page_fields``, when given, are the fields of the model and its joined
    tables that the row template shows: a page's rows load only those (a
    whole row of 30 columns and two joined rows cost far more to build than
    the page's SQL to run), while exports and bulk actions get whole rows.
    Lists that give no ``joins`` may return a query with its own joins and
    get it unchanged everywhere.

    ``preset`` makes the filters' defaults the list's preset view and says
    in words what it shows ("Visar aktiva och spärrade tjänster – ändra i
    kolumnen Status"): while the defaults are in effect that text shows as
    information rather than the manual's filter warning, and Nollställ
    filtrering returns to the preset. Without it a default is a filter like
    any other, and the reset clears it too.
    """

    per_page_choices = (10, 20, 50, 100)

    def __init__(
        self,
        name: str,
        model,
        columns: list[Column],
        query: Callable,
        row_template: str,
        default_sort: tuple[str, str],
        export_title: str,
        empty_text: str = N_("Det finns inga poster"),
        bulk_actions: list[tuple[str, str]] | None = None,
        bulk_handlers: dict[str, Callable] | None = None,
        rows_loader: Callable[[list], None] | None = None,
        joins: list[tuple[Any, Any]] | None = None,
        page_fields: tuple | None = None,
        tally: TallyCount | None = None,
        preset: str | None = None,
        essential: tuple[str, ...] = (),
        too_large: Callable[[Any], str | None] | None = None,
        walk_each: str | None = None,
        groups: GroupRule | None = None,
        group_totals: str | None = None,
    ):
        self.name = name
        self.model = model
        # ``essential``: the keys of the columns a phone's card shows, for
        # lists whose columns do not say so themselves (Column.essential)
        unknown = set(essential) - {c.key for c in columns}
        if unknown:
            raise ValueError(f"{name}: no columns {sorted(unknown)}")
        columns = [
            dataclasses.replace(c, essential=True) if c.key in essential else c for c in columns
        ]
        self.columns = columns
        self.by_key = {c.key: c for c in columns}
        self.base_query = query
        self.row_template = row_template
        self.default_sort = default_sort
        self.export_title = export_title
        self.empty_text = empty_text
        # Bulk actions act on the ticked rows: (value of ``export``, label).
        # "xlsx" is built in; other values are answered by bulk_handlers.
        self.bulk_actions = (
            bulk_actions if bulk_actions is not None else [("xlsx", N_("Exportera markerade"))]
        )
        self.bulk_handlers = bulk_handlers or {}
        self.rows_loader = rows_loader
        self.joins = joins or []
        self.page_fields = page_fields
        self.tally = tally
        self.preset = preset
        # ``too_large(user)``: why the list is too much to compute in a
        # request (a message), or None. Such a list, previewed or exported,
        # is made in the background as an Excel file (web/jobs.py).
        self.too_large = too_large
        # ``walk_each``: a choice column whose values every row has one of
        # (a service's status). Unfiltered on it, the page's ids are still
        # found one index walk per value and merged (_merged_ids_query), as
        # all its values together are all the rows.
        self.walk_each = walk_each
        # ``groups``: how a row finds its group (web/lists/groups.py); the
        # list then filters by ``grupp`` and exports the group columns.
        self.groups = groups
        # ``group_totals``: the endpoint of the list's "Summa per grupp"
        # panel (web/group_totals.py), offered with ``?kategori=``.
        self.group_totals = group_totals
        self.shown = [c for c in columns if c.show]
        # A page's rows by id: the same SQL for every page of the same length.
        self._rows_by_id = Prepared(self._page_rows)

    @property
    def card_hidden(self) -> list[int]:
        """The cells (1-based, the tick box included) that a phone's card
        leaves out: those of the columns not marked essential, when any is."""
        if not any(c.essential for c in self.shown):
            return []
        first = 2 if self.bulk_actions else 1
        return [n for n, c in enumerate(self.shown, start=first) if not c.essential]

    def state(self, args: MultiDict | None = None, path: str | None = None) -> ListState:
        args = MultiDict(request.args if args is None else args)
        return parse_state(self, args, path or request.path)

    def opening_total(self, user) -> int:
        """The total of the list as it opens (its defaults or preset): what a
        start-page tile linking to it counts."""
        return self.count(user, self.state(MultiDict(), path=f"/{self.name}"))

    # -- responses

    def respond(self, user, page_template: str, extra=None, **context):
        """The whole list endpoint: Excel export, htmx fragment or full page."""
        state = self.state()
        action = request.args.get("export")
        if action == "xlsx":
            return self.export_response(user, state, extra)
        if action in self.bulk_handlers:
            ids = self.selected_ids()
            query = self.filtered(user, state, extra).where(self.model.id.in_(ids))
            return self.bulk_handlers[action](query)
        if self.too_large and not getattr(user, "is_staff", True):
            reason = self.too_large(user)
            if reason:
                return jobs.start(user, self.export_title, 0, reason=reason)
        part = request.headers.get(LIST_PART_HEADER)
        if part in LIST_PARTS:
            return self._part(part, user, state, extra)
        # A group-filtered page comes without its total; the pager and
        # Fakturor's group sum are fetched by the page once it has loaded.
        listing = self.page(user, state, extra, count=False)
        if self.groups is not None:
            listing.group_choices = groups.group_choices(state, user)
            if self._sums_groups(state):
                if listing.uncounted:
                    listing.group_total_later = True
                else:
                    self._group_total(listing, user, state, extra)
        if self.group_totals is not None:
            listing.total_categories = group_totals.categories(user)
            listing.total_category = group_totals.chosen_category(user, state.args)
        return render(
            page_template,
            "partials/_listview.html",
            lv=self,
            lp=listing,
            **context,
        )

    def _sums_groups(self, state: ListState) -> bool:
        return isinstance(self.groups, groups.InvoiceGroupRule) and bool(state.chosen)

    def _group_total(self, listing: ListPage, user, state: ListState, extra) -> None:
        """Fakturor's "Summa för valda grupper". Over the cap the sum would
        read every line of every matching invoice: Rapporter → Kostnader per
        grupp has it."""
        if listing.capped is not None:
            listing.group_total_capped = True
        else:
            listing.group_total_ore = groups.invoice_lines_total(
                self._where(user, state, extra, with_groups=False), state.chosen
            )

    def _part(self, part: str, user, state: ListState, extra):
        """A part a page fetches after it has loaded: the counted pager, or
        Fakturor's group sum (``X-List-Part``)."""
        listing = self.page(user, state, extra)
        if part == "group-total":
            if (
                self.groups is None
                or not groups.chosen(state, user)
                or not self._sums_groups(state)
            ):
                abort(404)  # no group sum on this list or without chosen groups
            self._group_total(listing, user, state, extra)
            return render_template("partials/_list_group_total.html", lv=self, lp=listing)
        return render_template("partials/_list_pager.html", lv=self, lp=listing)


# Parts of a list page fetched after it (ListView._part): the header names one.
LIST_PART_HEADER = "X-List-Part"
LIST_PARTS = ("pager", "group-total")


def status_views(endpoint: str, views) -> list[dict]:
    """Links to a list preset on statuses ("Visa öppna", "Visa historik" …):
    ``views`` are (key, label, statuses or None for all); each link keeps the
    other filters and the sort, starts on page 1, and is active when the
    list shows exactly those statuses."""
    current = sorted(v for v in request.args.getlist("f_status") if v)
    out = []
    for key, label, statuses in views:
        args = request.args.to_dict(flat=False)
        args.pop("page", None)
        args.pop("f_status", None)
        if statuses:
            args["f_status"] = statuses
        out.append(
            {
                "key": key,
                "label": label,
                "url": url_for(endpoint, **args),
                "active": current == sorted(statuses or []),
            }
        )
    return out
