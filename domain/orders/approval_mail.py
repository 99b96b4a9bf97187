"""The approval e-mails of an order (domain/orders/approvals.py decides who
gets them): a request to the approver whose turn it is (or to the
organisation's Superusers when nobody in the chain can), and word to the
person who sent the order when it is rejected. In the recipient's language;
they go out whatever the Företagsprofil's notification switch says."""

from __future__ import annotations

from domain.mail import send_email
from domain.orders.notices import footer
from domain.settings import config_value
from domain.text import N_, T_, translate
from tables.orders import PRODUCT_AREAS, Order
from tables.org import User


def _link(path: str) -> str:
    return config_value("PUBLIC_URL", "http://localhost:5000").rstrip("/") + path


def _what(order: Order, lang: str | None = None) -> str:
    area = PRODUCT_AREAS.get(order.product_area, order.product_area)
    values = {"order": order.label, "area": translate(area, lang)}
    if order.is_quote:
        return translate(T_("Offert %(order)s (%(area)s)", **values), lang)
    return translate(T_("Beställning %(order)s (%(area)s)", **values), lang)


def to_approver(order: Order, user: User, *, fallback: bool = False) -> None:
    lang = getattr(user, "language", None)
    creator = order.created_by.name if order.created_by_id else translate(N_("En användare"), lang)
    why = (
        "\n\n"
        + translate(
            N_(
                "Ingen i kedjan av ordergodkännare kan godkänna den, så den går till "
                "organisationens Superusers."
            ),
            lang,
        )
        if fallback
        else ""
    )
    body = translate(
        T_(
            "Hej %(name)s!\n\n%(creator)s har skickat %(what)s som väntar på "
            "ditt godkännande.%(why)s\n\nGodkänn eller avslå den här:\n%(link)s\n\n"
            "Allt som väntar på dig finns under Att godkänna: %(list)s",
            name=user.name,
            creator=creator,
            what=_what(order, lang).lower(),
            why=why,
            link=_link(f"/orders/{order.id}"),
            list=_link("/orders/approvals"),
        ),
        lang,
    )
    send_email(
        user.email,
        translate(T_("%(what)s väntar på ditt godkännande", what=_what(order, lang)), lang),
        body + footer(lang),
        organisation=order.organisation_id,
    )


def rejected(order: Order, approver, comment: str) -> None:
    creator = order.created_by if order.created_by_id else None
    if creator is None or not creator.email:
        return
    lang = getattr(creator, "language", None)
    body = translate(
        T_(
            "Hej %(name)s!\n\n%(approver)s har avslagit %(what)s med kommentaren:\n\n"
            "%(comment)s\n\nDu kan rätta beställningen och skicka den igen:\n%(link)s",
            name=creator.name,
            approver=approver.name,
            what=_what(order, lang).lower(),
            comment=comment,
            link=_link(f"/orders/{order.id}"),
        ),
        lang,
    )
    send_email(
        creator.email,
        translate(T_("%(what)s är avslagen", what=_what(order, lang)), lang),
        body + footer(lang),
        organisation=order.organisation_id,
    )
