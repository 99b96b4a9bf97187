"""The database away (issue 16, item 4): 503 with Retry-After and a Swedish
page instead of 500, and the portal works again by itself on the next
request once the database is back."""

from __future__ import annotations

import sqlite3

import peewee
import psycopg2
import pytest

from database import db
from tests.conftest import ADMIN, DEMO_PASSWORD
from web import unavailable


def _wrapped(exc: Exception) -> Exception:
    """``exc`` as peewee hands it on: wrapped in peewee's own class."""
    try:
        with peewee.__exception_wrapper__:
            raise exc
    except Exception as wrapped:  # noqa: BLE001 - the point is to catch it
        return wrapped
    raise AssertionError("not raised")


@pytest.mark.parametrize(
    "exc",
    [
        psycopg2.OperationalError("server closed the connection unexpectedly"),
        psycopg2.OperationalError('connection to server at "db" failed: Connection refused'),
        psycopg2.InterfaceError("connection already closed"),
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("unable to open database file"),
    ],
)
def test_unreachable_database_errors_are_unavailable(exc):
    assert unavailable.is_unavailable(exc)
    wrapped = _wrapped(exc)
    assert isinstance(wrapped, (peewee.OperationalError, peewee.InterfaceError))
    assert unavailable.is_unavailable(wrapped)


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.OperationalError("no such table: service"),
        sqlite3.OperationalError('near "SELEC": syntax error'),
        psycopg2.ProgrammingError('relation "service" does not exist'),
        ValueError("database is locked"),  # not a database error at all
    ],
)
def test_programming_errors_are_not_unavailable(exc):
    assert not unavailable.is_unavailable(exc)
    if not isinstance(exc, ValueError):
        assert not unavailable.is_unavailable(_wrapped(exc))


@pytest.fixture
def short_busy_timeout(demo_app):
    """The test app's SQLite waits 0.2 s for a lock, not 10 s."""
    database = db.obj
    saved = database._timeout, list(database._pragmas)
    db.close()
    database._timeout = 0.2
    database._pragmas = [
        (name, 200 if name == "busy_timeout" else value) for name, value in database._pragmas
    ]
    yield
    db.close()
    database._timeout, database._pragmas = saved


def _hold_write_lock(app) -> sqlite3.Connection:
    path = app.config["DATABASE_URL"].split(":///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.sqlite_only
def test_a_held_write_lock_answers_503_and_the_next_request_recovers(
    demo_app, short_busy_timeout, login
):
    client = demo_app.test_client()
    form = {"username": ADMIN, "password": "wrong-" + DEMO_PASSWORD}
    other = _hold_write_lock(demo_app)
    try:
        response = client.post("/login", data=form)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        page = response.get_data(as_text=True)
        assert "Tjänsten är tillfälligt otillgänglig" in page
        assert "<html" in page
        assert db.is_closed()  # the connection was dropped, not kept half-used
    finally:
        other.rollback()
        other.close()
    response = client.post("/login", data=form)
    assert response.status_code == 200
    login(client, ADMIN)
    assert client.get("/").status_code == 200


def test_the_request_log_names_the_user_of_a_503(demo_app, login, caplog):
    """The 503 page is drawn without the signed-in user (loading it would
    ask the database again); the log line still names who asked."""
    import json
    import logging

    from flask_login import current_user

    def boom():
        current_user.id  # noqa: B018 - loads the user, as a page does
        raise _wrapped(psycopg2.OperationalError("server closed the connection unexpectedly"))

    demo_app.add_url_rule("/_boom", "boom", boom)
    client = demo_app.test_client()
    user = login(client, ADMIN)
    logger = logging.getLogger("teleportal.request")
    caplog.set_level(logging.INFO, logger="teleportal.request")
    if not logger.propagate:
        logger.addHandler(caplog.handler)
    try:
        response = client.get("/_boom")
    finally:
        logger.removeHandler(caplog.handler)
    assert response.status_code == 503
    assert user.name not in response.get_data(as_text=True)
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == logger.name]
    assert (line["user_id"], line["status"], line["route"]) == (user.id, 503, "/_boom")


@pytest.fixture
def failing_app(app):
    """The app with a route that fails as the database would."""
    raised = {}

    def boom():
        raise raised["exc"]

    app.add_url_rule("/_boom", "boom", boom)
    return app, raised


@pytest.mark.parametrize(
    "exc",
    [
        psycopg2.OperationalError("server closed the connection unexpectedly"),
        psycopg2.InterfaceError("connection already closed"),
    ],
)
def test_postgresql_errors_answer_503(failing_app, exc):
    app, raised = failing_app
    client = app.test_client()
    for error in (exc, _wrapped(exc)):
        raised["exc"] = error
        response = client.get("/_boom")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "Tjänsten är tillfälligt otillgänglig" in response.get_data(as_text=True)


def test_readyz_answers_json_when_the_database_is_away(app):
    from flask import request

    @app.before_request
    def database_away():
        if request.endpoint == "health.readyz":
            raise _wrapped(psycopg2.OperationalError("could not connect to server"))

    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_other_database_errors_stay_errors(failing_app):
    app, raised = failing_app
    raised["exc"] = _wrapped(sqlite3.OperationalError("no such table: service"))
    with pytest.raises(peewee.OperationalError):
        app.test_client().get("/_boom")


@pytest.mark.postgres_only
def test_postgresql_stopped_answers_503_and_the_portal_recovers_when_it_returns(
    demo_app, databases, login
):
    """The database server really stops (pg_ctl stop) under a signed-in user
    and starts again: 503 with Retry-After meanwhile, no restart needed."""
    client = demo_app.test_client()
    login(client, ADMIN)
    assert client.get("/services").status_code == 200
    databases.server.pause()
    try:
        answer = client.get("/services")
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "30"
        assert "Tjänsten är tillfälligt otillgänglig" in answer.get_data(as_text=True)
        probe = demo_app.test_client()  # a load balancer: no session
        assert probe.get("/healthz").status_code == 200
        assert probe.get("/readyz").status_code == 503
    finally:
        databases.server.resume()
    answer = client.get("/services")
    assert answer.status_code == 200 and "Logga ut" in answer.get_data(as_text=True)
    assert client.get("/readyz").get_json()["database"] == "ok"


def test_the_503_page_keeps_its_styles_while_the_database_is_away(tmp_path):
    """Static files are served without the database, so the page that says
    it is away is drawn with the portal's styles and logo."""
    from app import create_app
    from tests.conftest import _config

    away = create_app(_config("postgresql://nobody@127.0.0.1:1/none", tmp_path))
    client = away.test_client()
    page = client.get("/services")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    for asset in ("/static/app.css", "/static/logo.svg"):
        assert asset in html
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        answer.close()
    assert client.get("/healthz").status_code == 200
