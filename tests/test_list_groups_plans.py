"""The group filter's plans (SQLite): each row's membership is found by its
owner and the chosen groups (migration 0250), never by walking a group's
members, which at the large scale would cost a big group's size per row."""

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
            # By owner: the account's or service's own memberships (a handful).
            assert "(account_id=?" in step or "(service_id=?" in step, (view.name, step)
        assert not any(step.startswith("SCAN") for step in plan if "t1" not in step), (
            view.name,
            plan,
        )
