"""What a user may see, as one SQL condition per table (SPEC §1).

Organisation first (the tenant column every scoped table carries), then the
user's scope account and everything below it, then the optional narrower
object access. Staff see everything.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from peewee import SQL

from database import unindexed
from tables.org import Account

# While set, the sub-tree condition is written as ``+account_id IN (…)``: the
# unary plus keeps SQLite from looking rows up account by account, so it
# walks an index in the list's order instead (see ListView.page).
_ORDERED_WALK: ContextVar[bool] = ContextVar("ordered_walk", default=False)


@contextlib.contextmanager
def walk_in_order():
    token = _ORDERED_WALK.set(True)
    try:
        yield
    finally:
        _ORDERED_WALK.reset(token)


def scope_condition(model, user, account_field=None, service_field=None):
    """Condition limiting ``model`` rows to ``user``'s organisation and sub-tree.

    ``account_field`` names the row's account; ``service_field`` the row's
    service, used when the user is limited to chosen services.
    """
    if user.is_staff:
        return SQL("1 = 1")
    account_field = account_field if account_field is not None else model.account
    condition = model.organisation == user.organisation_id
    if not user.is_admin:
        field = unindexed(account_field) if _ORDERED_WALK.get() else account_field
        condition &= field.in_(user.scope_account.subtree_ids())
    if user.restricted:
        from tables.services import UserObjectAccess

        allowed = UserObjectAccess.user == user.id
        narrowed = account_field.in_(
            UserObjectAccess.select(UserObjectAccess.account).where(
                allowed & UserObjectAccess.account.is_null(False)
            )
        )
        if service_field is not None:
            narrowed |= service_field.in_(
                UserObjectAccess.select(UserObjectAccess.service).where(
                    allowed & UserObjectAccess.service.is_null(False)
                )
            )
        condition &= narrowed
    return condition


def visible_accounts(user):
    return Account.select().where(scope_condition(Account, user, Account.id))
