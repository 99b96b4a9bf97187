"""Capped totals of group-filtered lists (LIST_COUNT_CAP, issue 18 item 9).

With a group filter the lists count at most LIST_COUNT_CAP + 1 rows: above
it the pager says "av fler än N", the pages up to the cap are offered, a page
beyond it shows none (with a link back), the Excel export still has every
row and Fakturor's group sum gives way to a pointer to the report. Here the
cap is 15 and a page holds 10 rows: Sälj has 17 services, 17 calls and 17
invoices, Lager one of each.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from database import write_tx
from models import CallRecord, Group, GroupCategory, GroupMembership, Invoice, InvoiceLine

CAP = 15
SALJ = 17
COUNT_RE = re.compile(r"(\d+) - (\d+) av (fler än )?(\d+) poster")


@pytest.fixture
def world(app, make_org, make_account, make_user, make_service):
    app.config["LIST_COUNT_CAP"] = CAP
    org = make_org(name="Takbolaget AB")
    account = make_account(org, company_name="Konto Tak")
    admin = make_user(org, superuser=True)
    month = dt.date.today().replace(day=1)
    salj = [make_service(account, user_name=f"Säljare {n}") for n in range(SALJ)]
    lager = make_service(account, user_name="Lagerist")
    with write_tx():
        avd = GroupCategory.create(organisation=org, name="Avdelning", position=0)
        groups = {name: Group.create(category=avd, name=name) for name in ("Sälj", "Lager")}
        GroupMembership.create(group=groups["Sälj"], account=account, start_month=month)
        GroupMembership.create(group=groups["Lager"], service=lager, start_month=month)
        for n, service in enumerate([*salj, lager]):
            CallRecord.create(
                organisation=org,
                account=account,
                service=service,
                started_at=dt.datetime.combine(month, dt.time(8)) + dt.timedelta(minutes=n),
                a_number=service.number,
                b_number=f"08{n:08d}",
                traffic_type="mobile",
            )
            invoice = Invoice.create(
                organisation=org,
                account=account,
                number=f"T-{n}",
                invoice_date=month,
                due_date=month + dt.timedelta(days=30 + n),
                period_start=month,
                amount_ore=12500,
                vat_ore=2500,
            )
            InvoiceLine.create(
                invoice=invoice,
                service=service,
                description="Abonnemang",
                period_start=month,
                amount_ore=10000 if service is not lager else 500,
                position=0,
            )
    return {"admin": admin, "groups": {name: g.id for name, g in groups.items()}}


PAGER_RE = re.compile(r'<div class="pager">.*?</div>', re.S)
GROUP_TOTAL_RE = re.compile(
    r"<p [^>]*X-List-Part&#34;: &#34;group-total[^>]*>.*?</p>|"
    r"<p [^>]*\"X-List-Part\": \"group-total\"[^>]*>.*?</p>",
    re.S,
)


def get(client, path, world, group=None, **args):
    """The page as a browser ends up showing it: a group-filtered page with a
    next page comes uncounted and fetches its pager (and Fakturor's group
    sum) after loading (ListView._part); those parts replace their slots."""
    query = ([("grupp", world["groups"][group])] if group else []) + list(args.items())
    response = client.get(path, query_string=query)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if "(räknas)" in text:
        pager = part(client, path, query, "pager")
        assert pager.startswith('<div class="pager">')
        text = PAGER_RE.sub(lambda _m: pager, text, count=1)
    if GROUP_TOTAL_RE.search(text):
        total = part(client, path, query, "group-total")
        text = GROUP_TOTAL_RE.sub(lambda _m: total, text, count=1)
    return text


def part(client, path, query, name):
    response = client.get(
        path, query_string=query, headers={"HX-Request": "true", "X-List-Part": name}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True).strip()


def count(text):
    """(first, last, "fler än " or None, total) of the pager."""
    first, last, more, total = COUNT_RE.search(text).groups()
    return int(first), int(last), more, int(total)


@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_over_the_cap_the_total_is_fler_an(client, login, world, path):
    login(client, world["admin"].username)
    text = get(client, path, world, "Sälj", per_page=10)
    assert count(text) == (1, 10, "fler än ", CAP)
    assert "Fler än 15 poster matchar de valda grupperna" in text
    # The pages up to the cap: page 2 is the last offered, no page 3 link.
    assert 'rel="next"' in text
    assert "page=2" in text and "page=3" not in text


@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_paging_forward_to_the_cap(client, login, world, path):
    login(client, world["admin"].username)
    text = get(client, path, world, "Sälj", per_page=10, page=2)
    # Rows 11–17: the page ends where the rows do, not at the counted 16.
    assert count(text) == (11, SALJ, "fler än ", CAP)
    body = text.split("<tbody>")[1].split("</tbody>")[0]
    assert 'class="empty"' not in body
    # The last page offered: Föregående, but no Nästa.
    assert 'rel="prev"' in text and 'rel="next"' not in text


@pytest.mark.parametrize("page", [3, 50, 10**9])
@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_a_page_beyond_the_cap_is_empty_with_a_link_back(client, login, world, path, page):
    login(client, world["admin"].username)
    text = get(client, path, world, "Sälj", per_page=10, page=page)
    body = text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Sidan ligger efter de första 15 posterna" in body
    assert re.search(r'href="[^"]*page=2[^"]*"[^>]*>Till sida 2<', body)
    assert count(text) == (0, 0, "fler än ", CAP)
    back = re.search(r'href="([^"]+)"[^>]*rel="prev"', text).group(1).replace("&amp;", "&")
    assert "page=2" in back


def test_the_htmx_fragment_comes_uncounted_and_its_pager_says_fler_an(client, login, world):
    login(client, world["admin"].username)
    query = {"grupp": world["groups"]["Sälj"], "per_page": 10}
    response = client.get("/calls", query_string=query, headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    # The page: its rows, Nästa, and a pager that fetches the count after loading.
    assert text.split("<tbody>")[1].split("</tbody>")[0].count("<tr") == 10
    assert "1 - 10 av … poster (räknas)" in text and "fler än" not in text
    assert 'rel="next"' in text and 'hx-trigger="load"' in text
    pager = part(client, "/calls", query, "pager")
    assert "av fler än 15 poster" in pager and "<table" not in pager
    assert "Fler än 15 poster matchar de valda grupperna" in pager


def test_a_part_without_its_use_is_404(client, login, world):
    login(client, world["admin"].username)
    query = {"grupp": world["groups"]["Sälj"], "per_page": 10}
    headers = {"HX-Request": "true", "X-List-Part": "group-total"}
    # Tjänster shows no group sum; Fakturor none without a chosen group.
    assert client.get("/services", query_string=query, headers=headers).status_code == 404
    assert client.get("/invoices", headers=headers).status_code == 404
    # An unknown part is the page itself.
    other = client.get("/calls", query_string=query, headers={"X-List-Part": "x"})
    assert other.status_code == 200 and "<html" in other.get_data(as_text=True)


def test_without_a_next_page_the_total_is_counted_at_once(client, login, world):
    login(client, world["admin"].username)
    response = client.get("/services", query_string={"grupp": world["groups"]["Sälj"]})
    text = response.get_data(as_text=True)
    # 17 rows on a page of 20: the page's rows are the whole list, capped at 15.
    assert "(räknas)" not in text and count(text) == (1, SALJ, "fler än ", CAP)


@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_the_export_has_every_row(client, login, world, path):
    login(client, world["admin"].username)
    response = client.get(
        path, query_string=[("grupp", world["groups"]["Sälj"]), ("export", "xlsx")]
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert len(list(book.active.iter_rows(values_only=True))) == 1 + SALJ


@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_under_the_cap_the_total_is_exact(client, login, world, path):
    login(client, world["admin"].username)
    text = get(client, path, world, "Lager")
    assert count(text) == (1, 1, None, 1)
    assert "matchar de valda grupperna" not in text


@pytest.mark.parametrize("path", ["/services", "/calls", "/invoices"])
def test_unfiltered_lists_stay_exact(client, login, world, path):
    login(client, world["admin"].username)
    text = get(client, path, world, per_page=10)
    assert count(text) == (1, 10, None, SALJ + 1)
    assert "page=2" in text and "fler än" not in text


def test_invoice_group_sum_under_the_cap(client, login, world):
    login(client, world["admin"].username)
    text = get(client, "/invoices", world, "Lager")
    summary = re.search(r"Summa för valda grupper: <strong>([^<]+)</strong>", text).group(1)
    assert summary.replace("\xa0", " ").startswith("5,00")
    assert "Kostnader per grupp" not in text


def test_invoice_group_sum_over_the_cap_points_to_the_report(client, login, world):
    login(client, world["admin"].username)
    text = get(client, "/invoices", world, "Sälj")
    assert "Summa för valda grupper:" not in text
    assert "Summan för valda grupper visas när listan har högst 15 fakturor" in text
    assert 'href="/reports/group-costs"' in text or "Kostnader per grupp</a>" in text


def test_a_higher_cap_gives_the_exact_total_and_sum(app, client, login, world):
    app.config["LIST_COUNT_CAP"] = 10000
    login(client, world["admin"].username)
    text = get(client, "/invoices", world, "Sälj", per_page=10)
    assert count(text) == (1, 10, None, SALJ)
    summary = re.search(r"Summa för valda grupper: <strong>([^<]+)</strong>", text).group(1)
    assert summary.replace("\xa0", " ").startswith("1 700,00")


def test_a_cap_of_one_page_offers_no_next(app, client, login, world):
    app.config["LIST_COUNT_CAP"] = 10
    login(client, world["admin"].username)
    text = get(client, "/calls", world, "Sälj", per_page=10)
    assert count(text) == (1, 10, "fler än ", 10)
    assert 'rel="next"' not in text
