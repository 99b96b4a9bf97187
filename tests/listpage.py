"""Reading the list view (UI-4), the dashboard and Excel exports in tests.

The list pages are parsed as HTML: every row's cells by their ``data-label``
and its id from the bulk-select checkbox, the pager text, the filter notice
and the filter error. Expected rows are computed in the tests themselves from
the database, independently of the list engine and of ``visible_to``.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import openpyxl
from lxml import html as lxml_html

COUNT_RE = re.compile(r"(\d+) - (\d+) av (\d+) poster")
NOTICE = "har en aktiv filtrering"
EMPTY_TEXT = "Det finns inga poster"

# The four lists: URL and the account number column of each row.
LISTS = ("services", "invoices", "orders", "tickets")


@dataclass
class Listing:
    status: int
    text: str
    headers: dict
    rows: list[dict] = field(default_factory=list)
    first: int | None = None
    last: int | None = None
    total: int | None = None
    notice: bool = False
    preset: str | None = None  # the list's preset information, when shown
    reset_url: str | None = None
    error: str | None = None
    field_errors: list[str] = field(default_factory=list)
    sort_header: tuple[str, str] | None = None  # (column label, "ascending"/"descending")
    per_page_selected: str | None = None
    per_page_options: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [row["id"] for row in self.rows]

    def column(self, label: str) -> list[str]:
        return [row[label] for row in self.rows]

    @property
    def is_fragment(self) -> bool:
        return "<html" not in self.text


def parse_list(response) -> Listing:
    text = response.get_data(as_text=True)
    listing = Listing(status=response.status_code, text=text, headers=dict(response.headers))
    if response.status_code != 200 or "listview" not in text:
        return listing
    doc = lxml_html.fromstring(text)
    for tr in doc.xpath('//table[contains(@class, "list")]/tbody/tr[not(@class="empty")]'):
        row = {}
        for td in tr.xpath("./td[@data-label]"):
            row[td.get("data-label")] = td.text_content().strip()
        ids = tr.xpath('.//input[@name="ids"]/@value')
        row["id"] = int(ids[0]) if ids else None
        listing.rows.append(row)
    match = COUNT_RE.search(text)
    if match:
        listing.first, listing.last, listing.total = (int(g) for g in match.groups())
    notice = doc.xpath('//p[contains(@class, "filter-notice")]')
    if notice:
        listing.notice = NOTICE in notice[0].text_content()
        links = notice[0].xpath(".//a/@href")
        listing.reset_url = links[0] if links else None
    preset = doc.xpath('//p[contains(@class, "preset-notice")]')
    if preset:
        listing.preset = preset[0].text_content().strip()
    error = doc.xpath('//div[contains(@class, "listview")]/p[contains(@class, "form-error")]')
    if error:
        listing.error = error[0].text_content().strip()
    listing.field_errors = [
        e.text_content().strip() for e in doc.xpath('//p[@class="field-error"]')
    ]
    sorted_th = doc.xpath("//th[@aria-sort]")
    if sorted_th:
        label = sorted_th[0].xpath(".//a")[0].text_content().strip().rstrip("↑↓")
        listing.sort_header = (label, sorted_th[0].get("aria-sort"))
    options = doc.xpath('//select[@name="per_page"]/option')
    listing.per_page_options = [o.get("value") for o in options]
    selected = [o.get("value") for o in options if o.get("selected") is not None]
    listing.per_page_selected = selected[0] if selected else None
    return listing


def get_list(client, path: str, params=None, headers=None) -> Listing:
    response = client.get(path, query_string=params or {}, headers=headers or {})
    return parse_list(response)


def get_url(client, url: str, headers=None) -> Listing:
    """Follow a link taken from a page (its query string kept as is)."""
    return parse_list(client.get(url, headers=headers or {}))


def all_rows(client, path: str, params=None) -> Listing:
    """Every row of a list over all its pages (100 per page)."""
    params = dict(params or {})
    params["per_page"] = 100
    first = get_list(client, path, params)
    assert first.status == 200, (path, first.status)
    rows = list(first.rows)
    pages = max(1, math.ceil((first.total or 0) / 100))
    for page in range(2, pages + 1):
        more = get_list(client, path, {**params, "page": page})
        assert more.status == 200
        rows += more.rows
    assert len(rows) == first.total, "the pages together hold exactly the total"
    first.rows = rows
    return first


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --------------------------------------------------------------------- dashboard

TILE_RE = re.compile(
    r'<a class="tile[^"]*" href="([^"]+)">\s*<span class="tile-count">(\d+)</span>\s*'
    r'<span class="tile-label">([^<]+)</span>'
)


def tiles(client) -> dict[str, tuple[int, str]]:
    """The start page's tiles: label → (count, link)."""
    response = client.get("/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return {
        label: (int(count), href.replace("&amp;", "&"))
        for href, count, label in TILE_RE.findall(text)
    }


def menu(text: str) -> list[str]:
    doc = lxml_html.fromstring(text)
    return [a.text_content().strip() for a in doc.xpath('//nav[@class="mainmenu"]/a')]


# ------------------------------------------------------------------------- excel


def read_xlsx(response):
    """(header row, data rows as lists of cells) of an .xlsx download."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return header, rows[1:]


def xlsx_column(header, rows, label) -> list:
    index = header.index(label)
    return [row[index].value for row in rows]
