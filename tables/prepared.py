"""Queries whose SQL is built once and then run with fresh values.

Peewee builds a query's SQL each time it runs, walking every column, join
and condition in Python: for the queries every signed-in request makes
(the user with the session, the rows of a list page) that costs more than
the database takes to answer them. ``Prepared(build)`` calls ``build`` once
per kind of database and shape, with marker values where the parameters
go, and keeps the SQL and where each marker landed among its parameters.
Each run hands that SQL with the real values to the database and reads the
rows through the query's own cursor wrapper: the same model instances,
joined rows included, as running the query would give.

The values go to the database as given, without a field's conversion:
integers and strings (ids, keys), as the queries here take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from database import db

# Marker values: integers that nothing else in a query holds. A string
# column receives its marker as text, so both forms are looked for.
_MARKER = 7_391_000_000_000


class Prepared:
    """``build(*values)`` gives a peewee SELECT; ``rows(*values)`` runs it.

    A value that is a list or tuple (``Model.id.in_(ids)``) is a shape of its
    own for each length; any other value is one parameter.
    """

    def __init__(self, build: Callable[..., Any]):
        self.build = build
        self._plans: dict[tuple, tuple] = {}

    def rows(self, *values) -> Iterator:
        shape = tuple(len(v) if isinstance(v, (list, tuple)) else None for v in values)
        key = (type(db.obj), shape)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._prepare(shape)
        query, sql, params, slots = plan
        params = list(params)
        for position, (i, j) in slots:
            params[position] = values[i] if j is None else values[i][j]
        return iter(query._get_cursor_wrapper(db.execute_sql(sql, params)))

    def first(self, *values):
        """The first row, or None."""
        return next(self.rows(*values), None)

    def _prepare(self, shape: tuple) -> tuple:
        markers, where = [], {}
        for i, size in enumerate(shape):
            if size is None:
                markers.append(self._marker(where, (i, None)))
            else:
                markers.append([self._marker(where, (i, j)) for j in range(size)])
        query = self.build(*markers)
        sql, params = query.sql()
        slots = []
        for position, param in enumerate(params):
            found = where.get(param if isinstance(param, int) else _as_int(param))
            if found is not None:
                slots.append((position, found))
        if sorted(found for _, found in slots) != sorted(where.values()):
            raise ValueError("a value of the prepared query is not one of its parameters")
        return query, sql, params, slots

    @staticmethod
    def _marker(where: dict, slot: tuple) -> int:
        marker = _MARKER + len(where)
        where[marker] = slot
        return marker


def _as_int(param) -> int | None:
    if isinstance(param, str) and param.isdigit():
        return int(param)
    return None
