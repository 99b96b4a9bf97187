"""The list view (UI-4) on the four lists: sorting, default sort and filter,
each kind of filter, the filter notice, paging and htmx fragments.

Expected rows and orders are computed from the database in Python.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from tests import expected
from tests.conftest import ADMIN
from tests.listpage import EMPTY_TEXT, LISTS, all_rows, get_list, get_url

# (list, sort key, header label, value the rows are ordered by; None sorts apart)
SORTS = [
    ("services", "status", "Status", lambda s: s.status),
    ("services", "number", "Nummer", lambda s: s.number),
    ("services", "user", "Användare", lambda s: s.user_name),
    ("services", "product", "Produkt", lambda s: s.product.name),
    ("services", "monthly", "Månadsavg.", lambda s: s.monthly_ore),
    ("services", "account", "Konto", lambda s: s.account.customer_number),
    ("invoices", "status", "Status", expected.shown_invoice_status),
    ("invoices", "customer", "Kundnummer", lambda i: i.account.customer_number),
    ("invoices", "account", "Konto", lambda i: i.account.alias or i.account.company_name),
    ("invoices", "number", "Fakturanummer", lambda i: i.number),
    ("invoices", "due", "Förfallodatum", lambda i: i.due_date),
    ("invoices", "date", "Fakturadatum", lambda i: i.invoice_date),
    ("invoices", "amount", "Belopp", lambda i: i.amount_ore),
    ("orders", "number", "Ordernummer", lambda o: o.number),
    ("orders", "status", "Status", lambda o: o.status),
    ("orders", "type", "Typ", lambda o: o.type),
    ("orders", "date", "Orderdatum", lambda o: o.created_at),
    ("orders", "end", "Slutdatum", lambda o: o.completed_at),
    ("orders", "account", "Konto", lambda o: o.account.customer_number),
    ("tickets", "status", "Status", lambda t: t.status),
    ("tickets", "number", "Ärende #", lambda t: t.number),
    ("tickets", "category", "Kategori", lambda t: t.category),
    ("tickets", "priority", "Prioritet", lambda t: t.priority),
    ("tickets", "subject", "Rubrik", lambda t: t.subject),
    ("tickets", "service", "Tjänst", lambda t: t.service.number if t.service_id else None),
    ("tickets", "account", "Konto", lambda t: t.account.alias or t.account.company_name),
    ("tickets", "created", "Skapat", lambda t: t.created_at),
    ("tickets", "action", "Åtgärd", lambda t: t.last_action_at),
]
ALL_ROWS = {"services": {"f_status": ""}}


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


def assert_ordered(shown_ids, objects, key, descending):
    """Rows with a value are in (value, id) order; rows without one sit together
    at one end (where NULLs go is the database's choice)."""
    valued = [o for o in objects if key(o) is not None]
    want = [o.id for o in sorted(valued, key=lambda o: (key(o), o.id))]
    if descending:
        want.reverse()
    valued_ids = {o.id for o in valued}
    assert [i for i in shown_ids if i in valued_ids] == want
    nulls = [n for n, i in enumerate(shown_ids) if i not in valued_ids]
    if nulls:
        assert nulls in (
            list(range(len(nulls))),
            list(range(len(shown_ids) - len(nulls), len(shown_ids))),
        )


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize(
    ("name", "sort", "label", "key"), SORTS, ids=[f"{n}-{s}" for n, s, _, _ in SORTS]
)
def test_sorting_orders_every_row(admin, name, sort, label, key, direction):
    listing = all_rows(
        admin, f"/{name}", {**ALL_ROWS.get(name, {}), "sort": sort, "dir": direction}
    )
    objects = expected.ROWS[name](ADMIN)
    assert len({key(o) for o in objects}) > 1, "the column has values to sort"
    assert_ordered(listing.ids, objects, key, direction == "desc")
    assert listing.sort_header == (label, "descending" if direction == "desc" else "ascending")


def test_header_link_toggles_direction_and_keeps_filters(admin):
    listing = get_list(
        admin, "/invoices", {"f_status": "paid", "sort": "amount", "dir": "asc", "page": 2}
    )
    text = listing.text
    doc = lxml.html.fromstring(text)
    link = doc.xpath("//th[@aria-sort]//a/@href")[0]
    query = parse_qs(urlsplit(link).query, keep_blank_values=True)
    assert query["sort"] == ["amount"] and query["dir"] == ["desc"]
    assert query["f_status"] == ["paid"]
    assert "page" not in query  # a new sort starts on page 1
    other = doc.xpath('//th[not(@aria-sort)]//a[contains(@href, "sort=number")]/@href')[0]
    assert parse_qs(urlsplit(other).query)["dir"] == ["asc"]
    # paging keeps sort and filter
    next_link = doc.xpath('//a[@rel="next"]/@href')[0]
    query = parse_qs(urlsplit(next_link).query)
    assert query["sort"] == ["amount"] and query["f_status"] == ["paid"] and query["page"] == ["3"]


# ----------------------------------------------------------------- defaults


def test_services_default_to_live_services_sorted_by_number(admin):
    """Tjänster opens on live subscriptions, Aktiv and Spärrad (SRV-1): a
    barred service, e.g. one whose SIM card was lost, is still there."""
    listing = all_rows(admin, "/services")
    live = [s for s in expected.services(ADMIN) if s.status in ("active", "barred")]
    assert len(live) < len(expected.services(ADMIN)), "there are ended services to hide"
    assert listing.ids == [s.id for s in sorted(live, key=lambda s: (s.number, s.id))]
    assert set(listing.column("Status")) == {"Aktiv", "Spärrad"}
    assert listing.sort_header == ("Nummer", "ascending")


def test_invoices_default_to_due_date_descending(admin):
    listing = all_rows(admin, "/invoices")
    invoices = expected.invoices(ADMIN)
    assert listing.ids == [
        i.id for i in sorted(invoices, key=lambda i: (i.due_date, i.id), reverse=True)
    ]
    assert listing.sort_header == ("Förfallodatum", "descending")
    assert "↓" in listing.text
    assert not listing.notice


# ------------------------------------------------------------------ filters


def _ids(objects, predicate):
    return {o.id for o in objects if predicate(o)}


def _quartiles(values):
    values = sorted(values)
    return values[len(values) // 4], values[3 * len(values) // 4]


def _kronor(ore: int) -> str:
    return f"{ore // 100},{ore % 100:02d}"


def _check_filter(client, name, params, predicate, base=None):
    objects = expected.ROWS[name](ADMIN)
    want = _ids(objects, predicate)
    assert want, "the filter keeps some rows"
    assert len(want) < len(objects), "the filter drops some rows"
    listing = all_rows(client, f"/{name}", {**(base or {}), **params})
    assert set(listing.ids) == want
    assert listing.notice
    assert listing.error is None
    return listing


def test_text_filter_is_a_case_insensitive_contains(admin):
    listing = _check_filter(
        admin,
        "services",
        {"f_user": "rOUTER"},
        lambda s: "router" in s.user_name.lower(),
        base={"f_status": ""},
    )
    assert all("Router" in user for user in listing.column("Användare"))


def test_text_filter_on_several_columns(admin):
    """Konto searches kundnummer, company name and alias."""
    _check_filter(
        admin,
        "services",
        {"f_account": "Stockholmskontoret"},
        lambda s: "stockholmskontoret" in s.account.alias.lower(),
        base={"f_status": ""},
    )
    _check_filter(admin, "tickets", {"f_subject": "test"}, lambda t: "test" in t.subject.lower())


def test_text_filter_on_a_number_column(admin):
    invoice = expected.invoices(ADMIN)[5]
    part = invoice.number[-3:]
    _check_filter(admin, "invoices", {"f_number": part}, lambda i: part in i.number)


def test_order_product_filter(admin):
    _check_filter(
        admin,
        "orders",
        {"f_products": "iphone"},
        lambda o: "iphone" in expected.order_products(o).lower(),
    )


@pytest.mark.parametrize(
    ("name", "params", "predicate"),
    [
        ("invoices", {"f_status": "overdue"}, lambda i: expected.shown_invoice_status(i) == "overdue"),
        ("invoices", {"f_status": ["paid", "unpaid"]}, lambda i: expected.shown_invoice_status(i) != "overdue"),
        ("orders", {"f_status": ["completed", "cancelled"]}, lambda o: o.status in ("completed", "cancelled")),
        ("orders", {"f_type": "new"}, lambda o: o.type == "new"),
        ("tickets", {"f_priority": "1"}, lambda t: t.priority == 1),
        ("tickets", {"f_category": ["support", "fault"]}, lambda t: t.category in ("support", "fault")),
        ("services", {"f_status": ["barred", "terminating"]}, lambda s: s.status in ("barred", "terminating")),
    ],
)  # fmt: skip
def test_choice_filter(admin, name, params, predicate):
    _check_filter(admin, name, params, predicate)


@pytest.mark.parametrize("column", ["due", "date"])
def test_date_range_filter_on_invoices(admin, column):
    attr = {"due": "due_date", "date": "invoice_date"}[column]
    low, high = _quartiles(getattr(i, attr) for i in expected.invoices(ADMIN))
    listing = _check_filter(
        admin,
        "invoices",
        {f"f_{column}_from": low.isoformat(), f"f_{column}_to": high.isoformat()},
        lambda i: low <= getattr(i, attr) <= high,
    )
    label = {"due": "Förfallodatum", "date": "Fakturadatum"}[column]
    assert all(low.isoformat() <= d <= high.isoformat() for d in listing.column(label))


def test_open_ended_date_range(admin):
    low, _ = _quartiles(i.due_date for i in expected.invoices(ADMIN))
    _check_filter(admin, "invoices", {"f_due_from": low.isoformat()}, lambda i: i.due_date >= low)
    _check_filter(admin, "invoices", {"f_due_to": low.isoformat()}, lambda i: i.due_date <= low)


@pytest.mark.parametrize(
    ("name", "column", "attr"),
    [("orders", "date", "created_at"), ("tickets", "created", "created_at")],
)
def test_date_range_filter_on_timestamps_uses_local_days(admin, name, column, attr):
    objects = expected.ROWS[name](ADMIN)
    days = sorted({expected.local_date(getattr(o, attr)) for o in objects})
    assert len(days) >= 3
    low, high = days[1], days[-2]
    _check_filter(
        admin,
        name,
        {f"f_{column}_from": low.isoformat(), f"f_{column}_to": high.isoformat()},
        lambda o: low <= expected.local_date(getattr(o, attr)) <= high,
    )


def test_amount_range_filter(admin):
    low, high = _quartiles(i.amount_ore for i in expected.invoices(ADMIN))
    listing = _check_filter(
        admin,
        "invoices",
        {"f_amount_min": _kronor(low), "f_amount_max": _kronor(high)},
        lambda i: low <= i.amount_ore <= high,
    )
    assert listing.rows


def test_amount_filter_accepts_swedish_and_plain_formats(admin):
    low, _ = _quartiles(s.monthly_ore for s in expected.services(ADMIN))
    want = lambda s: s.monthly_ore >= low  # noqa: E731
    plain = f"{low // 100}.{low % 100:02d}"
    spaced = f"{low // 100:,}".replace(",", " ") + f",{low % 100:02d}"
    for text in (_kronor(low), plain, spaced):
        _check_filter(admin, "services", {"f_monthly_min": text}, want, base={"f_status": ""})


def test_filters_combine(admin):
    low, _ = _quartiles(i.amount_ore for i in expected.invoices(ADMIN))
    _check_filter(
        admin,
        "invoices",
        {"f_status": "paid", "f_amount_min": _kronor(low), "f_customer": "2308"},
        lambda i: (
            i.status == "paid" and i.amount_ore >= low and "2308" in i.account.customer_number
        ),
    )


# ------------------------------------------------------------ filter notice


def test_no_notice_without_filters(admin):
    for name in ("invoices", "orders", "tickets"):
        listing = get_list(admin, f"/{name}")
        assert not listing.notice, name
        assert "Nollställ filtrering" not in listing.text
    assert not get_list(admin, "/services", {"f_status": ""}).notice


def test_notice_and_reset_link_show_every_row(admin):
    listing = get_list(
        admin, "/invoices", {"f_status": "paid", "f_amount_min": "100", "sort": "amount"}
    )
    assert listing.notice
    assert "Observera" in listing.text and "Nollställ filtrering." in listing.text
    reset = get_url(admin, listing.reset_url)
    assert not reset.notice
    assert reset.total == len(expected.invoices(ADMIN))
    assert reset.sort_header == ("Belopp", "ascending"), "the reset keeps the sort"


PRESET = "Visar aktiva och spärrade tjänster – ändra i kolumnen Status"


def test_services_preset_reads_as_information_not_a_filter_warning(admin):
    listing = get_list(admin, "/services")
    assert listing.preset == PRESET
    assert not listing.notice and "Nollställ filtrering" not in listing.text
    # The same two statuses ticked by hand are the preset too.
    by_hand = get_list(admin, "/services", {"f_status": ["barred", "active"]})
    assert by_hand.preset == PRESET and not by_hand.notice
    # Every status: neither the preset nor a filter.
    every = get_list(admin, "/services", {"f_status": ""})
    assert every.preset is None and not every.notice


@pytest.mark.parametrize(
    "params",
    [
        {"f_user": "a", "sort": "monthly"},
        {"f_status": "terminated", "sort": "monthly"},
        {"f_status": "", "f_kind": "mobile", "sort": "monthly"},
    ],
)
def test_services_reset_returns_to_the_preset(admin, params):
    """A filter the user chose shows the manual's notice; Nollställ filtrering
    goes back to the preset (Aktiv and Spärrad), not to every service."""
    listing = get_list(admin, "/services", params)
    assert listing.notice
    assert "Observera" in listing.text and "Nollställ filtrering." in listing.text
    reset = all_rows(
        admin,
        urlsplit(listing.reset_url).path,
        dict(
            (k, v[0])
            for k, v in parse_qs(urlsplit(listing.reset_url).query, keep_blank_values=True).items()
        ),
    )
    live = {s.id for s in expected.services(ADMIN) if s.status in ("active", "barred")}
    assert set(reset.ids) == live
    assert not reset.notice and reset.preset == PRESET
    assert reset.sort_header == ("Månadsavg.", "ascending"), "the reset keeps the sort"


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize("per_page", [10, 20, 50, 100])
def test_per_page_choices(admin, per_page):
    total = len(expected.invoices(ADMIN))
    assert total > 50
    listing = get_list(admin, "/invoices", {"per_page": per_page})
    shown = min(per_page, total)
    assert len(listing.rows) == shown
    assert f"1 - {shown} av {total} poster" in listing.text
    assert listing.per_page_selected == str(per_page)
    assert listing.per_page_options == ["10", "20", "50", "100"]


@pytest.mark.parametrize("name", LISTS)
def test_pager_text_and_pages(admin, name):
    objects = expected.ROWS[name](ADMIN)
    params = ALL_ROWS.get(name, {})
    total = len(objects)
    first = get_list(admin, f"/{name}", params)
    assert (first.first, first.last, first.total) == (1, min(20, total), total)
    assert f"1 - {min(20, total)} av {total} poster" in first.text
    if total > 20:
        second = get_list(admin, f"/{name}", {**params, "page": 2})
        assert (second.first, second.last) == (21, min(40, total))
        assert not set(first.ids) & set(second.ids)


def test_last_page_text(admin):
    total = len(expected.invoices(ADMIN))
    pages = -(-total // 20)
    listing = get_list(admin, "/invoices", {"page": pages})
    assert f"{(pages - 1) * 20 + 1} - {total} av {total} poster" in listing.text
    assert len(listing.rows) == total - (pages - 1) * 20


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("services", {"f_number": "no-such-number"}),
        ("invoices", {"f_number": "no-such-invoice"}),
        ("orders", {"f_number": "999999999"}),
        ("tickets", {"f_subject": "no such subject"}),
    ],
)
def test_empty_result(admin, name, params):
    listing = get_list(admin, f"/{name}", params)
    assert listing.status == 200
    assert listing.rows == []
    assert EMPTY_TEXT in listing.text
    assert "0 - 0 av 0 poster" in listing.text
    assert listing.notice


def test_non_empty_list_does_not_say_empty(admin):
    assert EMPTY_TEXT not in get_list(admin, "/invoices").text


# ------------------------------------------------------------------ htmx


@pytest.mark.parametrize("name", LISTS)
def test_htmx_request_gets_the_list_fragment(admin, name):
    params = {
        **ALL_ROWS.get(name, {}),
        "sort": "number" if name != "invoices" else "amount",
        "dir": "desc",
    }
    full = get_list(admin, f"/{name}", params)
    fragment = get_list(admin, f"/{name}", params, headers={"HX-Request": "true"})
    assert fragment.status == 200
    assert fragment.is_fragment
    assert "<body" not in fragment.text and "mainmenu" not in fragment.text
    assert fragment.text.lstrip().startswith(f'<div id="list-{name}"')
    assert fragment.ids == full.ids and fragment.total == full.total
    assert "HX-Request" in fragment.headers.get("Vary", "")
    assert "HX-Request" in full.headers.get("Vary", "")
    assert not full.is_fragment


@pytest.mark.parametrize("name", LISTS)
def test_history_restore_gets_the_full_page(admin, name):
    listing = get_list(
        admin,
        f"/{name}",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert listing.status == 200
    assert "<html" in listing.text and "mainmenu" in listing.text
    assert "HX-Request" in listing.headers.get("Vary", "")


def test_htmx_fragment_for_filters_and_pages(admin):
    fragment = get_list(
        admin, "/invoices", {"f_status": "paid", "page": 2}, headers={"HX-Request": "true"}
    )
    assert fragment.is_fragment
    assert fragment.notice
    assert fragment.first == 21
    assert set(fragment.column("Status")) == {"Betald"}


def test_dates_in_rows_are_iso(admin):
    listing = get_list(admin, "/invoices")
    for value in listing.column("Förfallodatum"):
        dt.date.fromisoformat(value)


# What the row shows in the Konto column, reduced to the part the column sorts by.
SHOWN_ACCOUNT = {
    "services": lambda text: text.split(" - ")[0],
    "orders": lambda text: text.split(" - ")[0],
    "invoices": lambda text: text,
    "tickets": lambda text: text.rsplit(" (", 1)[0],
}


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("name", LISTS)
def test_account_column_sorts_by_what_it_shows(admin, name, direction):
    """An account with an alias shows the alias (M2M, Stockholmskontoret), so
    sorting on Konto orders the rows by that text, not by the hidden name."""
    listing = all_rows(
        admin, f"/{name}", {**ALL_ROWS.get(name, {}), "sort": "account", "dir": direction}
    )
    shown = [SHOWN_ACCOUNT[name](text) for text in listing.column("Konto")]
    assert len(set(shown)) > 2
    assert shown == sorted(shown, reverse=direction == "desc")
