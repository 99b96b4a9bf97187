"""A real huey consumer for tests (``worker`` is imported only once a test
runs, so its SQLite queue is never made in the repository's instance folder): the queue on a SQLite file of the test's
own, the worker threads running tasks in ``app`` (not immediate mode)."""

from __future__ import annotations

import contextlib
import signal


@contextlib.contextmanager
def running_worker(app, folder, workers: int = 1, start: bool = True):
    """Jobs go to a SQLite queue in ``folder``; a consumer runs them (started
    here, or by the caller with ``consumer.start()`` when ``start`` is False)."""
    import worker  # after the session fixtures set TELEPORTAL_INSTANCE (huey's file)

    huey = worker.huey
    saved = dict(huey.storage_kwargs)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    huey.storage_kwargs["filename"] = str(folder / "huey.db")
    huey.immediate = False  # a new SqliteStorage on that file
    worker.set_app(app)
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        check_worker_health=False,
        initial_delay=0.05,
        max_delay=0.2,
    )
    started = consumer.start
    consumer.started = False

    def start_consumer():
        consumer.started = True
        started()

    consumer.start = start_consumer
    if start:
        consumer.start()
    try:
        yield consumer
    finally:
        if consumer.started:
            consumer.stop(graceful=True)
        for number, handler in handlers.items():
            signal.signal(number, handler)
        huey.storage.close()
        huey.storage_kwargs.clear()
        huey.storage_kwargs.update(saved)
        huey.immediate = True
        worker.set_app(None)
