"""How a list finds its rows in SQL (UI-4): the scoped, filtered query, the
count, and the page's ids found on the indexes alone before its rows load.

Counting and paging are where a list gets slow at 100,000 rows, so the
engine keeps them on the listed table's own indexes: ``query`` gives the
scoped rows of the model alone and ``joins`` names the related tables a
row shows; those are joined to load the page's rows and to export, but to
count and to find a page's ids only when a filter or the sort uses them.
Totals come from the row tally (web/lists/tallies.py) when the filters
allow, and a page past the middle is read backwards from the end, so the
last pages cost what the first ones do.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
import sys

from flask import current_app
from peewee import JOIN, SQL, fn

from database import db, is_sqlite
from tables import group_filter
from tables.scope import walk_in_order
from web.lists import groups
from web.lists.export import models_in
from web.lists.filters import ChoiceFilter
from web.lists.state import ListPage, ListState

# A row an index walk passes (index entry and table look-up) costs about as
# much as sorting this many rows (measured on the large data set).
WALK_COST = 4
# With a group filter, a Kontoadministratör's page this near an end of the
# list is found by walking the organisation's rows in order (_walk_pays).
GROUP_WALK_ROWS = 1000
# The window of a page whose total is not counted (_window, _uncounted_page).
UNCOUNTED = sys.maxsize - 1


# Whether a query's SQL is read off an index in order, by database and SQL
# text (the parameters are bound apart, so one text serves every user and
# page of the same shape). A plan known wrongly would cost time, never rows.
_ORDERED_PLANS: dict[tuple[str, str], bool] = {}


def follows_an_index(sql: str, params) -> bool:
    """Whether SQLite would read ``sql`` in order off an index, not sort it.
    Sorting only the rows of one sort value by the tiebreak ("TEMP B-TREE FOR
    RIGHT PART OF ORDER BY", where the index holds more columns after the
    sort key) still reads in order: it never gathers the whole list."""
    key = (db.obj.database, sql)
    ordered = _ORDERED_PLANS.get(key)
    if ordered is None:
        plan = db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        ordered = not any("TEMP B-TREE FOR ORDER BY" in row[-1] for row in plan)
        if len(_ORDERED_PLANS) < 4096:
            _ORDERED_PLANS[key] = ordered
    return ordered


class PlanningMixin:
    """The queries of a ``web.lists.view.ListView``, which holds the model,
    columns, joins and tally they read."""

    def _where(self, user, state: ListState, extra=None, with_groups=True):
        query = self.base_query(user)
        if extra is not None:
            query = query.where(extra)
        for key, value in state.filters.items():
            column = self.by_key[key]
            query = query.where(column.filter.condition(column.target, value))
        if with_groups and self.groups is not None and groups.chosen(state, user):
            query = query.where(self.groups.condition(groups.chosen(state, user)))
        return query

    def _join(self, query, models=None):
        """Add the list's joins: all, or only those to ``models``."""
        for model, foreign_key in self.joins:
            if models is None or model in models:
                # A key that may be empty (a ticket's service) keeps its row.
                kind = JOIN.LEFT_OUTER if foreign_key.null else JOIN.INNER
                query = query.join_from(self.model, model, kind, on=foreign_key)
        return query

    def _with_rows(self, query):
        """Select the model and its joined tables, for whole rows."""
        if not self.joins:
            return query
        return self._join(query.select(self.model, *(model for model, _ in self.joins)))

    def _page_rows(self, ids: list[int]):
        """The rows of ``ids`` with what the row template shows."""
        query = self.model.select().where(self.model.id.in_(ids))
        if self.page_fields is None:
            return self._with_rows(query)
        shown = {field.model for field in self.page_fields}
        joins = [(model, key) for model, key in self.joins if model in shown]
        selected = [self.model.id, *(key for _, key in joins)]
        for model in [self.model, *(model for model, _ in joins)]:
            if model is not self.model:
                selected.append(model.id)
            selected.extend(f for f in self.page_fields if f.model is model)
        return self._join(query.select(*selected), {model for model, _ in joins})

    def filtered(self, user, state: ListState, extra=None):
        """The state's rows with everything they show (export, bulk actions)."""
        return self._with_rows(self._where(user, state, extra))

    def narrowed(self, user, state: ListState, extra=None):
        """The state's rows joined only as far as its filters and sort need:
        what counting and paging run on."""
        targets = [self.by_key[key].target for key in state.filters]
        used = models_in(self.by_key[state.sort_key].sort_expr, extra, *targets)
        return self._join(self._where(user, state, extra), used)

    def ordered(self, query, state: ListState, backwards: bool = False):
        expr = self.by_key[state.sort_key].sort_expr
        tiebreak = self.model.id
        if state.descending != backwards:
            return query.order_by(expr.desc(), tiebreak.desc())
        return query.order_by(expr.asc(), tiebreak.asc())

    def count(self, user, state: ListState, extra=None, query=None) -> int:
        total = self.tally.total(user, state, extra) if self.tally else None
        if total is None:
            query = query if query is not None else self.narrowed(user, state, extra)
            total = query.select(fn.COUNT(self.model.id)).order_by().scalar() or 0
        return total

    def count_deferred(self, user, state: ListState, extra=None) -> bool:
        """Whether the page is answered before its total is counted: a group
        filter the row tally cannot count. Counting reads every matching row
        (up to ``LIST_COUNT_CAP``: 100–300 ms for a department's calls), the
        page only its own; the pager with the total follows (``page(count=…)``,
        fetched by the page after it has loaded)."""
        if self.groups is None or not groups.chosen(state, user):
            return False
        return not (self.tally and self.tally.total(user, state, extra) is not None)

    def _capped_count(self, user, state: ListState, extra, query) -> tuple[int, int | None]:
        """(total, cap): the page's total, counted only up to
        ``LIST_COUNT_CAP`` + 1 rows when a group filter is active and the
        tally cannot answer; ``cap`` is set when there are more rows than it
        (then ``total`` is cap + 1). The exact count of a group's rows reads
        every one of them (287,184 calls of one department); the first pages
        need only to know there are more."""
        if self.groups is None or not groups.chosen(state, user):
            return self.count(user, state, extra, query), None  # the tally where it can
        total = self.tally.total(user, state, extra) if self.tally else None
        if total is not None:
            return total, None
        cap = current_app.config["LIST_COUNT_CAP"]
        # SELECT COUNT(1) FROM (SELECT id … LIMIT cap + 1)
        total = query.select(self.model.id).order_by().limit(cap + 1).count()
        return (total, cap) if total > cap else (total, None)

    @staticmethod
    def _window(state: ListState, total: int) -> tuple[int, int, bool]:
        """(LIMIT, OFFSET, backwards) of the page's ids.

        A page nearer the end than the start is read in reverse order from
        the end: OFFSET walks past every skipped row, so the last page of
        100,000 rows would otherwise cost a walk through all of them. With
        the total not counted (``UNCOUNTED``) the page is read forwards with
        one row more, which tells whether a next page exists.
        """
        offset = (state.page - 1) * state.per_page
        if total == UNCOUNTED:
            return state.per_page + 1, offset, False
        size = max(0, min(state.per_page, total - offset))
        after = total - offset - size
        backwards = after < offset
        return size or state.per_page, after if backwards else offset, backwards

    def _ids_query(self, query, state: ListState, total: int):
        """The query for the page's ids, and whether it reads backwards."""
        limit, offset, backwards = self._window(state, total)
        found = self.ordered(query.select(self.model.id), state, backwards)
        return found.limit(limit).offset(offset), backwards

    def _merged_ids_query(self, user, state: ListState, extra, total: int):
        """The page's ids from one walk per value of a choice filter.

        SQLite sorts ``status IN ('active', 'barred') ORDER BY monthly``
        whole, though an index gives each status's rows in that order: the
        same rows as a UNION ALL of one query per value, ordered by the sort
        key, it merges as they come. None when no filter has several values
        and the list walks no column's values unfiltered (``walk_each``).
        """
        key = self._one_value_key(state)
        values = state.filters.get(key)
        if key is None and self.walk_each and self.walk_each not in state.filters:
            key, values = self.walk_each, list(self.by_key[self.walk_each].filter.choices)
        if key is None:
            return None
        sort_expr = self.by_key[state.sort_key].sort_expr
        arms = []
        for value in values:
            arm = dataclasses.replace(state, filters={**state.filters, key: [value]})
            arms.append(self.narrowed(user, arm, extra).select(self.model.id, sort_expr))
        limit, offset, backwards = self._window(state, total)
        order = "DESC" if state.descending != backwards else "ASC"
        merged = functools.reduce(operator.add, arms)  # UNION ALL
        found = merged.order_by(SQL(f"2 {order}"), SQL(f"1 {order}")).limit(limit).offset(offset)
        return found, backwards

    def _walk_pays(self, user, state: ListState, extra, total: int) -> bool:
        """Whether a Kontoadministratör's page is cheaper found by walking an
        index in the list's order than the way SQLite picks by itself.

        SQLite looks up the sub-tree's rows account by account and sorts
        them all, which grows with the sub-tree: 20,000 invoices of a region
        are sorted for every page. Walking the organisation's rows in order
        passes, before the page, about (distance from the nearer end) ×
        (organisation rows per sub-tree row) rows, each a table look-up
        costing some sorted rows; the tally knows both totals.
        """
        if not (self.tally and extra is None and total and is_sqlite()):
            return False
        if user.is_staff or user.is_admin or getattr(user, "restricted", False):
            return False
        offset = (state.page - 1) * state.per_page
        distance = min(offset, max(0, total - offset - state.per_page)) + state.per_page
        if state.group_ids:
            # The tally does not count by group, so the share of the
            # organisation's rows that pass is unknown; the group's sets are
            # probed per row either way (tables/group_filter.py). Near an end
            # the walk passes few rows; looking the sub-tree's rows up account
            # by account would gather and sort all of them (a region's
            # 200,000 calls for every page).
            return distance <= GROUP_WALK_ROWS
        organisation = self.tally.organisation_total(user, state)
        if not organisation:
            return False
        return distance * (organisation / total) * WALK_COST < total

    def cursor_arms(self, user, state: ListState, extra, rows: int) -> list | None:
        """The queries that find ``rows`` rows from a start in the list's
        order (the API's cursor pages) each off an index in order, for the
        caller to merge; None where the plain query is best. Two things make
        arms (SQLite only; PostgreSQL merges index scans by itself):

        * a filter with several values an index gives one at a time
          (Tjänster's Aktiv and Spärrad): one query per value, where one
          query would gather and sort every row of both;
        * a Kontoadministratör whose page is cheaper found by walking the
          organisation's index in order than by sorting the sub-tree's rows
          (see _walk_pays; the tally knows both totals)."""
        if not is_sqlite() or state.group_ids or extra is not None:
            return None
        walk = self._cursor_walk_pays(user, state, rows)
        key = self._one_value_key(state)
        if not walk and key is None:
            return None
        states = [state]
        if key is not None:
            states = [
                dataclasses.replace(state, filters={**state.filters, key: [value]})
                for value in state.filters[key]
            ]
        if not walk:
            return [self.narrowed(user, arm, extra) for arm in states]
        with walk_in_order():
            return [self.narrowed(user, arm, extra) for arm in states]

    def _cursor_walk_pays(self, user, state: ListState, rows: int) -> bool:
        if not self.tally or user.is_staff or user.is_admin or getattr(user, "restricted", False):
            return False
        total = self.tally.total(user, state)
        organisation = self.tally.organisation_total(user, state)
        return bool(total and organisation and rows * (organisation / total) * WALK_COST < total)

    def _one_value_key(self, state: ListState) -> str | None:
        """A choice filter with several values whose rows an index gives one
        value at a time (Tjänster's Aktiv and Spärrad)."""
        return next(
            (
                k
                for k, value in state.filters.items()
                if isinstance(value, list)
                and len(value) > 1
                and isinstance(self.by_key[k].filter, ChoiceFilter)
                and self.by_key[k].filter.one_value_at_a_time
            ),
            None,
        )

    def _walking_ids_sql(self, user, state: ListState, extra, total: int):
        """(SQL, parameters) finding the page's ids by walking the
        organisation's rows in the list's order off an index, or None where
        SQLite would sort them."""
        with walk_in_order():
            # With several values of a filter, one walk would sort them all
            # (see _merged_ids_query); each value's walk may not.
            walking = self._merged_ids_query(user, state, extra, total)
            if walking is None:
                walking = self._ids_query(self.narrowed(user, state, extra), state, total)
            sql = walking[0].sql()
        return sql if follows_an_index(*sql) else None

    def _merged_ids_sql(self, user, state: ListState, extra, total: int):
        """(SQL, parameters) finding the page's ids with one index walk per
        value of a filter with several values chosen, merged in the list's
        order (see _merged_ids_query); None without such a filter or where
        SQLite would sort anyway. Tjänster opens on Aktiv and Spärrad: sorted
        whole, its page 2000 of 100,000 services costs 12 ms, merged 4 ms."""
        merged = self._merged_ids_query(user, state, extra, total)
        if merged is None:
            return None
        sql = merged[0].sql()
        return sql if follows_an_index(*sql) else None

    def page(self, user, state: ListState | None = None, extra=None, count=True) -> ListPage:
        """The state's page of rows with its total. ``count=False`` answers a
        list whose total would need counting (count_deferred) without it when
        there is a next page: ListPage.uncounted, the pager following."""
        state = state or self.state()
        query = self.narrowed(user, state, extra)
        if not count and self.count_deferred(user, state, extra):
            found = self._uncounted_page(user, state, extra, query)
            if found is not None:
                return found
        # One read transaction: the total and the page's ids see the same rows.
        with db.atomic():
            total, cap = self._capped_count(user, state, extra, query)
            if cap is not None:
                # More rows than the cap: the pages up to it are offered, read
                # forwards (the end is unknown); a page beyond it shows none.
                pages = max(1, math.ceil(cap / state.per_page))
                if state.page > pages:
                    return ListPage(state=state, rows=[], total=total, pages=pages, capped=cap)
                window_total = sys.maxsize
            else:
                pages = max(1, math.ceil(total / state.per_page))
                state.page = min(state.page, pages)
                window_total = total
            ids = self._page_ids(user, state, extra, query, window_total)
        rows = self._load_rows(ids)
        return ListPage(state=state, rows=rows, total=total, pages=pages, capped=cap)

    def _page_ids(self, user, state: ListState, extra, query, window_total: int) -> list[int]:
        """The ids of the state's page, in the list's order, found on the
        indexes alone (late row look-up: deep pages stay cheap)."""
        found, backwards = self._ids_query(query, state, window_total)
        sql = None
        # A group filter's sets are probed, not used to gather rows, so
        # the page's ids come off the list's index in order.
        with group_filter.walking_in_order():
            if self._walk_pays(user, state, extra, window_total):
                sql = self._walking_ids_sql(user, state, extra, window_total)
            elif is_sqlite():
                sql = self._merged_ids_sql(user, state, extra, window_total)
            sql = sql or found.sql()
        ids = [row[0] for row in db.execute_sql(*sql).fetchall()]
        return ids[::-1] if backwards else ids

    def _load_rows(self, ids: list[int]) -> list:
        rows = []
        if ids:
            # The ids came through the scope and filters already; building
            # that SQL again for 20 rows would cost more than reading them.
            found = self._rows_by_id.rows(ids)
            position = {row_id: i for i, row_id in enumerate(ids)}
            rows = sorted(found, key=lambda row: position[row.id])
        if self.rows_loader and rows:
            self.rows_loader(rows)
        return rows

    def _uncounted_page(self, user, state: ListState, extra, query) -> ListPage | None:
        """The page read forwards with one row more and no count; None where
        that row does not exist or the page is empty (then the rows up to it
        are the whole total, or the page lies beyond the end: count)."""
        with db.atomic():
            ids = self._page_ids(user, state, extra, query, UNCOUNTED)
        if len(ids) <= state.per_page:
            return None  # the last page (its total is known) or beyond the end
        rows = self._load_rows(ids[: state.per_page])
        return ListPage(state=state, rows=rows, total=None, pages=state.page + 1, uncounted=True)
