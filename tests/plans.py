"""The plan a database would run a query with, as lines of text, for tests
that check a query can use an index.

SQLite: ``EXPLAIN QUERY PLAN``'s steps. PostgreSQL: ``EXPLAIN``'s lines with
sequential scans switched off for the statement — the demo's tables are so
small that PostgreSQL rightly reads them whole, so the question asked is
whether an index serves the query at all, and which.
"""

from __future__ import annotations

import re

from database import db, is_sqlite

_DETAIL = re.compile(r"^\s*[A-Z][A-Za-z ]*: ")


def query_plan(sql: str, params) -> list[str]:
    if is_sqlite():
        return [row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        lines = [row[0] for row in db.execute_sql(f"EXPLAIN (COSTS OFF) {sql}", params)]
    # The plan's nodes; their details ("Filter: …") hold the parameters' values.
    return [line for line in lines if not _DETAIL.match(line)]
