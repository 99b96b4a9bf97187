"""Several processes writing to one database at once lose nothing.

Every write goes through ``write_tx()`` (``BEGIN IMMEDIATE``); these tests
show that it holds under contention, why a deferred transaction would not,
and that a write outside ``write_tx()`` is refused.
"""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

WORKERS = 6
WRITES_EACH = 40


def _writer(url: str, worker: int, barrier, errors):
    """One process: read-then-write transactions handing out numbers."""
    try:
        from app import create_app
        from database import db, write_tx
        from models import AuditLog, next_number

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
        with app.app_context():
            db.connect()
            barrier.wait(timeout=30)
            for i in range(WRITES_EACH):
                with write_tx():
                    number = next_number("order_number")  # SELECT, then UPDATE
                    AuditLog.create(
                        action="test.write", object_id=str(number), summary=f"{worker}:{i}"
                    )
            db.close()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.append(f"worker {worker}: {exc!r}")


@pytest.mark.slow
def test_concurrent_processes_lose_no_writes(empty_template, new_database):
    url = new_database(empty_template, "concurrent")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        errors = manager.list()
        barrier = manager.Barrier(WORKERS)
        procs = [
            ctx.Process(target=_writer, args=(url, n, barrier, errors)) for n in range(WORKERS)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        assert list(errors) == []
    assert all(proc.exitcode == 0 for proc in procs)

    from database import make_database

    other = make_database(url)
    rows = other.execute_sql(
        "SELECT object_id, summary FROM audit_log WHERE action = 'test.write'"
    ).fetchall()
    other.close()
    total = WORKERS * WRITES_EACH
    assert len(rows) == total
    numbers = sorted(int(number) for number, _ in rows)
    # Every number handed out exactly once: no lost update of the sequence.
    assert numbers == list(range(numbers[0], numbers[0] + total))
    assert {summary for _, summary in rows} == {
        f"{w}:{i}" for w in range(WORKERS) for i in range(WRITES_EACH)
    }


def _two_connections(path):
    a = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    b = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    for conn in (a, b):
        conn.execute("PRAGMA journal_mode=wal")
    a.execute("CREATE TABLE counter (n INTEGER)")
    a.execute("INSERT INTO counter VALUES (0)")
    return a, b


@pytest.mark.sqlite_only
def test_deferred_read_then_write_fails_when_another_writer_commits(tmp_path):
    """Why write_tx uses BEGIN IMMEDIATE: a deferred transaction that has read
    cannot write after another connection committed, whatever the timeout."""
    a, b = _two_connections(tmp_path / "deferred.db")
    a.execute("BEGIN")
    a.execute("SELECT n FROM counter").fetchone()
    b.execute("BEGIN IMMEDIATE")
    b.execute("UPDATE counter SET n = n + 1")
    b.execute("COMMIT")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        a.execute("UPDATE counter SET n = n + 1")
    a.execute("ROLLBACK")


@pytest.mark.sqlite_only
def test_immediate_transactions_serialise(tmp_path):
    """With BEGIN IMMEDIATE the second writer waits instead of failing later."""
    a, b = _two_connections(tmp_path / "immediate.db")
    a.execute("BEGIN IMMEDIATE")
    value = a.execute("SELECT n FROM counter").fetchone()[0]
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        b.execute("BEGIN IMMEDIATE")  # refused up front, before reading anything
    a.execute("UPDATE counter SET n = ?", (value + 1,))
    a.execute("COMMIT")
    b.execute("BEGIN IMMEDIATE")
    b.execute("UPDATE counter SET n = n + 1")
    b.execute("COMMIT")
    assert a.execute("SELECT n FROM counter").fetchone()[0] == 2


def test_write_outside_write_tx_is_refused(app):
    from database import UnguardedWrite, write_tx
    from models import Setting

    with pytest.raises(UnguardedWrite):
        Setting.create(key="operator_name", value="X")
    with write_tx():
        Setting.create(key="operator_name", value="X")
    assert Setting.get_by_id("operator_name").value == "X"


def test_write_tx_rolls_back_everything_on_error(app):
    from database import write_tx
    from models import Setting

    with pytest.raises(RuntimeError), write_tx():
        Setting.create(key="a", value="1")
        raise RuntimeError("half-way")
    assert Setting.select().count() == 0


@pytest.mark.postgres_only
def test_postgresql_write_transactions_run_one_at_a_time(app):
    """write_tx's advisory lock: a second writer waits for the first and
    then reads what it committed (as BEGIN IMMEDIATE does on SQLite)."""
    import threading
    import time

    from database import db, write_tx
    from models import Setting

    events = []
    inside, release = threading.Event(), threading.Event()

    def first():
        db.connect(reuse_if_open=True)
        with write_tx():
            Setting.create(key="first", value="1")
            inside.set()
            release.wait(10)
            events.append("first commits")
        db.close()

    def second():
        db.connect(reuse_if_open=True)
        inside.wait(10)
        with write_tx():
            seen = Setting.get_or_none(Setting.key == "first") is not None
            events.append(f"second sees first: {seen}")
        db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(10)
    time.sleep(0.5)
    assert events == []  # the second writer is waiting, not writing
    release.set()
    for thread in threads:
        thread.join(10)
    assert events == ["first commits", "second sees first: True"]
