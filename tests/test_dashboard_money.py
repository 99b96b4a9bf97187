"""Money on Översikt (issue 13 item 5): what is unpaid and what is overdue,
as amounts in scope, overdue singled out and linked to its list; the invoice
list shows amounts in kronor and marks overdue rows."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs

import pytest
from lxml import html as lxml_html

from database import write_tx
from models import Invoice, User
from permissions import format_permissions, parse_permissions
from tests import expected
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from tests.listpage import all_rows, get_url, query_of
from web.formatting import kr

CUSTOMERS = [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN]
MONEY_TILES = ("Obetalda fakturor", "Förfallna fakturor")


def money_tiles(client) -> dict[str, dict]:
    """The start page's invoice tiles: label → count, amount text, link, classes."""
    response = client.get("/")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    found = {}
    for tile in doc.xpath('//section[@class="tile-groups"]//a'):
        label = tile.xpath('string(.//span[@class="tile-label"])').strip()
        if label in MONEY_TILES:
            found[label] = {
                "count": int(tile.xpath('string(.//span[@class="tile-count"])')),
                "amount": tile.xpath('string(.//span[@class="tile-amount"])').strip(),
                "url": tile.get("href"),
                "classes": tile.get("class").split(),
            }
    return found


def ore(text: str) -> int:
    """ "12 345,00 kr" (the list's and the tile's text) → öre."""
    match = re.fullmatch(r"(-?[\d\s]+),(\d\d)\s*kr", text.replace("\u00a0", " ").strip())
    assert match, text
    return int(match.group(1).replace(" ", "")) * 100 + int(match.group(2))


def shown(invoice: Invoice, today: dt.date) -> str:
    if invoice.status == "paid":
        return "paid"
    return "overdue" if invoice.due_date < today else "unpaid"


@pytest.mark.parametrize("username", CUSTOMERS)
def test_tile_amounts_are_the_sums_of_the_lists_they_open(demo_client, login, username):
    login(demo_client, username)
    tiles = money_tiles(demo_client)
    assert set(tiles) == set(MONEY_TILES)
    today = dt.date.today()
    mine = expected.invoices(username)
    want = {
        "Obetalda fakturor": [i for i in mine if shown(i, today) in ("unpaid", "overdue")],
        "Förfallna fakturor": [i for i in mine if shown(i, today) == "overdue"],
    }
    for label, tile in tiles.items():
        path, _, query = tile["url"].partition("?")
        listing = all_rows(demo_client, path, parse_qs(query, keep_blank_values=True))
        amounts = [ore(text) for text in listing.column("Belopp")]
        assert tile["count"] == listing.total == len(want[label]), label
        assert ore(tile["amount"]) == sum(amounts) == sum(i.amount_ore for i in want[label])
        assert tile["amount"] == kr(sum(amounts))
    assert want["Förfallna fakturor"], "the demo data has overdue invoices for everyone"


def test_overdue_is_singled_out_and_links_to_the_overdue_list(demo_client, login):
    login(demo_client, ADMIN)
    tile = money_tiles(demo_client)["Förfallna fakturor"]
    assert tile["url"].startswith("/invoices?")
    assert query_of(tile["url"]) == [("f_status", "overdue")]
    assert "tile-alert" in tile["classes"]
    assert "tile-alert" not in money_tiles(demo_client)["Obetalda fakturor"]["classes"]
    listing = get_url(demo_client, tile["url"])
    assert listing.rows
    assert set(listing.column("Status")) == {"Förfallen"}


def test_no_overdue_invoice_no_alert(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    with write_tx():
        Invoice.update(due_date=dt.date.today()).where(
            (Invoice.status == "unpaid") & (Invoice.due_date < dt.date.today())
        ).execute()
    tiles = money_tiles(demo_client)
    assert tiles["Förfallna fakturor"]["count"] == 0
    assert ore(tiles["Förfallna fakturor"]["amount"]) == 0
    assert "tile-alert" not in tiles["Förfallna fakturor"]["classes"]
    assert tiles["Obetalda fakturor"]["count"] > 0


def test_money_tiles_only_with_invoices_view(demo_client, login):
    user = User.get(User.username == ACCOUNT_ADMIN)
    with write_tx():
        User.update(
            permissions=format_permissions(parse_permissions(user.permissions) - {"invoices.view"})
        ).where(User.id == user.id).execute()
    login(demo_client, ACCOUNT_ADMIN)
    text = demo_client.get("/").get_data(as_text=True)
    assert money_tiles(demo_client) == {}
    assert "Aktiva tjänster" in text
    assert " kr<" not in text


def test_tiles_are_labelled_in_swedish(demo_client, login):
    login(demo_client, ADMIN)
    doc = lxml_html.fromstring(demo_client.get("/").get_data(as_text=True))
    assert doc.xpath('//section[@class="tile-groups"]/@aria-label') == ["Nyckeltal"]
    assert not doc.xpath('//*[@aria-label="Dashboard"]')


def test_invoice_list_shows_amounts_in_kronor_and_marks_overdue_rows(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get("/invoices", query_string={"f_status": "", "per_page": 100})
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    rows = doc.xpath('//table[contains(@class, "list")]/tbody/tr[not(@class="empty")]')
    assert rows
    by_id = {i.id: i for i in expected.invoices(ADMIN)}
    today = dt.date.today()
    marked = 0
    for row in rows:
        invoice = by_id[int(row.xpath('.//input[@name="ids"]/@value')[0])]
        cell = row.xpath('string(./td[@data-label="Belopp"])').strip()
        assert cell.endswith("kr") and ore(cell) == invoice.amount_ore
        overdue = shown(invoice, today) == "overdue"
        assert ("row-overdue" in (row.get("class") or "").split()) == overdue
        marked += overdue
    assert marked
