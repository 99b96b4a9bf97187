"""The database handle, the base model and the one way the app writes.

SQLite (WAL) is the default; PostgreSQL is chosen by ``DATABASE_URL``.
Every write goes through :func:`write_tx`. On SQLite it starts the transaction
with ``BEGIN IMMEDIATE`` so that a transaction which reads before it writes
takes the write lock up front: with several gunicorn workers a deferred
transaction that read first fails with "database is locked" when another
worker committed in between, and busy_timeout cannot save it.

On PostgreSQL the same rule holds through a transaction-scoped advisory lock
taken first: write transactions run one at a time, each reading what the one
before it committed, whichever app server it runs on — the rules in domain/
("is the card already blocked?", "is this step still pending?") check and
then write, and are written for that. Reads never wait for it; a write waits
at most as long as the write before it, which is short by design. The database
classes below refuse INSERT/UPDATE/DELETE outside ``write_tx`` so that rule
cannot be forgotten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading

from peewee import SQL, DatabaseProxy, Model, NodeList, PostgresqlDatabase, SqliteDatabase, fn
from playhouse.db_url import parse

db = DatabaseProxy()

_WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class UnguardedWrite(RuntimeError):
    """A write was attempted outside :func:`write_tx`."""


class ReadOnlyRequest(RuntimeError):
    """A write was attempted while the request is read-only (staff viewing
    the portal as a customer, issue 17): nothing may change."""


# Set for the length of a read-only request (web/viewas.py); write_tx refuses
# to open while it is set, except inside :func:`allow_writes`.
_read_only = threading.local()


def set_read_only(reason: str | None) -> None:
    _read_only.reason = reason


def read_only_reason() -> str | None:
    return getattr(_read_only, "reason", None)


@contextlib.contextmanager
def allow_writes():
    """Lift the read-only rule for the machinery's own bookkeeping (ending the
    view, the session's last use), never for a change the user asked for."""
    reason = read_only_reason()
    _read_only.reason = None
    try:
        yield
    finally:
        _read_only.reason = reason


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


def _fold(value):
    return value.lower() if isinstance(value, str) else value


class TeleportalSqlite(_WriteGuard, SqliteDatabase):
    def __init__(self, *args, **kwargs):
        self._guard_init()
        super().__init__(*args, **kwargs)
        # SQLite's LIKE and lower() fold ASCII only; fold() folds å ä ö é too.
        self.register_function(_fold, "fold", 1, deterministic=True)


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


# PostgreSQL: the transaction-scoped advisory lock every write_tx takes first.
WRITE_LOCK = 0x7E1E


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


def unindexed(field):
    """``+field`` on SQLite: the same value, but SQLite will not pick an
    index on it (steering its planner to a better one). PostgreSQL's planner
    weighs its statistics itself, and ``+`` does not apply to text there."""
    return NodeList((SQL("+"), field), glue="") if is_sqlite() else field


def icontains(expr, text: str):
    """``expr`` contains ``text``, case-insensitively in every alphabet.

    PostgreSQL's ILIKE folds å, ä, ö, é under a UTF-8 LC_CTYPE (the test
    cluster's C.UTF-8, a production sv_SE.UTF-8). SQLite's LIKE folds ASCII
    only: text beyond ASCII is compared through fold(), a Python function,
    which costs a call per row — ASCII text, most searches, keeps the plain
    LIKE and its speed."""
    if text.isascii() or not is_sqlite():
        return expr.contains(text)
    return fn.fold(expr).contains(text.lower())


@contextlib.contextmanager
def write_tx():
    """The transaction every write runs in (``BEGIN IMMEDIATE`` on SQLite).

    Nested calls become savepoints of the outer transaction.
    """
    database = db.obj
    depth = database._write_depth
    outer = getattr(depth, "n", 0) == 0
    if outer and read_only_reason() is not None:
        raise ReadOnlyRequest(read_only_reason())
    if outer and database.transaction_depth() > 0:
        raise UnguardedWrite("write_tx() opened inside a plain transaction")
    sqlite = is_sqlite()
    ctx = database.atomic("IMMEDIATE") if outer and sqlite else database.atomic()
    depth.n = getattr(depth, "n", 0) + 1
    try:
        with ctx:
            if outer and not sqlite:
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
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
