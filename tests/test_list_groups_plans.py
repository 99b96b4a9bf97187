"""The group filter's plans (SQLite): memberships are found by the chosen
groups, once per query (the sets of owners that held them,
tables/group_filter.py), or by a row's owner and the groups (migration
0250); never by scanning the memberships, and a group's members are never
walked per row (the set subqueries are not correlated: SQLite lists them as
LIST SUBQUERY, computed once)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from database import db, write_tx
from models import Group, GroupCategory, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN

pytestmark = pytest.mark.sqlite_only


def lists():
    from blueprints.accounts.views import ACCOUNT_LIST
    from blueprints.calls import CALL_RECORD_LIST
    from blueprints.invoices.views import INVOICE_LIST
    from blueprints.orders.listing import ORDER_LIST
    from blueprints.services.listing import SERVICE_LIST
    from blueprints.tickets.listing import TICKET_LIST

    return [ACCOUNT_LIST, SERVICE_LIST, INVOICE_LIST, CALL_RECORD_LIST, ORDER_LIST, TICKET_LIST]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
def test_memberships_are_found_by_owner_and_group(demo_app, username):
    user = User.get(User.username == username)
    with write_tx():
        one = GroupCategory.create(organisation=user.organisation_id, name="Avdelning")
        two = GroupCategory.create(organisation=user.organisation_id, name="Kostnadsställe")
        chosen = [Group.create(category=one, name="Sälj"), Group.create(category=two, name="K1")]
    args = MultiDict([("grupp", group.id) for group in chosen])
    for view in lists():
        state = view.state(args, path=f"/{view.name}")
        query = view.ordered(view.narrowed(user, state), state).select(view.model.id).limit(20)
        sql, params = query.sql()
        plan = [row[-1] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
        memberships = [
            step for step in plan if "group_membership" in step or "groupmembership" in step
        ]
        assert memberships, (view.name, plan)
        for step in memberships:
            # By owner (a handful per row) or by group (once per query).
            assert any(key in step for key in ("(account_id=?", "(service_id=?", "(group_id=")), (
                view.name,
                step,
            )
        correlated = [step for step in plan if "CORRELATED" in step]
        by_group = [step for step in memberships if "(group_id=" in step]
        # Each set of owners by group is its own uncorrelated subquery.
        assert by_group and len(correlated) < len(memberships), (view.name, plan)
        assert not any(step.startswith("SCAN") for step in plan if "t1" not in step), (
            view.name,
            plan,
        )
