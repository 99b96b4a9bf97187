"""Groups in the reports (GRP-4): ``?grupp=<group id>``, repeatable, as on
the lists (web/lists/groups.py), and with the same rules
(tables/group_filter.py): several groups of one category widen (or), groups
of different categories narrow (and); the month of each row decides (an
invoice line by its period month, a call record by its date, a service by
the report's month).

Reports that list rows one by one (Översikt – Abonnemang, Ärenden …) filter
through their ListView's ``groups`` rule. Reports that add rows up
(Specifikation – Faktura, Specifikation – Samtal, Trafikspecifikation – alla
tjänster, Samtalsstatistik) filter the rows before they are added up, with
:func:`condition`: a service that changed group in the period counts each
call toward the group it was in that day.

An id of another organisation's group (or one that is not a number) is
ignored, as on the lists; the preview says which groups it is narrowed to,
so a link with a foreign id shows the whole report and no "Grupper:" line.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext
from flask_login import current_user

from tables.group_filter import (
    chosen_groups,
    groups_condition,
)
from tables.org import Group, GroupCategory
from web.lists.groups import PARAM, choices_for, organisation_of, parse_group_ids


def picked_ids() -> list[int]:
    """The ``grupp`` ids of the request (numbers only)."""
    return parse_group_ids(request.args)


def chosen(user=None) -> dict[int, list[int]]:
    """The request's groups of the user's organisation by category (per request)."""
    user = user or current_user
    key = ("report_groups", getattr(user, "id", None))
    cache = g.setdefault("report_groups", {})
    if key not in cache:
        cache[key] = chosen_groups(organisation_of(user), picked_ids())
    return cache[key]


def condition(user, *, account, month, service=None):
    """The SQL condition of the chosen groups for a row (None: no groups)."""
    return groups_condition(chosen(user), account=account, month=month, service=service)


def narrow(query, user, *, account, month, service=None):
    """``query`` narrowed to the chosen groups (unchanged without any)."""
    where = condition(user, account=account, month=month, service=service)
    return query if where is None else query.where(where)


def picker(user=None) -> list[dict]:
    """The parameter form's group picker: one checkbox list per category,
    labelled "Kategori:Grupp", the request's ticked."""
    user = user or current_user
    if getattr(user, "is_staff", False):
        return []
    return choices_for(user, picked_ids())


def applied(user=None) -> str | None:
    """The preview's line naming the groups the report is narrowed to."""
    user = user or current_user
    picked = chosen(user)
    if not picked:
        return None
    ids = [i for group_ids in picked.values() for i in group_ids]
    names = (
        Group.select(Group.name, GroupCategory.name.alias("category"))
        .join(GroupCategory)
        .where(Group.id.in_(ids))
        .order_by(GroupCategory.position, GroupCategory.name, Group.name)
        .dicts()
    )
    return gettext(
        "Grupper: %(groups)s", groups=", ".join(f"{n['category']}:{n['name']}" for n in names)
    )


__all__ = ["PARAM", "applied", "chosen", "condition", "narrow", "picker"]
