"""Benchmark: Konton, the account tree and the global search with 5,000 accounts.

    .venv/bin/python bench/accounts.py [--repeat 20] [--keep]

Builds one customer with 5,000 accounts in a temporary SQLite database
(a top account; 19 regions of 10 districts of 20 branches each; one flat
region with 989 branches directly below it) and about 14,000 services, then
times the account pages through the Flask test client, as an Administratör
and as a Kontoadministratör limited to one region. Prints the median and the
95th percentile per request in milliseconds. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HTMX = {"HX-Request": "true"}
REGIONS, DISTRICTS, BRANCHES = 19, 10, 20
FLAT_BRANCHES = 989  # 1 + 20 regions + 190 districts + 3,800 + 989 = 5,000 accounts
SERVICES_PER_BRANCH = 3


def build(app) -> dict:
    """The data set; returns the ids the timed requests use."""
    from database import db, write_tx
    from domain.accounts import create_account
    from domain.passwords import hash_password
    from models import Account, Contact, Organisation, Product, Role, Service, User
    from permissions import format_permissions

    with app.app_context():
        db.connect(reuse_if_open=True)
        from cli import migrate

        migrate()
        with write_tx():
            org = Organisation.create(name="Storbolaget AB", org_number="5566290549")
            product = Product.create(
                code="BENCH", name="Mobil Fastpris", kind="subscription", monthly_ore=13900
            )
            top = create_account(org, None, "90000000", company_name="Storbolaget AB")
            regions, branches, flat = [], [], None
            for r in range(1, REGIONS + 2):
                region = create_account(org, top, company_name=f"Region {r:02d}", street="Gata 1")
                regions.append(region)
                if r == REGIONS + 1:
                    flat = region
                    for b in range(FLAT_BRANCHES):
                        branches.append(
                            create_account(org, region, company_name=f"Filial P{b:04d}")
                        )
                    continue
                for d in range(1, DISTRICTS + 1):
                    district = create_account(org, region, company_name=f"Distrikt {r:02d}-{d:02d}")
                    for b in range(BRANCHES):
                        branches.append(
                            create_account(
                                org,
                                district,
                                company_name=f"Filial {r:02d}{d:02d}{b:02d}",
                                alias=f"Butik {len(branches)}" if b % 7 == 0 else "",
                            )
                        )
            rows, n = [], 0
            for account in branches:
                for _ in range(SERVICES_PER_BRANCH):
                    n += 1
                    rows.append(
                        {
                            "organisation": org.id,
                            "account": account.id,
                            "kind": "mobile",
                            "number": f"07{n:08d}",
                            "user_name": f"Användare {n}",
                            "product": product.id,
                            "monthly_ore": 13900,
                        }
                    )
            for start in range(0, len(rows), 500):
                Service.insert_many(rows[start : start + 500]).execute()
            superuser = Role.create(name="Superuser", is_superuser=True)

            def user(name, account, role=None, permissions=()):
                contact = Contact.create(organisation=org, account=account, name=name)
                return User.create(
                    organisation=org,
                    contact=contact,
                    scope_account=account,
                    role=role,
                    username=f"{name.lower()}@bench.se",
                    email=f"{name.lower()}@bench.se",
                    name=name,
                    password_hash=hash_password("bench-password-1"),
                    permissions=format_permissions(permissions),
                )

            admin = user("Admin", top, role=superuser)
            kontoadmin = user(
                "Kontoadmin",
                regions[4],
                permissions=("accounts.view", "services.view", "invoices.view", "users.manage"),
            )
        ids = {
            "accounts": Account.select().count(),
            "services": Service.select().count(),
            "top": top.id,
            "region": regions[4].id,
            "district": Account.get(Account.company_name == "Distrikt 05-03").id,
            "deep": Account.get(Account.company_name == "Filial 050319").id,
            "flat": flat.id,
            "flat_last": branches[-1].id,
            "admin": admin.get_id(),
            "kontoadmin": kontoadmin.get_id(),
        }
        db.close()
    return ids


def timed(client, path: str, repeat: int, headers=None) -> tuple[float, float, int]:
    samples = []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        samples.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return statistics.median(samples), p95, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="teleportal-bench-accounts-"))
    os.environ["TELEPORTAL_INSTANCE"] = str(workdir)
    from app import create_app
    from domain import passwords

    passwords.configure(time_cost=1, memory_kib=8 * 1024)  # building users quickly
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "EXPORT_JOB_ROWS": 10**9,  # the export measured in the request
        }
    )
    started = time.perf_counter()
    ids = build(app)
    print(
        f"built {ids['accounts']:,} accounts and {ids['services']:,} services "
        f"in {time.perf_counter() - started:.1f} s ({workdir / 'bench.db'})"
    )

    cases = {
        "admin": [
            ("Konton, whole page (list + tree)", "/accounts", None),
            ("list, page 200 (htmx)", "/accounts?page=200", HTMX),
            ("list, sorted by Namn desc", "/accounts?sort=name&dir=desc", HTMX),
            ("list, filter Namn contains", "/accounts?f_name=Filial%2005", HTMX),
            ("list, Excel export (5,000 rows)", "/accounts?export=xlsx", None),
            ("tree: open a region (10 children)", f"/accounts/tree/{ids['region']}", HTMX),
            ("tree: open flat region (100 of 989)", f"/accounts/tree/{ids['flat']}", HTMX),
            (
                "tree: Visa fler in flat region",
                f"/accounts/tree/{ids['flat']}?offset=900",
                HTMX,
            ),
            ("tree search, one hit", "/accounts/tree?tq=Filial%20050319", HTMX),
            ("tree search, 1,000+ hits", "/accounts/tree?tq=Filial%20P", HTMX),
            ("tree search by alias", "/accounts/tree?tq=Butik%2012", HTMX),
            ("account page, depth 3", f"/accounts/{ids['deep']}", None),
            ("account page, 989th sibling", f"/accounts/{ids['flat_last']}", None),
            (
                "tab Tjänster, region + below",
                f"/accounts/{ids['region']}/services?scope=subtree",
                None,
            ),
            ("global search, accounts", "/search?q=Filial%200503", HTMX),
            ("global search, phone number", "/search?q=070000123", HTMX),
            ("global search, no hits", "/search?q=zzzzzz", HTMX),
        ],
        "kontoadmin": [
            ("Konton, whole page (region only)", "/accounts", None),
            ("tree search in scope", "/accounts/tree?tq=Filial", HTMX),
            ("account page, depth 3", f"/accounts/{ids['deep']}", None),
            ("outside scope (404)", f"/accounts/{ids['flat_last']}", None),
            ("global search", "/search?q=Filial", HTMX),
        ],
    }
    for who, rows in cases.items():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids[who]
            session["_fresh"] = True
        print(f"\n{who} ({args.repeat} runs each)           median ms    p95 ms  status")
        for label, path, headers in rows:
            median, p95, status = timed(client, path, args.repeat, headers)
            print(f"  {label:40} {median:8.1f} {p95:9.1f}  {status}")

    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
