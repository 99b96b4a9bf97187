"""Groups of the large customer (issue 18, GRP-1, GRP-2): what the group
filters are measured on (bench/groups.py).

Two categories, as the demo's, with more groups:

* **Avdelning**: seven groups; every account under a district (the district
  and its units) is in the district's department, ``AVDELNINGAR[d % 7]``
  for the d-th district, from the month it opened, tills vidare. One unit
  in ten **changed department** six months ago (Byta grupp): its first
  membership ends the month before and the next department's starts then.
* **Kostnadsställe**: KS 100 to KS 800; every account under a region (the
  region, its districts and units) is in ``KS (r % 8 + 1)00`` for the r-th
  region.

Services follow their account, except: one in 40 is itself in another
department (overriding the account's) from its start month, and of those one
in five changed department six months ago; one in 150 is itself in another
cost centre. The koncern's top account is in no group, so its services are
in a group only by their own membership.

Written straight to the tables in bulk (like the rest of the large seed);
the rules (at most one group per category at a time, from the month the
account or service opened) are kept by construction and checked by
tests/test_large_groups.py. Run alone against an instance seeded without
groups::

    TELEPORTAL_INSTANCE=instance-large .venv/bin/python -m seed.large_groups
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from database import db, write_tx
from domain.groups import add_months, month_start
from seed.large_rows import Progress, bulk_insert, iso
from tables.org import Account, Group, GroupCategory, Organisation
from tables.services import GroupMembership, Service

ORGANISATION = "Storkoncernen Sverige AB"
AVDELNINGAR = ("Ekonomi", "Sälj", "Teknik", "Inköp", "Marknad", "Personal", "IT")
KOSTNADSSTALLEN = tuple(f"KS {n}00" for n in range(1, 9))
CATEGORIES = {
    "Avdelning": ("Organisationens avdelningar", AVDELNINGAR),
    "Kostnadsställe": ("Kostnadsställen i ekonomisystemet", KOSTNADSSTALLEN),
}
CHANGED_ACCOUNT_EVERY = 10  # one unit account in ten changed department
OWN_DEPARTMENT_EVERY = 40  # one service in 40 has its own department
CHANGED_SERVICE_EVERY = 5  # of those, one in five changed department
OWN_COST_CENTRE_EVERY = 150  # one service in 150 has its own cost centre
SWITCH_MONTHS_AGO = 6


def _opened_months(org_id: int) -> dict[int, dt.date]:
    """Each account's opening month: its creation or its oldest service's
    start, whichever is earlier (domain.groups.opened_month, in bulk)."""
    opened = {a.id: month_start(a.created_at.date()) for a in _accounts(org_id)}
    rows = (
        Service.select(Service.account, Service.start_date)
        .where((Service.organisation == org_id) & Service.start_date.is_null(False))
        .tuples()
    )
    for account_id, start in rows:
        if isinstance(start, str):
            start = dt.date.fromisoformat(start[:10])
        month = month_start(start)
        if account_id in opened and month < opened[account_id]:
            opened[account_id] = month
    return opened


def _accounts(org_id: int) -> list[Account]:
    return list(
        Account.select(Account.id, Account.path, Account.depth, Account.created_at)
        .where(Account.organisation == org_id)
        .order_by(Account.id)
    )


def _ancestors(accounts: list[Account]) -> dict[int, tuple[int | None, int | None]]:
    """Each account's (region index, district index) by id order of the
    regions (depth 1) and districts (depth 2); None above them."""
    regions = {a.id: i for i, a in enumerate(a for a in accounts if a.depth == 1)}
    districts = {a.id: i for i, a in enumerate(a for a in accounts if a.depth == 2)}
    out = {}
    for a in accounts:
        ids = [int(part) for part in a.path.strip("/").split("/")]
        out[a.id] = (
            regions.get(ids[1]) if len(ids) > 1 else None,
            districts.get(ids[2]) if len(ids) > 2 else None,
        )
    return out


def seed_large_groups(
    today: dt.date | None = None, echo: Callable = print, organisation: str = ORGANISATION
) -> int:
    """Create the large customer's categories, groups and memberships;
    returns how many memberships. Refuses to run twice."""
    today = today or dt.date.today()
    progress = Progress(echo)
    org = Organisation.get(Organisation.name == organisation)
    if GroupCategory.select().where(GroupCategory.organisation == org).exists():
        raise SystemExit(f"{organisation} has groups already")
    this_month = month_start(today)
    switch = add_months(this_month, -SWITCH_MONTHS_AGO)

    groups: dict[str, list[int]] = {}
    with write_tx():
        for position, (name, (description, names)) in enumerate(CATEGORIES.items(), start=1):
            category = GroupCategory.create(
                organisation=org, name=name, description=description, position=position
            )
            groups[name] = [Group.create(category=category, name=g).id for g in names]
    department, cost_centre = groups["Avdelning"], groups["Kostnadsställe"]

    accounts = _accounts(org.id)
    ancestors = _ancestors(accounts)
    opened = _opened_months(org.id)
    rows: list[tuple] = []  # (group, account, service, start, end)
    for a in accounts:
        region, district = ancestors[a.id]
        start = opened[a.id]
        if district is not None:
            first = department[district % len(department)]
            if a.depth == 3 and a.id % CHANGED_ACCOUNT_EVERY == 0 and start < switch:
                after = department[(district + 1) % len(department)]
                rows.append((first, a.id, None, start, add_months(switch, -1)))
                rows.append((after, a.id, None, switch, None))
            else:
                rows.append((first, a.id, None, start, None))
        if region is not None:
            rows.append((cost_centre[region % len(cost_centre)], a.id, None, start, None))

    services = (
        Service.select(Service.id, Service.account, Service.start_date)
        .where(Service.organisation == org.id)
        .order_by(Service.id)
        .tuples()
    )
    for n, (service_id, account_id, start_date) in enumerate(services):
        if isinstance(start_date, str):
            start_date = dt.date.fromisoformat(start_date[:10])
        start = month_start(start_date) if start_date else opened[account_id]
        region, district = ancestors.get(account_id, (None, None))
        if n % OWN_DEPARTMENT_EVERY == 0:
            base = (district if district is not None else n) + 3
            first = department[base % len(department)]
            changed = (n // OWN_DEPARTMENT_EVERY) % CHANGED_SERVICE_EVERY == 0
            if changed and start < switch:
                after = department[(base + 1) % len(department)]
                rows.append((first, None, service_id, start, add_months(switch, -1)))
                rows.append((after, None, service_id, switch, None))
            else:
                rows.append((first, None, service_id, start, None))
        if n % OWN_COST_CENTRE_EVERY == 7:
            base = (region if region is not None else n) + 4
            rows.append((cost_centre[base % len(cost_centre)], None, service_id, start, None))

    count = bulk_insert(
        GroupMembership,
        ["group", "account", "service", "start_month", "end_month"],
        ((g, a, s, iso(start), iso(end)) for g, a, s, start, end in rows),
    )
    progress(f"{count:,} group memberships in {len(department) + len(cost_centre)} groups")
    return count


def main() -> None:
    from app import create_app

    app = create_app()
    with app.app_context():
        db.connect(reuse_if_open=True)
        seed_large_groups()
        db.execute_sql("ANALYZE")
        db.close()


if __name__ == "__main__":
    main()
