"""The Grupper control on Tjänster in a real browser: tick groups, filter,
and the URL, the count and the reset follow (GRP-4)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def add_groups(database) -> dict[str, int]:
    """Avdelning: Sälj (the first live account, from six months ago) and
    Lager (two services of another account); Kostnadsställe: K1 (empty)."""
    start = (dt.date.today().replace(day=1) - dt.timedelta(days=160)).replace(day=1)
    with sqlite3.connect(database) as conn:
        (org,) = conn.execute('SELECT organisation_id FROM "user" WHERE username = ?', (ADMIN,))
        org = org[0]
        ids = {}
        for position, (category, groups) in enumerate(
            [("Avdelning", ["Sälj", "Lager"]), ("Kostnadsställe", ["K1"])]
        ):
            cursor = conn.execute(
                "INSERT INTO group_category (organisation_id, name, position) VALUES (?, ?, ?)",
                (org, category, position),
            )
            for name in groups:
                ids[name] = conn.execute(
                    'INSERT INTO "group" (category_id, name, description) VALUES (?, ?, ?)',
                    (cursor.lastrowid, name, ""),
                ).lastrowid
        accounts = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT account_id FROM service WHERE organisation_id = ?"
                " AND status = 'active' AND hidden = 0 ORDER BY account_id LIMIT 2",
                (org,),
            )
        ]
        conn.execute(
            "INSERT INTO group_membership (group_id, account_id, start_month) VALUES (?, ?, ?)",
            (ids["Sälj"], accounts[0], start.isoformat()),
        )
        services = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM service WHERE account_id = ? AND status = 'active'"
                " AND hidden = 0 ORDER BY id LIMIT 2",
                (accounts[1],),
            )
        ]
        for service in services:
            conn.execute(
                "INSERT INTO group_membership (group_id, service_id, start_month) VALUES (?, ?, ?)",
                (ids["Lager"], service, start.isoformat()),
            )
    return ids


def shown_total(page) -> int:
    return int(re.search(r"av (\d+)", page.locator("#list-services .count").inner_text())[1])


def open_groups(page):
    page.locator("#list-services .group-filter summary").click()
    expect(page.locator("#list-services .group-filter .filter-pop")).to_be_visible()


def test_tick_groups_filter_and_reset(page, tmp_path):
    ids = add_groups(tmp_path / "live.db")
    sign_in(page, ADMIN)
    page.goto("/services")
    everything = shown_total(page)
    open_groups(page)
    pop = page.locator("#list-services .group-filter .filter-pop")
    expect(pop.get_by_label("Avdelning:Sälj")).to_be_visible()
    expect(pop.get_by_label("Kostnadsställe:K1")).to_be_visible()
    page.screenshot(path=str(tmp_path / "groups-open.png"))

    pop.get_by_label("Avdelning:Lager").check()
    pop.get_by_role("button", name="Filtrera").click()
    page.wait_for_url(re.compile(rf"grupp={ids['Lager']}"))
    expect(page.locator("#list-services .count")).to_contain_text("av 2 ")
    expect(page.locator(".filter-notice")).to_be_visible()

    # A second group of the same category widens the list.
    open_groups(page)
    page.locator("#list-services .group-filter").get_by_label("Avdelning:Sälj").check()
    page.locator("#list-services .group-filter").get_by_role("button", name="Filtrera").click()
    page.wait_for_url(re.compile(rf"grupp={ids['Sälj']}"))
    widened = shown_total(page)
    assert 2 < widened < everything

    # A group of another category narrows it (K1 has no members).
    open_groups(page)
    page.locator("#list-services .group-filter").get_by_label("Kostnadsställe:K1").check()
    page.locator("#list-services .group-filter").get_by_role("button", name="Filtrera").click()
    page.wait_for_url(re.compile(rf"grupp={ids['K1']}"))
    expect(page.locator("#list-services tbody tr.empty")).to_be_visible()

    page.get_by_role("link", name="Nollställ filtrering.").click()
    page.wait_for_url(re.compile(r"/services(\?|$)"))
    expect(page.locator("#list-services .count")).to_contain_text(f"av {everything}")
    assert "grupp" not in page.url
    assert page.js_errors == []
