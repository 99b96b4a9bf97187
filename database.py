"""The database handle, the base model and the one way the app writes.

SQLite (WAL) is the default; PostgreSQL is chosen by ``DATABASE_URL``.
Every write goes through :func:`write_tx`. On SQLite it starts the transaction
with ``BEGIN IMMEDIATE`` so that a transaction which reads before it writes
takes the write lock up front: with several gunicorn workers a deferred
transaction that read first fails with "database is locked" when another
worker committed in between, and busy_timeout cannot save it. The database
classes below refuse INSERT/UPDATE/DELETE outside ``write_tx`` so that rule
cannot be forgotten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading

from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse

db = DatabaseProxy()

_WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class UnguardedWrite(RuntimeError):
    """A write was attempted outside :func:`write_tx`."""


class _WriteGuard:
    """Mixin: refuse data-changing SQL unless we are inside ``write_tx``."""

    def _guard_init(self):
        self._write_depth = threading.local()

    @property
    def in_write_tx(self) -> bool:
        return getattr(self._write_depth, "n", 0) > 0

    def execute_sql(self, sql, params=None):
        if not self.in_write_tx and _WRITE_SQL.match(sql):
            raise UnguardedWrite(f"write outside write_tx(): {sql[:80]}")
        return super().execute_sql(sql, params)


class TeleportalSqlite(_WriteGuard, SqliteDatabase):
    def __init__(self, *args, **kwargs):
        self._guard_init()
        super().__init__(*args, **kwargs)


class TeleportalPostgres(_WriteGuard, PostgresqlDatabase):
    def __init__(self, *args, **kwargs):
        self._guard_init()
        super().__init__(*args, **kwargs)


SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
    "cache_size": -32000,  # 32 MB page cache per connection
    "temp_store": "memory",
}


def make_database(url: str):
    """Build the database for a ``sqlite:///path`` or ``postgresql://`` URL."""
    if url.startswith("sqlite:"):
        path = url.split(":///", 1)[1] if ":///" in url else ":memory:"
        return TeleportalSqlite(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if url.startswith(("postgres:", "postgresql:")):
        params = parse(url)
        name = params.pop("database")
        return TeleportalPostgres(name, **params)
    raise ValueError(f"DATABASE_URL must be sqlite:/// or postgresql://, got {url!r}")


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


@contextlib.contextmanager
def write_tx():
    """The transaction every write runs in (``BEGIN IMMEDIATE`` on SQLite).

    Nested calls become savepoints of the outer transaction.
    """
    database = db.obj
    depth = database._write_depth
    outer = getattr(depth, "n", 0) == 0
    if outer and database.transaction_depth() > 0:
        raise UnguardedWrite("write_tx() opened inside a plain transaction")
    ctx = database.atomic("IMMEDIATE") if outer and is_sqlite() else database.atomic()
    depth.n = getattr(depth, "n", 0) + 1
    try:
        with ctx:
            yield
    finally:
        depth.n -= 1


def utcnow() -> dt.datetime:
    """Naive UTC timestamp; every stored timestamp is UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False
