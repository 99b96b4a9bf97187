"""Languages (issue 20) in Konton, Grupper, Genvägar, Sparade filter and Sök:
an English or a Danish user sees the pages, dialogs, form errors, flash
messages and domain refusals in their language and none of the Swedish;
the group upload's template and report follow the user's language."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from database import write_tx
from models import User
from tests.accounts_fixtures import SUB1, TOP, account, sign_in, triggers
from tests.conftest import ADMIN
from tests.groups_fixtures import HTMX, group
from tests.test_groups_upload import workbook


def use_language(client, lang: str, username: str = ADMIN):
    with write_tx():
        User.update(language=lang).where(User.username == username).execute()
    return sign_in(client, username)


def text(response) -> str:
    """The response's text without tags, white space collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_error(response, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]+)<', response.get_data(as_text=True))
    return match[1] if match else ""


def main(response) -> str:
    """The page's own part (not the menu), as text."""
    html = response.get_data(as_text=True)
    part = html.split("<main", 1)[1] if "<main" in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


# ----------------------------------------------------------------------------- Konton


def test_accounts_list_in_english(demo_client):
    use_language(demo_client, "en")
    response = demo_client.get("/accounts")
    html = response.get_data(as_text=True)
    page = main(response)
    head = re.search(r"<thead.*?</thead>", html, re.S).group(0)
    for heading in ("Customer number", "Org. no.", "Name", "Alias", "Reference"):
        assert re.search(rf">\s*{re.escape(heading)}\s*<", head), heading
    assert 'data-label="Customer number"' in html
    assert "New account" in page and "All accounts you have access to." in page
    assert 'placeholder="Search account …"' in html and 'aria-label="Account tree"' in html
    for swedish in ("Kundnummer", "Nytt konto", "Alla konton som", "Sök konto", "Kontoträd"):
        assert swedish not in html, swedish


def test_account_page_in_danish(demo_client):
    use_language(demo_client, "da")
    top = account(TOP)
    response = demo_client.get(f"/accounts/{top.id}")
    page = main(response)
    for danish in (
        "Kundeoplysninger",
        "Kundenummer",
        "Firmanavn",
        "Fakturalevering",
        "Kontaktoplysninger",
        "Handlinger",
        "Rediger alias",
        "Tilføj underkonto",
        "Aktive grupper",
        "Generelt",
        "Abonnementer",
    ):
        assert danish in page, danish
    for swedish in ("Kunduppgifter", "Kontaktuppgifter", "Åtgärder", "Redigera alias", "Generellt"):
        assert swedish not in page, swedish
    # a list tab's scope selector
    tab = main(demo_client.get(f"/accounts/{top.id}/services"))
    assert "Abonnementer for:" in tab and "Denne konto" in tab and "Tjänster för:" not in tab


def test_swedish_account_page_is_unchanged(demo_client):
    use_language(demo_client, "sv")
    page = main(demo_client.get(f"/accounts/{account(TOP).id}"))
    assert "Kunduppgifter" in page and "Redigera alias" in page and "Customer details" not in page


def test_alias_dialog_error_and_message_in_english(demo_client):
    use_language(demo_client, "en")
    path = f"/accounts/{account(SUB1).id}/alias"
    dialog = demo_client.get(path, headers=HTMX)
    assert "Edit alias" in text(dialog) and "Redigera alias" not in text(dialog)
    assert "The tree view, for example, shows the alias" in text(dialog)
    refused = demo_client.post(path, data={"alias": " "}, headers=HTMX)
    assert field_error(refused, "alias") == "Enter an alias."
    saved = demo_client.post(path, data={"alias": "Filialen"}, headers=HTMX)
    assert triggers(saved)["showMessage"] == "The alias has been saved."


def test_contact_dialog_errors_in_danish(demo_client):
    use_language(demo_client, "da")
    path = f"/accounts/{account(SUB1).id}/contacts/new"
    dialog = text(demo_client.get(path, headers=HTMX))
    assert "Tilføj kontaktperson" in dialog and "Notifikationer, som kontaktpersonen får" in dialog
    assert "Økonomi" in dialog  # the roles (tables/org.py CONTACT_ROLES)
    refused = demo_client.post(path, data={"name": "Eva", "phone": "12"}, headers=HTMX)
    assert field_error(refused, "phone") == "Angiv et telefonnummer, der starter med 0 eller +46."
    refused = demo_client.post(path, data={"name": "Eva", "role": "contact"}, headers=HTMX)
    assert "Udfyld mindst ét af telefonnummer, mobilnummer og e-mail." in text(refused)
    added = demo_client.post(
        path, data={"name": "Eva", "role": "contact", "email": "eva@example.se"}, headers=HTMX
    )
    assert triggers(added)["showMessage"] == "Kontaktpersonen Eva er tilføjet."


# ----------------------------------------------------------------------------- Grupper


def test_groups_page_in_english(demo_client):
    use_language(demo_client, "en")
    page = main(demo_client.get("/groups"))
    assert "2 of 10 categories, 5 of 50 groups." in page
    assert "Create new category" in page and "Manage many" in page and "Description" in page
    assert "Skapa ny kategori" not in page and "kategorier" not in page


def test_domain_refusal_with_values_in_english_and_danish(demo_client):
    category = group("Avdelning:Sälj").category
    path = f"/groups/categories/{category.id}/groups/new"
    use_language(demo_client, "en")
    duplicate = demo_client.post(path, data={"name": "sälj"}, headers=HTMX)
    assert field_error(duplicate, "name") == "There is already a group Avdelning:sälj."
    assert "Create group in Avdelning" in text(duplicate)
    use_language(demo_client, "da")
    duplicate = demo_client.post(path, data={"name": "sälj"}, headers=HTMX)
    assert field_error(duplicate, "name") == "Der findes allerede en gruppe Avdelning:sälj."
    created = demo_client.post(path, data={"name": "Marknad"}, headers=HTMX)
    assert triggers(created)["showMessage"] == "Gruppen Avdelning:Marknad er oprettet."


def test_remove_group_dialog_in_english(demo_client):
    use_language(demo_client, "en")
    salj = group("Avdelning:Sälj")
    dialog = text(demo_client.get(f"/groups/{salj.id}/remove", headers=HTMX))
    assert "Remove group" in dialog and "Do you want to remove the group Avdelning:Sälj?" in dialog
    assert re.search(r"\d+ accounts? and \d+ services? are in the group", dialog), dialog
    assert "Vill du ta bort" not in dialog and "är med i gruppen" not in dialog


def test_membership_dialog_and_panel_in_english(demo_client):
    use_language(demo_client, "en")
    sub = account(SUB1)
    dialog = text(demo_client.get(f"/groups/accounts/{sub.id}/add", headers=HTMX))
    assert "Add to group" in dialog and "Category:Group" in dialog and "At the earliest" in dialog
    refused = demo_client.post(
        f"/groups/accounts/{sub.id}/add", data={"group": "", "start_month": "x"}, headers=HTMX
    )
    assert "Choose a group." in text(refused)
    assert "Enter the month as YYYY-MM, e.g. 2026-01." in text(refused)
    panel = text(demo_client.get(f"/groups/accounts/{sub.id}/panel", headers=HTMX))
    assert "Active groups" in panel and "Aktiva grupper" not in panel


def upload(client, data: bytes, mode="all"):
    return client.post(
        "/groups/upload",
        data={"file": (io.BytesIO(data), "grupper.xlsx"), "mode": mode},
        content_type="multipart/form-data",
    )


def test_upload_template_and_report_in_danish(demo_client):
    use_language(demo_client, "da")
    page = main(demo_client.get("/groups/upload"))
    assert "Hent Excel-skabelon" in page and "Hämta" not in page
    response = demo_client.get("/groups/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[:3] == ("Kategori", "Gruppe", "Beskrivelse")
    assert header[5:] == ("Fra måned", "Til måned")
    assert book.sheetnames == ["Grupper", "Vejledning"]
    # the Danish header is read; the report's reasons are Danish
    data = workbook(("Region", "Nord", "", "12345678", "", "", ""), header=header)
    result = text(upload(demo_client, data))
    assert "Intet blev gemt: 1 af 1 rækker har fejl (Alt eller intet)." in result
    assert "Fejl ukendt kundenummer" in result and "okänt kundnummer" not in result


def test_upload_refusals_in_english(demo_client):
    use_language(demo_client, "en")
    refused = text(upload(demo_client, b"not excel"))
    assert "The file is not an Excel file." in refused
    header = ("Category", "Group", "Kundnummer", "Number", "From month", "To month")
    missing = text(upload(demo_client, workbook(("A", "B", "", "", "", ""), header=header)))
    assert "The column Description is missing from the first row." in missing
    # a Swedish header is read too, and the outcome is English
    swedish = (
        "Kategori",
        "Grupp",
        "Beskrivning",
        "Kundnummer",
        "Nummer",
        "Från månad",
        "Till månad",
    )
    done = text(
        upload(demo_client, workbook(("Region", "Nord", "", "", "", "", ""), header=swedish))
    )
    assert "1 row saved." in done and "category Region created, group Region:Nord created" in done


# ----------------------------------------------------------------------------- Genvägar, filter, Sök


def test_shortcuts_page_and_refusal_in_english(demo_client):
    use_language(demo_client, "en")
    page = main(demo_client.get("/shortcuts"))
    assert "Manage shortcuts" in text(demo_client.get("/shortcuts"))
    assert "Save a page as a shortcut" in page and "Spara en sida" not in page
    refused = demo_client.post(
        "/shortcuts/new", data={"title": "Extern", "url": "https://example.com/"}, headers=HTMX
    )
    assert "A shortcut can only lead to a page of the portal" in text(refused)
    assert "Save as shortcut" in text(refused)


def test_saved_filter_flash_and_error_in_danish(demo_client):
    use_language(demo_client, "da")
    path = "/filters/services/new"
    empty = demo_client.post(path, data={"name": " ", "query": "", "back": "/services"})
    assert "Angiv et navn." in text(empty) and "Gem filter" in text(empty)
    saved = demo_client.post(
        path, data={"name": "Mine", "query": "", "back": "/services"}, follow_redirects=True
    )
    assert "Filteret Mine blev gemt." in text(saved)


def test_search_in_english(demo_client):
    use_language(demo_client, "en")
    html = demo_client.get("/").get_data(as_text=True)
    assert 'placeholder="Search account, service, ticket …"' in html
    results = main(demo_client.get(f"/search?q={TOP}"))
    assert f"Search: “{TOP}”" in results and "Accounts" in results
    assert "Search for accounts (customer number, name, alias, org. no.)," in results
    none = main(demo_client.get("/search?q=qqqzzz"))
    assert "No matches for “qqqzzz”." in none and "Inga träffar" not in none


def test_saved_shortcut_message_and_star_label_in_english(demo_client):
    use_language(demo_client, "en")
    saved = demo_client.post(
        "/shortcuts/new", data={"title": "My services", "url": "/services"}, headers=HTMX
    )
    events = triggers(saved)
    assert events["showMessage"] == "The shortcut was saved. You will find it on the Overview."
    assert events["shortcutSaved"] == {
        "value": "/services",
        "label": "Saved as shortcut – save again",
    }
