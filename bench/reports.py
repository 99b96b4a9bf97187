"""Teleportal benchmark of Rapporter: every report's first preview page at
large and demo scale (issue 15: under 100 ms p95 at the large scale and within
1.5× of the demo scale's p95).

    make bench-reports     (seeds instance-large/ first, then runs this)
    TELEPORTAL_INSTANCE=instance-large python bench/reports.py [--requests 50]

The method is bench/run.py's: whole requests through Flask's test client,
the two scales taking turns request by request, a case's p95 the median of
its rounds' p95s. A report's parameters are chosen at each scale alike, as
the signed-in user would: the last full calendar month for the call reports,
the last twelve months for the others, the user's own top account and its
newest invoice, and the number in scope with the most calls that month. The
report exports are measured by bench/run.py (the call records' export of a
million rows is the one report this large).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402 - after the path is set
    DEMO_USERS,
    LARGE_USERS,
    TARGET_P95_MS,
    TARGET_RATIO,
    Side,
    build_demo_database,
    large_database_url,
    measure_lists,
    verdict,
)

REPORT_CASES = [
    ("Översikt – Abonnemang", "/reports/abonnemang"),
    ("Historik – Avslutade tjänster", "/reports/avslutade-tjanster?from={year_from}&to={to}"),
    ("Översikt – Beställningar", "/reports/bestallningar"),
    ("Ärenden", "/reports/arenden"),
    ("Specifikation – Faktura", "/reports/specifikation-faktura?account={account}&invoice={invoice}"),
    ("Krediterade tjänster", "/reports/krediterade-tjanster?from={year_from}&to={to}"),
    ("Specifikation – Samtal", "/reports/specifikation-samtal?from={from}&to={to}"),
    ("SLA", "/reports/sla?from={year_from}&to={to}"),
    ("Trafikspecifikation", "/reports/trafikspecifikation?number={number}&from={from}&to={to}"),
    ("Trafikspecifikation – alla tjänster", "/reports/trafikspecifikation-alla?from={from}&to={to}&data=1"),
    ("Samtalsspecifikation – Faktura", "/reports/samtalsspecifikation-faktura?number={invoice_number}"),
    ("Förbrukningsrapport", "/reports/forbrukning?month={month}"),
    ("Samtalsstatistik", "/reports/samtalsstatistik?from={from}&to={to}"),
]  # fmt: skip


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def parameters(side: Side, username: str) -> dict[str, str]:
    """The report parameters for ``username`` at ``side``'s scale."""
    from peewee import fn

    from tables.billing import CallRecord, Invoice, InvoiceLine
    from tables.org import User
    from tables.services import Service

    side.activate()
    today = dt.date.today()
    first, last = last_full_month(today)
    user = User.get(User.username == username)
    invoice = (
        Invoice.visible_to(user)
        .where(
            (Invoice.account == user.scope_account_id)
            & fn.EXISTS(InvoiceLine.select().where(InvoiceLine.invoice == Invoice.id))
        )
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
        .first()
    )
    busiest = (
        CallRecord.visible_to(user)
        .select(CallRecord.service, fn.COUNT(CallRecord.id).alias("n"))
        .where(CallRecord.started_at.between(first, last + dt.timedelta(days=1)))
        .group_by(CallRecord.service)
        .order_by(fn.COUNT(CallRecord.id).desc())
        .limit(1)
        .scalar()
    )
    return {
        "account": str(user.scope_account_id),
        "invoice": str(invoice.id) if invoice else "0",
        "invoice_number": invoice.number if invoice else "",
        "number": Service.get_by_id(busiest).number if busiest else "",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "year_from": today.replace(year=today.year - 1).isoformat(),
        "month": first.strftime("%Y-%m"),
    }


def shown(result: dict) -> str:
    return "file (job)" if result["shown"] == "?" else result["shown"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", help="measure only the reports whose title contains this")
    args = parser.parse_args()
    cases = [c for c in REPORT_CASES if not args.only or args.only.lower() in c[0].lower()]

    large_url = large_database_url()
    with tempfile.TemporaryDirectory() as tmp:
        demo_url = build_demo_database(Path(tmp))
        sides = [Side("large", large_url, LARGE_USERS), Side("demo", demo_url, DEMO_USERS)]
        for side in sides:
            # 303: a report too large for the screen goes to its job's page
            # (made by the worker as a file; REPORT_PREVIEW_CALLS, EXPORT_JOB_ROWS).
            side.accepted = (200, 303)
        usernames = {"large": dict(LARGE_USERS), "demo": dict(DEMO_USERS)}
        params = {
            (side.name, label): parameters(side, usernames[side.name][label])
            for side in sides
            for label, _ in LARGE_USERS
        }

        def resolve(side, user_label, url):
            return url.format(**params[(side.name, user_label)])

        print(
            f"Rapporter: {args.rounds} rounds of {args.requests} requests per report and scale,"
            f" each after {args.warmup} warm-up; server time in ms; first preview page"
        )
        for key, value in params.items():
            print(f"  {key[0]:5} {key[1]:14} {value}")
        measured = measure_lists(
            sides,
            [label for label, _ in LARGE_USERS],
            args.requests,
            args.warmup,
            args.rounds,
            cases=cases,
            resolve=resolve,
        )
    large, demo = measured["large"], measured["demo"]
    header = (
        f"{'user':14} {'report':38} {'large p50':>9} {'p95':>7} {'demo p50':>9} {'p95':>7}"
        f" {'ratio':>6}  p95<{TARGET_P95_MS:.0f}  ratio≤{TARGET_RATIO}  shown at large / demo"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    for key, big in large.items():
        small = demo[key]
        ratio = big["p95"] / small["p95"]
        ok_abs, ok_ratio = big["p95"] < TARGET_P95_MS, ratio <= TARGET_RATIO
        failures += (not ok_abs) + (not ok_ratio)
        print(
            f"{key[0]:14} {key[1]:38} {big['p50']:9.1f} {big['p95']:7.1f}"
            f" {small['p50']:9.1f} {small['p95']:7.1f} {ratio:6.2f}"
            f"  {verdict(ok_abs):6}  {verdict(ok_ratio):8}  {shown(big)} / {shown(small)}"
        )
    print()
    print("ALL TARGETS PASS" if not failures else f"{failures} TARGET(S) FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
