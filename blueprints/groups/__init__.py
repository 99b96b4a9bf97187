"""Grupper (SPEC §10b GRP-1..3): the organisation's group categories and
groups, accounts' and services' memberships for periods, and Hantera flera.

    manage.py   /groups: the page, and the category and group dialogs
    members.py  Aktiva grupper on the account and service pages and their dialogs
    upload.py   Hantera flera: the Excel template and the upload with its row report
    forms.py    the dialogs' forms

Every rule and write lives in domain/groups.py (and domain/group_import.py).
Administratörer with accounts.edit change categories and groups; anyone with
accounts.edit places the accounts and services of their own scope in groups.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("groups", __name__, url_prefix="/groups")


def can_manage(user) -> bool:
    """May change the organisation's categories and groups."""
    return user.is_admin and user.has("accounts.edit")


def require_manager() -> None:
    if not can_manage(current_user):
        abort(403)


from blueprints.groups import manage, members, upload  # noqa: E402,F401
