"""No stray English in the Swedish UI ("Superuser" stays: Tele2's term)."""

from __future__ import annotations

import re

import pytest

from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, STAFF

ENGLISH = re.compile(r"\bback[ -]?office\b", re.IGNORECASE)


def pages(app, prefix: str) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.arguments
        and rule.rule.startswith(prefix)
        and rule.endpoint != "static"
    )


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("who", "prefix"), [(STAFF, "/staff"), (ADMIN, "/")])
def test_pages_say_nothing_in_english(demo_app, login, who, prefix):
    client = demo_app.test_client()
    login(client, who)
    found = {}
    for path in pages(demo_app, prefix):
        response = client.get(path)
        if response.mimetype != "text/html":  # a file (the groups' Excel template …)
            continue
        html = response.get_data(as_text=True)
        hits = ENGLISH.findall(visible_text(html))
        if hits:
            found[path] = hits
    assert found == {}


def test_staff_login_is_in_swedish(demo_client):
    html = demo_client.get("/staff/login").get_data(as_text=True)
    assert "Administration – logga in" in html
    assert not ENGLISH.search(visible_text(html))
