"""Rapporter at the large scale: server time of each report's first preview
page (whole requests through Flask's test client), as the large
organisation's Administratör and Kontoadministratör.

    TELEPORTAL_INSTANCE=instance-large .venv/bin/python bench/reports.py [--requests 5]

The call reports run over the latest whole month of the seeded six months
of call records (about a sixth of the 2,000,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import large_database_url, login, make_app  # noqa: E402

USERS = [("Administratör", "admin@large.example"), ("Kontoadmin", "konto@large.example")]


def cases(today: dt.date) -> list[tuple[str, str]]:
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - dt.timedelta(days=1)
    month = f"from={first}&to={last}"
    week = f"from={last - dt.timedelta(days=6)}&to={last}"
    return [
        ("Specifikation – Samtal, a month", f"/reports/specifikation-samtal?{month}"),
        ("Specifikation – Samtal, a week", f"/reports/specifikation-samtal?{week}"),
        ("Trafikspecifikation – alla, a month", f"/reports/trafikspecifikation-alla?{month}"),
        ("Samtalsstatistik, a month", f"/reports/samtalsstatistik?{month}"),
        ("Samtalsstatistik, a week", f"/reports/samtalsstatistik?{week}"),
        ("Krediterade tjänster, a year", f"/reports/krediterade-tjanster?from={today.replace(year=today.year - 1)}&to={today}"),
        ("SLA, a year", f"/reports/sla?from={today.replace(year=today.year - 1)}&to={today}"),
        ("Förbrukningsrapport", "/reports/forbrukning"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3)
    args = parser.parse_args()
    app = make_app(large_database_url())
    for label, username in USERS:
        client = app.test_client()
        login(app, client, username)
        for name, url in cases(dt.date.today()):
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    break
            else:
                print(f"{label:14} {name:40} median {statistics.median(times):8.0f} ms")
                continue
            print(f"{label:14} {name:40} {response.status_code} (not offered)")


if __name__ == "__main__":
    main()
