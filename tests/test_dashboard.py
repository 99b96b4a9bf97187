"""Start page tiles (UI-1): each tile's count is the total of the list it opens."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from database import write_tx
from models import Account, Invoice, Product, Service, Ticket, next_number
from tests import expected
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN
from tests.listpage import get_url, tiles

CUSTOMERS = [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN]
TILE_LISTS = {
    "Aktiva tjänster": "/services",
    "Pågående beställningar": "/orders",
    "Pågående ärenden": "/tickets",
    "Obetalda fakturor": "/invoices",
    "Förfallna fakturor": "/invoices",
}


@pytest.mark.parametrize("username", CUSTOMERS)
def test_each_tile_count_equals_the_total_of_its_list(demo_client, login, username):
    login(demo_client, username)
    shown = tiles(demo_client)
    assert shown
    for label, (count, url) in shown.items():
        assert url.startswith(TILE_LISTS[label]), (label, url)
        listing = get_url(demo_client, url)
        assert listing.status == 200, url
        assert listing.total == count, (label, url, listing.total, count)
        assert len(listing.rows) == min(count, 20)


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
def test_tile_lists_show_only_what_the_tile_counts(demo_client, login, username):
    """The pre-filtered lists hold active services, open orders/tickets, unpaid invoices."""
    login(demo_client, username)
    shown = tiles(demo_client)
    statuses = {
        "Aktiva tjänster": ("Status", {"Aktiv", "Spärrad"}),
        "Pågående beställningar": (
            "Status",
            {"Väntar på godkännande", "Mottagen", "Pågår", "Besvarad"},
        ),
        "Pågående ärenden": (
            "Status",
            {"Schemalagd", "Väntar på hantering", "Under hantering", "Väntar på kund"},
        ),
        "Obetalda fakturor": ("Status", {"Obetald", "Förfallen"}),
        "Förfallna fakturor": ("Status", {"Förfallen"}),
    }
    for label, (column, allowed) in statuses.items():
        _, url = shown[label]
        listing = get_url(
            demo_client, url + "&per_page=100" if "?" in url else url + "?per_page=100"
        )
        assert listing.rows
        assert set(listing.column(column)) <= allowed, label


@pytest.mark.parametrize("username", CUSTOMERS)
def test_active_services_tile_counts_live_services(demo_client, login, username):
    """Aktiva tjänster counts Aktiv and Spärrad, computed apart from the list
    engine, and the list it opens shows a barred service among them."""
    login(demo_client, username)
    shown = tiles(demo_client)
    if "Aktiva tjänster" not in shown:
        return  # this user may not see services (the tile is absent)
    count, url = shown["Aktiva tjänster"]
    live = [s for s in expected.services(username) if s.status in ("active", "barred")]
    assert count == len(live)
    if any(s.status == "barred" for s in live):
        listing = get_url(demo_client, url + ("&" if "?" in url else "?") + "per_page=100")
        assert "Spärrad" in listing.column("Status")


def _add_service(account, status):
    product = Product.select().where(Product.kind == "subscription").first()
    with write_tx():
        return Service.create(
            organisation=account.organisation_id,
            account=account,
            kind="mobile",
            number=f"0709{secrets.randbelow(10**6):06d}",
            product=product,
            status=status,
            start_date=dt.date.today(),
        )


def test_tiles_follow_the_data(demo_client, login):
    """A new active service in 23080667 counts for both A3 users, not for Norrbygg;
    a paid invoice and a closed ticket count for nobody."""
    before = {}
    for username in (ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN):
        login(demo_client, username)
        before[username] = {k: v for k, (v, _) in tiles(demo_client).items()}

    sub11 = Account.get(Account.customer_number == "23080667")
    _add_service(sub11, "active")
    _add_service(sub11, "terminated")
    with write_tx():
        Invoice.create(
            organisation=sub11.organisation_id,
            account=sub11,
            number=f"TEST-{next_number('invoice_number')}",
            invoice_date=dt.date.today(),
            due_date=dt.date.today() + dt.timedelta(days=30),
            amount_ore=12500,
            status="unpaid",
        )
        Ticket.create(
            organisation=sub11.organisation_id,
            account=sub11,
            number=next_number("ticket_number"),
            subject="Stängt ärende",
            status="done",
            reply_token=secrets.token_urlsafe(12),
        )

    for username, delta in ((ADMIN, 1), (ACCOUNT_ADMIN, 1), (OTHER_ORG_ADMIN, 0)):
        login(demo_client, username)
        after = {k: v for k, (v, _) in tiles(demo_client).items()}
        assert after["Aktiva tjänster"] == before[username]["Aktiva tjänster"] + delta
        assert after["Obetalda fakturor"] == before[username]["Obetalda fakturor"] + delta
        assert after["Förfallna fakturor"] == before[username]["Förfallna fakturor"]
        assert after["Pågående ärenden"] == before[username]["Pågående ärenden"]
        assert after["Pågående beställningar"] == before[username]["Pågående beställningar"]


def test_quick_links_follow_permissions(demo_client, login):
    from tests.conftest import ADMIN, INVOICES_ONLY

    login(demo_client, ADMIN)
    html = demo_client.get("/").get_data(as_text=True)
    for label in ("+ Skapa ärende", "+ Nytt konto", "+ Skapa användare"):
        assert label in html
    login(demo_client, INVOICES_ONLY)
    html = demo_client.get("/").get_data(as_text=True)
    assert "+ Skapa" not in html and "+ Nytt konto" not in html
