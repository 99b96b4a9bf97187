"""Teleportal benchmark: list response times at large and demo scale, and the
Excel export of 1,000,000 call records against plain openpyxl.

    make bench            (seeds instance-large/ first, then runs this)
    TELEPORTAL_INSTANCE=instance-large python bench/run.py [--requests 50]

Lists are requested through Flask's test client, so a figure is the whole
request: session, scope, queries, counting and template rendering. The
export runs in a child process per side so that each peak RSS is its own.
See bench/README.md for the targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LARGE_USERS = [("Administratör", "admin@large.example"), ("Kontoadmin", "konto@large.example")]
DEMO_USERS = [("Administratör", "admin@a3demo.se"), ("Kontoadmin", "konto@a3demo.se")]

LIST_CASES = [
    ("services: default (Aktiv, Nummer ↑)", "/services"),
    ("services: Aktiv+Spärrad, Månadsavg. ↓", "/services?f_status=active&f_status=barred&sort=monthly&dir=desc"),
    ("services: Spärrad, Användare ↑", "/services?f_status=barred&sort=user&dir=asc"),
    ("services: deep page", "/services?page={deep}"),
    ("invoices: default (Förfallodatum ↓)", "/invoices"),
    ("invoices: deep page", "/invoices?page={deep}"),
    ("orders: default (Orderdatum ↓)", "/orders"),
    ("orders: deep page", "/orders?page={deep}"),
]  # fmt: skip

TARGET_P95_MS = 100.0
TARGET_RATIO = 1.5
TARGET_EXPORT_SHARE = 0.9
TARGET_EXPORT_MB = 100.0
EXPORT_ROWS = 1_000_000
TURN_ROWS = 1_000  # rows per turn when the export and plain openpyxl take turns
COUNT_RE = re.compile(r"(\d+) - (\d+) av (fler än [\d\xa0]+|\d+) poster")
DEEP_PAGE = 2000  # a deep page: this one, or the last full page of a shorter list
PER_PAGE = 20  # the lists' default page size


# --------------------------------------------------------------------------- helpers


def make_app(database_url: str):
    from app import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            # The export is measured in the request (the worker's replay
            # writes the same rows through the same write_rows).
            "EXPORT_JOB_ROWS": 10**9,
        }
    )


def large_database_url() -> str:
    instance = os.environ.get("TELEPORTAL_INSTANCE")
    if not instance:
        sys.exit("Set TELEPORTAL_INSTANCE to the large instance (make bench does).")
    path = Path(instance) / "teleportal.db"
    if not path.exists():
        sys.exit(f"{path} does not exist: run `make seed-large` first.")
    return f"sqlite:///{path}"


def login(app, client, username: str) -> None:
    """Sign in without the form: a server-side session (domain/sessions.py)
    and the cookie that names it."""
    from database import write_tx
    from domain import sessions
    from models import User

    with app.app_context():
        user = User.get(User.username == username)
        session_id = user.get_id()
        with write_tx():
            key = sessions.start(user, "127.0.0.1", "bench")
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session["sid"] = key


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def rss_mb() -> float:
    """Peak RSS of this process in MB.

    Linux keeps ru_maxrss across exec, so a child started from a big parent
    would report the parent's size; VmHWM is the peak of this program only.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- lists


class Side:
    """One scale's app, database and signed-in clients.

    Both scales live in one process and take turns request by request, so
    that load from elsewhere on the machine falls on both alike. The app's
    database proxy is pointed at the side whose turn it is.
    """

    def __init__(self, name: str, database_url: str, users):
        from database import db

        self.name = name
        self.accepted = (200,)  # the statuses a measured request may answer with
        self.app = make_app(database_url)
        self.database = db.obj
        self.clients = {}
        for label, username in users:
            self.activate()
            client = self.app.test_client()
            login(self.app, client, username)
            self.clients[label] = client

    def activate(self) -> None:
        from database import db

        db.initialize(self.database)

    def url(self, user_label: str, url: str) -> str:
        """The case's URL at this scale: a deep page is page DEEP_PAGE, or the
        last full page where the list is shorter, so that both scales show a
        page of 20 rows (a last page of 2 rows would make the ratio measure
        rows shown, not scale)."""
        if "{deep}" not in url:
            return url
        _, _, first = self.get(user_label, url.replace("{deep}", "1"))
        match = COUNT_RE.search(first.get_data(as_text=True))
        total = int(re.sub(r"\D", "", match.group(3))) if match else 0
        return url.format(deep=min(DEEP_PAGE, max(1, total // PER_PAGE)))

    def get(self, user_label: str, url: str):
        self.activate()
        # "…#part=pager": a part a page fetches after loading (X-List-Part).
        url, _, part = url.partition("#part=")
        headers = {"HX-Request": "true", "X-List-Part": part} if part else {}
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.clients[user_label].get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu_started) * 1000
        if response.status_code not in self.accepted:
            sys.exit(f"{self.name} {user_label} {url}: HTTP {response.status_code}")
        return elapsed, cpu, response


def order_page_urls(side: Side, user_label: str) -> list[tuple[str, str]]:
    """The Ny beställning steps and an order page at this scale: a draft is
    started (an Offert, which offers the whole catalogue) and a Mobil
    Fastpris added once, then each step's page is read."""
    from tables.catalogue import Product
    from tables.orders import Order
    from tables.org import User

    client = side.clients[user_label]
    side.activate()
    username = dict(LARGE_USERS)[user_label]  # measured at large scale
    account = User.get(User.username == username).scope_account_id
    page = client.get("/orders/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    started = client.post(
        "/orders/new", data={"account": account, "kind": "quote", "csrf_token": token}
    )
    draft = int(re.search(r"/drafts/(\d+)/", started.headers["Location"]).group(1))
    side.activate()
    product = Product.get(Product.code == "MOB-FAST")
    added = client.post(
        f"/orders/drafts/{draft}/lines", data={"product": product.id, "csrf_token": token}
    )
    line_url = added.headers["Location"]
    category = product.category_id
    side.activate()
    order = (
        Order.select(Order.id)
        .where((Order.type == "new") & (Order.status == "completed"))
        .order_by(Order.id.desc())
        .first()
    )
    return [
        ("wizard: Konto och typ", "/orders/new"),
        ("wizard: Produktkategori", f"/orders/drafts/{draft}/category"),
        ("wizard: Produkt", f"/orders/drafts/{draft}/category/{category}"),
        ("wizard: Konfiguration", line_url),
        ("wizard: Slutför beställningen", f"/orders/drafts/{draft}/finish"),
        ("order page", f"/orders/{order.id}"),
    ]


def measure_pages(side: Side, user_label: str, requests: int, warmup: int) -> list[dict]:
    """p50/p95 in ms of each order page case, on one scale."""
    out = []
    for case, url in order_page_urls(side, user_label):
        times = []
        for i in range(warmup + requests):
            elapsed, _cpu, _response = side.get(user_label, url)
            if i >= warmup:
                times.append(elapsed)
        out.append({"case": case, "url": url, "p50": statistics.median(times),
                    "p95": percentile(times, 95)})  # fmt: skip
    return out


def measure_lists(
    sides: list[Side],
    user_labels,
    requests: int,
    warmup: int,
    rounds: int,
    cases=None,
    resolve=None,
) -> dict:
    """{side name: {(user label, case): {"p50", "p95", ...}}}, in ms.

    Every case is measured in ``rounds`` rounds spread over the whole run
    (round 1 of every case, then round 2, ...). A case's p95 is the median
    of its rounds' p95s, so that a burst of load from elsewhere on the
    machine, which lands in one round, does not decide the figure; p50 is
    over all its requests. ``cases``: (name, URL) pairs, LIST_CASES unless given;
    ``resolve(side, user label, URL)`` makes a case's URL concrete at a scale
    (``Side.url`` unless given).
    """
    cases = cases or LIST_CASES
    resolve = resolve or (lambda side, user_label, url: side.url(user_label, url))
    times: dict = {side.name: {} for side in sides}
    cpu_times: dict = {side.name: {} for side in sides}
    shown: dict = {side.name: {} for side in sides}
    urls = {
        (side.name, user_label, case): resolve(side, user_label, url)
        for side in sides
        for user_label in user_labels
        for case, url in cases
    }
    for _ in range(rounds):
        for user_label in user_labels:
            for case, _url in cases:
                key = (user_label, case)
                measured = {side.name: [] for side in sides}
                for i in range(warmup + requests):
                    # alternate which side goes first
                    for side in sides if i % 2 else reversed(sides):
                        url = urls[(side.name, *key)]
                        elapsed, cpu, response = side.get(user_label, url)
                        if i >= warmup:
                            measured[side.name].append(elapsed)
                            cpu_times[side.name].setdefault(key, []).append(cpu)
                        shown[side.name][key] = response
                for side in sides:
                    times[side.name].setdefault(key, []).append(measured[side.name])
    results: dict = {side.name: {} for side in sides}
    for side in sides:
        for key, per_round in times[side.name].items():
            every = [t for chunk in per_round for t in chunk]
            match = COUNT_RE.search(shown[side.name][key].get_data(as_text=True))
            rounds_p95 = [percentile(chunk, 95) for chunk in per_round]
            results[side.name][key] = {
                "p50": statistics.median(every),
                "p95": statistics.median(rounds_p95),
                "p95_rounds": rounds_p95,
                "p95_pooled": percentile(every, 95),
                "cpu_p50": statistics.median(cpu_times[side.name][key]),
                "shown": match.group(0) if match else "?",
            }
    return results


def build_demo_database(directory: Path) -> str:
    """A demo-only database, as `make run` creates it."""
    from cli import migrate
    from database import db
    from seed import demo

    url = f"sqlite:///{directory / 'demo.db'}"
    app = make_app(url)
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        demo.seed()
        db.close()
    return url


# --------------------------------------------------------------------------- export


def export_cutoff(database_url: str, rows: int) -> tuple[str, int]:
    """The local day from which the large admin's newest ``rows`` call records
    start, and how many records the list shows from that day on."""
    from blueprints.calls import CALL_RECORD_LIST
    from models import CallRecord, User
    from web.formatting import local

    app = make_app(database_url)
    with app.app_context():
        admin = User.get(User.username == LARGE_USERS[0][1])
        started = (
            CallRecord.visible_to(admin)
            .select(CallRecord.started_at)
            .order_by(CallRecord.started_at.desc())
            .offset(rows - 1)
            .limit(1)
            .tuples()
        )[0][0]
        day = local(started).date().isoformat()
        state = CALL_RECORD_LIST.state({"f_started_from": day}, path="/calls")
        total = CALL_RECORD_LIST.count(admin, state)
    return day, total


def endpoint_child(database_url: str, day: str, expected_rows: int) -> dict:
    """The real endpoint, alone in its process: /calls?export=xlsx as the
    large Administratör (ListView.respond → export_rows → excel.send_rows)."""
    app = make_app(database_url)
    baseline = rss_mb()
    client = app.test_client()
    login(app, client, LARGE_USERS[0][1])
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(f"/calls?export=xlsx&f_started_from={day}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    with tempfile.TemporaryFile() as out:
        for chunk in response.response:
            size += len(chunk)
            out.write(chunk)
    response.close()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "rows": expected_rows,  # counted by the parent: counting here would touch the peak
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "bytes": size,
        "baseline_mb": baseline,
        "peak_mb": rss_mb(),
    }


class _Interleaved:
    """The list's rows, passed on as they come; after every ``every`` of
    them plain openpyxl writes its next ``every`` rows, timed apart."""

    def __init__(self, rows, plain_ws, plain_rows, every):
        self.rows, self.ws, self.plain_rows, self.every = rows, plain_ws, plain_rows, every
        self.plain_written = 0
        self.plain_seconds = self.plain_cpu = 0.0

    def plain_chunk(self, count):
        chunk = self.plain_rows[self.plain_written : self.plain_written + count]
        started, cpu_started = time.perf_counter(), time.process_time()
        append = self.ws.append
        for row in chunk:
            append(row)
        self.plain_seconds += time.perf_counter() - started
        self.plain_cpu += time.process_time() - cpu_started
        self.plain_written += len(chunk)

    def __iter__(self):
        every = self.every
        for count, row in enumerate(self.rows, 1):
            yield row
            if count % every == 0:
                self.plain_chunk(every)


def compare_child(database_url: str, day: str, expected_rows: int, turn_rows: int) -> dict:
    """The list's export and plain openpyxl in one process, taking turns a
    thousand rows at a time, so that both run under the same load.

    The list's side is CALL_RECORD_LIST.export_rows() into excel.write_rows()
    (what the endpoint runs, less the HTTP response). The plain side appends
    the same rows, already converted and in memory, to a write-only
    workbook and saves it.
    """
    from openpyxl import Workbook

    from blueprints.calls import CALL_RECORD_LIST
    from database import db
    from models import User
    from web import excel

    app = make_app(database_url)
    with app.app_context():
        db.connect(reuse_if_open=True)
        admin = User.get(User.username == LARGE_USERS[0][1])
        state = CALL_RECORD_LIST.state({"f_started_from": day}, path="/calls")
        columns, source, formats = CALL_RECORD_LIST.export_rows(admin, state)
        headers = [c.label for c in columns]
        plain_rows = [
            tuple(
                f(v) if f is not None and v is not None else v
                for f, v in zip(formats, row, strict=True)
            )
            for row in source
        ]
        assert len(plain_rows) == expected_rows, (len(plain_rows), expected_rows)
        # The million converted rows held for the plain side are the benchmark's own
        # scaffolding: keep the garbage collector from walking them again and again
        # while either side runs (it would charge each side for them as it allocates).
        gc.collect()
        gc.freeze()
        plain_wb = Workbook(write_only=True)
        plain_ws = plain_wb.create_sheet("Samtal")
        plain_ws.append(headers)

        columns, rows, formats = CALL_RECORD_LIST.export_rows(admin, state)
        interleaved = _Interleaved(rows, plain_ws, plain_rows, turn_rows)
        with tempfile.TemporaryFile() as ours_out, tempfile.TemporaryFile() as plain_out:
            started, cpu_started = time.perf_counter(), time.process_time()
            written = excel.write_rows(
                ours_out,
                "Samtal",
                headers,
                interleaved,
                formats,
                [c.export_escape for c in columns],
                [excel.number_format(c.export_format) for c in columns],
            )
            ours_seconds = time.perf_counter() - started - interleaved.plain_seconds
            ours_cpu = time.process_time() - cpu_started - interleaved.plain_cpu
            interleaved.plain_chunk(len(plain_rows))  # whatever is left
            started, cpu_started = time.perf_counter(), time.process_time()
            plain_wb.save(plain_out)
            interleaved.plain_seconds += time.perf_counter() - started
            interleaved.plain_cpu += time.process_time() - cpu_started
    assert written == interleaved.plain_written == expected_rows
    return {
        "rows": written,
        "listview": {"seconds": ours_seconds, "cpu_seconds": ours_cpu},
        "plain": {"seconds": interleaved.plain_seconds, "cpu_seconds": interleaved.plain_cpu},
    }


def run_child(kind: str, database_url: str, day: str, rows: int, turn_rows: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--database-url", database_url]
    cmd += ["--day", day, "--rows", str(rows), "--turn-rows", str(turn_rows)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"export child {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=100, help="measured requests per case and round"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per case")
    parser.add_argument(
        "--warmup", type=int, default=5, help="unmeasured requests per case and round"
    )
    parser.add_argument("--export-rows", type=int, default=EXPORT_ROWS)
    parser.add_argument(
        "--turn-rows",
        type=int,
        default=TURN_ROWS,
        help="export rows per turn (default %(default)s)",
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--child", choices=["endpoint", "compare"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--day", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "endpoint":
            result = endpoint_child(args.database_url, args.day, args.rows)
        else:
            result = compare_child(args.database_url, args.day, args.rows, args.turn_rows)
        print(json.dumps(result))
        return 0

    large_url = large_database_url()
    failures = 0
    report: dict = {"when": dt.datetime.now().isoformat(timespec="seconds")}

    if not args.skip_lists:
        print(
            f"Lists: {args.rounds} rounds of {args.requests} requests per case and scale, each"
            f" after {args.warmup} warm-up, the two scales taking turns; server time in ms;"
            " p95: the median of the rounds' p95s"
        )
        with tempfile.TemporaryDirectory() as tmp:
            demo_url = build_demo_database(Path(tmp))
            sides = [
                Side("large", large_url, LARGE_USERS),
                Side("demo", demo_url, DEMO_USERS),
            ]
            measured = measure_lists(
                sides,
                [label for label, _ in LARGE_USERS],
                args.requests,
                args.warmup,
                args.rounds,
            )
        large, demo = measured["large"], measured["demo"]
        header = (
            f"{'user':14} {'case':40} {'large p50':>9} {'p95':>7} {'demo p50':>9} {'p95':>7}"
            f" {'ratio':>6} {'pooled':>6}  p95<{TARGET_P95_MS:.0f}  ratio≤{TARGET_RATIO}"
            f"  {'CPU p50 L/D':>12}"
            "  shown at large / demo scale"
        )
        print(header)
        print("-" * len(header))
        rows = []
        for key, big in large.items():
            small = demo[key]
            ratio = big["p95"] / small["p95"]
            ok_abs = big["p95"] < TARGET_P95_MS
            ok_ratio = ratio <= TARGET_RATIO
            failures += (not ok_abs) + (not ok_ratio)
            print(
                f"{key[0]:14} {key[1]:40} {big['p50']:9.1f} {big['p95']:7.1f}"
                f" {small['p50']:9.1f} {small['p95']:7.1f} {ratio:6.2f}"
                f" {big['p95_pooled'] / small['p95_pooled']:6.2f}"
                f"  {verdict(ok_abs):6}  {verdict(ok_ratio):8}"
                f"  {big['cpu_p50']:5.1f}/{small['cpu_p50']:5.1f}  {big['shown']} / {small['shown']}"
            )
            rows.append({"user": key[0], "case": key[1], "large": big, "demo": small})
        report["lists"] = rows

        print()
        print("Ny beställning and the order page at large scale, Administratör (server time, ms)")
        pages = measure_pages(sides[0], LARGE_USERS[0][0], args.requests, args.warmup)
        for row in pages:
            ok = row["p95"] < TARGET_P95_MS
            failures += not ok
            print(f"  {row['case']:40} p50 {row['p50']:6.1f}  p95 {row['p95']:6.1f}"
                  f"  p95<{TARGET_P95_MS:.0f} {verdict(ok)}")  # fmt: skip
        report["order_pages"] = pages

    if not args.skip_export:
        day, total = export_cutoff(large_url, args.export_rows)
        print()
        print(f"Export: call records from {day} on ({total:,} rows), large Administratör")
        compared = run_child("compare", large_url, day, total, args.turn_rows)
        endpoint = run_child("endpoint", large_url, day, total, args.turn_rows)
        rates = {}
        for side in ("listview", "plain"):
            result = compared[side]
            rates[side] = total / result["seconds"]
            label = (
                "list export (export_rows → write_rows)" if side == "listview" else "plain openpyxl"
            )
            print(
                f"  {label:40} {result['seconds']:6.1f} s {rates[side]:8,.0f} rows/s"
                f"  ({total / result['cpu_seconds']:,.0f} per CPU second)"
            )
        print(f"  (taking turns in one process, {args.turn_rows:,} rows at a time)")
        print(
            f"  {'the endpoint /calls?export=xlsx alone':40} {endpoint['seconds']:6.1f} s"
            f" {total / endpoint['seconds']:8,.0f} rows/s  {endpoint['bytes'] / 1e6:.1f} MB file,"
            f" peak RSS {endpoint['peak_mb']:.1f} MB (after start-up: {endpoint['baseline_mb']:.1f} MB)"
        )
        share = rates["listview"] / rates["plain"]
        ok_speed = share >= TARGET_EXPORT_SHARE
        ok_memory = endpoint["peak_mb"] < TARGET_EXPORT_MB
        failures += (not ok_speed) + (not ok_memory)
        print(
            f"  speed {share:.1%} of plain openpyxl (target ≥ {TARGET_EXPORT_SHARE:.0%}):"
            f" {verdict(ok_speed)}"
        )
        print(
            f"  peak memory {endpoint['peak_mb']:.1f} MB (target < {TARGET_EXPORT_MB:.0f} MB):"
            f" {verdict(ok_memory)}"
        )
        report["export"] = {"day": day, "rows": total, "compare": compared, "endpoint": endpoint}

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{report['when'].replace(':', '')}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    print()
    print("ALL TARGETS PASS" if not failures else f"{failures} TARGET(S) FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
