"""Demo groups (GRP-1, GRP-2) for A3 Demo Connect: Avdelning (Ekonomi, Sälj,
Teknik) and Kostnadsställe (KS 100, KS 200), with accounts and services in
them. Written straight to the tables (the demo's history goes back further
than the UI's one-year window allows ahead, and the rules are tested apart).

What the group-filter tests can count on, relative to the seeding day:

* 99500852 (underkonto 1) is in Avdelning:Sälj and 23080671 (underkonto 2)
  in Avdelning:Teknik, both from the month they opened, tills vidare;
  99012615 is in Kostnadsställe:KS 100 and 23081096 (LA) in KS 200.
* The first two mobiles of 99500852 (by id) are themselves in
  Avdelning:Ekonomi (overriding the account's Sälj) from their start month.
* The first mobile of 99012615 (by id) **changed group mid-year**:
  Avdelning:Teknik from 12 months ago to 7 months ago, then Avdelning:Sälj
  from 6 months ago, tills vidare (:data:`CHANGED_SERVICE_NOTE`).
"""

from __future__ import annotations

import datetime as dt

from domain.groups import add_months, month_start
from tables.org import Account, Group, GroupCategory, Organisation
from tables.services import GroupMembership, Service

CATEGORIES = {
    "Avdelning": ("Organisationens avdelningar", ("Ekonomi", "Sälj", "Teknik")),
    "Kostnadsställe": ("Kostnadsställen i ekonomisystemet", ("KS 100", "KS 200")),
}
CHANGED_SERVICE_NOTE = "Bytte från Avdelning:Teknik till Avdelning:Sälj för sex månader sedan"


def _opened(account: Account) -> dt.date:
    oldest = (
        Service.select(Service.start_date)
        .where((Service.account == account) & Service.start_date.is_null(False))
        .order_by(Service.start_date)
        .first()
    )
    day = min(account.created_at.date(), oldest.start_date) if oldest else account.created_at.date()
    return month_start(day)


def seed_a3_groups(today: dt.date) -> None:
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    groups: dict[str, Group] = {}
    for position, (name, (description, names)) in enumerate(CATEGORIES.items(), start=1):
        category = GroupCategory.create(
            organisation=org, name=name, description=description, position=position
        )
        for group_name in names:
            groups[f"{name}:{group_name}"] = Group.create(category=category, name=group_name)

    def account(number: str) -> Account:
        return Account.get(Account.customer_number == number)

    for number, label in (
        ("99500852", "Avdelning:Sälj"),
        ("23080671", "Avdelning:Teknik"),
        ("99012615", "Kostnadsställe:KS 100"),
        ("23081096", "Kostnadsställe:KS 200"),
    ):
        owner = account(number)
        GroupMembership.create(group=groups[label], account=owner, start_month=_opened(owner))

    def mobiles(number: str) -> list[Service]:
        return list(
            Service.select()
            .where((Service.account == account(number)) & (Service.kind == "mobile"))
            .order_by(Service.id)
        )

    for service in mobiles("99500852")[:2]:
        GroupMembership.create(
            group=groups["Avdelning:Ekonomi"],
            service=service,
            start_month=month_start(service.start_date),
        )

    this_month = month_start(today)
    changed = mobiles("99012615")[0]
    first = max(add_months(this_month, -12), month_start(changed.start_date))
    switch = add_months(this_month, -6)
    GroupMembership.create(
        group=groups["Avdelning:Teknik"],
        service=changed,
        start_month=first,
        end_month=add_months(switch, -1),
    )
    GroupMembership.create(group=groups["Avdelning:Sälj"], service=changed, start_month=switch)
