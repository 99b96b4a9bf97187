"""Scope and permissions (SPEC §1): every list, tile, export and URL shows only
what the user's organisation, account sub-tree and permissions allow."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from models import Account, Invoice, Organisation
from tests import expected
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF
from tests.listpage import LISTS, all_rows, menu, read_xlsx, tiles, xlsx_column

CUSTOMERS = [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN]
# What each demo user may open (invoices-only holds invoices.view alone).
OPENS = {
    ADMIN: set(LISTS),
    ACCOUNT_ADMIN: set(LISTS),
    INVOICES_ONLY: {"invoices"},
    OTHER_ORG_ADMIN: set(LISTS),
}
USER_LISTS = [(u, name) for u in CUSTOMERS for name in LISTS if name in OPENS[u]]
# Services default to "active only"; an empty f_status shows every status.
ALL_ROWS = {"services": {"f_status": ""}}


def _other_org_name(username: str) -> str:
    mine = expected.user(username).organisation_id
    return Organisation.get(Organisation.id != mine).name


def test_demo_scopes_are_what_the_tests_assume(demo_app):
    """The Kontoadministratör sees 99500852 and below only; the others their whole tree."""
    assert sorted(expected.allowed_accounts(ACCOUNT_ADMIN).values()) == [
        "23080667",
        "23080670",
        "99500852",
    ]
    a3 = expected.allowed_accounts(ADMIN)
    assert set(expected.allowed_accounts(INVOICES_ONLY)) == set(a3)
    assert not set(a3) & set(expected.allowed_accounts(OTHER_ORG_ADMIN))


@pytest.mark.parametrize(("username", "name"), USER_LISTS)
def test_list_shows_exactly_the_rows_in_scope(demo_client, login, username, name):
    login(demo_client, username)
    listing = all_rows(demo_client, f"/{name}", ALL_ROWS.get(name))

    want = {row.id for row in expected.ROWS[name](username)}
    assert want, "the demo data gives this user something to see"
    assert set(listing.ids) == want
    allowed = set(expected.allowed_accounts(username).values())
    other_org = _other_org_name(username)
    for row in listing.rows:
        assert expected.row_account_number(name, row) in allowed, row
        assert not any(other_org in str(value) for value in row.values()), row


def test_account_admin_sees_less_than_the_administrator(demo_client, login):
    """The sub-tree is a real restriction: rows of 99012615, 23080671 … are hidden."""
    login(demo_client, ACCOUNT_ADMIN)
    mine = set(all_rows(demo_client, "/services", {"f_status": ""}).ids)
    outside = {s.id for s in expected.services(ADMIN)} - {
        s.id for s in expected.services(ACCOUNT_ADMIN)
    }
    assert outside
    assert not mine & outside


@pytest.mark.parametrize(("username", "name"), USER_LISTS)
def test_excel_export_holds_only_rows_in_scope(demo_client, login, username, name):
    login(demo_client, username)
    response = demo_client.get(
        f"/{name}", query_string={**ALL_ROWS.get(name, {}), "export": "xlsx"}
    )
    header, rows = read_xlsx(response)

    allowed = set(expected.allowed_accounts(username).values())
    numbers = xlsx_column(header, rows, expected.EXPORT_ACCOUNT_COLUMN[name])
    assert numbers
    assert all(str(n) in allowed for n in numbers), set(numbers) - allowed
    label, key = expected.EXPORT_KEY[name]
    assert sorted(xlsx_column(header, rows, label)) == sorted(
        key(row) for row in expected.ROWS[name](username)
    )


@pytest.mark.parametrize("username", CUSTOMERS)
def test_dashboard_tiles_count_only_what_is_in_scope(demo_client, login, username):
    login(demo_client, username)
    shown = {label: count for label, (count, _) in tiles(demo_client).items()}

    want = {
        "Obetalda fakturor": sum(1 for i in expected.invoices(username) if i.status == "unpaid"),
        "Förfallna fakturor": sum(
            1
            for i in expected.invoices(username)
            if i.status == "unpaid" and i.due_date < dt.date.today()
        ),
    }
    if username != INVOICES_ONLY:
        want["Aktiva tjänster"] = sum(
            1 for s in expected.services(username) if s.status in ("active", "barred")
        )
        want["Pågående beställningar"] = sum(
            1 for o in expected.orders(username) if o.status not in expected.NOT_ONGOING_ORDER
        )
        want["Pågående ärenden"] = sum(
            1 for t in expected.tickets(username) if t.status not in expected.TICKET_NOT_ONGOING
        )
    assert shown == want


def _one_invoice_per_account():
    seen = {}
    for invoice in Invoice.select().order_by(Invoice.id):
        seen.setdefault(invoice.account_id, invoice)
    return list(seen.values())


@pytest.mark.parametrize("username", CUSTOMERS)
def test_invoice_pdf_of_another_scope_answers_404(demo_client, login, username):
    login(demo_client, username)
    allowed = expected.allowed_accounts(username)
    samples = _one_invoice_per_account()
    assert any(i.account_id not in allowed for i in samples)
    for invoice in samples:
        response = demo_client.get(f"/invoices/{invoice.id}/pdf")
        if invoice.account_id in allowed:
            assert response.status_code == 200, invoice.number
            assert response.data.startswith(b"%PDF")
        else:
            assert response.status_code == 404, invoice.number
            assert b"%PDF" not in response.data


def test_account_admin_cannot_open_invoices_above_the_sub_tree(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    top = Account.get(Account.customer_number == "99012615")
    invoice = Invoice.select().where(Invoice.account == top).first()
    assert demo_client.get(f"/invoices/{invoice.id}/pdf").status_code == 404
    missing = Invoice.select().order_by(Invoice.id.desc()).first().id + 1000
    assert demo_client.get(f"/invoices/{missing}/pdf").status_code == 404


@pytest.mark.parametrize("invoice_id", ["0", "9223372036854775808", "99999999999999999999999"])
def test_invoice_ids_beyond_the_database_answer_404(demo_client, login, invoice_id):
    login(demo_client, ADMIN)
    assert demo_client.get(f"/invoices/{invoice_id}/pdf").status_code == 404


# ------------------------------------------------------------ invoices-only user


@pytest.mark.parametrize(
    "path",
    ["/services", "/orders", "/tickets", "/services?export=xlsx", "/orders?export=xlsx",
     "/tickets?export=xlsx"],
)  # fmt: skip
def test_invoices_only_user_is_refused_other_areas(demo_client, login, path):
    login(demo_client, INVOICES_ONLY)
    response = demo_client.get(path)
    assert response.status_code in (403, 404)
    assert b"PK\x03\x04" not in response.data[:4]  # no spreadsheet
    assert b'class="list"' not in response.data


@pytest.mark.parametrize("path", ["/", "/invoices"])
def test_invoices_only_user_sees_no_other_menu_items(demo_client, login, path):
    login(demo_client, INVOICES_ONLY)
    text = demo_client.get(path).get_data(as_text=True)
    items = menu(text)
    assert "Fakturor" in items
    assert not {"Tjänster", "Beställningar", "Ärenden"} & set(items)
    for href in ('href="/services', 'href="/orders', 'href="/tickets'):
        assert href not in text


def test_administrator_menu_has_the_four_lists(demo_client, login):
    """The counterpart of the test above: the menu does list what one may open."""
    login(demo_client, ADMIN)
    items = menu(demo_client.get("/").get_data(as_text=True))
    assert {"Översikt", "Tjänster", "Beställningar", "Fakturor", "Ärenden"} <= set(items)


def test_invoices_only_user_gets_only_the_invoice_tiles(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    assert set(tiles(demo_client)) == {"Obetalda fakturor", "Förfallna fakturor"}


# ------------------------------------------------------------ staff and anonymous

CUSTOMER_PAGES = ["/", "/services", "/invoices", "/orders", "/tickets", "/invoices?export=xlsx"]


@pytest.mark.parametrize("path", [*CUSTOMER_PAGES, "pdf"])
def test_staff_are_sent_to_the_back_office(demo_client, login, path):
    if path == "pdf":
        path = f"/invoices/{Invoice.select().first().id}/pdf"
    login(demo_client, STAFF)
    response = demo_client.get(path)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/"
    assert demo_client.get("/staff/").status_code == 200


@pytest.mark.parametrize("path", [*CUSTOMER_PAGES, "pdf"])
def test_anonymous_users_are_sent_to_login(demo_client, path):
    if path == "pdf":
        path = f"/invoices/{Invoice.select().first().id}/pdf"
    response = demo_client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]
    assert b"%PDF" not in response.data


def test_customers_do_not_get_the_back_office(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get("/staff/")
    assert response.status_code == 403
