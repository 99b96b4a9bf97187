"""Outside tests a web process imports the job queue (worker.py, huey and
its Redis client) only when it queues its first job: the app wires a
queueing function and the ``flask worker`` command that import it then."""

from __future__ import annotations

import pytest

from tests.conftest import _make_app, _teardown
from web import jobs as web_jobs


@pytest.fixture
def live_app(databases, empty_template, tmp_path):
    app, ctx = _make_app(databases, empty_template, tmp_path, TESTING=False)
    yield app
    _teardown(ctx)
    databases.discard(app.config["DATABASE_URL"])


def test_a_job_is_queued_through_the_worker_imported_then(live_app, monkeypatch):
    import worker

    queued = []
    monkeypatch.setattr(worker, "run_job", queued.append)
    assert web_jobs._enqueue is not worker.run_job  # not wired at start
    web_jobs.enqueue(41)
    assert queued == [41]
    assert "worker" in live_app.cli.commands
