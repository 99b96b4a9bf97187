"""Liveness and readiness (issue 16): /healthz answers without touching
anything, /readyz names each part that is not ready."""

from __future__ import annotations

import datetime as dt

import pytest

from database import db, utcnow, write_tx
from domain import health
from models import WorkerHeartbeat


def test_healthz_answers_ok_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in response.headers


def test_healthz_does_not_open_a_database_connection(client):
    db.close()
    assert client.get("/healthz").status_code == 200
    assert db.is_closed()


def test_readyz_is_ok_when_the_worker_beat_lately(client):
    health.beat("worker-1")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "migrations": "ok", "worker": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_names_a_silent_worker(app, client):
    health.beat("worker-1", now=utcnow() - dt.timedelta(seconds=400))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["migrations"] == "ok"
    assert body["worker"].startswith("silent for ")


def test_readyz_names_a_worker_never_heard_from(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["worker"] == "never heard from"


def test_the_newest_heartbeat_of_several_hosts_counts(client):
    health.beat("old-host", now=utcnow() - dt.timedelta(hours=2))
    health.beat("new-host")
    assert client.get("/readyz").status_code == 200


def test_a_heartbeat_updates_its_hosts_row(app):
    health.beat("worker-1", now=dt.datetime(2026, 1, 1, 12, 0))
    health.beat("worker-1", now=dt.datetime(2026, 1, 1, 12, 1))
    rows = list(WorkerHeartbeat.select().tuples())
    assert rows == [("worker-1", dt.datetime(2026, 1, 1, 12, 1))]


def test_the_worker_check_can_be_switched_off(app, client):
    app.config["READY_WORKER_SECONDS"] = 0
    assert client.get("/readyz").status_code == 200


def test_readyz_names_a_pending_migration(client):
    health.beat("worker-1")
    with write_tx():
        db.execute_sql("DELETE FROM schema_migration WHERE name = '0160_worker_heartbeat'")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "pending: 0160_worker_heartbeat"


def test_readyz_names_a_failing_database(client, monkeypatch):
    health.beat("worker-1")
    real = db.obj.execute_sql

    def failing(sql, params=None):
        if sql == "SELECT 1":
            raise RuntimeError("connection refused")
        return real(sql, params)

    monkeypatch.setattr(db.obj, "execute_sql", failing)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "database": "unreachable",
        "migrations": "unknown",
        "worker": "unknown",
    }
    # The broken connection is dropped, so the next request connects anew.
    assert db.is_closed()


def test_the_worker_task_records_a_heartbeat(app):
    import socket

    import worker

    worker.heartbeat.call_local()
    row = WorkerHeartbeat.get_by_id(socket.gethostname())
    assert abs((utcnow() - row.beat_at).total_seconds()) < 60


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_login_and_set_no_session(client, path):
    response = client.get(path)
    assert response.status_code in (200, 503)
    assert "Location" not in response.headers
    assert "Set-Cookie" not in response.headers
