"""Languages in the back office (issue 20): an English or Danish employee
(the language switch's cookie; staff have no stored language) sees the staff
pages, dialogs, form errors, flash messages and domain messages translated,
and a Swedish one sees them as before."""

from __future__ import annotations

import re

import pytest

from domain.numbers import format_org_number
from models import Organisation
from tests.conftest import STAFF

NEW = {
    "name": "Kustfrakt AB",
    "org_number": "556016-0680",
    "street": "Hamngatan 1",
    "postcode": "903 04",
    "city": "Umeå",
    "admin_name": "Karin Kust",
    "admin_email": "chef@kustfrakt.se",
}


@pytest.fixture
def desk(demo_app, login):
    """A signed-in administrator of the back office, in a language."""

    def signed_in(lang: str):
        client = demo_app.test_client()
        login(client, STAFF)
        client.set_cookie("teleportal_lang", lang)
        return client

    return signed_in


def heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def field_error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "title", "new", "texts", "swedish"),
    [
        ("en", "Customers", "New customer", ("Org. no.", "Users", "Created"), ("Ny kund",)),
        ("da", "Kunder", "Ny kunde", ("CVR-nr.", "Brugere", "Oprettet"), ("Skapad", "Org.nr")),
    ],
)
def test_customer_list_translated(desk, lang, title, new, texts, swedish):
    html = desk(lang).get("/staff/organisations").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert heading(html) == title and new in html
    head = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    for text in texts:
        assert re.search(rf">\s*{re.escape(text)}\s*<", head), text
    for text in swedish:
        assert text not in html
    assert "Operatörens kunder" not in html


def test_start_page_and_organisation_page_in_english(desk):
    client = desk("en")
    start = client.get("/staff/").get_data(as_text=True)
    assert "Latest customers" in start and "Senaste kunderna" not in start
    assert "Open tickets" in start and "Öppna ärenden" not in start  # a tile's label (N_)
    org = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    page = client.get(f"/staff/organisations/{org.id}").get_data(as_text=True)
    for text in ("Portal users (", "Agreements (", "Accounts (", "Organisation number", "Add user"):
        assert text in page, text
    for text in ("Portalanvändare", "Organisationsnummer", "Lägg till användare", "Kunden har"):
        assert text not in page, text


def test_staff_page_and_invite_dialog_in_danish(desk):
    client = desk("da")
    page = client.get("/staff/users").get_data(as_text=True)
    assert heading(page) == "Personale" and "Inviter medarbejder" in page
    assert "Totrinsbekræftelse" in page and "Tvåstegsverifiering" not in page
    dialog = client.get("/staff/users/new", headers={"HX-Request": "true"}).get_data(as_text=True)
    # the roles (tables.org.STAFF_ROLES), their hints and the form's labels
    for text in ("Ordrebehandling", "Sager, driftsinformation", "Kræv totrinsbekræftelse", "Navn"):
        assert text in dialog, text
    assert "Orderdesk" not in dialog and "Bjud in personal" not in dialog


@pytest.mark.parametrize(
    ("lang", "name_error", "postcode_error"),
    [
        ("en", "Enter the company name.", "Enter the postcode as five digits"),
        ("da", "Angiv firmanavnet.", "Angiv postnummeret som fem cifre"),
    ],
)
def test_new_customer_form_errors_translated(desk, lang, name_error, postcode_error):
    client = desk(lang)
    response = client.post("/staff/organisations/new", data={**NEW, "name": "", "postcode": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "name") == name_error
    assert postcode_error in field_error(html, "postcode")
    assert "Ange företagsnamnet." not in html


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "There is already a customer with organisation number {number}."),
        ("da", "Der findes allerede en kunde med organisationsnummer {number}."),
    ],
)
def test_domain_message_with_values_translated(desk, lang, message):
    taken = Organisation.select().first()
    client = desk(lang)
    response = client.post("/staff/organisations/new", data={**NEW, "org_number": taken.org_number})
    expected = message.format(number=format_org_number(taken.org_number))
    assert field_error(response.get_data(as_text=True), "org_number") == expected


def test_flash_messages_translated(desk):
    org = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    client = desk("en")
    same = {"name": org.name, "org_number": org.org_number}
    page = client.post(
        f"/staff/organisations/{org.id}/edit", data=same, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nothing was changed." in page and "Inget ändrades." not in page
    confirm = client.get(f"/staff/organisations/{org.id}/suspend").get_data(as_text=True)
    assert f"Do you want to suspend {org.name}?" in confirm and "Suspend customer" in confirm
    client.set_cookie("teleportal_lang", "da")
    done = client.post(f"/staff/organisations/{org.id}/suspend", follow_redirects=True).get_data(
        as_text=True
    )
    assert f"{org.name} er suspenderet. Brugerne er logget ud" in done


def test_catalogue_pages_in_english(desk):
    client = desk("en")
    page = client.get("/staff/catalogue").get_data(as_text=True)
    assert heading(page) == "Products" and "New product" in page and "Categories" in page
    assert "Ny produkt" not in page and "Kategorier" not in page
    numbers = client.get("/staff/catalogue/numbers").get_data(as_text=True)
    assert "Import numbers" in numbers and "All or nothing" in numbers
    assert "Importera nummer" not in numbers


def test_swedish_stays_swedish(desk):
    client = desk("sv")
    html = client.get("/staff/organisations").get_data(as_text=True)
    assert heading(html) == "Kunder" and "Ny kund" in html
    response = client.post("/staff/organisations/new", data={**NEW, "name": ""})
    assert field_error(response.get_data(as_text=True), "name") == "Ange företagsnamnet."


def test_import_report_reasons_translated(desk):
    """A catalogue import's row report: the reasons are domain messages, one
    with a value (the row it repeats)."""
    import io

    client = desk("da")
    rows = b"0701740605\n0701740605\n12\n"
    response = client.post(
        "/staff/catalogue/numbers",
        data={"file": (io.BytesIO(rows), "nummer.csv"), "kind": "mobile"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "dublet (samme som række 1)" in html and "ikke et svensk nummer" in html
    assert "Importen er færdig:" in html and "dubblett" not in html


def test_agreement_form_errors_translated(desk):
    client = desk("en")
    page = client.get("/staff/agreements/new").get_data(as_text=True)
    assert "Products in the agreement" in page and "Produkter i avtalet" not in page
    # a heading of the product groups: "Tillval: <kind>", the kind translated too
    assert "Options: Add-on" in page and "Tillval:" not in page
    response = client.post("/staff/agreements/new", data={"number": "", "start_date": "x"})
    html = response.get_data(as_text=True)
    assert "Enter an agreement number." in html
    assert "Enter the date as YYYY-MM-DD, e.g. 2026-01-01." in html
    assert "Ange ett avtalsnummer." not in html


def test_staff_sign_in_page_switches_language(demo_app):
    client = demo_app.test_client()
    english = client.get("/staff/login?lang=en").get_data(as_text=True)
    assert "Back office – sign in" in english and "Administration – logga in" not in english
    danish = client.get("/staff/login?lang=da").get_data(as_text=True)
    assert "Administration – log ind" in danish
