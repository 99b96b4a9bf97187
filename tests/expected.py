"""What each demo user may see, computed in plain Python from the database.

Deliberately independent of ``scope_condition``/``visible_to`` and of the
materialised account paths: the account sub-tree is walked through
``Account.parent`` here, so a bug in the app's scope logic cannot hide
itself in the expectation.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from models import Account, Invoice, Order, OrderLine, Service, Ticket, User

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CLOSED_ORDER = {"completed", "cancelled", "rejected", "declined"}
NOT_ONGOING_ORDER = CLOSED_ORDER | {"draft"}  # Pågående beställningar leaves drafts out
TICKET_NOT_ONGOING = {"done", "draft"}


def user(username: str) -> User:
    return User.get(User.username == username)


def allowed_accounts(username: str) -> dict[int, str]:
    """Account id → kundnummer of the user's scope account and everything below it."""
    me = user(username)
    accounts = list(Account.select().where(Account.organisation == me.organisation_id))
    children: dict[int | None, list[Account]] = {}
    for account in accounts:
        children.setdefault(account.parent_id, []).append(account)
    by_id = {a.id: a for a in accounts}
    out, todo = {}, [by_id[me.scope_account_id]]
    while todo:
        account = todo.pop()
        out[account.id] = account.customer_number
        todo += children.get(account.id, [])
    return out


def foreign_accounts(username: str) -> dict[int, str]:
    """Every account the user must never see (other organisations included)."""
    allowed = allowed_accounts(username)
    return {a.id: a.customer_number for a in Account.select() if a.id not in allowed}


def services(username: str) -> list[Service]:
    allowed = allowed_accounts(username)
    return [s for s in Service.select() if s.account_id in allowed and not s.hidden]


def invoices(username: str) -> list[Invoice]:
    allowed = allowed_accounts(username)
    return [i for i in Invoice.select() if i.account_id in allowed]


def orders(username: str) -> list[Order]:
    me = user(username)
    allowed = allowed_accounts(username)
    rows = [o for o in Order.select() if o.account_id in allowed]
    if not me.has("orders.manage"):
        rows = [o for o in rows if o.created_by_id == me.id]
    return rows


def tickets(username: str) -> list[Ticket]:
    me = user(username)
    allowed = allowed_accounts(username)
    own = [
        t
        for t in Ticket.select()
        if t.organisation_id == me.organisation_id and t.created_by_id == me.id
    ]
    if not me.has("tickets.view"):
        return own
    rows = {t.id: t for t in Ticket.select() if t.account_id in allowed}
    rows.update({t.id: t for t in own})
    return list(rows.values())


ROWS = {"services": services, "invoices": invoices, "orders": orders, "tickets": tickets}


def order_products(order: Order) -> str:
    return ", ".join(line.name for line in order.lines.order_by(OrderLine.position, OrderLine.id))


def shown_invoice_status(invoice: Invoice, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if invoice.status == "paid":
        return "paid"
    return "overdue" if invoice.due_date < today else "unpaid"


def local_date(stamp: dt.datetime) -> dt.date:
    return stamp.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM).date()


# The kundnummer shown in a row of each list.


def row_account_number(list_name: str, row: dict) -> str:
    if list_name == "invoices":
        return row["Kundnummer"]
    if list_name == "tickets":
        return re.search(r"\((\d+)\)$", row["Konto"]).group(1)
    return row["Konto"].split(" - ")[0]


# The column of the Excel export that holds the kundnummer, and the one that
# identifies the row, with the database value it must equal.
EXPORT_ACCOUNT_COLUMN = {
    "services": "Konto",
    "invoices": "Kundnummer",
    "orders": "Konto",
    "tickets": "Konto",
}
EXPORT_KEY = {
    "services": ("Nummer", lambda s: s.number),
    "invoices": ("Fakturanummer", lambda i: i.number),
    "orders": ("Ordernummer", lambda o: o.number),
    "tickets": ("Ärende #", lambda t: t.number),
}
