"""What the request log and the request metrics (web/requestlog.py) add to
every request: their two hooks timed on their own, in a request context
for a route with an id, N times (issue 16: the target is below 0.1 ms).

    .venv/bin/python bench/request_hooks.py [--n 20000]

The log line goes to a handler that writes to /dev/null (gunicorn's stdout
is a pipe; writing it costs the same order). Prints microseconds per request
for the log on and off, and with PROMETHEUS_MULTIPROC_DIR's file-backed
counters when ``--multiproc`` is given.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--multiproc", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp())
    os.environ["TELEPORTAL_INSTANCE"] = str(tmp)
    if args.multiproc:
        (tmp / "prom").mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "prom")

    from flask import Response

    from app import create_app
    from web import requestlog

    for log_on in (True, False):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'b.db'}", "REQUEST_LOG": log_on})
        logger = logging.getLogger("teleportal.request")
        for handler in logger.handlers:
            if getattr(handler, "_teleportal", False):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
        start_hook = requestlog._start
        finish_hook = app.after_request_funcs[None][-1]
        assert finish_hook.__name__ == "_finish"
        with app.test_request_context("/services/12", headers={"X-Request-ID": "bench-1"}):
            from flask import request

            assert request.url_rule.rule == "/services/<int:service_id>"
            response = Response("x")
            for _ in range(1000):  # warm up
                start_hook()
                finish_hook(response)
            best = float("inf")
            for _round in range(5):
                t0 = time.perf_counter()
                for _ in range(args.n):
                    start_hook()
                    finish_hook(response)
                best = min(best, (time.perf_counter() - t0) / args.n)
        mode = "multiprocess" if args.multiproc else "in-process"
        print(f"log {'on ' if log_on else 'off'}, metrics {mode}: {best * 1e6:.1f} µs per request")


if __name__ == "__main__":
    main()
