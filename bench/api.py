"""Benchmark of the JSON API (issue 19): its list endpoints at large and demo
scale with bench/run.py's method (whole requests through the test client,
the scales taking turns, a case's p95 the median of its rounds' p95s), and a
walk through call records page by page by cursor — rows per second per
tenth of the walk and the process's memory, which must stay flat.

    TELEPORTAL_INSTANCE=instance-large .venv/bin/python bench/api.py \
        [--requests 30] [--rounds 3] [--walk-rows 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    DEMO_USERS,
    LARGE_USERS,
    TARGET_RATIO,
    Side,
    build_demo_database,
    large_database_url,
    measure_lists,
    rss_mb,
    verdict,
)

TARGET_MS = 100.0
CASES = [
    ("accounts", "/api/v1/accounts"),
    ("services, default", "/api/v1/services"),
    ("services, sorted", "/api/v1/services?f_status=active&f_status=barred&sort=monthly&dir=desc"),
    ("services, deep cursor", "/api/v1/services{deep}"),
    ("invoices, default", "/api/v1/invoices"),
    ("invoices, deep cursor", "/api/v1/invoices{deep}"),
    ("orders, default", "/api/v1/orders"),
    ("call records, deep cursor", "/api/v1/call-records{deep}"),
]
DEEP_ROWS = 40_000  # a deep page: the one after this many rows, or the last of a shorter list


class ApiSide(Side):
    """A scale's app with an API key per user instead of a session."""

    def __init__(self, name: str, database_url: str, users):
        from database import write_tx
        from domain import api_tokens
        from models import User

        super().__init__(name, database_url, [])
        self.app.config["API_RATE_LIMIT"] = 10**9
        self.headers = {}
        for label, username in users:
            self.activate()
            with self.app.app_context():
                user = User.get(User.username == username)
                with write_tx():
                    _, secret = api_tokens.create(user, "bench", user.permission_set, None, None)
            self.clients[label] = self.app.test_client()
            self.headers[label] = {"Authorization": f"Bearer {secret}"}

    def get(self, user_label: str, url: str):
        self.activate()
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.clients[user_label].get(url, headers=self.headers[user_label])
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu_started) * 1000
        if response.status_code != 200:
            sys.exit(f"{self.name} {user_label} {url}: HTTP {response.status_code}")
        return elapsed, cpu, response

    def url(self, user_label: str, url: str) -> str:
        """A deep cursor: the page after DEEP_ROWS rows (or the list's last)."""
        if "{deep}" not in url:
            return url
        path = url.replace("{deep}", "") + "?limit=200"
        seen, last = 0, path
        while seen < DEEP_ROWS:
            _, _, response = self.get(user_label, path)
            body = response.get_json()
            seen += len(body["items"])
            if not body["next"]:
                break
            last, path = path, body["next"]
        return (body["next"] or last).replace("limit=200", "limit=50")


def with_limit(url: str, limit: int) -> str:
    base, _, query = url.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith("limit=")]
    return base + "?" + "&".join([*params, f"limit={limit}"])


def same_rows(demo: ApiSide, rows: dict):
    """``measure_lists``' resolve: both scales ask for as many rows as the
    demo's page holds. The demo's Kontoadministratör sees 3 accounts and 12
    services where the large one fills a page of 50, so at the same
    ``limit`` the ratio would measure mostly 47 rows more to load and
    serialise, not the scale (as bench/run.py compares pages of equal size)."""
    counted = {}

    def resolve(side: ApiSide, user_label: str, url: str) -> str:
        case = next(name for name, path in CASES if path == url)
        if (user_label, url) not in counted:
            demo_url = demo.url(user_label, url)
            _, _, response = demo.get(user_label, demo_url)
            counted[(user_label, url)] = max(1, min(50, len(response.get_json()["items"])))
        n = counted[(user_label, url)]
        rows[(user_label, case)] = n
        return with_limit(side.url(user_label, url), n)

    return resolve


def walk_call_records(side: ApiSide, rows: int) -> dict:
    """Read ``rows`` call records by cursor, 200 a page: rows/s per tenth."""
    path, read, tenth = "/api/v1/call-records?limit=200", 0, max(1, rows // 10)
    rates, started, mark, start_rss = [], time.perf_counter(), 0, rss_mb()
    segment_started = started
    while path and read < rows:
        _, _, response = side.get("Administratör", path)
        body = response.get_json()
        read += len(body["items"])
        path = body["next"]
        if read - mark >= tenth:
            now = time.perf_counter()
            rates.append((read - mark) / (now - segment_started))
            mark, segment_started = read, now
    total = time.perf_counter() - started
    return {
        "rows": read,
        "seconds": total,
        "rates": rates,
        "rss_start": start_rss,
        "rss_end": rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--walk-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-lists", action="store_true")
    args = parser.parse_args()
    large = ApiSide("large", large_database_url(), LARGE_USERS)
    ok = True
    if not args.skip_lists:
        with tempfile.TemporaryDirectory() as tmp:
            demo = ApiSide("demo", build_demo_database(Path(tmp)), DEMO_USERS)
            rows = {}
            results = measure_lists(
                [large, demo],
                [label for label, _ in LARGE_USERS],
                args.requests,
                args.warmup,
                args.rounds,
                cases=CASES,
                resolve=same_rows(demo, rows),
            )
        print(f"{'case':<48} {'rows':>5} {'large p95':>10} {'demo p95':>9} {'ratio':>6}")
        for key, figures in results["large"].items():
            big, small = figures["p95"], results["demo"][key]["p95"]
            ratio = big / small if small else float("inf")
            passed = big < TARGET_MS and ratio <= TARGET_RATIO
            ok &= passed
            label = f"{key[0]}, {key[1]}"
            n = rows.get(key, 50)
            print(f"{label:<48} {n:>5} {big:>10.1f} {small:>9.1f} {ratio:>6.2f} {verdict(passed)}")
    if args.walk_rows:
        walk = walk_call_records(large, args.walk_rows)
        rates = walk["rates"]
        print(
            f"call records walked: {walk['rows']:,} in {walk['seconds']:.1f} s, "
            f"rows/s per tenth: {', '.join(f'{r:,.0f}' for r in rates)}"
        )
        print(
            f"peak RSS {walk['rss_start']:.1f} MB before the walk, {walk['rss_end']:.1f} MB after"
        )
        if len(rates) >= 6:
            # Constant: the last three tenths no slower than the first three
            # (within 30 %): a page deep in the walk costs what the first did.
            # Load from elsewhere moves single tenths either way.
            first, last = statistics.mean(rates[:3]), statistics.mean(rates[-3:])
            flat = last >= 0.7 * first
            print(f"first three tenths {first:,.0f} rows/s, last three {last:,.0f} rows/s")
            grew = walk["rss_end"] - walk["rss_start"]
            print(f"constant rate {verdict(flat)}; memory grew {grew:.1f} MB {verdict(grew < 20)}")
            ok &= flat and grew < 20
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
