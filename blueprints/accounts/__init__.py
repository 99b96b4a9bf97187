"""Konton (SPEC §4): the account list and tree, the account page with its
tabs, and every account action as an in-place dialog.

    views.py    /accounts (list + tree), the tree fragments, /accounts/<id> and its tabs
    actions.py  the dialogs: alias, fakturareferens, adresser, kontaktpersoner, nytt konto
    tree.py     the tree and tree search, scoped and paged
    forms.py    the dialogs' forms and validators
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from tables.org import Account
from tables.scope import visible_accounts
from web.auth import get_visible_or_404

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def account_or_404(account_id: int) -> Account:
    """The account through the user's scope; outside it (or unknown) 404."""
    return get_visible_or_404(Account, account_id, query=visible_accounts(current_user))


from blueprints.accounts import actions, pin, views  # noqa: E402,F401  (routes register on bp)
