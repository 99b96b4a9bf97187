"""Accounts in the tree: creating them (materialised paths, system kundnummer),
changing their details and their contact persons, each change audited.

Every function that writes opens ``write_tx`` itself (nested calls become
savepoints), re-reads the row inside the transaction so the audit row's
"before" is what was really replaced, and records the change with
``audit.record`` in the same transaction.
"""

from __future__ import annotations

from database import write_tx
from domain import audit
from domain.text import T_
from tables.org import CONTACT_ROLES, Account, Contact

# A new sub-account is billed like its parent until someone changes it.
INHERITED_FROM_PARENT = (
    "invoice_delivery",
    "invoice_email",
    "invoice_name",
    "invoice_street",
    "invoice_street_number",
    "invoice_postcode",
    "invoice_city",
)
CONTACT_FIELDS = (
    "name",
    "role",
    "phone",
    "mobile",
    "email",
    "notify_billing",
    "notify_technical",
    "notify_outage",
)


class ContactInUse(Exception):
    """The contact person cannot be removed; ``str(exc)`` says why (Swedish)."""


def _free_customer_number() -> str:
    """The next kundnummer from the system sequence that no account has yet
    (imported accounts keep the operator's numbers and may lie in its range)."""
    from models import next_number

    while True:
        number = str(next_number("customer_number"))
        if not Account.select().where(Account.customer_number == number).exists():
            return number


def create_account(
    organisation, parent: Account | None, customer_number: str | None = None, **fields
) -> Account:
    """Create an account under ``parent`` (None: the organisation's top account).

    Call inside ``write_tx``. The kundnummer comes from the system sequence
    unless given (imports and demo data keep the operator's numbers).
    """
    account = Account.create(
        organisation=organisation,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        customer_number=customer_number or _free_customer_number(),
        org_number=fields.pop("org_number", None) or organisation.org_number,
        **fields,
    )
    account.path = f"{parent.path if parent else '/'}{account.id}/"
    Account.update(path=account.path).where(Account.id == account.id).execute()
    return account


def _snapshot(row, fields) -> dict:
    return {name: getattr(row, name) for name in fields}


def update_account(account: Account, action: str, summary: str, **changes) -> bool:
    """Change some of the account's fields; audited as ``action`` with the
    fields' values before and after. Returns False when nothing changed."""
    with write_tx():
        fresh = Account.get_by_id(account.id)
        before = _snapshot(fresh, changes)
        changed = {k: v for k, v in changes.items() if before[k] != v}
        if not changed:
            return False
        Account.update(**changed).where(Account.id == fresh.id).execute()
        audit.record(
            action,
            fresh,
            summary=f"{summary}: {fresh.customer_number} {fresh.company_name}",
            before={k: before[k] for k in changed},
            after=changed,
        )
    for name, value in changed.items():
        setattr(account, name, value)
    return True


def create_subaccount(parent: Account, **fields) -> Account:
    """Lägg till underkonto / Nytt konto: a new account below ``parent`` with a
    kundnummer from the system; invoice delivery and address as the parent's."""
    with write_tx():
        parent = Account.get_by_id(parent.id)
        inherited = _snapshot(parent, INHERITED_FROM_PARENT)
        account = create_account(parent.organisation, parent, **inherited, **fields)
        audit.record(
            "account.create",
            account,
            summary=(
                f"Konto {account.customer_number} {account.company_name} skapat under "
                f"{parent.customer_number}"
            ),
            after={
                "customer_number": account.customer_number,
                "parent": parent.customer_number,
                **fields,
            },
        )
    return account


def _contact_label(contact: Contact) -> str:
    return f"{contact.name} ({CONTACT_ROLES.get(contact.role, contact.role)})"


def add_contact(account: Account, **fields) -> Contact:
    with write_tx():
        contact = Contact.create(organisation=account.organisation_id, account=account, **fields)
        audit.record(
            "contact.create",
            contact,
            summary=f"Kontaktperson {_contact_label(contact)} tillagd på {account.customer_number}",
            after=_snapshot(contact, CONTACT_FIELDS),
        )
    return contact


def update_contact(contact: Contact, **changes) -> bool:
    with write_tx():
        fresh = Contact.get_by_id(contact.id)
        before = _snapshot(fresh, changes)
        changed = {k: v for k, v in changes.items() if before[k] != v}
        if not changed:
            return False
        Contact.update(**changed).where(Contact.id == fresh.id).execute()
        audit.record(
            "contact.update",
            fresh,
            summary=f"Kontaktperson {fresh.name} ändrad",
            before={k: before[k] for k in changed},
            after=changed,
        )
    for name, value in changed.items():
        setattr(contact, name, value)
    return True


def removal_blocker(contact: Contact) -> str | None:
    """Why ``contact`` cannot be removed, or None when it can."""
    from tables.orders import Order
    from tables.org import User

    user = User.select(User.name, User.username).where(User.contact == contact.id).first()
    if user is not None:
        return T_(
            "%(name)s är kopplad till portalanvändaren %(username)s och kan inte "
            "tas bort. Ta bort användaren eller koppla den till en annan kontaktperson först.",
            name=contact.name,
            username=user.username,
        )
    if Order.select().where(Order.extra_contact == contact.id).exists():
        return T_(
            "%(name)s är angiven som kontaktperson på en eller flera beställningar "
            "och kan inte tas bort.",
            name=contact.name,
        )
    return None


def remove_contact(contact: Contact) -> None:
    """Remove a contact person; raises :class:`ContactInUse` when it is linked
    to a portal user or named on an order (checked inside the transaction)."""
    with write_tx():
        fresh = Contact.get_or_none(Contact.id == contact.id)
        if fresh is None:
            return
        reason = removal_blocker(fresh)
        if reason:
            raise ContactInUse(reason)
        audit.record(
            "contact.delete",
            fresh,
            summary=f"Kontaktperson {_contact_label(fresh)} borttagen",
            before=_snapshot(fresh, CONTACT_FIELDS),
        )
        Contact.delete().where(Contact.id == fresh.id).execute()
