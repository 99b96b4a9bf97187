"""Bad input on the lists never answers 500: a sensible page with, where a
filter value could not be used, a clear message (UI-4)."""

from __future__ import annotations

import pytest

from database import write_tx
from models import Service
from tests import expected
from tests.conftest import ADMIN
from tests.listpage import LISTS, get_list

ALL_ROWS = {"services": {"f_status": ""}}
FILTER_ERROR = "Ett eller flera filter kunde inte tolkas och används inte"
DATE_ERROR = "Ange datum som ÅÅÅÅ-MM-DD."
AMOUNT_ERROR = "Ange ett belopp i kronor, t.ex. 99,50."


@pytest.fixture
def admin(demo_client, login):
    login(demo_client, ADMIN)
    return demo_client


def default_ids(client, name):
    return get_list(client, f"/{name}", ALL_ROWS.get(name)).ids


def assert_page(listing, total=None):
    assert listing.status == 200
    assert "<html" in listing.text
    assert listing.total is not None, "the pager is shown"
    if total is not None:
        assert listing.total == total


# ----------------------------------------------------------- sort and paging


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("sort", ["nonexistent", "pdf", "products", "show", "id", "", "__class__"])
def test_unknown_or_unsortable_column_falls_back_to_the_default(admin, name, sort):
    listing = get_list(admin, f"/{name}", {**ALL_ROWS.get(name, {}), "sort": sort, "dir": "asc"})
    assert_page(listing, len(expected.ROWS[name](ADMIN)))
    assert listing.ids == default_ids(admin, name)


@pytest.mark.parametrize("direction", ["sideways", "", "DESC;--", "1"])
def test_unknown_direction_sorts_ascending(admin, direction):
    listing = get_list(admin, "/invoices", {"sort": "amount", "dir": direction, "per_page": 100})
    asc = get_list(admin, "/invoices", {"sort": "amount", "dir": "asc", "per_page": 100})
    assert_page(listing)
    assert listing.ids == asc.ids
    assert listing.sort_header == ("Belopp", "ascending")


@pytest.mark.parametrize("name", LISTS)
def test_page_beyond_the_end_is_clamped_to_the_last_page(admin, name):
    total = len(expected.ROWS[name](ADMIN))
    last = max(1, -(-total // 20))
    listing = get_list(admin, f"/{name}", {**ALL_ROWS.get(name, {}), "page": 999999})
    assert_page(listing, total)
    assert listing.first == (last - 1) * 20 + 1
    assert listing.last == total
    assert listing.ids == get_list(admin, f"/{name}", {**ALL_ROWS.get(name, {}), "page": last}).ids


@pytest.mark.parametrize("page", ["-1", "0", "abc", "", "1.5", "99999999999999999999999"])
def test_bad_page_numbers(admin, page):
    listing = get_list(admin, "/invoices", {"page": page})
    assert_page(listing, len(expected.invoices(ADMIN)))
    if page == "99999999999999999999999":
        assert listing.last == listing.total  # clamped to the last page
    else:
        assert listing.first == 1
        assert listing.ids == default_ids(admin, "invoices")


@pytest.mark.parametrize(
    ("per_page", "shown"),
    [("100000", 100), ("abc", 20), ("", 20), ("-5", 10), ("0", 10), ("33", 20), ("1e3", 20)],
)
def test_bad_per_page_values(admin, per_page, shown):
    total = len(expected.invoices(ADMIN))
    listing = get_list(admin, "/invoices", {"per_page": per_page})
    assert_page(listing, total)
    assert len(listing.rows) == min(shown, total)
    assert listing.per_page_selected == str(shown)


# ------------------------------------------------------------- filter values


@pytest.mark.parametrize(
    "params",
    [
        {"f_due_from": "2024-13-45"},
        {"f_due_from": "yesterday"},
        {"f_due_to": "2024-02-30"},
        {"f_due_to": "24-01-01"},
        {"f_due_from": "2024-1-1"},
        {"f_due_from": "２０２４-０１-０１"},
        {"f_date_from": "0000-00-00"},
    ],
)
def test_malformed_dates_are_ignored_with_a_message(admin, params):
    listing = get_list(admin, "/invoices", params)
    assert_page(listing, len(expected.invoices(ADMIN)))
    assert listing.error and FILTER_ERROR in listing.error
    assert DATE_ERROR in listing.error
    assert DATE_ERROR in listing.field_errors
    assert not listing.notice  # nothing is filtered


def test_one_good_and_one_bad_date_keeps_the_good_one(admin):
    low = sorted(i.due_date for i in expected.invoices(ADMIN))[40]
    listing = get_list(
        admin, "/invoices", {"f_due_from": low.isoformat(), "f_due_to": "soon", "per_page": 100}
    )
    assert_page(listing, sum(1 for i in expected.invoices(ADMIN) if i.due_date >= low))
    assert DATE_ERROR in listing.error
    assert listing.notice


def test_reversed_date_range_is_explained(admin):
    listing = get_list(admin, "/invoices", {"f_due_from": "2025-06-01", "f_due_to": "2025-01-01"})
    assert_page(listing, len(expected.invoices(ADMIN)))
    assert "Från-datum är efter till-datum." in listing.error


@pytest.mark.parametrize(
    ("name", "params", "keeps"),
    [
        ("invoices", {"f_due_to": "9999-12-31"}, None),
        ("invoices", {"f_due_from": "0001-01-01"}, None),
        ("orders", {"f_date_to": "9999-12-31"}, None),
        ("orders", {"f_date_from": "0001-01-01"}, None),
        ("orders", {"f_date_from": "0001-01-01", "f_date_to": "9999-12-31"}, None),
        ("tickets", {"f_created_to": "9999-12-31"}, None),
        ("tickets", {"f_action_from": "0001-01-01"}, lambda t: t.last_action_at is not None),
    ],
)
def test_extreme_but_valid_dates(admin, name, params, keeps):
    """The first and last days of the calendar are valid input: every row matches."""
    objects = expected.ROWS[name](ADMIN)
    listing = get_list(admin, f"/{name}", params)
    assert_page(listing, sum(1 for o in objects if keeps is None or keeps(o)))
    assert listing.error is None


@pytest.mark.parametrize(
    "text", ["abc", "1e5", "12,345", "--5", "1.2.3", "NaN", "0x10", "1 000 000 000 000", "12 kr"]
)
def test_malformed_amounts_are_ignored_with_a_message(admin, text):
    listing = get_list(admin, "/invoices", {"f_amount_min": text})
    assert_page(listing, len(expected.invoices(ADMIN)))
    assert AMOUNT_ERROR in listing.error
    assert not listing.notice


def test_reversed_amount_range_is_explained(admin):
    listing = get_list(admin, "/invoices", {"f_amount_min": "500", "f_amount_max": "100"})
    assert_page(listing, len(expected.invoices(ADMIN)))
    assert "Lägsta belopp är större än högsta." in listing.error


@pytest.mark.parametrize(
    "text",
    ["' OR 1=1 --", '" OR ""="', "%", "_", "%%", "\\", "1'; DROP TABLE service; --", "%' --"],
)
def test_sql_looking_filter_text_is_taken_literally(admin, text):
    listing = get_list(admin, "/services", {"f_status": "", "f_user": text})
    assert_page(
        listing, sum(1 for s in expected.services(ADMIN) if text.lower() in s.user_name.lower())
    )
    assert listing.error is None
    assert Service.select().count() > 0  # nothing was dropped


@pytest.mark.parametrize("text", ["%", "_", "50%", "A_B", "\\"])
def test_wildcards_match_only_themselves(admin, text):
    """With such a user name present, the filter finds exactly that service."""
    service = Service.select().where(Service.status == "active").order_by(Service.id).first()
    with write_tx():
        Service.update(user_name=f"Kund {text} rad").where(Service.id == service.id).execute()
    listing = get_list(admin, "/services", {"f_user": text})
    assert_page(listing)
    assert listing.ids == [service.id]


def test_very_long_filter_text_is_refused_with_a_message(admin):
    listing = get_list(admin, "/services", {"f_status": "", "f_user": "x" * 5000})
    assert_page(listing, len(expected.services(ADMIN)))
    assert "Högst 100 tecken." in listing.error
    assert not listing.notice


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "a\x00b",
        "\ufffd",
        "😀",
        "<script>alert(1)</script>",
        "a\r\nb",
    ],
)
def test_odd_characters_in_filter_text(admin, text):
    listing = get_list(admin, "/tickets", {"f_subject": text})
    assert_page(listing, 0)
    assert "<script>alert(1)</script>" not in listing.text


def test_undecodable_query_string(admin):
    response = admin.get("/services?f_user=%FF%FE&sort=%C0")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "params", "kept"),
    [
        ("invoices", {"f_status": "bogus"}, None),
        ("invoices", {"f_status": ["paid", "bogus"]}, lambda i: i.status == "paid"),
        ("tickets", {"f_priority": ["7", "abc"]}, None),
        ("orders", {"f_type": ["new", "x" * 300]}, lambda o: o.type == "new"),
        ("services", {"f_status": ["active", "deleted"]}, lambda s: s.status == "active"),
    ],
)
def test_unknown_choice_values_are_ignored_with_a_message(admin, name, params, kept):
    listing = get_list(admin, f"/{name}", {**params, "per_page": 100})
    objects = expected.ROWS[name](ADMIN)
    want = len(objects) if kept is None else sum(1 for o in objects if kept(o))
    assert_page(listing, want)
    assert "Okänt val ignorerades." in listing.error


@pytest.mark.parametrize("name", LISTS)
def test_everything_bad_at_once(admin, name):
    params = {
        "sort": "nope",
        "dir": "sideways",
        "page": "-3",
        "per_page": "lots",
        "f_status": "nope",
        "f_number": "' OR 1=1 --",
        "f_due_from": "yesterday",
        "f_amount_min": "many",
        "f_date_to": "2024-13-45",
        "f_created_from": "tomorrow",
        "export": "pdf",
    }
    listing = get_list(admin, f"/{name}", params)
    assert_page(listing, 0)
    assert listing.error


def test_bad_ids_for_an_export_are_a_bad_request_not_an_error(admin):
    response = admin.get("/invoices", query_string={"export": "xlsx", "ids": "abc"})
    assert response.status_code == 400


@pytest.mark.parametrize("export", ["xlsx", "zip"])
def test_ids_beyond_a_database_integer_are_not_an_error(admin, export):
    response = admin.get(
        "/invoices", query_string={"export": export, "ids": ["1", "99999999999999999999999"]}
    )
    assert response.status_code in (200, 400, 404)
