"""Genvägar (GRP-5): the star saves a page of the portal, Översikt shows the
shortcuts, Hantera genvägar renames, reorders and removes them; addresses
outside the portal are refused next to the field."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from database import write_tx
from domain import shortcuts as rules
from models import Shortcut, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN, STAFF

HX = {"HX-Request": "true"}


def user(username: str) -> User:
    return User.get(User.username == username)


def titles(username: str) -> list[str]:
    return [s.title for s in rules.for_user(user(username))]


def save(client, title: str, url: str, **headers):
    return client.post("/shortcuts/new", data={"title": title, "url": url}, headers=headers)


def add(username: str, *titles_and_urls) -> list[Shortcut]:
    owner = user(username)
    return [rules.create(owner, title, url) for title, url in titles_and_urls]


def test_the_star_on_a_filtered_list_opens_the_dialog_with_the_page(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get("/services?f_kind=mobile&sort=number").get_data(as_text=True)
    star = re.search(r'class="shortcut-star" href="([^"]+)"', html)
    assert star, "the page header has the star"
    href = star.group(1).replace("&amp;", "&")
    args = parse_qs(urlsplit(href).query)
    assert args["url"] == ["/services?f_kind=mobile&sort=number"]
    assert args["title"] == ["Tjänster"]
    dialog = demo_client.get(href, headers=HX).get_data(as_text=True)
    assert "Spara som genväg" in dialog
    assert 'value="Tjänster"' in dialog
    assert "/services?f_kind=mobile&amp;sort=number" in dialog


def test_a_saved_shortcut_shows_on_oversikt(demo_client, login):
    login(demo_client, ADMIN)
    response = save(demo_client, "Mobiler", "/services?f_kind=mobile&sort=number", **HX)
    assert response.status_code == 200
    assert "closeDialog" in response.headers["HX-Trigger"]
    page = demo_client.get("/").get_data(as_text=True)
    assert "Genvägar" in page
    assert '<a href="/services?f_kind=mobile&amp;sort=number">Mobiler</a>' in page
    assert 'href="/shortcuts"' in page and "Hantera genvägar" in page
    # it opens the list it names, where the star shows it is saved
    listing = demo_client.get("/services?f_kind=mobile&sort=number")
    assert listing.status_code == 200
    assert 'aria-label="Sparad som genväg' in listing.get_data(as_text=True)
    assert 'aria-label="Spara som genväg"' in demo_client.get("/services").get_data(as_text=True)


def test_without_htmx_saving_returns_to_the_page(demo_client, login):
    login(demo_client, ADMIN)
    response = save(demo_client, "Fakturor", "/invoices")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/invoices")
    assert titles(ADMIN) == ["Fakturor"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example",
        "https://evil.example/services",
        "//evil",
        "//evil.example/services",
        "/\\evil",
        "\\\\evil",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "/services\n",
        "/ser\tvices",
        "services",
        "/no-such-page",
        "/services/123/invoice-text-nope",
        "/logout",  # a POST only
        "/staff/",  # the back office is not the portal
        "/login",  # not a page of the signed-in portal
        "/static/app.css",
        "",
    ],
)
def test_addresses_outside_the_portal_are_refused_next_to_the_field(demo_client, login, url):
    login(demo_client, ADMIN)
    response = save(demo_client, "Ond", url, **HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="url-error"' in html, html
    assert "HX-Trigger" not in response.headers
    assert Shortcut.select().count() == 0


def test_another_site_gets_its_own_message(demo_client, login):
    login(demo_client, ADMIN)
    html = save(demo_client, "Ond", "https://evil.example", **HX).get_data(as_text=True)
    assert "inte till en annan webbplats" in html


@pytest.mark.parametrize("title, message", [("", "Ange ett namn."), ("x" * 101, "högst 100")])
def test_the_name_is_required_and_at_most_100_characters(demo_client, login, title, message):
    login(demo_client, ADMIN)
    html = save(demo_client, title, "/services", **HX).get_data(as_text=True)
    assert 'id="title-error"' in html and message in html
    assert Shortcut.select().count() == 0


def test_at_most_30_per_user(demo_client, login):
    add(ADMIN, *[(f"Sida {n}", f"/services?page={n}") for n in range(30)])
    login(demo_client, ADMIN)
    html = save(demo_client, "En till", "/invoices", **HX).get_data(as_text=True)
    assert "30 genvägar" in html
    assert len(titles(ADMIN)) == 30
    # another user still has room
    login(demo_client, ACCOUNT_ADMIN)
    assert save(demo_client, "Min", "/invoices", **HX).status_code == 200
    assert titles(ACCOUNT_ADMIN) == ["Min"]


def test_rename_reorder_and_remove(demo_client, login):
    first, second, third = add(
        ADMIN, ("Ett", "/services"), ("Två", "/invoices"), ("Tre", "/orders")
    )
    login(demo_client, ADMIN)
    page = demo_client.get("/shortcuts").get_data(as_text=True)
    assert page.index("Ett") < page.index("Två") < page.index("Tre")

    def shown():  # what Hantera genvägar shows now (each change posts it)
        return rules.version(rules.for_user(user(ADMIN)))

    response = demo_client.post(
        f"/shortcuts/{second.id}/edit", data={"title": "Fakturor", "shown": shown()}
    )
    assert response.status_code == 303
    assert titles(ADMIN) == ["Ett", "Fakturor", "Tre"]

    move = f"/shortcuts/{third.id}/move"
    assert demo_client.post(move, data={"direction": "up", "shown": shown()}).status_code == 303
    assert titles(ADMIN) == ["Ett", "Tre", "Fakturor"]
    demo_client.post(move, data={"direction": "up", "shown": shown()})
    assert titles(ADMIN) == ["Tre", "Ett", "Fakturor"]
    demo_client.post(move, data={"direction": "up", "shown": shown()})  # already first
    assert titles(ADMIN) == ["Tre", "Ett", "Fakturor"]
    demo_client.post(f"/shortcuts/{first.id}/move", data={"direction": "down", "shown": shown()})
    assert titles(ADMIN) == ["Tre", "Fakturor", "Ett"]
    assert demo_client.post(move, data={"direction": "sideways"}).status_code == 400

    response = demo_client.post(f"/shortcuts/{second.id}/delete", data={"shown": shown()})
    assert response.status_code == 303
    assert titles(ADMIN) == ["Tre", "Ett"]
    overview = demo_client.get("/").get_data(as_text=True)
    assert overview.index(">Tre</a>") < overview.index(">Ett</a>")
    assert "Fakturor</a>" not in overview.split('id="shortcuts-heading"')[1].split("</section>")[0]


def test_renaming_refuses_an_empty_name(demo_client, login):
    (shortcut,) = add(ADMIN, ("Ett", "/services"))
    login(demo_client, ADMIN)
    html = demo_client.post(
        f"/shortcuts/{shortcut.id}/edit",
        data={"title": "  ", "shown": rules.version([shortcut])},
        headers=HX,
    ).get_data(as_text=True)
    assert 'id="title-error"' in html
    assert titles(ADMIN) == ["Ett"]


@pytest.mark.parametrize("other", [ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_another_users_shortcut_answers_404(demo_client, login, other):
    (theirs,) = add(other, ("Deras", "/services"))
    login(demo_client, ADMIN)
    assert demo_client.get(f"/shortcuts/{theirs.id}/edit").status_code == 404
    assert demo_client.post(f"/shortcuts/{theirs.id}/edit", data={"title": "x"}).status_code == 404
    assert (
        demo_client.post(f"/shortcuts/{theirs.id}/move", data={"direction": "up"}).status_code
        == 404
    )
    assert demo_client.post(f"/shortcuts/{theirs.id}/delete").status_code == 404
    assert titles(other) == ["Deras"]
    assert "Deras" not in demo_client.get("/").get_data(as_text=True)
    assert "Deras" not in demo_client.get("/shortcuts").get_data(as_text=True)


def test_a_shortcut_to_a_page_no_longer_allowed_answers_as_the_page_does(demo_client, login):
    """Shown still; opening it is the page's own answer (here a 404 for an
    object outside the user's scope), no special casing."""
    from models import Service

    outside = Service.get(Service.organisation == user(OTHER_ORG_ADMIN).organisation_id)
    with write_tx():
        Shortcut.create(user=user(ADMIN).id, title="Gammal", url=f"/services/{outside.id}")
    login(demo_client, ADMIN)
    assert ">Gammal</a>" in demo_client.get("/").get_data(as_text=True)
    assert demo_client.get(f"/services/{outside.id}").status_code == 404


def test_no_star_for_staff_and_the_routes_send_staff_away(demo_client, login):
    login(demo_client, STAFF)
    assert "shortcut-star" not in demo_client.get("/staff/").get_data(as_text=True)
    assert demo_client.get("/shortcuts").status_code == 302


def test_the_same_form_sent_twice_saves_once(demo_client, login):
    login(demo_client, ADMIN)
    for _ in range(2):
        assert save(demo_client, "Fakturor", "/invoices").status_code == 303
    assert titles(ADMIN) == ["Fakturor"]
