"""Languages (issue 20) for the people area: Min profil, Användare,
Företagsprofil, API-nycklar and Granskningslogg in English and Danish, their
form errors, flash messages and domain messages translated, Min profil →
Språk deciding the language, and e-mail in the recipient's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from database import utcnow, write_tx
from domain import notifications
from models import ApiToken, Contact, Outage, OutboxMessage, User
from tests.auth_fixtures import fresh_login_cache, last_mail, reload  # noqa: F401
from tests.conftest import ADMIN, DEMO_PASSWORD
from tests.test_i18n import set_language
from tests.test_profile_company_audit import details

# The pages' headings, a few labels or buttons each, and Swedish that must be gone.
PAGES = {
    "/profile": {
        "en": ["<h1>My profile</h1>", "Personal details", "Change password", "Signed-in devices"],
        "da": [
            "<h1>Min profil</h1>",
            "Personlige oplysninger",
            "Skift adgangskode",
            "Enheder, der er logget ind",
        ],
        "sv": ["Personuppgifter", "Byt lösenord", "Inloggade enheter", "Senast inloggad"],
    },
    "/users": {
        "en": ["<h1>Users</h1>", "Create user", ">Username<", ">Last signed in<"],
        "da": ["<h1>Brugere</h1>", "Opret bruger", ">Brugernavn<", ">Senest logget ind<"],
        "sv": ["Skapa användare", ">Användarnamn<", ">Senast inloggad<"],
    },
    "/company": {
        "en": ["<h1>Company profile</h1>", "E-mail notification", "Order approvers"],
        "da": ["<h1>Virksomhedsprofil</h1>", "E-mailnotifikation", "Ordregodkendere"],
        "sv": ["Företagsprofil", "E-postnotifiering", "Ordergodkännare"],
    },
    "/company/api": {
        "en": ["<h1>API keys</h1>", "Create API key", "Limit to account (customer number)"],
        "da": ["<h1>API-nøgler</h1>", "Opret API-nøgle", "Begræns til konto (kundenummer)"],
        "sv": ["API-nycklar", "Skapa API-nyckel", "Begränsa till konto"],
    },
    "/audit": {
        "en": ["<h1>Audit log</h1>", "Who did what and when"],
        "da": ["<h1>Revisionslog</h1>", "Hvem gjorde hvad og hvornår"],
        "sv": ["Granskningslogg", "Vem som gjorde vad och när"],
    },
}


def signed_in_as(client, login, lang: str, username: str = ADMIN):
    set_language(username, lang)
    return login(client, username)


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize("path", list(PAGES))
def test_people_pages_in_the_users_language(demo_client, login, lang, path):
    signed_in_as(demo_client, login, lang)
    response = demo_client.get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in text
    for expected in PAGES[path][lang]:
        assert expected in text, expected
    for swedish in PAGES[path]["sv"]:
        assert swedish not in text, swedish


def test_people_pages_stay_swedish_for_a_swedish_user(demo_client, login):
    signed_in_as(demo_client, login, "sv")
    for path, texts in PAGES.items():
        text = demo_client.get(path).get_data(as_text=True)
        for swedish in texts["sv"]:
            assert swedish in text, (path, swedish)


@pytest.mark.parametrize(
    ("lang", "heading", "label", "hint"),
    [
        ("en", "Personal details", "Language", "Required when you change"),
        ("da", "Personlige oplysninger", "Sprog", "Kræves, når du ændrer"),
    ],
)
def test_details_dialog_translated(demo_client, login, lang, heading, label, hint):
    signed_in_as(demo_client, login, lang)
    text = demo_client.get("/profile/details").get_data(as_text=True)
    assert heading in text and label in text and hint in text
    assert "Personuppgifter" not in text and "Nuvarande lösenord" not in text


# --------------------------------------------------------------------------- Min profil → Språk


def test_language_chosen_in_min_profil_wins(demo_client, login):
    user = signed_in_as(demo_client, login, "sv")
    page = demo_client.get("/profile").get_data(as_text=True)
    assert '<html lang="sv"' in page and 'value="en"' not in page  # the dialog is separate
    form = demo_client.get("/profile/details").get_data(as_text=True)
    for code, name in (("sv", "Svenska"), ("en", "English"), ("da", "Dansk")):
        assert re.search(rf'<option[^>]*value="{code}"[^>]*>{name}</option>', form)

    response = demo_client.post("/profile/details", data=details(user, language="en"))
    assert response.status_code == 303 and reload(user).language == "en"
    # the confirmation is in the language just chosen, and so is every page after
    page = demo_client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en"' in page and "Your details are saved." in page
    assert "Dina uppgifter är sparade." not in page
    assert re.search(r"<dt>Language</dt><dd>English</dd>", page)
    # the stored language beats the sign-in switch's cookie and the browser's
    demo_client.set_cookie("teleportal_lang", "da")
    other = demo_client.get("/users", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert '<html lang="en"' in other and "<h1>Users</h1>" in other

    response = demo_client.post("/profile/details", data=details(reload(user), language="da"))
    page = demo_client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="da"' in page and "Dine oplysninger er gemt." in page

    demo_client.post("/profile/details", data=details(reload(user), language="sv"))
    page = demo_client.get("/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv"' in page and "<h1>Min profil</h1>" in page


def test_unknown_language_is_refused(demo_client, login):
    user = signed_in_as(demo_client, login, "en")
    response = demo_client.post("/profile/details", data=details(user, language="xx"))
    assert response.status_code == 200 and reload(user).language == "en"


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("lang", "error"),
    [("en", "Enter your name."), ("da", "Angiv dit navn.")],
)
def test_form_error_translated(demo_client, login, lang, error):
    user = signed_in_as(demo_client, login, lang)
    response = demo_client.post("/profile/details", data=details(user, name=""))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and error in text and "Ange ditt namn." not in text


@pytest.mark.parametrize(
    ("lang", "name_error", "permission_error"),
    [
        ("en", "Enter a name.", "Choose at least one permission."),
        ("da", "Angiv et navn.", "Vælg mindst én rettighed."),
    ],
)
def test_api_key_form_errors_translated(demo_client, login, lang, name_error, permission_error):
    signed_in_as(demo_client, login, lang)
    text = demo_client.post("/company/api", data={"name": ""}).get_data(as_text=True)
    assert name_error in text and "Ange ett namn." not in text
    text = demo_client.post("/company/api", data={"name": "HR"}).get_data(as_text=True)
    assert permission_error in text and "Välj minst en behörighet." not in text


@pytest.mark.parametrize(
    ("lang", "created", "revoked"),
    [
        ("en", "The key HR-systemet is created", "The API key HR-systemet is revoked."),
        ("da", "Nøglen HR-systemet er oprettet", "API-nøglen HR-systemet er tilbagekaldt."),
    ],
)
def test_api_key_created_and_revoked_messages_translated(
    demo_client, login, lang, created, revoked
):
    signed_in_as(demo_client, login, lang)
    response = demo_client.post(
        "/company/api", data={"name": "HR-systemet", "permissions": ["services.view"]}
    )
    text = response.get_data(as_text=True)
    assert created in text and "är skapad" not in text
    token = ApiToken.get(ApiToken.name == "HR-systemet")
    response = demo_client.post(f"/company/api/{token.id}/revoke")
    assert response.status_code == 303
    page = demo_client.get(response.headers["Location"]).get_data(as_text=True)
    assert revoked in page and "är återkallad" not in page  # the flash message


@pytest.mark.parametrize(
    ("lang", "problem"),
    [
        ("en", "The password must have at least 8 characters."),
        ("da", "Adgangskoden skal have mindst 8 tegn."),
    ],
)
def test_domain_error_with_values_translated(demo_client, login, lang, problem):
    # domain.passwords: T_("Lösenordet måste ha minst %(count)s tecken.", count=8)
    signed_in_as(demo_client, login, lang)
    response = demo_client.post(
        "/profile/password",
        data={"current_password": DEMO_PASSWORD, "password": "kort1", "confirm": "kort1"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert problem in text and "Lösenordet måste ha minst" not in text


# --------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("lang", "subject", "greeting"),
    [
        ("en", "Security notice: Your password has been changed", "Hello "),
        ("da", "Sikkerhedsmeddelelse: Din adgangskode er blevet ændret", "Hej "),
        ("sv", "Säkerhetsmeddelande: Ditt lösenord har ändrats", "Hej "),
    ],
)
def test_security_notice_in_the_users_language(demo_client, login, lang, subject, greeting):
    signed_in_as(demo_client, login, lang)
    new = "En-lång-och-ny-lösenfras-2027"
    response = demo_client.post(
        "/profile/password",
        data={"current_password": DEMO_PASSWORD, "password": new, "confirm": new},
    )
    assert response.status_code == 303
    mail = last_mail(ADMIN)
    assert mail.subject == subject
    assert mail.body.startswith(greeting)
    if lang != "sv":
        assert "Med vänlig hälsning" not in mail.body and "Kundservice" not in mail.body


def test_password_reset_mail_in_the_users_language(demo_client):
    set_language(ADMIN, "en")
    demo_client.post("/forgot", data={"username": ADMIN})
    mail = last_mail(ADMIN)
    assert mail.subject == "Reset your password"
    assert "Kind regards" in mail.body and "Återställ" not in mail.body


@pytest.fixture
def outage_contacts(app, make_org, make_service, make_user):
    """A broadband outage at 90155 touching Kund AB, whose contacts are an
    English user, a Danish user and an address with no user (Swedish)."""
    org = make_org("Kund AB")
    top = org.top_account()
    make_service(top, kind="broadband", number="BB-1001", postcode="90155")
    make_user(org, username="anna@kund.se", language="en")
    make_user(org, username="dorte@kund.se", language="da")
    with write_tx():
        for email in ("anna@kund.se", "dorte@kund.se", "sven@kund.se"):
            Contact.create(
                organisation=org, account=top, name=email, email=email, notify_outage=True
            )
        outage = Outage.create(
            title="Fiberavbrott Umeå centrum",
            description="Grävskada på fiberkabel.",
            postcodes="901 55",
            service_kinds="broadband",
            starts_at=utcnow() - dt.timedelta(minutes=30),
            expected_end=utcnow() + dt.timedelta(hours=4),
        )
    return top, outage


def outage_mail(email: str) -> OutboxMessage:
    return OutboxMessage.get(OutboxMessage.recipient == email)


def test_outage_notification_in_each_recipients_language(outage_contacts):
    top, outage = outage_contacts
    assert notifications.outage_changed(outage, "published") == 3

    english = outage_mail("anna@kund.se")
    assert english.subject == "Outage: Fiberavbrott Umeå centrum"  # the title is data
    body = " ".join(english.body.split())
    assert body.startswith("Hello,")
    assert "We have an outage that affects your services." in body
    assert (
        f"You receive this e-mail because you are a contact for account {top.customer_number} "
        "Kund AB with Outages ticked." in body
    )
    assert "Kind regards" in body and "Grävskada på fiberkabel." in body
    for swedish in (
        "Hej!",
        "driftstörning",
        "Med vänlig hälsning",
        "Avregistrera",
        "Berörda tjänster",
    ):
        assert swedish not in body, swedish

    danish = " ".join(outage_mail("dorte@kund.se").body.split())
    assert outage_mail("dorte@kund.se").subject == "Driftsforstyrrelse: Fiberavbrott Umeå centrum"
    assert "Vi har en driftsforstyrrelse, der berører jeres abonnementer." in danish
    assert "Med venlig hilsen" in danish and "Med vänlig hälsning" not in danish

    swedish = outage_mail("sven@kund.se")  # no portal user with the address
    assert swedish.subject == "Driftstörning: Fiberavbrott Umeå centrum"
    text = " ".join(swedish.body.split())
    assert text.startswith("Hej!")
    assert "Vi har en driftstörning som berör era tjänster." in text
    assert "med Driftstörningar ikryssat." in text and "Med vänlig hälsning" in text


def test_a_swedish_users_notification_stays_swedish(outage_contacts):
    _top, outage = outage_contacts
    with write_tx():
        User.update(language="sv").where(User.username == "anna@kund.se").execute()
    notifications.outage_changed(outage, "published")
    mail = outage_mail("anna@kund.se")
    assert mail.subject == "Driftstörning: Fiberavbrott Umeå centrum"
    assert "Vi har en driftstörning som berör era tjänster." in " ".join(mail.body.split())


# --------------------------------------------------------------------------- Excel


def test_users_and_audit_exports_write_labels_from_codes(demo_client, login):
    """The exports' labels come from codes (excel.labels, excel.to_bool), so
    the list view can write them in the reader's language; Swedish as before."""
    from tests.listpage import read_xlsx

    signed_in_as(demo_client, login, "sv")
    header, rows = read_xlsx(demo_client.get("/users?export=xlsx"))
    column = {name: [row[i].value for row in rows] for i, name in enumerate(header)}
    assert set(column["Typ"]) == {"Administratör", "Kontoadministratör"}
    assert set(column["Status"]) <= {"Aktiv", "Inaktiv"} and "Aktiv" in column["Status"]
    assert set(column["2FA"]) <= {"Ja", "Nej"} and "Nej" in column["2FA"]
    assert "Superuser" in column["Rättigheter"]
    assert None not in column["Rättigheter"] and "" not in column["Rättigheter"]

    user = User.get(User.username == ADMIN)
    demo_client.post("/profile/details", data=details(user, name="Anna L"))  # profile.update
    header, rows = read_xlsx(demo_client.get("/audit?export=xlsx"))
    actions = {row[header.index("Händelse")].value for row in rows}
    assert "Egna uppgifter ändrade" in actions and "profile.update" not in actions


def test_invitation_and_sms_code_in_the_users_language(app, make_org, make_user):
    from domain import twofactor, usermail
    from domain.operator import current as current_operator

    org = make_org()
    english = make_user(org, language="en", mobile="+46701234567")
    danish = make_user(org, language="da", mobile="+46701234568")
    swedish = make_user(org, mobile="+46701234569")
    operator = current_operator().name
    with write_tx():
        for user in (english, danish, swedish):
            usermail.invitation(user, "token", invited_by="Anna Lind")
            twofactor.send_sms_code(user, "sms_login")

    mail = last_mail(english.email)
    assert mail.subject == f"Invitation to {operator}'s customer portal"
    assert "Anna Lind has invited you." in mail.body and "Choose your password here" in mail.body
    assert "Välj ditt lösenord" not in mail.body
    assert last_mail(danish.email).subject == f"Invitation til {operator}s kundeportal"
    assert last_mail(swedish.email).subject == f"Inbjudan till {operator}s kundportal"

    sms = {
        m.recipient: m.body for m in OutboxMessage.select().where(OutboxMessage.channel == "sms")
    }
    assert f"is your sign-in code for {operator}." in sms["+46701234567"]
    assert f"er din log ind-kode til {operator}." in sms["+46701234568"]
    assert f"är din inloggningskod till {operator}." in sms["+46701234569"]
