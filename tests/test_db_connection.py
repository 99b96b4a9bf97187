"""The database connection across requests (app._init_database): on SQLite
a worker keeps its connection from request to request (opening and closing
a SQLite file cost 3–4 ms a request), closes it after a request that
failed, and a forked child never uses its parent's; on PostgreSQL each
request has its own."""

from __future__ import annotations

import os

import pytest

from database import db
from tests.conftest import _make_app


@pytest.fixture
def served(databases, empty_template, tmp_path):
    """An app whose requests run in their own app context, as under
    gunicorn (the usual fixtures keep one context open for the test)."""
    app, ctx = _make_app(databases, empty_template, tmp_path)

    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/_boom", view_func=boom)
    ctx.pop()
    if not db.is_closed():
        db.close()
    yield app
    if not db.is_closed():
        db.close()
    databases.discard(app.config["DATABASE_URL"])


def test_sqlite_keeps_its_connection_between_requests(served, database_kind):
    client = served.test_client()
    assert client.get("/login").status_code == 200
    if database_kind != "sqlite":
        assert db.is_closed()
        return
    assert not db.is_closed()
    first = db.connection()
    assert client.get("/login").status_code == 200
    assert db.connection() is first


def test_a_failed_request_closes_the_connection(served):
    client = served.test_client()
    client.get("/login")
    with pytest.raises(RuntimeError):
        client.get("/_boom")
    assert db.is_closed()
    assert client.get("/login").status_code == 200  # and the next one opens another


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_use_the_parents_connection(served, database_kind):
    if database_kind != "sqlite":
        pytest.skip("PostgreSQL closes the connection after every request")
    client = served.test_client()
    client.get("/login")
    parent = db.connection()
    pid = os.fork()
    if pid == 0:  # the child: a fresh connection of its own, the parent's untouched
        code = 1
        try:
            code = 0 if db.is_closed() and db.connection() is not parent else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db.connection() is parent
    assert db.execute_sql("SELECT 1").fetchone() == (1,)
