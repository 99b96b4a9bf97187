"""E-mail about an order to the person who sent it and the order's contact
persons: each status change and each change after sending, when the
organisation's Företagsprofil has e-mail notification on (the manual: "När
någon ändring görs i din order … skickas ett e-postmeddelande"). Approval
requests are domain/orders/approvals.py's and go out whatever the switch
says."""

from __future__ import annotations

from domain import mail
from domain import operator as operators
from domain.settings import config_value
from tables.orders import Order, OrderEvent


def recipients(order: Order) -> list[str]:
    """The creator and the order's contact persons, each address once."""
    addresses = []
    if order.created_by_id and order.created_by.email:
        addresses.append(order.created_by.email)
    if order.extra_contact_id and order.extra_contact.email:
        addresses.append(order.extra_contact.email)
    if order.contact_email:
        addresses.append(order.contact_email)
    seen, out = set(), []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def _wants_mail(order: Order) -> bool:
    return bool(order.organisation.profile().notify_email)


def _link(order: Order) -> str:
    base = config_value("PUBLIC_URL", "http://localhost:5000").rstrip("/")
    return f"{base}/orders/{order.id}"


def _footer() -> str:
    return (
        f"\n\nMed vänlig hälsning\n{operators.current().name}\n"
        "Det här meddelandet skickades automatiskt och går inte att svara på."
    )


def _kind(order: Order) -> str:
    return "Offert" if order.is_quote else "Beställning"


def notify_status(order: Order, comment: str = "") -> int:
    """E-mail the creator and the order's contacts that its status changed,
    when the organisation's Företagsprofil has e-mail notification on.
    Call inside ``write_tx`` right after ``flow.set_status``; returns how
    many messages were queued."""
    if not _wants_mail(order):
        return 0
    last = (
        OrderEvent.select()
        .where(OrderEvent.order == order.id)
        .order_by(OrderEvent.at.desc(), OrderEvent.id.desc())
        .first()
    )
    note = comment or (last.comment if last and last.to_status == order.status else "")
    body = [
        f"{_kind(order)} {order.label} ({order.type_label}, konto "
        f"{order.account.customer_number}) har fått status {order.status_label}.",
    ]
    if note:
        body.append(f"Kommentar: {note}")
    if order.status == "answered" and order.answer:
        body.append(f"Svar på offerten: {order.answer}")
    body.append(f"Se beställningen: {_link(order)}")
    subject = f"{_kind(order)} {order.label}: {order.status_label}"
    for address in recipients(order):
        mail.send_email(
            address, subject, "Hej!\n\n" + "\n".join(body) + _footer(),
            organisation=order.organisation_id,
        )  # fmt: skip
    return len(recipients(order))


def notify_change(order: Order, diff, comment: str = "", *, by_operator: bool = False) -> int:
    """E-mail the creator and the order's contacts what a change after
    sending changed (the manual: "När någon ändring görs i din order … skickas
    ett e-postmeddelande"), under the same Företagsprofil switch."""
    if not _wants_mail(order):
        return 0
    who = operators.current().name if by_operator else "Beställningen"
    lines = [
        f"{_kind(order)} {order.number} har ändrats och är nu version {order.version} "
        f"({order.label}).",
        "",
        *(f"{label}: {old} → {new}" for label, old, new in diff),
    ]
    if comment:
        lines += ["", f"Kommentar{' från ' + who if by_operator else ''}: {comment}"]
    lines += ["", f"Se beställningen: {_link(order)}"]
    for address in recipients(order):
        mail.send_email(
            address,
            f"{_kind(order)} {order.label} har ändrats",
            "Hej!\n\n" + "\n".join(lines) + _footer(),
            organisation=order.organisation_id,
        )
    return len(recipients(order))
