"""Teleportal benchmark of the groups in the reports (issue 18, item 4) at
the large scale: Kostnader per grupp (in the request, and whether it goes to
the worker), Summa per grupp on Fakturor and Tjänster, and reports narrowed
by a group.

    TELEPORTAL_INSTANCE=instance-large python bench/group_reports.py [--requests 5]

Whole requests through Flask's test client as bench/run.py makes them; the
first category of the large organisation and its first group are used. The
figures are in bench/README.md, section "Grupper i rapporterna".
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import LARGE_USERS, Side, large_database_url  # noqa: E402


def cases(side: Side) -> list[tuple[str, str]]:
    from tables.org import Group, GroupCategory, User

    side.activate()
    admin = User.get(User.username == LARGE_USERS[0][1])
    category = (
        GroupCategory.select()
        .where(GroupCategory.organisation == admin.organisation_id)
        .order_by(GroupCategory.position, GroupCategory.id)
        .first()
    )
    if category is None:
        sys.exit("The large organisation has no groups: seed them first.")
    group = Group.select().where(Group.category == category.id).order_by(Group.id).first()
    today = dt.date.today()
    end = today.replace(day=1) - dt.timedelta(days=1)
    month = {"from": end.replace(day=1).isoformat(), "to": end.isoformat()}
    k, g = category.id, group.id
    return [
        ("Kostnader per grupp, 12 månader", f"/reports/kostnader-per-grupp?kategori={k}"),
        ("Kostnader per grupp, 1 månad", f"/reports/kostnader-per-grupp?kategori={k}&from={end:%Y-%m}&to={end:%Y-%m}"),
        ("Kostnader per grupp, 12 mån, en grupp", f"/reports/kostnader-per-grupp?kategori={k}&grupp={g}"),
        ("Fakturor: Summa per grupp", f"/invoices/summa-per-grupp?kategori={k}"),
        ("Tjänster: Summa per grupp", f"/services/summa-per-grupp?kategori={k}"),
        ("Tjänster: Summa per grupp, en grupp", f"/services/summa-per-grupp?kategori={k}&grupp={g}"),
        ("Översikt – Abonnemang, en grupp", f"/reports/abonnemang?grupp={g}"),
        ("Specifikation – Samtal, en grupp", f"/reports/specifikation-samtal?from={month['from']}&to={month['to']}&grupp={g}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--in-request", action="store_true", help="no worker: limits raised")
    args = parser.parse_args()
    side = Side("large", large_database_url(), LARGE_USERS)
    side.accepted = (200, 303)
    if args.in_request:
        side.app.config.update(REPORT_PREVIEW_LINES=10**9, REPORT_PREVIEW_CALLS=10**9)
    for label, url in cases(side):
        for user_label, _ in LARGE_USERS:
            times, status = [], None
            for _ in range(args.requests):
                side.activate()
                started = time.perf_counter()
                response = side.clients[user_label].get(url)
                times.append((time.perf_counter() - started) * 1000)
                status = response.status_code
            print(
                f"{label:45} {user_label:14} status {status}  median {statistics.median(times):8.0f} ms"
                f"  max {max(times):8.0f} ms"
            )


if __name__ == "__main__":
    main()
