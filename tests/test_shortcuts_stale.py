"""Genvägar edited in two tabs (issue 18, item 5): each rename, move and
removal on Hantera genvägar posts what the page showed (``shown``); when the
shortcuts changed meanwhile it answers 409 with the message (shown by htmx
in the dialog) and changes nothing. A shortcut removed meanwhile is 404, as
is another user's."""

from __future__ import annotations

import re
from html import unescape

import pytest
from lxml import html as lxml_html

from database import write_tx
from domain import shortcuts as rules
from models import Shortcut, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN

HX = {"HX-Request": "true"}
STALE = "Genvägarna har ändrats på en annan sida. Ladda om sidan och försök igen."


def user(username: str) -> User:
    return User.get(User.username == username)


def add(username: str, *items: tuple[str, str]) -> list[Shortcut]:
    owner = user(username)
    with write_tx():
        return [
            Shortcut.create(user=owner.id, title=title, url=url, position=n)
            for n, (title, url) in enumerate(items, start=1)
        ]


def titles(username: str = ADMIN) -> list[str]:
    return [s.title for s in rules.for_user(user(username))]


class Tab:
    """Hantera genvägar as one browser tab rendered it: its forms and links."""

    def __init__(self, client):
        self.client = client
        self.doc = lxml_html.fromstring(client.get("/shortcuts").get_data(as_text=True))

    def _form(self, action: str) -> dict:
        form = self.doc.xpath(f'//form[@action="{action}"]')
        assert form, action
        return {i.get("name"): i.get("value") for i in form[0].xpath(".//input")}

    def move(self, shortcut: Shortcut, direction: str, **headers):
        action = f"/shortcuts/{shortcut.id}/move"
        forms = self.doc.xpath(f'//form[@action="{action}"]')
        (form,) = [f for f in forms if f.xpath(f'.//input[@value="{direction}"]')]
        data = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
        return self.client.post(action, data=data, headers=headers)

    def remove(self, shortcut: Shortcut, **headers):
        action = f"/shortcuts/{shortcut.id}/delete"
        return self.client.post(action, data=self._form(action), headers=headers)

    def rename(self, shortcut: Shortcut, title: str, **headers):
        """Byt namn as the tab's link opens it, then the dialog's form sent."""
        links = self.doc.xpath(f'//a[starts-with(@href, "/shortcuts/{shortcut.id}/edit")]')
        dialog = self.client.get(unescape(links[0].get("href")), headers=HX)
        if dialog.status_code != 200:
            return dialog
        html = dialog.get_data(as_text=True)
        shown = re.search(r'name="shown"[^>]*value="([^"]*)"', html)
        data = {"title": title, "shown": shown.group(1) if shown else ""}
        return self.client.post(f"/shortcuts/{shortcut.id}/edit", data=data, headers=headers)


def assert_stale(response):
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert STALE in html
    assert "<html" not in html  # for htmx, the dialog fragment
    assert 'href="/shortcuts"' in html  # Ladda om sidan


@pytest.fixture
def three(demo_client, login):
    login(demo_client, ADMIN)
    return add(ADMIN, ("Ett", "/services"), ("Två", "/invoices"), ("Tre", "/orders"))


def test_a_move_in_a_stale_tab_is_refused(demo_client, three):
    first, second, third = three
    old, new = Tab(demo_client), Tab(demo_client)
    assert new.move(third, "up", **HX).headers["HX-Redirect"] == "/shortcuts"
    assert titles() == ["Ett", "Tre", "Två"]
    assert_stale(old.move(second, "up", **HX))
    assert titles() == ["Ett", "Tre", "Två"]
    # reloaded, the same move goes through
    assert Tab(demo_client).move(second, "up", **HX).status_code == 200
    assert titles() == ["Ett", "Två", "Tre"]


@pytest.mark.parametrize("change", ["rename", "remove", "add"])
def test_any_change_elsewhere_makes_the_tab_stale(demo_client, three, change):
    first, second, third = three
    old = Tab(demo_client)
    if change == "rename":
        Tab(demo_client).rename(second, "Fakturor")
    elif change == "remove":
        Tab(demo_client).remove(second)
    else:  # the star in another tab
        demo_client.post("/shortcuts/new", data={"title": "Ärenden", "url": "/tickets"})
    before = titles()
    assert_stale(old.move(third, "up", **HX))
    assert_stale(old.remove(first, **HX))
    assert_stale(old.rename(first, "Tjänster", **HX))
    assert titles() == before


def test_the_rename_dialog_from_a_stale_tab_says_so_at_once(demo_client, three):
    first, _, third = three
    old = Tab(demo_client)
    Tab(demo_client).move(third, "up")
    links = old.doc.xpath(f'//a[starts-with(@href, "/shortcuts/{first.id}/edit")]')
    assert_stale(demo_client.get(unescape(links[0].get("href")), headers=HX))


def test_a_rename_dialog_opened_before_a_change_elsewhere_is_refused(demo_client, three):
    first, _, third = three
    dialog = demo_client.get(
        f"/shortcuts/{first.id}/edit?shown={rules.version(rules.for_user(user(ADMIN)))}",
        headers=HX,
    ).get_data(as_text=True)
    shown = re.search(r'name="shown"[^>]*value="([^"]*)"', dialog).group(1)
    Tab(demo_client).move(third, "up")
    response = demo_client.post(
        f"/shortcuts/{first.id}/edit", data={"title": "Nytt", "shown": shown}, headers=HX
    )
    assert_stale(response)
    assert "Nytt" not in titles()


def test_without_htmx_the_refusal_is_a_page(demo_client, three):
    _, second, third = three
    old = Tab(demo_client)
    Tab(demo_client).move(third, "up")
    response = old.remove(second)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "<html" in html and STALE in html
    assert "Två" in titles()


@pytest.mark.parametrize("action", ["move", "remove", "rename"])
def test_acting_on_a_shortcut_removed_in_another_tab_is_404(demo_client, three, action):
    first, second, _ = three
    old = Tab(demo_client)
    Tab(demo_client).remove(second)
    if action == "move":
        response = old.move(second, "up", **HX)
    elif action == "remove":
        response = old.remove(second, **HX)
    else:
        response = old.rename(second, "Borta", **HX)
    assert response.status_code == 404
    assert titles() == ["Ett", "Tre"]


def test_removed_between_the_lookup_and_the_write_is_404(demo_client, three, monkeypatch):
    """Gone inside the write (after the view found it): still 404, not 409 or 500."""
    _, second, _ = three
    tab = Tab(demo_client)
    real = rules.for_user

    def gone(owner):
        return [s for s in real(owner) if s.id != second.id]

    monkeypatch.setattr(rules, "for_user", gone)
    assert tab.move(second, "up", **HX).status_code == 404


@pytest.mark.parametrize("other", [ACCOUNT_ADMIN, OTHER_ORG_ADMIN])
def test_another_users_shortcut_is_404_even_with_their_shown(demo_client, three, other):
    (theirs,) = add(other, ("Deras", "/services"))
    shown = rules.version(rules.for_user(user(other)))
    for path, data in [
        (f"/shortcuts/{theirs.id}/move", {"direction": "up", "shown": shown}),
        (f"/shortcuts/{theirs.id}/delete", {"shown": shown}),
        (f"/shortcuts/{theirs.id}/edit", {"title": "Mitt", "shown": shown}),
    ]:
        assert demo_client.post(path, data=data, headers=HX).status_code == 404
    assert demo_client.get(f"/shortcuts/{theirs.id}/edit?shown={shown}").status_code == 404
    assert titles(other) == ["Deras"]


@pytest.mark.parametrize("path", ["/move", "/delete", "/edit"])
def test_a_change_without_shown_is_400(demo_client, three, path):
    first = three[0]
    data = {"direction": "down", "title": "X"}
    assert demo_client.post(f"/shortcuts/{first.id}{path}", data=data).status_code == 400
    assert titles() == ["Ett", "Två", "Tre"]
