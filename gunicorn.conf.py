"""gunicorn settings for Teleportal (``gunicorn -c gunicorn.conf.py 'app:create_app()'``;
``make run`` uses it). The command line's flags (--workers, --bind …) still win.

Prometheus with several workers (docs/OPERATIONS.md): set
``PROMETHEUS_MULTIPROC_DIR`` to a folder of its own before gunicorn starts.
Each worker then writes its counts to files there and ``/metrics`` adds up
every worker's, including those of workers that have exited. The hooks below
empty the folder when gunicorn starts (counts from an earlier run would
otherwise be added in) and tell prometheus_client when a worker has exited.
Without the variable they do nothing and each worker counts for itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# The request log (web/requestlog.py) writes JSON lines on stdout; gunicorn's
# access log would repeat each request in another format.
accesslog = None


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
