"""Benchmark: a bulk action on 1,000 services (issue 18 items 7 and 9).

    .venv/bin/python bench/bulk.py [--rows 1000] [--action invoice_text|group|bar|price_plan] [--keep]
    TELEPORTAL_INSTANCE=instance-large .venv/bin/python bench/bulk.py   # on a copy of the large seed

Without a large instance it seeds the demo data in a temporary SQLite
database and adds ``--rows`` mobile services to A3 Demo Connect's top
account. The run goes through the domain exactly as the worker runs it
(domain/bulk_actions.start and run, as admin@a3demo.se, or the large seed's
Administratör): each row its own transaction through the single action's
code (service_actions.check → prepare_* → service_requests.request, or
groups.change_group), run by web/jobs.run_bulk as the worker runs it, while
a thread reads the run's progress once a second as the result page's
progress bar does. Prints rows per second and how the bar advanced. Not
part of the tests.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VALUES = {
    "invoice_text": {"invoice_text": "Projekt Bänk"},
    "bar": {"kind": "premium"},
}


def prepare(app, rows: int, large: bool) -> tuple[int, list[int]]:
    """The user and ``rows`` active services they may act on."""
    from database import db, write_tx
    from models import Account, OptionGroup, Service, User

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
            # A mobile product with price plans to change between, so that
            # --action price_plan has something to do.
            with_plans = OptionGroup.select(OptionGroup.product).where(
                OptionGroup.kind == "price_plan"
            )
            mobile = Service.select().where(
                (Service.organisation == user.organisation_id) & (Service.kind == "mobile")
            )
            chosen = mobile.where(Service.product.in_(with_plans)).first() or mobile.first()
            product = chosen.product_id
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


class Poller(threading.Thread):
    """Reads the run's ``rows_done`` once a second, as the progress bar's
    poll does, from a connection of its own."""

    def __init__(self, app, bulk_id: int):
        super().__init__(daemon=True)
        self.app, self.bulk_id = app, bulk_id
        self.stop = threading.Event()
        self.seen: list[int] = []

    def run(self) -> None:
        from database import db
        from models import BulkAction

        with self.app.app_context():
            while not self.stop.wait(1.0):
                db.connect(reuse_if_open=True)
                self.seen.append(BulkAction.get_by_id(self.bulk_id).rows_done)
                db.close()


def price_plan_for(service) -> str:
    """A price plan the bench's services may change to (one of their
    product's options other than the one they have)."""
    from domain import service_actions as sa

    for product in sa.change_options(service)["price_plan"]:
        if sa.change_preview(service, product.code, None)["changed"]:
            return product.code
    raise SystemExit(f"no price plan to change to for service {service.id}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument(
        "--action",
        choices=["invoice_text", "group", "bar", "price_plan"],
        default="invoice_text",
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
    from models import BulkAction, BulkActionRow, Service, User

    with app.app_context(), app.test_request_context("/services"):
        db.connect(reuse_if_open=True)
        user = User.get_by_id(user_id)
        values = VALUES.get(args.action, {})
        if args.action == "group":
            found = group_rules.groups(user.organisation_id)
            if not found:  # a seed without groups: one to add to
                category = group_rules.create_category(user.organisation_id, "Avdelning")
                found = [group_rules.create_group(category, "Bänk")]
            group = found[0]
            values = {"group": str(group.id)}
        elif args.action == "price_plan":
            values = {"code": price_plan_for(Service.get_by_id(ids[-1]))}
        params, summary = bulk_actions.clean(user.organisation_id, args.action, values)
        start = time.perf_counter()
        run, _ = bulk_actions.start(
            user, args.action, params, summary, ids, secrets.token_urlsafe(16)
        )
        recorded = time.perf_counter() - start
        db.close()
    # The run as the worker runs it (worker.run_bulk → web/jobs.run_bulk),
    # while a second thread reads its progress once a second as the result
    # page's progress bar does (hx-trigger="every 1s").
    from web import jobs as web_jobs

    polls = Poller(app, run.id)
    polls.start()
    with app.app_context():
        db.connect(reuse_if_open=True)
        status = web_jobs.run_bulk(app, run.id)
        db.close()
    elapsed = time.perf_counter() - start
    polls.stop.set()
    polls.join()
    with app.app_context():
        db.connect(reuse_if_open=True)
        counts = bulk_actions.counts(BulkAction.get_by_id(run.id))
        reasons = Counter(
            row.message
            for row in BulkActionRow.select(BulkActionRow.message).where(
                (BulkActionRow.bulk == run.id) & (BulkActionRow.status == "refused")
            )
        )
        db.close()
    print(f"{summary}: {status}, {counts['done']:,} genomförda, {counts['refused']:,} avvisade")
    for reason, n in reasons.most_common():
        print(f"    avvisad ×{n}: {reason}")
    print(f"  start (rows recorded, audited): {recorded * 1000:.0f} ms")
    print(
        f"  {len(ids):,} rows in {elapsed:.1f} s: {len(ids) / elapsed:,.0f} rows/s "
        f"({elapsed / len(ids) * 1000:.1f} ms per row)"
    )
    steps = [b - a for a, b in zip(polls.seen, polls.seen[1:], strict=False)]
    if steps:
        steps.sort()
        print(
            f"  progress bar: {len(polls.seen)} polls, rows_done advanced "
            f"{steps[0]}–{steps[-1]} (median {steps[len(steps) // 2]}) rows per second, "
            f"{sum(1 for s in steps if s == 0)} polls without a change"
        )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
