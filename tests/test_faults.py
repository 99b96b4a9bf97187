"""Fault tests (issue 16, item 4): processes killed with SIGKILL in the
middle of their work lose nothing that was confirmed.

* gunicorn (two sync workers) creating tickets over HTTP while its workers
  are killed: every write answered 2xx/3xx is in the database, which passes
  ``PRAGMA integrity_check``, and the master replaces the killed workers;
* the job worker (``flask --app app worker``) killed while an export job
  runs: the job stays running until its heartbeat is STALE_AFTER old, then
  the periodic task queues it again and the restarted worker finishes it.

Every process is started in its own session and its group is ended in a
``finally``, also when the test fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from database import db, is_sqlite, utcnow
from models import ExportJob, Ticket
from tests.conftest import ADMIN, DEMO_PASSWORD
from tests.http_nodes import Client, Node, start_node
from tests.jobs_fixtures import running_worker

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def environment(app, instance: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        TELEPORTAL_INSTANCE=str(instance),
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY="fault-test-secret",
        SESSION_COOKIE_SECURE="0",
        MAIL_BACKEND="outbox",
        REPORT_DIR=str(instance / "reports"),
        ATTACHMENT_DIR=str(instance / "attachments"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


@contextlib.contextmanager
def started(command: list[str], env: dict, log: Path):
    """``command`` in a session of its own; its process group is ended on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        stop(proc)


def stop(proc) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return {int(p) for p in path.read_text().split()}
    except FileNotFoundError:
        return set()


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


# ------------------------------------------------------------------------ over HTTP


def start_gunicorn(app, instance: Path) -> Node:
    """Two sync workers on the test's database (tests/http_nodes.py)."""
    env = environment(app, instance)
    return start_node(env, instance, workers=2, config={})


def test_killed_gunicorn_workers_lose_no_confirmed_write(demo_app, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    confirmed: list[str] = []
    refused: list[tuple[str, int]] = []
    broken: list[str] = []  # no answer: the worker died under the request
    stop_writing = threading.Event()

    node = start_gunicorn(demo_app, instance)
    master, log = node.process, node.log
    try:
        browser = Client()
        answer = browser.sign_in(node.url, ADMIN, DEMO_PASSWORD)
        assert answer.status in (302, 303), answer.status
        token = browser.csrf_token(node.url + "/tickets/new")

        def writer(number: int):
            i = 0
            while not stop_writing.is_set():
                subject = f"Fault {number}-{i}"
                i += 1
                form = {"category": "support", "subject": subject, "body": "kill -9"}
                try:
                    status = browser.post(
                        node.url + "/tickets/new", form, token=token, timeout=10
                    ).status
                except (OSError, http.client.HTTPException):
                    broken.append(subject)
                    continue
                if 200 <= status < 400:
                    confirmed.append(subject)
                else:
                    refused.append((subject, status))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        killed = []
        try:
            assert wait_for(lambda: len(confirmed) >= 10, 30), log.read_text()
            for round_ in range(3):
                workers = children(master.pid)
                assert len(workers) == 2, workers
                victim = sorted(workers)[round_ % 2]  # the older one, then the newer
                before = len(confirmed)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                # the master starts a new worker, and writes are confirmed again
                assert wait_for(
                    lambda v=victim: (
                        v not in children(master.pid) and len(children(master.pid)) == 2
                    ),
                    20,
                ), log.read_text()
                assert wait_for(lambda b=before: len(confirmed) >= b + 15, 30), log.read_text()
        finally:
            stop_writing.set()
            for thread in threads:
                thread.join(timeout=30)
        assert not any(alive(pid) for pid in killed)
        assert not set(killed) & children(master.pid)
        # still serving after the faults
        assert browser.get(node.url + "/tickets").status == 200
    finally:
        node.stop()

    assert refused == []  # a request is answered or cut off, never a 5xx
    assert len(confirmed) >= 55
    db.close()
    db.connect()
    subjects = [
        t.subject for t in Ticket.select(Ticket.subject).where(Ticket.subject.startswith("Fault "))
    ]
    assert sorted(set(confirmed) - set(subjects)) == []  # every confirmed write is there
    assert len(subjects) == len(set(subjects))  # and none twice
    # a write whose answer was cut off may or may not have been committed
    assert set(subjects) <= set(confirmed) | set(broken)
    if is_sqlite():
        assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    print(f"confirmed {len(confirmed)}, cut off {len(broken)}, killed {killed}")


# ------------------------------------------------------------------------ the job worker


EXPORTS = [
    "/calls?export=xlsx",
    "/calls?export=xlsx&sort=-started_at",
    "/calls?export=xlsx&sort=duration",
    "/services?export=xlsx",
    "/reports/abonnemang?export=xlsx",
]


def test_a_killed_job_worker_leaves_no_job_running_for_ever(demo_app, demo_client, login, tmp_path):
    from domain import jobs

    instance = tmp_path / "instance"
    instance.mkdir()
    demo_app.config.update(EXPORT_JOB_ROWS=5, REPORT_DIR=str(instance / "reports"))
    login(demo_client, ADMIN)
    log = tmp_path / "worker.log"
    command = [str(BIN / "flask"), "--app", "app", "worker", "--workers", "1"]
    env = environment(demo_app, instance)

    def status(job_id):
        return ExportJob.get_by_id(job_id).status

    # The web side queues the jobs on the worker's queue (instance/huey.db).
    with running_worker(demo_app, instance, start=False):
        job_ids = []
        for path in EXPORTS:
            response = demo_client.get(path)
            assert response.status_code == 303, path
            job_ids.append(int(re.search(r"(\d+)$", response.headers["Location"]).group(1)))
        assert {status(j) for j in job_ids} == {"queued"}

        with started(command, env, log) as first:
            assert wait_for(lambda: any(status(j) == "running" for j in job_ids), 30, 0.01), (
                log.read_text()
            )
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        lost = [j for j in job_ids if status(j) == "running"]
        assert lost, "the job finished before the worker was killed"

        with started(command, env, log):
            # The other jobs' queue messages survived: the new worker runs them.
            assert wait_for(
                lambda: all(status(j) == "done" for j in job_ids if j not in lost), 40
            ), log.read_text()
            # The lost job's message died with the worker; it waits for the
            # periodic round once its heartbeat is STALE_AFTER old.
            assert [status(j) for j in lost] == ["running"] * len(lost)
            later = utcnow() + jobs.STALE_AFTER + dt.timedelta(seconds=1)
            again = jobs.take_up_lost(now=later)
            assert sorted(again) == sorted(lost)
            import worker

            for job_id in again:  # as the periodic task take_up_lost_jobs does
                worker.run_job(job_id)
            assert wait_for(lambda: all(status(j) == "done" for j in lost), 40), log.read_text()

    assert ExportJob.select().where(ExportJob.status.in_(jobs.ACTIVE)).count() == 0
    assert [ExportJob.get_by_id(j).attempts for j in lost] == [2] * len(lost)
