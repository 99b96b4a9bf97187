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
from domain.text import N_, T_, translate
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


def footer(lang: str | None = None) -> str:
    """The sign-off of the order e-mails (also the approvals'), in ``lang``."""
    return "\n\n" + translate(
        T_(
            "Med vänlig hälsning\n%(operator)s\n"
            "Det här meddelandet skickades automatiskt och går inte att svara på.",
            operator=operators.current().name,
        ),
        lang,
    )


def language(order: Order) -> str | None:
    """The e-mail's language: that of the person who sent the order (its
    contact persons get the same message), Swedish when unknown."""
    return getattr(order.created_by, "language", None) if order.created_by_id else None


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
    lang = language(order)
    values = {
        "order": order.label,
        "type": translate(order.type_label, lang),
        "account": order.account.customer_number,
        "status": translate(order.status_label, lang),
    }
    if order.is_quote:
        first = T_(
            "Offert %(order)s (%(type)s, konto %(account)s) har fått status %(status)s.", **values
        )
        subject = T_("Offert %(order)s: %(status)s", **values)
    else:
        first = T_(
            "Beställning %(order)s (%(type)s, konto %(account)s) har fått status %(status)s.",
            **values,
        )
        subject = T_("Beställning %(order)s: %(status)s", **values)
    body = [translate(first, lang)]
    if note:
        body.append(translate(T_("Kommentar: %(comment)s", comment=translate(note, lang)), lang))
    if order.status == "answered" and order.answer:
        body.append(translate(T_("Svar på offerten: %(answer)s", answer=order.answer), lang))
    body.append(translate(T_("Se beställningen: %(link)s", link=_link(order)), lang))
    hello = translate(N_("Hej!"), lang)
    for address in recipients(order):
        mail.send_email(
            address, translate(subject, lang), hello + "\n\n" + "\n".join(body) + footer(lang),
            organisation=order.organisation_id,
        )  # fmt: skip
    return len(recipients(order))


def _changed(label, old, new, lang) -> str:
    """One line of a change in words: "Ort: Umeå → Luleå"."""
    return (
        f"{translate(str(label), lang)}: {translate(str(old), lang)} → {translate(str(new), lang)}"
    )


def notify_change(order: Order, diff, comment: str = "", *, by_operator: bool = False) -> int:
    """E-mail the creator and the order's contacts what a change after
    sending changed (the manual: "När någon ändring görs i din order … skickas
    ett e-postmeddelande"), under the same Företagsprofil switch."""
    if not _wants_mail(order):
        return 0
    lang = language(order)
    values = {"number": order.number, "version": order.version, "order": order.label}
    if order.is_quote:
        first = T_(
            "Offert %(number)s har ändrats och är nu version %(version)s (%(order)s).", **values
        )
        subject = T_("Offert %(order)s har ändrats", **values)
    else:
        first = T_(
            "Beställning %(number)s har ändrats och är nu version %(version)s (%(order)s).",
            **values,
        )
        subject = T_("Beställning %(order)s har ändrats", **values)
    lines = [
        translate(first, lang),
        "",
        *(_changed(label, old, new, lang) for label, old, new in diff),
    ]
    if comment:
        if by_operator:
            said = T_(
                "Kommentar från %(operator)s: %(comment)s",
                operator=operators.current().name,
                comment=comment,
            )
        else:
            said = T_("Kommentar: %(comment)s", comment=comment)
        lines += ["", translate(said, lang)]
    lines += ["", translate(T_("Se beställningen: %(link)s", link=_link(order)), lang)]
    for address in recipients(order):
        mail.send_email(
            address,
            translate(subject, lang),
            translate(N_("Hej!"), lang) + "\n\n" + "\n".join(lines) + footer(lang),
            organisation=order.organisation_id,
        )
    return len(recipients(order))
