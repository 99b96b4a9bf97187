"""The account tree (Trädvy) as the user may see it.

Everything starts from ``visible_accounts(user)``. Children are loaded one
level at a time (htmx asks for a branch when it is opened) and at most
``CHILD_PAGE`` at a time, so a tree of thousands of accounts costs a few
small indexed queries per request. Search matches kundnummer, name, alias
and organisation number and shows each hit with its path, built from the
materialised ``Account.path`` in one extra query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peewee import fn

from database import icontains
from tables.org import Account
from tables.scope import visible_accounts

CHILD_PAGE = 100
SEARCH_LIMIT = 50
MAX_QUERY = 100


def display_name_expr():
    """SQL for Account.display_name: the alias where set, else the name."""
    return fn.COALESCE(fn.NULLIF(Account.alias, ""), Account.company_name)


def tree_order():
    return (display_name_expr(), Account.customer_number)


@dataclass
class Node:
    account: Account
    child_count: int = 0
    children: list[Node] | None = None  # None: not loaded (closed)
    more: int = 0  # children left to load with "Visa fler"
    next_offset: int = 0
    skip: int | None = None  # a child shown out of order (on the path to the current account)

    @property
    def open(self) -> bool:
        return self.children is not None


def path_ids(account: Account) -> list[int]:
    return [int(part) for part in account.path.strip("/").split("/") if part]


def below(user):
    """Accounts the user sees, for looking up the children of accounts the
    user sees. Without narrower object access every child of a visible
    account is visible too (the scope is a whole sub-tree), so the query can
    stay on the parent index instead of the organisation's."""
    return visible_accounts(user) if user.restricted else Account.select()


def child_counts(user, ids) -> dict[int, int]:
    """Number of visible children of each of ``ids`` (accounts the user sees)."""
    if not ids:
        return {}
    rows = (
        below(user)
        .select(Account.parent, fn.COUNT(Account.id))
        .where(Account.parent.in_(list(ids)))
        .group_by(Account.parent)
        .tuples()
    )
    return dict(rows)


def nodes_for(user, accounts) -> list[Node]:
    counts = child_counts(user, [a.id for a in accounts])
    return [Node(account=a, child_count=counts.get(a.id, 0)) for a in accounts]


def root_accounts(user) -> list[Account]:
    """The tops of what the user sees: their scope account, or, for a user
    limited to chosen accounts, each chosen account whose parent is not shown."""
    if not user.restricted:
        return [Account.get_by_id(user.scope_account_id)]
    visible = visible_accounts(user)
    return list(
        visible.where(
            Account.parent.is_null() | Account.parent.not_in(visible.select(Account.id))
        ).order_by(*tree_order())
    )


def load_children(
    user, node: Node, offset: int = 0, pinned: Account | None = None, skip: int | None = None
) -> None:
    """Fill ``node.children`` with a page of its visible children. ``pinned``
    (a child on the path to the current account) is shown even when it falls
    on a later page; "Visa fler" then skips it (``skip``)."""
    skip = pinned.id if pinned is not None else skip
    query = below(user).where(Account.parent == node.account.id)
    if skip:
        query = query.where(Account.id != skip)
    page = list(query.order_by(*tree_order()).offset(offset).limit(CHILD_PAGE))
    node.next_offset = offset + len(page)
    node.more = max(0, node.child_count - (1 if skip else 0) - node.next_offset)
    node.skip = skip
    node.children = nodes_for(user, page + ([pinned] if pinned is not None else []))


def branch(user, parent: Account, offset: int = 0, skip: int | None = None) -> Node:
    """``parent`` as a node with one page of its children loaded."""
    node = nodes_for(user, [parent])[0]
    load_children(user, node, offset=offset, skip=skip)
    return node


def tree(user, current: Account | None = None) -> list[Node]:
    """The roots, with the branches down to ``current`` (and ``current``
    itself) open; with no current account a single root is opened."""
    roots = nodes_for(user, root_accounts(user))
    if current is None:
        if len(roots) == 1 and roots[0].child_count:
            load_children(user, roots[0])
        return roots
    on_path = path_ids(current)
    level = roots
    for depth_index, account_id in enumerate(on_path):
        node = next((n for n in level if n.account.id == account_id), None)
        if node is None:
            continue  # an ancestor the user does not see: look further down
        if not node.child_count:
            break
        following = on_path[depth_index + 1] if depth_index + 1 < len(on_path) else None
        pinned = None
        if following is not None:
            pinned = visible_accounts(user).where(Account.id == following).get_or_none()
        load_children(user, node)
        if pinned is not None and all(c.account.id != pinned.id for c in node.children):
            load_children(user, node, pinned=pinned)
        level = node.children
    return roots


@dataclass
class SearchResult:
    total: int
    hits: list[tuple[Account, list[Account]]] = field(default_factory=list)


def search_condition(text: str):
    """Accounts whose kundnummer, org.nr, name or alias contains ``text``."""
    compact = re.sub(r"[\s-]", "", text)
    condition = icontains(Account.company_name, text) | icontains(Account.alias, text)
    if compact:
        condition |= Account.customer_number.contains(compact)
        condition |= Account.org_number.contains(compact)
    return condition


def search(user, text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Matching accounts (at most ``limit``) with their visible ancestors."""
    text = text.strip()[:MAX_QUERY]
    if not text:
        return SearchResult(total=0)
    matches = visible_accounts(user).where(search_condition(text))
    total = matches.count()
    accounts = list(matches.order_by(Account.path).limit(limit))
    return SearchResult(total=total, hits=with_paths(user, accounts))


def with_paths(user, accounts) -> list[tuple[Account, list[Account]]]:
    """Each account with the ancestors above it that the user may see."""
    ancestor_ids = {i for a in accounts for i in path_ids(a)[:-1]}
    ancestors = {}
    if ancestor_ids:
        ancestors = {
            a.id: a for a in visible_accounts(user).where(Account.id.in_(list(ancestor_ids)))
        }
    return [(a, [ancestors[i] for i in path_ids(a)[:-1] if i in ancestors]) for a in accounts]
