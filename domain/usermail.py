"""The e-mails of the sign-in area: invitation, password reset and the
notices sent when a password, e-mail address or second factor changes
(ASVS §6.3.7). All go through the outbox; call inside ``write_tx``."""

from __future__ import annotations

from flask import current_app

from domain import operator as operators
from domain.mail import send_email
from tables.org import StaffUser


def _link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _operator() -> str:
    return operators.current().name


def _footer() -> str:
    return (
        f"\n\nMed vänlig hälsning\n{_operator()}\n"
        f"Kundservice {operators.current().phone}\n"
        "Det här meddelandet skickades automatiskt och går inte att svara på."
    )


def _prefix(user) -> str:
    return "/staff" if isinstance(user, StaffUser) else ""


def invitation(user, token: str, invited_by: str = "") -> None:
    org = "" if isinstance(user, StaffUser) else f" för {user.organisation.name}"
    by = f" {invited_by} har bjudit in dig." if invited_by else ""
    send_email(
        user.email,
        f"Inbjudan till {_operator()}s kundportal",
        f"Hej {user.name}!\n\nDu har fått ett användarkonto i {_operator()}s kundportal{org}.{by}\n\n"
        f"Välj ditt lösenord här (länken gäller i 7 dagar och kan användas en gång):\n"
        f"{_link(f'{_prefix(user)}/invite/{token}')}\n\n"
        f"Ditt användarnamn är: {user.username}" + _footer(),
        organisation=getattr(user, "organisation_id", None),
    )


def password_reset(user, token: str) -> None:
    send_email(
        user.email,
        "Återställ ditt lösenord",
        f"Hej {user.name}!\n\nVi har fått en begäran om att återställa lösenordet för "
        f"användarnamnet {user.username}.\n\n"
        "Välj ett nytt lösenord här (länken gäller i 60 minuter och kan användas en gång):\n"
        f"{_link(f'{_prefix(user)}/reset/{token}')}\n\n"
        "Har du inte begärt detta kan du bortse från meddelandet; ditt lösenord är oförändrat."
        + _footer(),
        organisation=getattr(user, "organisation_id", None),
    )


def security_notice(user, what: str, recipient: str | None = None) -> None:
    """Tell the user that ``what`` changed on their account."""
    send_email(
        recipient or user.email,
        f"Säkerhetsmeddelande: {what}",
        f"Hej {user.name}!\n\n{what} för ditt användarkonto {user.username}.\n\n"
        f"Var det inte du? Kontakta din administratör eller {_operator()}s kundservice direkt."
        + _footer(),
        organisation=getattr(user, "organisation_id", None),
    )


def username_in_use_elsewhere(user, organisation_name: str) -> None:
    """Someone in another organisation tried to create a user with this
    person's user name: tell the person, and nobody else (ASVS 6.3.8)."""
    send_email(
        user.email,
        f"Ditt användarnamn i {_operator()}s kundportal",
        f"Hej {user.name}!\n\nEn administratör hos {organisation_name} försökte skapa ett "
        f"användarkonto med användarnamnet {user.username}, som redan är ditt. Inget konto "
        "har skapats och ditt konto är oförändrat.\n\n"
        "Ska du ha ett konto även hos dem behöver de använda ett annat användarnamn, till "
        f"exempel en annan e-postadress. Känner du inte igen detta? Kontakta {_operator()}s "
        "kundservice." + _footer(),
        organisation=user.organisation_id,
    )
