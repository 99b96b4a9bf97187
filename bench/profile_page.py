"""Where a signed-in page spends its time, in process: the SQL statements one
request runs, then cProfile over many requests through Flask's test client.

    TELEPORTAL_INSTANCE=/path/to/demo-instance .venv/bin/python bench/profile_page.py \
        [--path /services] [--requests 300] [--sort tottime] [--limit 40]

The instance needs demo data (``flask seed-demo``); bench/overhead.py builds
one the same way. Signs in as admin@a3demo.se.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _time_parts() -> dict[str, float]:
    """CPU time spent in the parts of a list request, summed as they run."""
    import web.auth
    import web.lists.view

    parts = {}

    def timed(owner, name, label):
        original = getattr(owner, name)
        parts[label] = 0.0

        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                parts[label] += time.process_time() - started

        setattr(owner, name, wrapper)

    timed(web.auth, "load_session_user", "user with the session")
    timed(web.lists.view.ListView, "page", "the list's queries (page)")
    timed(web.lists.view, "render", "rendering")
    return parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/services")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--user", default="admin@a3demo.se")
    args = parser.parse_args()
    if not os.environ.get("TELEPORTAL_INSTANCE"):
        sys.exit("Set TELEPORTAL_INSTANCE to an instance with demo data.")

    from app import create_app
    from database import db

    app = create_app({"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": args.user, "password": "Teleportal-demo-2026"},
    )
    assert response.status_code == 302, response.status_code

    statements = []
    execute_sql = db.obj.execute_sql

    def counting(sql, params=None):
        statements.append(sql)
        return execute_sql(sql, params)

    db.obj.execute_sql = counting
    response = client.get(args.path)
    db.obj.execute_sql = execute_sql
    assert response.status_code == 200, response.status_code
    print(f"GET {args.path}: {len(response.data)} bytes, {len(statements)} SQL statements")
    for sql in statements:
        print("  ", sql[:160])

    for _ in range(20):  # warm up
        client.get(args.path)
    parts = _time_parts()
    started = time.process_time()
    for _ in range(args.requests):
        client.get(args.path)
    plain = (time.process_time() - started) / args.requests
    print(f"\n{plain * 1000:.2f} ms CPU per request without the profiler, of which")
    for name, seconds in parts.items():
        print(f"  {name:32} {seconds / args.requests * 1000:.2f} ms")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(args.path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
