"""The global search offers and searches what the user may open (issue 13,
item 10): the box's placeholder names the user's areas ("Sök faktura" for
the invoice-only Administratör), the results page says what is searched,
and hits only ever come from areas the user may open."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from tests.services_fixtures import a3, add_user
from tests.test_search import QUERIES, search

ALL_AREAS = "Sök konto, tjänst, ärende, faktura, användare"


def search_box(html: str) -> dict[str, str] | None:
    """The placeholder, aria-label and title of the top bar's search box."""
    match = re.search(r'<form class="globalsearch".*?<input ([^>]*)>', html, re.S)
    if match is None:
        return None
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
    return {k: unescape(attributes[k]) for k in ("placeholder", "aria-label", "title")}


def page_text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize(
    ("username", "placeholder", "label"),
    [
        (ADMIN, "Sök konto, tjänst, ärende …", ALL_AREAS),
        (OTHER_ORG_ADMIN, "Sök konto, tjänst, ärende …", ALL_AREAS),
        (ACCOUNT_ADMIN, "Sök konto, tjänst, ärende …", "Sök konto, tjänst, ärende, faktura"),
        (INVOICES_ONLY, "Sök faktura", "Sök faktura"),
    ],
)
def test_the_box_offers_what_the_user_may_search(demo_client, login, username, placeholder, label):
    login(demo_client, username)
    box = search_box(demo_client.get("/").get_data(as_text=True))
    assert box == {"placeholder": placeholder, "aria-label": label, "title": label}


def test_a_user_who_may_search_nothing_gets_no_box(demo_client, login):
    user = add_user(a3(), a3().top_account(), {"reports.view"})
    login(demo_client, user.username)
    assert search_box(demo_client.get("/").get_data(as_text=True)) is None
    text = page_text(demo_client.get("/search?q=underkonto"))
    assert "Du har inte behörighet att söka i portalen." in text


# What each area needs, as SPEC §1 gates the pages the hits lead to.
AREA_PERMISSIONS = {
    "Konton": ("accounts.view",),
    "Tjänster": ("services.view",),
    "Ärenden": ("tickets.view", "tickets.manage", "faults.create"),
    "Fakturor": ("invoices.view",),
    "Användare": ("users.manage",),
}


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN])
def test_hits_only_come_from_areas_the_user_may_open(demo_client, login, username):
    user = login(demo_client, username)
    allowed = {
        area
        for area, needed in AREA_PERMISSIONS.items()
        if any(user.has(permission) for permission in needed)
    }
    found = set()
    for q in QUERIES:
        for htmx in (False, True):
            found |= set(search(demo_client, q, htmx=htmx))
    assert found and found <= allowed


def test_invoice_only_user_is_told_what_she_can_search(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    text = page_text(demo_client.get("/search?q=Anna"))
    assert "Sök efter fakturor (fakturanummer) bland det du har behörighet att se." in text
    assert "Inga träffar för ”Anna”. Du kan söka efter fakturor (fakturanummer)." in text
    assert "konton" not in text and "tjänster (" not in text
    dropdown = page_text(demo_client.get("/search?q=Anna", headers={"HX-Request": "true"}))
    assert "Du kan söka efter fakturor (fakturanummer)." in dropdown


def test_the_results_page_lists_every_area_for_an_administrator(demo_client, login):
    login(demo_client, ADMIN)
    text = page_text(demo_client.get("/search?q=underkonto"))
    assert (
        "Sök efter konton (kundnummer, namn, alias, org. nr), tjänster (telefonnummer, "
        "användare, ICC), ärenden (ärendenummer, rubrik), fakturor (fakturanummer) och "
        "användare (namn, användarnamn, e-post) bland det du har behörighet att se."
    ) in text
