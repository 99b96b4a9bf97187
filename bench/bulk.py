"""Benchmark: a bulk action on 1,000 services (issue 18 items 7 and 9).

    .venv/bin/python bench/bulk.py [--rows 1000] [--action invoice_text|group|bar] [--keep]
    TELEPORTAL_INSTANCE=instance-large .venv/bin/python bench/bulk.py   # on a copy of the large seed

Without a large instance it seeds the demo data in a temporary SQLite
database and adds ``--rows`` mobile services to A3 Demo Connect's top
account. The run goes through the domain exactly as the worker runs it
(domain/bulk_actions.start and run, as admin@a3demo.se, or the large seed's
Administratör): each row its own transaction through the single action's
code (service_actions.check → prepare_* → service_requests.request, or
groups.change_group). Prints rows per second. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VALUES = {
    "invoice_text": {"invoice_text": "Projekt Bänk"},
    "bar": {"kind": "premium"},
}


def prepare(app, rows: int, large: bool) -> tuple[int, list[int]]:
    """The user and ``rows`` active services they may act on."""
    from database import db, write_tx
    from models import Account, Service, User

    with app.app_context():
        db.connect(reuse_if_open=True)
        username = "admin@large.example" if large else "admin@a3demo.se"
        user = User.get(User.username == username)
        query = Service.visible_to(user).where(
            (Service.kind == "mobile") & (Service.status == "active")
        )
        have = query.count()
        if have < rows:
            top = Account.get(
                (Account.organisation == user.organisation_id) & Account.parent.is_null()
            )
            product = Service.get(Service.organisation == user.organisation_id).product_id
            new = [
                {
                    "organisation": user.organisation_id,
                    "account": top.id,
                    "kind": "mobile",
                    "status": "active",
                    "number": f"0709{n:06d}",
                    "user_name": f"Bänk {n}",
                    "product": product,
                    "monthly_ore": 13900,
                }
                for n in range(rows - have)
            ]
            with write_tx():
                for first in range(0, len(new), 500):
                    Service.insert_many(new[first : first + 500]).execute()
        ids = [s.id for s in query.order_by(Service.id).limit(rows)]
        db.close()
    return user.id, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument(
        "--action", choices=["invoice_text", "group", "bar"], default="invoice_text"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    source = os.environ.get("TELEPORTAL_INSTANCE")
    workdir = Path(tempfile.mkdtemp(prefix="teleportal-bench-bulk-"))
    large = bool(source and (Path(source) / "teleportal.db").exists())
    if large:  # a copy: the bench changes services
        shutil.copy(Path(source) / "teleportal.db", workdir / "teleportal.db")
    os.environ["TELEPORTAL_INSTANCE"] = str(workdir)
    from app import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{workdir / 'teleportal.db'}", "SECRET_KEY": "bench"}
    )
    started = time.perf_counter()
    if not large:
        with app.app_context():
            from database import db

            db.connect(reuse_if_open=True)
            from cli import migrate
            from seed import demo

            migrate()
            demo.seed()
            db.close()
    user_id, ids = prepare(app, args.rows, large)
    print(
        f"{'large seed copy' if large else 'demo seed'} + services ready in "
        f"{time.perf_counter() - started:.1f} s: {len(ids):,} services ({workdir})"
    )

    from database import db
    from domain import bulk_actions
    from domain import groups as group_rules
    from models import BulkAction, User

    with app.app_context(), app.test_request_context("/services"):
        db.connect(reuse_if_open=True)
        user = User.get_by_id(user_id)
        values = VALUES.get(args.action, {})
        if args.action == "group":
            group = group_rules.groups(user.organisation_id)[0]
            values = {"group": str(group.id)}
        params, summary = bulk_actions.clean(user.organisation_id, args.action, values)
        start = time.perf_counter()
        run, _ = bulk_actions.start(
            user, args.action, params, summary, ids, secrets.token_urlsafe(16)
        )
        recorded = time.perf_counter() - start
        status = bulk_actions.run(run.id, user)
        elapsed = time.perf_counter() - start
        counts = bulk_actions.counts(BulkAction.get_by_id(run.id))
        db.close()
    print(f"{summary}: {status}, {counts['done']:,} genomförda, {counts['refused']:,} avvisade")
    print(f"  start (rows recorded, audited): {recorded * 1000:.0f} ms")
    print(
        f"  {len(ids):,} rows in {elapsed:.1f} s: {len(ids) / elapsed:,.0f} rows/s "
        f"({elapsed / len(ids) * 1000:.1f} ms per row)"
    )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
