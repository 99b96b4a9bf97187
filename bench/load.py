"""Load test: gunicorn on the large instance, Locust (bench/locustfile.py)
stepping the number of users, and where the knee is.

    make seed-large     # instance-large/, about three minutes
    .venv/bin/python bench/load.py [--users 5,10,20,40,80] [--seconds 60] [--workers N]

    # PostgreSQL: a large instance's database, files in its instance folder
    DATABASE_URL=postgresql://user:pw@127.0.0.1/teleportal_large \
        .venv/bin/python bench/load.py --instance instance-large-pg

Each step is a headless Locust run of its own against the same gunicorn
(``--workers``, default 2 × CPUs + 1, sync workers, loopback only): the
users sign in as they start (not measured: bench/locustfile.py), a short
unmeasured run warms the workers first, and each step's requests per second, p50, p95 and
failures come from its ``--csv`` files (kept in a temporary folder, or
``--csv-dir``). The knee is the last step with p95 under 200 ms and no
errors. See bench/README.md "Load test".
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
P95_LIMIT_MS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(instance: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # The request log line (docs/OPERATIONS.md) off: thousands of lines a step.
    env = {
        "REQUEST_LOG": "0",
        **os.environ,
        "TELEPORTAL_INSTANCE": str(instance),
        "SESSION_COOKIE_SECURE": "0",
    }
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_step(port: int, users: int, seconds: int, spawn_rate: float, prefix: Path) -> dict:
    """One headless Locust run; its aggregated figures from the CSV."""
    run = subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--reset-stats", "--only-summary",
         "--csv", str(prefix), "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if run.returncode != 0:
        sys.exit(f"locust failed ({run.returncode}):\n{run.stderr[-3000:]}")
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    slowest = max(
        (row for row in rows if row["Name"] != "Aggregated" and int(row["Request Count"])),
        key=lambda row: float(row["95%"]),
        default=None,
    )
    return {
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "slowest": f"{slowest['Type']} {slowest['Name']} p95 {slowest['95%']} ms"
        if slowest
        else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="5,10,20,40,80", help="the steps, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="each step's run time")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--instance", default=str(ROOT / "instance-large"))
    parser.add_argument("--csv-dir", help="keep Locust's CSV files here")
    args = parser.parse_args()
    steps = [int(n) for n in args.users.split(",")]
    if max(steps) > 200 or args.seconds > 600:
        sys.exit("bounded: at most 200 users and 600 s a step")
    instance = Path(args.instance)
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'teleportal.db'}"
    if database.startswith("sqlite") and not (instance / "teleportal.db").exists():
        sys.exit(f"{instance}/teleportal.db does not exist: run `make seed-large` first.")

    csv_dir = Path(args.csv_dir) if args.csv_dir else Path(tempfile.mkdtemp(prefix="load-"))
    csv_dir.mkdir(parents=True, exist_ok=True)
    process, port = start_gunicorn(instance, args.workers)
    print(f"{database.split('://')[0]}, gunicorn {args.workers} sync workers, "
          f"{os.cpu_count()} CPUs; steps of {args.seconds} s", flush=True)  # fmt: skip
    print(f"{'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}  slowest p95")
    results = []
    try:
        # Unmeasured: each worker's first requests import and compile templates.
        run_step(port, steps[0], 15, args.spawn_rate, csv_dir / "warmup")
        for users in steps:
            result = run_step(port, users, args.seconds, args.spawn_rate, csv_dir / f"u{users}")
            results.append(result)
            print(f"{users:5} {result['rps']:7.1f} {result['p50']:7.0f} {result['p95']:7.0f} "
                  f"{result['failures']:6}  {result['slowest']}", flush=True)  # fmt: skip
    finally:
        stop(process)
        if not args.csv_dir:
            shutil.rmtree(csv_dir, ignore_errors=True)
    good = [r for r in results if r["p95"] < P95_LIMIT_MS and r["failures"] == 0]
    if not good:
        print(f"\nno step held p95 < {P95_LIMIT_MS} ms with no errors")
        return
    knee = max(good, key=lambda r: r["users"])
    beyond = " (the last step: the knee lies beyond it)" if knee is results[-1] else ""
    print(f"\nknee: {knee['users']} users, {knee['rps']:.1f} req/s with p95 "
          f"{knee['p95']:.0f} ms and no errors{beyond}")  # fmt: skip


if __name__ == "__main__":
    main()
