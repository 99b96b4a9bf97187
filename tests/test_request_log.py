"""One JSON line per request (issue 16): request id, who, the URL rule,
method, status and duration."""

from __future__ import annotations

import json
import logging
import os

import pytest

from tests.conftest import ADMIN, STAFF


@pytest.fixture
def lines(caplog):
    """The request log's lines as dicts. A test app leaves the logger to
    caplog; an app configured as in production earlier in the session made
    it stop propagating, and then caplog's handler is attached directly."""
    logger = logging.getLogger("teleportal.request")
    caplog.set_level(logging.INFO, logger="teleportal.request")
    if not logger.propagate:
        logger.addHandler(caplog.handler)

    def read():
        return [
            json.loads(r.getMessage()) for r in caplog.records if r.name == "teleportal.request"
        ]

    yield read
    logger.removeHandler(caplog.handler)


def test_one_line_per_request_with_its_fields(client, lines):
    response = client.get("/healthz")
    [line] = lines()
    assert set(line) == {
        "request_id", "method", "route", "status", "duration_ms", "user_id", "staff_id"
    }  # fmt: skip
    assert line["method"] == "GET"
    assert line["route"] == "/healthz"
    assert line["status"] == 200
    assert line["user_id"] is None and line["staff_id"] is None
    assert 0 <= line["duration_ms"] < 60_000
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32


def test_the_route_is_the_url_rule_and_the_user_is_named(demo_client, login, lines):
    user = login(demo_client, ADMIN)
    service_id = 1
    response = demo_client.get(f"/services/{service_id}")
    [line] = lines()
    assert line["route"] == "/services/<int:service_id>"
    assert line["status"] == response.status_code
    assert line["user_id"] == user.id
    assert line["staff_id"] is None


def test_staff_are_logged_as_staff(demo_client, login, lines):
    staff = login(demo_client, STAFF)
    demo_client.get("/staff/")
    line = lines()[-1]
    assert line["staff_id"] == staff.id
    assert line["user_id"] is None


def test_a_sane_incoming_request_id_is_kept_and_echoed(client, lines):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a.77:x"})
    assert response.headers["X-Request-ID"] == "lb-4f2a.77:x"
    assert lines()[0]["request_id"] == "lb-4f2a.77:x"


@pytest.mark.parametrize("bad", ["a b", "x" * 129, "<script>", "id\u00e5", ""])
def test_an_insane_request_id_is_replaced(client, lines, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    echoed = response.headers["X-Request-ID"]
    assert echoed != bad and len(echoed) == 32
    assert lines()[0]["request_id"] == echoed


def test_unmatched_paths_and_post_are_logged(client, lines):
    client.get("/no/such/page")
    client.post("/login", data={"username": "x", "password": "y"})
    first, second = lines()
    assert (first["route"], first["status"]) == ("<unmatched>", 404)
    assert (second["route"], second["method"]) == ("/login", "POST")


def test_the_request_log_can_be_switched_off(databases, empty_template, tmp_path, lines):
    from tests.conftest import _make_app, _teardown

    app, ctx = _make_app(databases, empty_template, tmp_path, REQUEST_LOG=False)
    try:
        response = app.test_client().get("/healthz")
        assert "X-Request-ID" in response.headers
        assert lines() == []
    finally:
        _teardown(ctx)
        databases.discard(app.config["DATABASE_URL"])


def test_outside_tests_the_line_goes_to_stdout_once(tmp_path):
    """As gunicorn runs it (no TESTING): one line per request on stdout,
    not repeated through the root logger. In a fresh interpreter, so the
    logging set-up does not leak into the other tests."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from app import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.db'}})\n"
        "app.test_client().get('/healthz', headers={'X-Request-ID': 'from-lb-1'})\n"
    )
    env = {**os.environ, "TELEPORTAL_INSTANCE": str(tmp_path)}
    env.pop("REQUEST_LOG", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    [line] = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert (line["request_id"], line["route"], line["status"]) == ("from-lb-1", "/healthz", 200)
    assert "from-lb-1" not in done.stderr
