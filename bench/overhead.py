"""Per-request overhead: requests per second of the portal's Tjänster page
(20 rows, signed in) against a bare Flask page of the same byte size, both
under gunicorn with the same settings.

    .venv/bin/python bench/overhead.py [--rounds 5] [--seconds 10] [--connections 4]

Builds a demo instance in a temporary folder (``flask db upgrade``,
``flask seed-demo``; or ``--instance DIR`` to use one), starts gunicorn on
it and on bench/bare_app.py, signs in as admin@a3demo.se (no second factor),
and measures GET /services against GET / of the bare app with ``wrk`` when
installed (Debian package ``wrk``), else with Python threads. The two take
turns, round by round, so that load from elsewhere on the machine falls on
both alike; the figures are the medians of the rounds. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERNAME = "admin@a3demo.se"
PASSWORD = "Teleportal-demo-2026"
PORTAL_PATH = "/services"
ROWS = 20
TARGET = 0.70


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_instance(directory: Path) -> None:
    env = {**os.environ, "TELEPORTAL_INSTANCE": str(directory)}
    env.pop("DATABASE_URL", None)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


class Gunicorn:
    """gunicorn with ``workers`` sync workers on a free loopback port."""

    def __init__(self, app: str, workers: int, env: dict, chdir: Path = ROOT):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(chdir), "--log-level", "warning", app],
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn {app} exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn {app} did not start")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the workers so far (Linux /proc)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        total = 0
        for pid in children.read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.headers, body


def sign_in(port: int) -> str:
    """The session cookie of admin@a3demo.se, through the login form."""
    status, headers, body = get(port, "/login")
    cookie = session_cookie(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    form = urlencode({"csrf_token": token, "username": USERNAME, "password": PASSWORD})
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302 or response.headers["Location"].rstrip("/").endswith("login"):
        sys.exit(f"sign-in failed: {response.status} {response.headers['Location']}")
    return session_cookie(response.headers)


def session_cookie(headers) -> str:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            return value.split(";", 1)[0]
    sys.exit("no session cookie")


# --------------------------------------------------------------------------- load


def measure_wrk(url: str, cookie: str, seconds: int, connections: int) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or "Socket errors" in out:
        sys.exit(f"wrk saw errors:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), requests


def measure_python(url: str, cookie: str, seconds: int, connections: int) -> float:
    """Fallback without wrk: ``connections`` threads, each one connection
    (reopened when gunicorn's sync worker closes it)."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    path = "/" + url.rsplit(":", 1)[1].split("/", 1)[1]
    headers = {"Cookie": cookie} if cookie else {}
    counts = [0] * connections
    failures = []
    stop_at = time.monotonic() + seconds

    def run(i: int) -> None:
        conn = None
        while time.monotonic() < stop_at:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
            counts[i] += 1
            if response.will_close:
                conn.close()
                conn = None

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"{len(failures)} requests failed: {sorted(set(failures))}")
    return sum(counts) / (time.monotonic() - started), sum(counts)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10, help="per side and round (< 60)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--instance", help="an instance with demo data (default: a new one)")
    parser.add_argument("--python", action="store_true", help="the Python load loop, not wrk")
    args = parser.parse_args()
    measure = measure_python if args.python or not shutil.which("wrk") else measure_wrk
    tool = "python" if measure is measure_python else "wrk"

    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(args.instance) if args.instance else Path(tmp) / "instance"
        if not args.instance:
            print("building a demo instance …", flush=True)
            build_instance(instance)
        env = {"TELEPORTAL_INSTANCE": str(instance), "SESSION_COOKIE_SECURE": "0"}
        portal = Gunicorn("app:create_app()", args.workers, env)
        bare = None
        try:
            cookie = sign_in(portal.port)
            status, _, body = get(portal.port, PORTAL_PATH, cookie)
            rows = body.count(b'<td data-label="Status"')
            if status != 200 or rows != ROWS:
                sys.exit(f"GET {PORTAL_PATH}: {status}, {rows} rows (expected {ROWS})")
            size = len(body)
            bare = Gunicorn(
                "bare_app:create_app()",
                args.workers,
                {"BARE_PAGE_BYTES": str(size)},
                ROOT / "bench",
            )
            bare_size = len(get(bare.port, "/")[2])
            print(f"page sizes: portal {size} B, bare {bare_size} B; {tool}, "
                  f"{args.connections} connections, {args.workers} workers, "
                  f"{args.rounds} rounds of {args.seconds} s per side")  # fmt: skip
            servers = {"portal": portal, "bare": bare}
            urls = {
                "portal": f"http://127.0.0.1:{portal.port}{PORTAL_PATH}",
                "bare": f"http://127.0.0.1:{bare.port}/",
            }
            rps = {"portal": [], "bare": []}
            cpu_ms = {"portal": [], "bare": []}  # worker CPU per request
            for r in range(args.rounds):
                order = ["portal", "bare"] if r % 2 == 0 else ["bare", "portal"]
                for side in order:
                    # A fresh session each round: the portal notes a session's
                    # use once a minute (a write), and a browser keeps the
                    # renewed cookie that wrk would not.
                    cookie = sign_in(portal.port) if side == "portal" else ""
                    cpu = servers[side].cpu_seconds()
                    rate, requests = measure(urls[side], cookie, args.seconds, args.connections)
                    rps[side].append(rate)
                    cpu_ms[side].append((servers[side].cpu_seconds() - cpu) * 1000 / requests)
                print(f"round {r + 1}: portal {rps['portal'][-1]:6.1f} req/s "
                      f"({cpu_ms['portal'][-1]:.2f} ms CPU), bare {rps['bare'][-1]:6.1f} req/s "
                      f"({cpu_ms['bare'][-1]:.2f} ms CPU), "
                      f"{rps['portal'][-1] / rps['bare'][-1]:.1%}", flush=True)  # fmt: skip
        finally:
            portal.stop()
            if bare:
                bare.stop()

    median = {side: statistics.median(values) for side, values in rps.items()}
    cpu = {side: statistics.median(values) for side, values in cpu_ms.items()}
    ratios = [p / b for p, b in zip(rps["portal"], rps["bare"], strict=True)]
    print(
        f"\nmedian: portal {median['portal']:.1f} req/s, bare {median['bare']:.1f} req/s, "
        f"ratio {median['portal'] / median['bare']:.1%} (median of the rounds' ratios "
        f"{statistics.median(ratios):.1%}; target {TARGET:.0%})"
    )
    print(f"worker CPU per request: portal {cpu['portal']:.2f} ms, bare {cpu['bare']:.2f} ms, "
          f"ratio {cpu['bare'] / cpu['portal']:.1%} (what the req/s ratio is when CPU "
          f"is what limits both)")  # fmt: skip


if __name__ == "__main__":
    main()
