"""The large seed's groups (seed/large_groups.py) on a tiny copy of the
large customer: the rules a membership must keep hold for every row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from domain.groups import add_months, month_start, opened_month
from seed import large, large_groups
from seed.large_rows import Progress
from tables.org import Account, Group, GroupCategory
from tables.services import GroupMembership, Service

FAR = dt.date(9999, 12, 1)


@pytest.fixture
def tiny_large(demo_app, monkeypatch):
    """The large customer with 2 regions × 3 districts × 4 units and 600
    services (the demo's products and users are there already)."""
    monkeypatch.setattr(large, "REGIONS", 2)
    monkeypatch.setattr(large, "DISTRICTS_PER_REGION", 3)
    monkeypatch.setattr(large, "UNITS_PER_DISTRICT", 4)
    monkeypatch.setattr(large, "SERVICES", 600)
    builder = large.LargeBuilder(dt.date.today(), Progress(lambda *_: None))
    org = builder.organisation()
    tree = builder.accounts(org)
    builder.services(org, tree)
    return org


def _as_date(value):
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def test_large_groups_keep_the_membership_rules(tiny_large):
    org = tiny_large
    today = dt.date.today()
    count = large_groups.seed_large_groups(today, echo=lambda *_: None)
    memberships = list(
        GroupMembership.select(GroupMembership, Group, GroupCategory)
        .join(Group)
        .join(GroupCategory)
        .where(GroupCategory.organisation == org)
    )
    assert count == len(memberships) > 0
    categories = {c.name for c in GroupCategory.select().where(GroupCategory.organisation == org)}
    assert categories == {"Avdelning", "Kostnadsställe"}

    # At most one group per category at a time, and never before opening.
    by_owner = defaultdict(list)
    for m in memberships:
        owner = ("s", m.service_id) if m.service_id else ("a", m.account_id)
        by_owner[(owner, m.group.category_id)].append(m)
        assert (m.account_id is None) != (m.service_id is None)
        start, end = _as_date(m.start_month), _as_date(m.end_month)
        assert start.day == 1 and (end is None or start <= end)
        obj = Service.get_by_id(m.service_id) if m.service_id else Account.get_by_id(m.account_id)
        assert start >= opened_month(obj), (owner, start)
    for rows in by_owner.values():
        spans = sorted((_as_date(m.start_month), _as_date(m.end_month) or FAR) for m in rows)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end < start, spans

    # What the filters are measured on is there: accounts by district, services
    # of their own overriding their account's, and members that changed group.
    switch = add_months(month_start(today), -large_groups.SWITCH_MONTHS_AGO)
    changed = [m for m in memberships if _as_date(m.start_month) == switch]
    assert any(m.account_id for m in changed) and any(m.service_id for m in changed)
    own = [m for m in memberships if m.service_id and m.group.category.name == "Avdelning"]
    assert own
    overriding = 0
    for m in own:
        account_id = Service.get_by_id(m.service_id).account_id
        inherited = [
            a
            for a in memberships
            if a.account_id == account_id and a.group.category_id == m.group.category_id
        ]
        overriding += any(a.group_id != m.group_id for a in inherited)
    assert overriding > 0
    units = Account.select().where((Account.organisation == org) & (Account.depth == 3)).count()
    in_department = {
        m.account_id for m in memberships if m.account_id and m.group.category.name == "Avdelning"
    }
    assert len(in_department) == units + 6  # every unit and every district

    with pytest.raises(SystemExit):
        large_groups.seed_large_groups(today, echo=lambda *_: None)
