"""Konton over the API: the list, the tree, one account, and editing its
alias and invoice reference (with If-Match) through domain/accounts.py, as
the account page's dialogs do."""

from __future__ import annotations

from flask import request

from blueprints.api import bp
from blueprints.api import schemas as s
from database import write_tx
from domain import accounts as domain
from domain.numbers import normalise_postcode
from tables.org import Account
from tables.scope import visible_accounts
from web.api.bodies import etag_of, require_match
from web.api.operations import json_response, operation, page_response
from web.api.paging import bad_query, limit_arg, page_ids
from web.api.problems import ApiError

SORTS = {
    "customer_number": Account.customer_number,
    "company_name": Account.company_name,
    "created_at": Account.created_at,
}
SORT_PARAM = (
    "sort",
    {"type": "string", "enum": list(SORTS)},
    "Sort key (default customer_number).",
)
DIR_PARAM = ("dir", {"type": "string", "enum": ["asc", "desc"]}, "Sort direction.")
CURSOR = ("cursor", {"type": "string"}, "The `next` link's cursor.")
LIMIT = ("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Rows a page (50).")


def account_or_404(user, account_id: int) -> Account:
    account = visible_accounts(user).where(Account.id == account_id).get_or_none()
    if account is None:
        raise ApiError(404, "No such account in the token's scope.")
    return account


@operation(
    bp,
    "/accounts",
    summary="List accounts",
    tag="Accounts",
    permission="accounts.view",
    response=s.AccountPage,
    paged=True,
    query=[SORT_PARAM, DIR_PARAM, CURSOR, LIMIT],
)
def accounts_list(user):
    sort = request.args.get("sort", "customer_number")
    if sort not in SORTS:
        raise bad_query("sort", "One of: " + ", ".join(SORTS) + ".")
    direction = request.args.get("dir", "asc")
    if direction not in ("asc", "desc"):
        raise bad_query("dir", "asc or desc.")
    ids, cursor = page_ids(
        visible_accounts(user), SORTS[sort], Account.id, direction == "desc", limit_arg()
    )
    rows = {a.id: a for a in Account.select().where(Account.id.in_(ids))}
    items = s.AccountOut(many=True).dump([s.account_out(rows[i]) for i in ids])
    return page_response(items, cursor)


@operation(
    bp,
    "/accounts/tree",
    summary="The account tree",
    description="Every account in the token's reach in tree order, each after its parent.",
    tag="Accounts",
    permission="accounts.view",
    response=s.AccountTree,
)
def accounts_tree(user):
    rows = (
        visible_accounts(user)
        .select(
            Account.id,
            Account.parent,
            Account.depth,
            Account.customer_number,
            Account.display_name_sql().alias("name"),
        )
        .order_by(Account.path)
        .tuples()
    )
    root_depth = user.scope_account.depth
    items = [
        {
            "id": row_id,
            "parent_id": parent if depth > root_depth else None,
            "depth": depth - root_depth,
            "customer_number": number,
            "name": name,
        }
        for row_id, parent, depth, number, name in rows.iterator()
    ]
    return json_response({"items": items})


def _read(account: Account) -> tuple[dict, str]:
    body = s.AccountOut().dump(s.account_out(account))
    return body, etag_of(body)


@operation(
    bp,
    "/accounts/<int:account_id>",
    summary="Read an account",
    tag="Accounts",
    permission="accounts.view",
    response=s.AccountOut,
    etag=True,
)
def account_read(user, account_id: int):
    body, etag = _read(account_or_404(user, account_id))
    return json_response(body, headers={"ETag": etag})


EDITS = {
    "alias": ("account.alias", "Alias ändrat"),
    "invoice_reference": ("account.reference", "Fakturareferens ändrad"),
    "address": ("account.address", "Adress ändrad"),
}


@operation(
    bp,
    "/accounts/<int:account_id>",
    "PATCH",
    summary="Edit an account's alias, invoice reference and address",
    description="`address` replaces the whole address (street, care_of, postcode, city), "
    "as the portal's Adress dialog does; the postcode is stored as five digits.",
    tag="Accounts",
    permission="accounts.edit",
    body=s.AccountEdit,
    response=s.AccountOut,
    if_match=True,
    etag=True,
)
def account_edit(user, account_id: int, body: dict):
    with write_tx():  # the ETag compared and the change made in one transaction
        account = account_or_404(user, account_id)
        require_match(_read(account)[1])
        for name, value in body.items():
            action, summary = EDITS[name]
            if name == "address":  # the portal's Adress dialog: all four fields at once
                values = {k: v.strip() for k, v in value.items()}
                values["postcode"] = normalise_postcode(values["postcode"])
                domain.update_account(account, action, summary, **values)
            else:
                domain.update_account(account, action, summary, **{name: value.strip()})
    body, etag = _read(Account.get_by_id(account_id))
    return json_response(body, headers={"ETag": etag})
