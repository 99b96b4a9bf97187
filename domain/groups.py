"""Groups (SPEC §10b GRP-1, GRP-2): categories, groups and memberships for
periods of months, every rule and every write.

A membership covers whole months, ``start_month`` to ``end_month`` both
included (the first day of each month; ``end_month`` None: *tills vidare*).
An account or a service is in at most one group per category in any month.
Categories and groups are removed by marking them (``removed_at``): they
disappear from choices, their open memberships end with the current month,
and the history keeps naming them.

Every writing function opens ``write_tx`` itself (nested calls become
savepoints) and records the change with ``audit.record`` in it.
"""

from __future__ import annotations

import datetime as dt
import re

from database import utcnow, write_tx
from domain import audit
from domain.text import N_, T_
from tables.org import Account, Group, GroupCategory
from tables.services import GroupMembership, Service

MAX_CATEGORIES = 10
MAX_GROUPS = 50
MONTHS_AHEAD = 12
NAME_LENGTH = 60


class GroupError(ValueError):
    """A refused change; ``str(exc)`` says why (Swedish; the message is
    marked with N_/T_, the web layer shows it with ``error_text``), ``field``
    which form field it belongs next to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ----------------------------------------------------------------------------- months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(value) -> dt.date | None:
    """ "2026-01" (also "2026-1", "202601", an Excel date) → 2026-01-01; None
    when it is no month."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = re.fullmatch(r"\s*(\d{4})-?(\d{1,2})\s*", str(value or ""))
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 < year < 2200):
        return None
    return dt.date(year, month, 1)


UNTIL_FURTHER = N_("tills vidare")


def format_month(month: dt.date | None) -> str:
    """ÅÅÅÅ-MM, or "tills vidare" (Swedish: a stored or audited text; the web
    layer shows an open end with ``tr(UNTIL_FURTHER)``)."""
    return month.strftime("%Y-%m") if month else UNTIL_FURTHER


def period_label(membership: GroupMembership) -> str:
    return f"{format_month(membership.start_month)} – {format_month(membership.end_month)}"


def current_month() -> dt.date:
    return month_start(dt.date.today())


# ----------------------------------------------------------------------------- reading


def categories(organisation, with_removed: bool = False) -> list[GroupCategory]:
    query = GroupCategory.select().where(GroupCategory.organisation == organisation)
    if not with_removed:
        query = query.where(GroupCategory.removed_at.is_null())
    return list(query.order_by(GroupCategory.position, GroupCategory.name))


def groups(organisation, with_removed: bool = False) -> list[Group]:
    """The organisation's groups by category and name, categories joined."""
    query = (
        Group.select(Group, GroupCategory)
        .join(GroupCategory)
        .where(GroupCategory.organisation == organisation)
    )
    if not with_removed:
        query = query.where(Group.removed_at.is_null() & GroupCategory.removed_at.is_null())
    return list(query.order_by(GroupCategory.position, GroupCategory.name, Group.name))


def category_of(organisation, category_id: int) -> GroupCategory | None:
    """A live category of ``organisation`` (None for another's or a removed one)."""
    return GroupCategory.get_or_none(
        (GroupCategory.id == category_id)
        & (GroupCategory.organisation == organisation)
        & GroupCategory.removed_at.is_null()
    )


def group_of(organisation, group_id: int) -> Group | None:
    return (
        Group.select(Group, GroupCategory)
        .join(GroupCategory)
        .where(
            (Group.id == group_id)
            & (GroupCategory.organisation == organisation)
            & Group.removed_at.is_null()
            & GroupCategory.removed_at.is_null()
        )
        .get_or_none()
    )


def _owner_condition(obj):
    if isinstance(obj, Service):
        return GroupMembership.service == obj.id
    return GroupMembership.account == obj.id


def memberships_of(obj) -> list[GroupMembership]:
    """Every membership of an account or a service, newest first, groups and
    categories joined (removed ones too: they are history)."""
    return list(
        GroupMembership.select(GroupMembership, Group, GroupCategory)
        .join(Group)
        .join(GroupCategory)
        .where(_owner_condition(obj))
        .order_by(GroupCategory.position, GroupCategory.name, GroupMembership.start_month.desc())
    )


def covers(membership: GroupMembership, month: dt.date) -> bool:
    end = membership.end_month
    return membership.start_month <= month and (end is None or month <= end)


def active_memberships(obj, month: dt.date | None = None) -> list[GroupMembership]:
    """The memberships that cover ``month`` (default this month)."""
    month = month or current_month()
    return [m for m in memberships_of(obj) if covers(m, month)]


def planned_memberships(obj, month: dt.date | None = None) -> list[GroupMembership]:
    month = month or current_month()
    return [m for m in memberships_of(obj) if m.start_month > month]


def past_memberships(obj, month: dt.date | None = None) -> list[GroupMembership]:
    month = month or current_month()
    return [m for m in memberships_of(obj) if m.end_month is not None and m.end_month < month]


def effective_groups(service: Service, month: dt.date | None = None) -> list[dict]:
    """The groups ``service`` belongs to in ``month``, one per category: its
    own membership in a category if it has one, else its account's (a
    department set on the account covers its subscriptions unless one is
    placed elsewhere). Each ``{"membership", "group", "inherited"}``."""
    month = month or current_month()
    chosen: dict[int, dict] = {}
    for membership in active_memberships(service, month):
        chosen[membership.group.category_id] = {
            "membership": membership,
            "group": membership.group,
            "inherited": False,
        }
    for membership in active_memberships(service.account, month):
        chosen.setdefault(
            membership.group.category_id,
            {"membership": membership, "group": membership.group, "inherited": True},
        )
    return sorted(
        chosen.values(),
        key=lambda e: (e["group"].category.position, e["group"].category.name),
    )


def _open_rows(month: dt.date):
    return GroupMembership.end_month.is_null() | (GroupMembership.end_month >= month)


def usage(group: Group) -> tuple[int, int]:
    """How many accounts and services are in ``group`` now or later."""
    return usage_by_group(group.category.organisation_id, group_ids=[group.id]).get(
        group.id, (0, 0)
    )


def usage_by_group(organisation, user=None, group_ids=None) -> dict[int, tuple[int, int]]:
    """Accounts and services in each group now or later, by group id, in one
    query; with ``user`` only those in the user's scope are counted."""
    from peewee import Case, fn

    from tables.scope import visible_accounts

    condition = (GroupCategory.organisation == organisation) & _open_rows(current_month())
    if group_ids is not None:
        condition &= GroupMembership.group.in_(group_ids)
    if user is not None and not user.is_admin:
        in_scope = GroupMembership.account.in_(visible_accounts(user).select(Account.id))
        in_scope |= GroupMembership.service.in_(Service.visible_to(user).select(Service.id))
        condition &= in_scope
    is_account = Case(None, [(GroupMembership.account.is_null(False), 1)], 0)
    rows = (
        GroupMembership.select(
            GroupMembership.group,
            fn.SUM(is_account).alias("accounts"),
            fn.COUNT(GroupMembership.id).alias("total"),
        )
        .join(Group)
        .join(GroupCategory)
        .where(condition)
        .group_by(GroupMembership.group)
        .tuples()
    )
    return {group_id: (int(a or 0), int(t) - int(a or 0)) for group_id, a, t in rows}


# usage_text's sentences by (one account?, one service?), for a group and for
# a whole category's groups.
_USAGE = {
    (True, True): N_("%(accounts)s konto och %(services)s tjänst är med i gruppen"),
    (True, False): N_("%(accounts)s konto och %(services)s tjänster är med i gruppen"),
    (False, True): N_("%(accounts)s konton och %(services)s tjänst är med i gruppen"),
    (False, False): N_("%(accounts)s konton och %(services)s tjänster är med i gruppen"),
}
_CATEGORY_USAGE = {
    (True, True): N_("%(accounts)s konto och %(services)s tjänst är med i kategorins grupper"),
    (True, False): N_("%(accounts)s konto och %(services)s tjänster är med i kategorins grupper"),
    (False, True): N_("%(accounts)s konton och %(services)s tjänst är med i kategorins grupper"),
    (False, False): N_("%(accounts)s konton och %(services)s tjänster är med i kategorins grupper"),
}


def usage_text(accounts: int, services: int, category: bool = False) -> str:
    """ "3 konton och 1 tjänst är med i gruppen" (``category``: "… i
    kategorins grupper"), a :class:`~domain.text.Text`."""
    sentences = _CATEGORY_USAGE if category else _USAGE
    return T_(sentences[accounts == 1, services == 1], accounts=accounts, services=services)


def opened_month(obj) -> dt.date:
    """The month an account or a service opened: a service's start date, an
    account's creation or its oldest service's start if earlier (accounts
    imported from billing are created after their services began)."""
    if isinstance(obj, Service):
        day = obj.start_date or obj.created_at.date()
        return month_start(day)
    oldest = (
        Service.select(Service.start_date)
        .where((Service.account == obj.id) & Service.start_date.is_null(False))
        .order_by(Service.start_date)
        .first()
    )
    day = obj.created_at.date()
    if oldest is not None and oldest.start_date < day:
        day = oldest.start_date
    return month_start(day)


# ----------------------------------------------------------------------------- categories and groups


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise GroupError(N_("Ange ett namn."), field)
    if len(name) > NAME_LENGTH:
        raise GroupError(T_("Namnet får vara högst %(count)s tecken.", count=NAME_LENGTH), field)
    if ":" in name:
        raise GroupError(N_("Namnet får inte innehålla kolon (:)."), field)
    return name


def _same_name(query, name_field, name: str, exclude_id=None) -> bool:
    for row in query:
        if row.id != exclude_id and getattr(row, name_field.name).casefold() == name.casefold():
            return True
    return False


def create_category(organisation, name: str, description: str = "") -> GroupCategory:
    name = _clean_name(name)
    with write_tx():
        live = categories(organisation)
        if len(live) >= MAX_CATEGORIES:
            raise GroupError(
                T_("Det finns redan %(count)s gruppkategorier (högst antal).", count=MAX_CATEGORIES)
            )
        if _same_name(live, GroupCategory.name, name):
            raise GroupError(
                T_("Det finns redan en kategori som heter %(name)s.", name=name), "name"
            )
        category = GroupCategory.create(
            organisation=organisation,
            name=name,
            description=(description or "").strip(),
            position=max((c.position for c in live), default=0) + 1,
        )
        audit.record(
            "group_category.create",
            category,
            summary=f"Gruppkategori {name} skapad",
            after={"name": name, "description": category.description},
        )
    return category


def update_category(category: GroupCategory, name: str, description: str = "") -> None:
    name = _clean_name(name)
    description = (description or "").strip()
    with write_tx():
        live = categories(category.organisation_id)
        if _same_name(live, GroupCategory.name, name, exclude_id=category.id):
            raise GroupError(
                T_("Det finns redan en kategori som heter %(name)s.", name=name), "name"
            )
        before = {"name": category.name, "description": category.description}
        GroupCategory.update(name=name, description=description).where(
            GroupCategory.id == category.id
        ).execute()
        audit.record(
            "group_category.update",
            category,
            summary=f"Gruppkategori {before['name']} ändrad",
            before=before,
            after={"name": name, "description": description},
        )
    category.name, category.description = name, description


def create_group(category: GroupCategory, name: str, description: str = "") -> Group:
    name = _clean_name(name)
    organisation = category.organisation_id
    with write_tx():
        if len(groups(organisation)) >= MAX_GROUPS:
            raise GroupError(
                T_("Det finns redan %(count)s grupper (högst antal).", count=MAX_GROUPS)
            )
        siblings = Group.select().where((Group.category == category) & Group.removed_at.is_null())
        if _same_name(siblings, Group.name, name):
            raise GroupError(
                T_("Det finns redan en grupp %(group)s.", group=f"{category.name}:{name}"), "name"
            )
        group = Group.create(category=category, name=name, description=(description or "").strip())
        audit.record(
            "group.create",
            group,
            summary=f"Grupp {category.name}:{name} skapad",
            after={"name": name, "description": group.description},
            organisation=organisation,
        )
    return group


def update_group(group: Group, name: str, description: str = "") -> None:
    name = _clean_name(name)
    description = (description or "").strip()
    with write_tx():
        siblings = Group.select().where(
            (Group.category == group.category_id) & Group.removed_at.is_null()
        )
        if _same_name(siblings, Group.name, name, exclude_id=group.id):
            raise GroupError(
                T_("Det finns redan en grupp %(group)s.", group=f"{group.category.name}:{name}"),
                "name",
            )
        before = {"name": group.name, "description": group.description}
        Group.update(name=name, description=description).where(Group.id == group.id).execute()
        audit.record(
            "group.update",
            group,
            summary=f"Grupp {group.label} ändrad",
            before=before,
            after={"name": name, "description": description},
            organisation=group.category.organisation_id,
        )
    group.name, group.description = name, description


def _end_open_memberships(group: Group, month: dt.date) -> int:
    """End ``group``'s memberships with ``month``; those that would only
    start later never took effect and go. Returns how many were touched."""
    future = GroupMembership.delete().where(
        (GroupMembership.group == group) & (GroupMembership.start_month > month)
    )
    removed = future.execute()
    ended = (
        GroupMembership.update(end_month=month)
        .where(
            (GroupMembership.group == group)
            & (GroupMembership.end_month.is_null() | (GroupMembership.end_month > month))
        )
        .execute()
    )
    return removed + ended


def remove_group(group: Group) -> None:
    """Hide the group from choices and end its memberships with this month."""
    month = current_month()
    with write_tx():
        accounts, services = usage(group)
        touched = _end_open_memberships(group, month)
        Group.update(removed_at=utcnow()).where(Group.id == group.id).execute()
        audit.record(
            "group.remove",
            group,
            summary=f"Grupp {group.label} borttagen; {touched} medlemskap avslutade "
            f"{format_month(month)}",
            before={"accounts": accounts, "services": services},
            organisation=group.category.organisation_id,
        )


def remove_category(category: GroupCategory) -> None:
    """Remove the category and every group in it (memberships ended)."""
    with write_tx():
        for group in (
            Group.select(Group, GroupCategory)
            .join(GroupCategory)
            .where((Group.category == category) & Group.removed_at.is_null())
        ):
            remove_group(group)
        GroupCategory.update(removed_at=utcnow()).where(GroupCategory.id == category.id).execute()
        audit.record(
            "group_category.remove", category, summary=f"Gruppkategori {category.name} borttagen"
        )


def category_usage(category: GroupCategory) -> tuple[int, int]:
    accounts = services = 0
    for group in category.groups.where(Group.removed_at.is_null()):
        a, s = usage(group)
        accounts, services = accounts + a, services + s
    return accounts, services


# ----------------------------------------------------------------------------- memberships


def _describe(obj) -> str:
    if isinstance(obj, Service):
        return f"tjänst {obj.number}"
    return f"konto {obj.customer_number}"


def _check_window(obj, start: dt.date, end: dt.date | None) -> None:
    opened = opened_month(obj)
    latest = add_months(current_month(), MONTHS_AHEAD)
    if start < opened:
        message = (
            N_("Startmånaden kan vara tidigast %(month)s, då tjänsten öppnades.")
            if isinstance(obj, Service)
            else N_("Startmånaden kan vara tidigast %(month)s, då kontot öppnades.")
        )
        raise GroupError(T_(message, month=format_month(opened)), "start_month")
    if start > latest:
        raise GroupError(
            T_(
                "Startmånaden kan vara senast %(month)s (ett år framåt).",
                month=format_month(latest),
            ),
            "start_month",
        )
    if end is not None and end < start:
        raise GroupError(N_("Slutmånaden kan inte vara före startmånaden."), "end_month")


def _overlapping(obj, group: Group, start, end, ignore_id=None) -> GroupMembership | None:
    """A membership of ``obj`` in ``group``'s category overlapping the period."""
    far = dt.date(9999, 12, 1)
    for membership in memberships_of(obj):
        if membership.id == ignore_id or membership.group.category_id != group.category_id:
            continue
        if membership.start_month <= (end or far) and start <= (membership.end_month or far):
            return membership
    return None


def _refuse_overlap(obj, group, start, end, ignore_id=None) -> None:
    clash = _overlapping(obj, group, start, end, ignore_id)
    if clash is not None:
        values = {"group": clash.group.label, "start": format_month(clash.start_month)}
        if clash.end_month is None:
            message = T_("Perioden överlappar %(group)s %(start)s – tills vidare.", **values)
        else:
            end = format_month(clash.end_month)
            message = T_("Perioden överlappar %(group)s %(start)s – %(end)s.", end=end, **values)
        raise GroupError(message, "start_month")


def _owner_fields(obj) -> dict:
    if isinstance(obj, Service):
        return {"service": obj.id, "account": None}
    return {"account": obj.id, "service": None}


def _organisation(obj) -> int:
    return obj.organisation_id


def add_membership(
    obj, group: Group, start: dt.date | None = None, end: dt.date | None = None
) -> GroupMembership:
    """Put an account or a service in ``group`` from ``start`` (default the
    month it opened) to ``end`` (None: tills vidare)."""
    if group.category.organisation_id != _organisation(obj):
        raise GroupError(N_("Gruppen finns inte."), "group")
    start = start or opened_month(obj)
    _check_window(obj, start, end)
    with write_tx():
        _refuse_overlap(obj, group, start, end)
        membership = GroupMembership.create(
            group=group, start_month=start, end_month=end, **_owner_fields(obj)
        )
        audit.record(
            "group.member_add",
            membership,
            summary=f"{_describe(obj).capitalize()} i {group.label} "
            f"{format_month(start)} – {format_month(end)}",
            after={"group": group.label, "start": start, "end": end},
            organisation=_organisation(obj),
        )
    return membership


def membership_of(organisation, membership_id: int) -> GroupMembership | None:
    return (
        GroupMembership.select(GroupMembership, Group, GroupCategory)
        .join(Group)
        .join(GroupCategory)
        .where((GroupMembership.id == membership_id) & (GroupCategory.organisation == organisation))
        .get_or_none()
    )


def owner_of(membership: GroupMembership):
    if membership.service_id is not None:
        return Service.get_by_id(membership.service_id)
    return Account.get_by_id(membership.account_id)


def end_membership(membership: GroupMembership, end: dt.date) -> None:
    """Let the membership end with month ``end`` (its last month)."""
    obj = owner_of(membership)
    if end < membership.start_month:
        raise GroupError(
            T_(
                "Slutmånaden kan inte vara före startmånaden %(month)s.",
                month=format_month(membership.start_month),
            ),
            "end_month",
        )
    latest = add_months(current_month(), MONTHS_AHEAD)
    if end > latest:
        raise GroupError(
            T_("Slutmånaden kan vara senast %(month)s.", month=format_month(latest)), "end_month"
        )
    with write_tx():
        _refuse_overlap(obj, membership.group, membership.start_month, end, membership.id)
        before = membership.end_month
        GroupMembership.update(end_month=end).where(GroupMembership.id == membership.id).execute()
        audit.record(
            "group.member_end",
            membership,
            summary=f"{_describe(obj).capitalize()} i {membership.group.label} till "
            f"{format_month(end)}",
            before={"end": before},
            after={"end": end},
            organisation=_organisation(obj),
        )
    membership.end_month = end


def change_group(obj, group: Group, start: dt.date, end: dt.date | None = None) -> GroupMembership:
    """Byta grupp: from ``start`` ``obj`` is in ``group``; its membership in
    the category that covers the month before ends then, in the same write.
    Without such a membership it is an ordinary addition."""
    if group.category.organisation_id != _organisation(obj):
        raise GroupError(N_("Gruppen finns inte."), "group")
    _check_window(obj, start, end)
    with write_tx():
        current = None
        for membership in memberships_of(obj):
            same = membership.group.category_id == group.category_id
            if same and covers(membership, start) and membership.start_month < start:
                current = membership
        if current is not None and current.group_id == group.id:
            message = (
                N_("Tjänst %(number)s är redan i %(group)s.")
                if isinstance(obj, Service)
                else N_("Konto %(number)s är redan i %(group)s.")
            )
            number = obj.number if isinstance(obj, Service) else obj.customer_number
            raise GroupError(T_(message, number=number, group=group.label), "group")
        if current is not None:
            end_membership(current, add_months(start, -1))
        return add_membership(obj, group, start, end)
