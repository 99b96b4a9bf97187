"""Benchmark: the billing importer against a bare ``executemany``.

    .venv/bin/python bench/import.py [--rows 1000000] [--services 2000] [--keep]

Builds one customer with ``--services`` mobile services in a temporary
SQLite database, writes a call detail record file of ``--rows`` rows
(docs/BILLING_IMPORT.md, kind ``cdr``), then, each in a fresh copy of that
database and in a process of its own (so that each peak RSS is its own):

* **executemany**: the same rows, already parsed, inserted with a bare
  ``cursor.executemany`` in transactions of 1,000: what the database costs;
* **import**: ``domain.billing.import_file("cdr", …)``: read, validate,
  match and write in chunks of 1,000;
* **re-import**: the same file again into the imported database: every row
  matched and found unchanged, nothing written.

Prints rows per second and the peak RSS of each, and the importer's peak at
a tenth of the rows, to show that memory does not grow with the file. Not
part of the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMER = "90000001"
TYPES = ("mobile", "national", "sms", "international", "data")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(db_path: Path):
    os.environ.setdefault("TELEPORTAL_INSTANCE", str(db_path.parent))
    from app import create_app
    from database import db

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "INVOICE_PDF_DIR": str(db_path.parent / "pdf"),
        }
    )
    ctx = app.app_context()
    ctx.push()
    db.connect(reuse_if_open=True)
    return app


def service_number(i: int) -> str:
    return f"070{i:07d}"


def row(i: int, services: int):
    """Call ``i``: (service index, local start, type, B-number, duration, price öre)."""
    service = i % services
    start = dt.datetime(2026, 1, 1, 8) + dt.timedelta(seconds=(i // services) * 37)
    traffic = TYPES[i % len(TYPES)]
    b_number = "" if traffic == "data" else f"08{(i * 7919) % 10**8:08d}"
    return service, start, traffic, b_number, 30 + i % 600, (i % 5) * 50


def build(folder: Path, services: int) -> Path:
    from cli import migrate
    from database import write_tx
    from domain.accounts import create_account
    from models import Organisation, Product, Service

    path = folder / "base.db"
    make_app(path)
    migrate()
    with write_tx():
        org = Organisation.create(name="Importbolaget AB", org_number="5566290549")
        product = Product.create(code="B", name="Mobil", kind="subscription", monthly_ore=100)
        account = create_account(org, None, CUSTOMER, company_name="Importbolaget AB")
        Service.insert_many(
            [
                {
                    "organisation": org.id,
                    "account": account.id,
                    "kind": "mobile",
                    "number": service_number(i),
                    "product": product.id,
                }
                for i in range(services)
            ]
        ).execute()
    from database import db

    db.close()
    return path


def write_file(path: Path, rows: int, services: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("kundnummer;tjänst;starttid;typ;b_nummer;riktning;längd;pris\r\n")
        for i in range(rows):
            service, start, traffic, b_number, duration, price = row(i, services)
            out.write(
                f"{CUSTOMER};{service_number(service)};{start:%Y-%m-%d %H:%M:%S};{traffic};"
                f"{b_number};ut;{duration};{price // 100},{price % 100:02d}\r\n"
            )


def phase_executemany(db_path: Path, rows: int, services: int) -> dict:
    from database import db, write_tx
    from domain.formats import LOCAL_TZ
    from models import Account, Service

    make_app(db_path)
    account = Account.get(Account.customer_number == CUSTOMER)
    ids = dict(Service.select(Service.number, Service.id).tuples())
    sql = (
        'INSERT INTO "call_record" (organisation_id, account_id, service_id, started_at, '
        "direction, a_number, b_number, traffic_type, country, duration_s, bytes, price_ore, "
        "invoiced) VALUES (?, ?, ?, ?, 'out', ?, ?, ?, 'SE', ?, 0, ?, 0)"
    )

    def params(start_index, stop):
        for i in range(start_index, stop):
            service, start, traffic, b_number, duration, price = row(i, services)
            number = service_number(service)
            utc = start.replace(tzinfo=LOCAL_TZ).astimezone(dt.UTC).replace(tzinfo=None)
            yield (
                account.organisation_id,
                account.id,
                ids[number],
                utc.strftime("%Y-%m-%d %H:%M:%S"),
                number,
                b_number,
                traffic,
                duration,
                price,
            )

    began = time.perf_counter()
    for start_index in range(0, rows, 1000):
        with write_tx():
            db.cursor().executemany(sql, params(start_index, min(rows, start_index + 1000)))
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb()}


def phase_import(db_path: Path, csv_path: Path) -> dict:
    from domain.billing import import_file

    make_app(db_path)
    before = peak_mb()
    began = time.perf_counter()
    report = import_file("cdr", str(csv_path))
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "rows": report.total,
        "new": report.new,
        "unchanged": report.unchanged,
        "errors": report.errors,
        "start_mb": before,
        "peak_mb": peak_mb(),
    }


def run_phase(*args) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--phase", nargs="+")
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "executemany":
            result = phase_executemany(Path(rest[0]), int(rest[1]), int(rest[2]))
        else:
            result = phase_import(Path(rest[0]), Path(rest[1]))
        print(json.dumps(result))
        return

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        base = build(folder, args.services)
        small_rows = args.rows // 10
        files = {}
        for n in (small_rows, args.rows):
            files[n] = folder / f"cdr-{n}.csv"
            write_file(files[n], n, args.services)
        size = files[args.rows].stat().st_size / 2**20
        print(f"{args.rows:,} call records, {args.services:,} services, file {size:.0f} MB")

        def copy(name):
            target = folder / f"{name}.db"
            shutil.copyfile(base, target)
            return target

        bare = run_phase("executemany", copy("bare"), args.rows, args.services)
        imported_db = copy("import")
        imported = run_phase("import", imported_db, files[args.rows])
        again = run_phase("import", imported_db, files[args.rows])
        small = run_phase("import", copy("small"), files[small_rows])

        def rate(result):
            return result["rows"] / result["seconds"]

        print(f"{'':24}{'rows/s':>10}{'seconds':>10}{'peak RSS MB':>14}")
        for label, result in (
            ("bare executemany", bare),
            ("import (all new)", imported),
            ("re-import (unchanged)", again),
            (f"import {small_rows:,} rows", small),
        ):
            print(
                f"{label:24}{rate(result):>10,.0f}{result['seconds']:>10.1f}"
                f"{result['peak_mb']:>14.0f}"
            )
        print(
            f"import rate = {rate(imported) / rate(bare):.0%} of bare executemany; "
            f"peak RSS {small['peak_mb']:.0f} MB at {small_rows:,} rows, "
            f"{imported['peak_mb']:.0f} MB at {args.rows:,} "
            f"(after start-up {imported['start_mb']:.0f} MB)"
        )
        assert imported["new"] == args.rows and again["unchanged"] == args.rows, (imported, again)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
