"""The e-mails of the sign-in area: invitation, password reset and the
notices sent when a password, e-mail address or second factor changes
(ASVS §6.3.7). All go through the outbox; call inside ``write_tx``.

Each mail is in its recipient's language (the user's stored language;
staff and users without one get Swedish): the texts are marked with
``T_``/``N_`` and translated with :func:`domain.text.translate`."""

from __future__ import annotations

from flask import current_app

from domain import operator as operators
from domain.mail import send_email
from domain.text import T_, translate
from tables.org import StaffUser


def _link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _operator() -> str:
    return operators.current().name


def _lang(user) -> str:
    return getattr(user, "language", None) or "sv"


def _footer(lang: str) -> str:
    return "\n\n" + translate(
        T_(
            "Med vänlig hälsning\n%(operator)s\nKundservice %(phone)s\n"
            "Det här meddelandet skickades automatiskt och går inte att svara på.",
            operator=_operator(),
            phone=operators.current().phone,
        ),
        lang,
    )


def _prefix(user) -> str:
    return "/staff" if isinstance(user, StaffUser) else ""


def invitation(user, token: str, invited_by: str = "") -> None:
    lang = _lang(user)
    operator = _operator()
    if isinstance(user, StaffUser):
        got = T_(
            "Du har fått ett användarkonto i %(operator)ss kundportal.",
            operator=operator,
        )
    else:
        got = T_(
            "Du har fått ett användarkonto i %(operator)ss kundportal för %(organisation)s.",
            operator=operator,
            organisation=user.organisation.name,
        )
    by = (
        " " + translate(T_("%(name)s har bjudit in dig.", name=invited_by), lang)
        if invited_by
        else ""
    )
    hello = translate(T_("Hej %(name)s!", name=user.name), lang)
    choose = translate(
        T_("Välj ditt lösenord här (länken gäller i 7 dagar och kan användas en gång):"), lang
    )
    username = translate(T_("Ditt användarnamn är: %(username)s", username=user.username), lang)
    send_email(
        user.email,
        translate(T_("Inbjudan till %(operator)ss kundportal", operator=operator), lang),
        f"{hello}\n\n{translate(got, lang)}{by}\n\n"
        f"{choose}\n"
        f"{_link(f'{_prefix(user)}/invite/{token}')}\n\n"
        f"{username}" + _footer(lang),
        organisation=getattr(user, "organisation_id", None),
    )


def password_reset(user, token: str) -> None:
    lang = _lang(user)
    asked = T_(
        "Vi har fått en begäran om att återställa lösenordet för användarnamnet %(username)s.",
        username=user.username,
    )
    choose = T_("Välj ett nytt lösenord här (länken gäller i 60 minuter och kan användas en gång):")
    ignore = T_(
        "Har du inte begärt detta kan du bortse från meddelandet; ditt lösenord är oförändrat."
    )
    send_email(
        user.email,
        translate(T_("Återställ ditt lösenord"), lang),
        f"{translate(T_('Hej %(name)s!', name=user.name), lang)}\n\n"
        f"{translate(asked, lang)}\n\n"
        f"{translate(choose, lang)}\n"
        f"{_link(f'{_prefix(user)}/reset/{token}')}\n\n"
        f"{translate(ignore, lang)}" + _footer(lang),
        organisation=getattr(user, "organisation_id", None),
    )


def security_notice(user, what: str, recipient: str | None = None) -> None:
    """Tell the user that ``what`` (a marked message: "Ditt lösenord har
    ändrats") changed on their account."""
    lang = _lang(user)
    what = translate(what, lang)
    changed = T_("%(what)s för ditt användarkonto %(username)s.", what=what, username=user.username)
    contact = T_(
        "Var det inte du? Kontakta din administratör eller %(operator)ss kundservice direkt.",
        operator=_operator(),
    )
    send_email(
        recipient or user.email,
        translate(T_("Säkerhetsmeddelande: %(what)s", what=what), lang),
        f"{translate(T_('Hej %(name)s!', name=user.name), lang)}\n\n"
        f"{translate(changed, lang)}\n\n"
        f"{translate(contact, lang)}" + _footer(lang),
        organisation=getattr(user, "organisation_id", None),
    )


def username_in_use_elsewhere(user, organisation_name: str) -> None:
    """Someone in another organisation tried to create a user with this
    person's user name: tell the person, and nobody else (ASVS 6.3.8)."""
    lang = _lang(user)
    operator = _operator()
    tried = T_(
        "En administratör hos %(organisation)s försökte skapa ett användarkonto med "
        "användarnamnet %(username)s, som redan är ditt. Inget konto har skapats och ditt "
        "konto är oförändrat.",
        organisation=organisation_name,
        username=user.username,
    )
    advice = T_(
        "Ska du ha ett konto även hos dem behöver de använda ett annat användarnamn, till "
        "exempel en annan e-postadress. Känner du inte igen detta? Kontakta "
        "%(operator)ss kundservice.",
        operator=operator,
    )
    send_email(
        user.email,
        translate(T_("Ditt användarnamn i %(operator)ss kundportal", operator=operator), lang),
        f"{translate(T_('Hej %(name)s!', name=user.name), lang)}\n\n"
        f"{translate(tried, lang)}\n\n"
        f"{translate(advice, lang)}" + _footer(lang),
        organisation=user.organisation_id,
    )
