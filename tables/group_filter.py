"""Group membership at the time of a row, in SQL (GRP-2, GRP-4): what the
lists' group filter and their exports' group columns are built from, and
what reports reuse.

A membership holds in a month when ``start_month <= month`` and its
``end_month`` is empty or ``>= month`` (both are first days of months). An
account's group in a category is its own membership there. A service's is
its own membership in that category if it has one that month, otherwise its
account's: a department set on the account covers its subscriptions unless
one is placed elsewhere. Rows without a service (an order for a new
subscription, a ticket about an account) follow their account.

The month of a row is given by the caller as an SQL expression or a date:
``month_of(field)`` turns a date or a time into the first day of its month.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar

from peewee import SQL, ColumnBase, fn

from database import is_sqlite
from tables.org import Group, GroupCategory
from tables.services import GroupMembership


def month_of(expr):
    """The first day of the month of a date or time expression, as a date.
    A time is taken as stored (UTC): a call in the last hour of a month,
    Swedish time, counts in the next one."""
    if isinstance(expr, (dt.date, dt.datetime)):
        day = expr.date() if isinstance(expr, dt.datetime) else expr
        return day.replace(day=1)
    if is_sqlite():
        return fn.date(expr, "start of month")
    return fn.date_trunc("month", expr).cast("date")


def this_month():
    return dt.date.today().replace(day=1)


def _holds(membership, month):
    return (membership.start_month <= month) & (
        membership.end_month.is_null() | (membership.end_month >= month)
    )


# Why sets first (issue 18 item 9): asked row by row ("does this row's
# account or service hold one of the groups in the row's month?"), the
# filter costs two or three correlated look-ups on every row in scope: 16 s
# for the 200,000 invoices of the large customer. The conditions below ask
# first whether the row's account or service is in the *set* of owners that
# ever held the groups (a subquery that does not depend on the row: the
# database computes it once and probes it), and look the row's month up only
# for rows that pass. With a constant month (Konton, Tjänster: this month)
# the sets hold the month themselves and no look-up is needed at all.


# While set (ListView.page, finding a page's ids), a row's owner is probed
# against the sets as ``+account_id IN (…)``: SQLite then walks the list's
# own index in order and stops at the page, instead of gathering every row
# of the group's owners through their indexes and sorting them all (which
# is what counting wants). Read when the SQL is written, not when built.
_WALKING: ContextVar[bool] = ContextVar("group_filter_walking", default=False)


@contextlib.contextmanager
def walking_in_order():
    token = _WALKING.set(True)
    try:
        yield
    finally:
        _WALKING.reset(token)


class _Probe(ColumnBase):
    """A row's owner column, unindexed (``+col``) on SQLite while walking."""

    def __init__(self, column):
        super().__init__()
        self.column = column

    def __sql__(self, ctx):
        if _WALKING.get() and is_sqlite():
            ctx.literal("+")
        return ctx.sql(self.column)


def probe(column):
    return _Probe(column)


def owners(owner_field, group_ids, month=None):
    """The accounts or services (``owner_field``) that held one of
    ``group_ids``: in ``month`` (a date), or ever when None."""
    m = GroupMembership.alias()
    owner = getattr(m, owner_field)
    condition = m.group.in_(list(group_ids)) & owner.is_null(False)
    if month is not None:
        condition &= _holds(m, month)
    return m.select(owner).where(condition)


def _own_in_category(category_id, month=None):
    """The services with an own membership in the category: in ``month``
    (a date), or ever when None."""
    m = GroupMembership.alias()
    g = Group.alias()
    condition = (g.category == category_id) & m.service.is_null(False)
    if month is not None:
        condition &= _holds(m, month)
    return m.select(m.service).join(g, on=(m.group == g.id)).where(condition)


def _in_groups(owner_field, owner, group_ids, month):
    """EXISTS: ``owner`` (an account or service id expression) held one of
    ``group_ids`` in ``month``."""
    m = GroupMembership.alias()
    return fn.EXISTS(
        m.select(SQL("1")).where(
            (getattr(m, owner_field) == owner) & m.group.in_(list(group_ids)) & _holds(m, month)
        )
    )


def _in_category(service, category_id, month):
    """EXISTS: the service has its own membership in the category in ``month``."""
    m = GroupMembership.alias()
    g = Group.alias()
    return fn.EXISTS(
        m.select(SQL("1"))
        .join(g, on=(m.group == g.id))
        .where((m.service == service) & (g.category == category_id) & _holds(m, month))
    )


def _constant(month) -> bool:
    return isinstance(month, dt.date)


def member_condition(category_id, group_ids: Iterable[int], *, account, month, service=None):
    """The row belongs to one of ``group_ids`` (all of category
    ``category_id``) in ``month``: by the service's own membership in the
    category, else by its account's. ``month`` is a date (the same for every
    row) or an SQL expression of the row."""
    group_ids = list(group_ids)
    if _constant(month):
        by_account = probe(account).in_(owners("account", group_ids, month))
        if service is None:
            return by_account
        own = probe(service).in_(owners("service", group_ids, month))
        elsewhere = service.in_(_own_in_category(category_id, month))
        return own | (by_account & (service.is_null() | ~elsewhere))
    # The row's own month: the sets (ever in the groups) first, the month
    # looked up only for the rows in them.
    by_account = probe(account).in_(owners("account", group_ids)) & _in_groups(
        "account", account, group_ids, month
    )
    if service is None:
        return by_account
    own = probe(service).in_(owners("service", group_ids)) & _in_groups(
        "service", service, group_ids, month
    )
    never_elsewhere = service.is_null() | ~service.in_(_own_in_category(category_id))
    not_elsewhere = never_elsewhere | ~_in_category(service, category_id, month)
    return own | (by_account & not_elsewhere)


def ever_condition(chosen: dict[int, list[int]], *, account, service=None):
    """A necessary condition of ``groups_condition``, whatever the month: the
    row's account or service ever held one of the chosen groups of every
    category. Uncorrelated sets: cheap to put before costlier tests."""
    condition = None
    for group_ids in chosen.values():
        one = probe(account).in_(owners("account", group_ids))
        if service is not None:
            one |= probe(service).in_(owners("service", group_ids))
        condition = one if condition is None else condition & one
    return condition


def groups_condition(chosen: dict[int, list[int]], *, account, month, service=None):
    """All categories' conditions (groups of one category widen, categories
    narrow); ``chosen`` maps a category id to the group ids chosen in it.
    None when nothing is chosen."""
    condition = None
    for category_id, group_ids in chosen.items():
        one = member_condition(
            category_id, group_ids, account=account, month=month, service=service
        )
        condition = one if condition is None else condition & one
    return condition


def _group_name(owner_field, owner, category_id, month):
    m = GroupMembership.alias()
    g = Group.alias()
    return (
        m.select(g.name)
        .join(g, on=(m.group == g.id))
        .where((getattr(m, owner_field) == owner) & (g.category == category_id) & _holds(m, month))
        .order_by(m.start_month.desc())
        .limit(1)
    )


def group_name_expr(category_id, *, account, month, service=None):
    """The name of the row's group in the category in ``month`` (NULL: none),
    for an export column."""
    by_account = _group_name("account", account, category_id, month)
    if service is None:
        return by_account
    return fn.COALESCE(_group_name("service", service, category_id, month), by_account)


def organisation_groups(organisation_id) -> list[tuple[GroupCategory, list[Group]]]:
    """The organisation's categories in order, each with its groups by name;
    removed ones left out (a removed group still filters and is still named
    in the months it had members: its memberships are kept)."""
    categories = list(
        GroupCategory.select()
        .where((GroupCategory.organisation == organisation_id) & GroupCategory.removed_at.is_null())
        .order_by(GroupCategory.position, GroupCategory.name, GroupCategory.id)
    )
    groups: dict[int, list[Group]] = {c.id: [] for c in categories}
    for group in (
        Group.select()
        .where(Group.category.in_([c.id for c in categories]) & Group.removed_at.is_null())
        .order_by(Group.name, Group.id)
    ):
        groups[group.category_id].append(group)
    return [(c, groups[c.id]) for c in categories]


def chosen_groups(organisation_id, group_ids: Iterable[int]) -> dict[int, list[int]]:
    """``group_ids`` of the organisation by category id; other ids are left out."""
    group_ids = [i for i in group_ids if 0 < i < 2**63]
    if not group_ids or organisation_id is None:
        return {}
    chosen: dict[int, list[int]] = {}
    query = (
        Group.select(Group.id, Group.category)
        .join(GroupCategory)
        .where(Group.id.in_(group_ids) & (GroupCategory.organisation == organisation_id))
        .order_by(Group.id)
    )
    for group in query:
        chosen.setdefault(group.category_id, []).append(group.id)
    return chosen
