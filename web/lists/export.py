"""The list view's Excel export (``?export=xlsx`` and the ticked rows' bulk
export): the filtered, sorted rows streamed into ``excel.write_rows``, or,
beyond EXPORT_JOB_ROWS or for a report too large for the screen, a job for
the worker (web/jobs.py). A mixin of ``web.lists.view.ListView``, which holds
the columns, joins and queries it reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, has_request_context, request
from peewee import Field, Node

from web import excel, jobs, lookup
from web.i18n import tr
from web.lists import groups

if TYPE_CHECKING:
    from web.lists.state import ListState

MAX_IDS = 10_000  # ticked rows one request may name


def models_in(*exprs) -> set:
    """The models whose fields an expression (or several) refers to."""
    found: set = set()
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if isinstance(node, Field):
            found.add(node.model)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, Node):
            stack.extend(vars(node).values())
    return found


class ExportMixin:
    def export_rows(self, user, state: ListState, extra=None, ids=None):
        """(column specs, row iterator, cell formats) of the filtered,
        sorted rows; the formats turn a row's raw values into cells.

        A joined table the export only reads plain fields from, and whose
        rows in reach lie within ``lookup.LOOKUP_SPAN`` ids (an
        organisation's accounts, products, services), is not joined row by
        row: the row carries the foreign key and its format looks the value
        up (``lookup.LookUp``, each row of that table once). Bigger tables
        stay joined.
        """
        columns = [c for c in self.columns if c.export is not None]
        if self.groups is not None:
            columns += groups.group_columns(self.groups, user)
        looked_up = set()
        if not self.joins:
            query = self.ordered(self.filtered(user, state, extra), state)
        else:
            needed = self._export_joins(user, state, extra, columns)
            looked_up = {model for model, _ in self.joins} - needed
            query = self.ordered(self._join(self._where(user, state, extra), needed), state)
        if ids is not None:
            query = query.where(self.model.id.in_(ids))
        selected, formats = [], []
        for column in columns:
            expr = column.export_expr
            # Labels the cells hold (statuses, Ja/Nej) in the user's language
            # (in a request or the worker's replay of one).
            export_format = column.export_format
            if has_request_context():
                export_format = excel.in_language(export_format, tr)
            if isinstance(expr, Field) and expr.model in looked_up:
                selected.append(self.foreign_key_to(expr.model))
                formats.append(
                    lookup.LookUp(expr, export_format, lookup.in_reach(expr.model, user))
                )
            else:
                selected.append(expr)
                formats.append(export_format)
        return columns, excel.iterate(query.select(*selected).tuples()), formats

    def foreign_key_to(self, model):
        return next(key for joined, key in self.joins if joined is model)

    def _export_joins(self, user, state: ListState, extra, columns) -> set:
        """The joined tables an export joins: those its filters, sort or
        computed columns use, and those with many rows in reach."""
        targets = [self.by_key[key].target for key in state.filters]
        needed = models_in(self.by_key[state.sort_key].sort_expr, extra, *targets)
        for column in columns:
            if not isinstance(column.export_expr, Field):
                needed |= models_in(column.export_expr)
        for model, key in self.joins:
            if model not in needed and (
                key.null or lookup.id_span(model, user) > lookup.LOOKUP_SPAN
            ):
                needed.add(model)  # looked up by key: never an empty key
        return needed & {model for model, _ in self.joins}

    @staticmethod
    def selected_ids() -> list[int]:
        try:
            ids = [int(v) for v in request.args.getlist("ids")][:MAX_IDS]
        except ValueError:
            abort(400)
        # An id no database integer can hold selects nothing.
        return [i for i in ids if 0 < i < 2**63]

    def export_response(self, user, state: ListState, extra=None):
        """The Excel export: a download, or, beyond ``EXPORT_JOB_ROWS`` rows,
        a background job and its page (web/jobs.py); in the worker's replay
        of that job, the file written with its progress."""
        ids = self.selected_ids() if "ids" in request.args else None
        # The count reads about as many pages as the export: both read them
        # through a small page cache (excel.small_page_cache).
        with excel.small_page_cache():
            if jobs.replaying() is None and not getattr(user, "is_staff", True):
                reason = self.too_large(user) if self.too_large and ids is None else None
                if reason:
                    return jobs.start(user, self.export_title, 0, reason=reason)
                total = len(ids) if ids is not None else self.count(user, state, extra)
                if jobs.runs_later(user, total):
                    return jobs.start(user, self.export_title, total)
            columns, rows, formats = self.export_rows(user, state, extra, ids)
            # Headings and the sheet's title in the user's language (a job's
            # replay signs its user in, so the worker's file is theirs too).
            sheet = {
                "title": tr(self.export_title),
                "headers": [tr(c.label) for c in columns],
                "rows": rows,
                "formats": formats,
                "escape": [c.export_escape for c in columns],
                "number_formats": [excel.number_format(c.export_format) for c in columns],
            }
            if jobs.replaying() is not None:
                return jobs.write_file(**sheet)
            return excel.send_rows(**sheet)
