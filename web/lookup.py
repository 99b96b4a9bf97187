"""Export cells looked up by foreign key instead of joined row by row.

An export of a list with joined tables (call records with their service
and account, invoices with their account) meets the same few thousand
joined rows again and again. Where a joined table's rows in reach lie
within LOOKUP_SPAN ids, the export selects the foreign key and a
:class:`LookUp` turns it into the cell: the value is read once, and for a
long export the whole table in reach is read at once into a list by id.
``ListView.export_rows`` decides which tables are looked up.
"""

from __future__ import annotations

from peewee import fn

# A joined table whose rows in reach lie within this many ids is looked up,
# not joined, by an export: its values are held in a list by id, so the
# list's slots take at most 2 MB, and equal values are held once.
LOOKUP_SPAN = 250_000


def in_reach(model, user):
    """Rows of ``model`` an export could look up: the organisation's, or
    the whole table's for tables of no organisation (and for staff)."""
    query = model.select()
    organisation = getattr(model, "organisation", None)
    if organisation is not None and not user.is_staff:
        query = query.where(organisation == user.organisation_id)
    return query


def id_span(model, user) -> int:
    """How many ids lie from the first to the last row of ``model`` in reach."""
    first, last = (
        in_reach(model, user).select(fn.MIN(model.id), fn.MAX(model.id)).scalar(as_tuple=True)
    )
    return 0 if first is None else last - first + 1


MISSING = object()


class LookUp:
    """An export cell read by foreign key: the field's value for that row of
    its table (through ``then``), asked for once and then remembered for the
    rest of the export.

    The first ONE_BY_ONE keys are asked for one at a time, which is all a
    short export needs. A long one meets many: at the next, every row in
    reach is read in one query, in id order, into a list by id (``table``
    from id ``first``; at most LOOKUP_SPAN slots). Reading a hundred
    thousand rows so costs less than a tenth of a second, and each row of
    the export then finds its cell in a fraction of a microsecond, where
    joining the table costs it a few.
    """

    ONE_BY_ONE = 64

    def __init__(self, field, then, reach):
        self.field, self.then, self.reach = field, then, reach
        self.known: dict = {}  # the keys asked for one at a time
        self.table: list = []
        self.first = 0
        self.asked = 0

    def __call__(self, key):
        index = key - self.first
        if index >= 0:
            try:
                cell = self.table[index]
            except IndexError:
                pass
            else:
                if cell is not MISSING:
                    return cell
        return self._ask(key)

    def _ask(self, key):
        try:
            return self.known[key]
        except KeyError:
            pass
        self.asked += 1
        if self.asked == self.ONE_BY_ONE + 1:
            self._read_all()
            return self(key)
        model = self.field.model
        value = self._cell(model.select(self.field).where(model.id == key).scalar())
        self.known[key] = value
        return value

    def _read_all(self):
        model = self.field.model
        rows = self.reach.select(model.id, self.field).order_by(model.id).tuples()
        table, cells = [], {}  # cells: each value's cell, made and held once
        for key, value in rows.iterator():
            if not table:
                self.first = key
            if (gap := key - self.first - len(table)) > 0:
                table.extend([MISSING] * gap)
            cell = cells.get(value, MISSING)
            if cell is MISSING:
                cell = cells[value] = self._cell(value)
            table.append(cell)
        self.table = table

    def _cell(self, value):
        return value if value is None or self.then is None else self.then(value)
