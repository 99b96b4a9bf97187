"""Creating accounts in the tree (materialised paths, system kundnummer)."""

from __future__ import annotations

from tables.org import Account


def create_account(
    organisation, parent: Account | None, customer_number: str | None = None, **fields
) -> Account:
    """Create an account under ``parent`` (None: the organisation's top account).

    Call inside ``write_tx``. The kundnummer comes from the system sequence
    unless given (imports and demo data keep the operator's numbers).
    """
    from models import next_number

    account = Account.create(
        organisation=organisation,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        customer_number=customer_number or str(next_number("customer_number")),
        org_number=fields.pop("org_number", None) or organisation.org_number,
        **fields,
    )
    account.path = f"{parent.path if parent else '/'}{account.id}/"
    Account.update(path=account.path).where(Account.id == account.id).execute()
    return account
