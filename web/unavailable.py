"""The database is away: answer 503 with ``Retry-After`` and a page that says
so, not 500, and drop the broken connection so that the next request, once
the database is back, connects anew (issue 16, item 4).

Unavailable means PostgreSQL not answering (psycopg2's OperationalError or
InterfaceError: stopped, restarted, connection cut) or SQLite's write lock
held beyond busy_timeout ("database is locked"). Peewee wraps both in its own
OperationalError/InterfaceError, keeping the driver's exception as the
first argument; other OperationalErrors (a missing table) stay a 500.
"""

from __future__ import annotations

import logging
import sqlite3

import peewee
from flask import g, jsonify, render_template, request

from domain.health import drop_connection

log = logging.getLogger("teleportal.unavailable")

RETRY_AFTER_SECONDS = 30

# SQLite's messages that mean "busy or away", not "the SQL is wrong".
_SQLITE_BUSY = ("database is locked", "database table is locked", "unable to open database")

try:  # the driver is installed with the app, but SQLite-only set-ups may lack it
    import psycopg2

    _PG_ERRORS: tuple[type[BaseException], ...] = (
        psycopg2.OperationalError,
        psycopg2.InterfaceError,
    )
except ImportError:  # pragma: no cover
    _PG_ERRORS = ()


def _chain(exc: BaseException):
    """The exception, what peewee wrapped in it, and its causes."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if current.args and isinstance(current.args[0], BaseException):
            todo.append(current.args[0])
        todo.extend((current.__cause__, current.__context__))


def is_unavailable(exc: BaseException) -> bool:
    """Does ``exc`` mean the database cannot be reached right now?"""
    for item in _chain(exc):
        if _PG_ERRORS and isinstance(item, _PG_ERRORS):
            return True
        if isinstance(item, sqlite3.OperationalError) or type(item) is peewee.OperationalError:
            message = str(item).lower()
            if any(text in message for text in _SQLITE_BUSY):
                return True
    return False


def response():
    """The 503: JSON for /readyz, else the error page without a signed-in
    user (finding out who it is would ask the database again)."""
    from flask_login import AnonymousUserMixin

    if request.endpoint == "health.readyz":
        body = jsonify(database="unreachable", migrations="unknown", worker="unknown")
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    g.logged_user = g.get("_login_user")  # the request log still names who asked
    g._login_user = AnonymousUserMixin()
    g.error_page = True
    try:
        page = render_template(
            "error.html",
            code=503,
            title="Tjänsten är tillfälligt otillgänglig",
            text="Portalen når inte sin databas just nu. Försök igen om en stund – "
            "sidan fungerar igen så snart databasen svarar.",
        )
    except Exception:  # the page itself must not turn the 503 into a 500
        log.exception("rendering the 503 page failed")
        page = "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app) -> None:
    def handle(exc):
        if not is_unavailable(exc):
            raise exc
        log.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
        drop_connection()
        return response()

    for error in (peewee.OperationalError, peewee.InterfaceError, *_PG_ERRORS):
        app.register_error_handler(error, handle)
