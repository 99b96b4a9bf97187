"""The Beställningar list's additions (ORD-1): Visa öppna / Visa historik,
Utkast on its own, Datumperiod, Order/Offert told apart, Visa links."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ADMIN
from tests.listpage import get_url
from tests.order_factory import make_order

OPEN = {"Väntar på godkännande", "Mottagen", "Pågår", "Besvarad"}
CLOSED = {"Slutförd", "Avbruten", "Avslagen", "Avböjd"}


def quick_view_urls(client) -> dict[str, str]:
    import re

    html = client.get("/orders").get_data(as_text=True)
    nav = html.split('aria-label="Urval"', 1)[1].split("</nav>", 1)[0]
    return {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def test_open_and_history_switch(demo_client, login):
    make_order(ADMIN, status="answered", is_quote=True)
    make_order(ADMIN, status="declined", is_quote=True)
    login(demo_client, ADMIN)
    views = quick_view_urls(demo_client)
    assert list(views) == ["Alla", "Visa öppna", "Visa historik", "Utkast"]
    everything = get_url(demo_client, "/orders?per_page=100")
    opened = get_url(demo_client, views["Visa öppna"] + "&per_page=100")
    history = get_url(demo_client, views["Visa historik"] + "&per_page=100")
    drafts = get_url(demo_client, views["Utkast"] + "&per_page=100")
    assert set(opened.column("Status")) == OPEN
    assert set(history.column("Status")) <= CLOSED and "Avböjd" in history.column("Status")
    assert set(drafts.column("Status")) == {"Utkast"}
    # every order is in exactly one of them
    assert opened.total + history.total + drafts.total == everything.total
    assert 'aria-current="true"' in demo_client.get(views["Visa öppna"]).get_data(as_text=True)


def test_open_tile_counts_what_visa_oppna_shows(demo_client, login):
    from blueprints.dashboard import tiles
    from tables.org import User

    make_order(ADMIN, status="draft")
    login(demo_client, ADMIN)
    user = User.get(User.username == ADMIN)
    with demo_client.application.test_request_context():
        tile = next(t for t in tiles(user) if t["label"] == "Pågående beställningar")
    opened = get_url(demo_client, quick_view_urls(demo_client)["Visa öppna"])
    assert tile["count"] == opened.total
    assert "Utkast" not in get_url(demo_client, tile["url"] + "&per_page=100").column("Status")


def test_period_filter(demo_client, login):
    from database import write_tx
    from tables.orders import Order

    old = make_order(ADMIN)
    with write_tx():
        Order.update(created_at=dt.datetime(2020, 3, 15, 10)).where(Order.id == old.id).execute()
    login(demo_client, ADMIN)
    listing = get_url(demo_client, "/orders?f_date_from=2020-03-01&f_date_to=2020-03-31")
    assert listing.column("Ordernummer") == [f"{old.number} v0"]
    # the form shows the period chosen
    html = demo_client.get("/orders?f_date_from=2020-03-01").get_data(as_text=True)
    assert 'name="f_date_from" value="2020-03-01"' in html
    bad = get_url(demo_client, "/orders?f_date_from=2020-13-01")
    assert bad.status == 200 and bad.error


def test_order_and_offert_told_apart(demo_client, login):
    quote = make_order(ADMIN, status="answered", is_quote=True)
    login(demo_client, ADMIN)
    everything = get_url(demo_client, "/orders?per_page=100")
    kinds = dict(
        zip(everything.column("Ordernummer"), everything.column("Order/Offert"), strict=True)
    )
    assert kinds[f"{quote.number} v0"] == "Offert"
    assert set(kinds.values()) == {"Order", "Offert"}
    quotes = get_url(demo_client, "/orders?f_kind=quote&per_page=100")
    assert f"{quote.number} v0" in quotes.column("Ordernummer")
    assert {kinds[number] for number in quotes.column("Ordernummer")} == {"Offert"}
    orders = get_url(demo_client, "/orders?f_kind=order&per_page=100")
    assert f"{quote.number} v0" not in orders.column("Ordernummer")
    assert {kinds[number] for number in orders.column("Ordernummer")} == {"Order"}
    assert orders.total + quotes.total == everything.total


def test_rows_link_to_the_order_page(demo_client, login):
    order = make_order(ADMIN)
    login(demo_client, ADMIN)
    html = demo_client.get(f"/orders?f_number={order.number}").get_data(as_text=True)
    assert f'<a href="/orders/{order.id}">{order.number} v0</a>' in html
    assert f'<a href="/orders/{order.id}" aria-label="Visa {order.number} v0">Visa</a>' in html
