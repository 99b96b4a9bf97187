"""Publishing an outage in a real browser and seeing it on the customer's
map (issue 17 item 4): staff fill in the form, choose the place by clicking
the map, check what it touches and publish; A3's Administratör then opens
Översikt → Karta and finds the marker, marked as touching their services."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from playwright.sync_api import expect

from domain.formats import LOCAL_TZ
from tests.browser import sign_in
from tests.conftest import ADMIN, STAFF

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("OUTAGE_SCREENSHOTS")  # a folder to keep the screenshots in


def _local(delta: dt.timedelta) -> str:
    return (dt.datetime.now(LOCAL_TZ) + delta).strftime("%Y-%m-%dT%H:%M")


def test_staff_publish_and_the_customer_sees_the_marker(page, browser, live_server):
    sign_in(page, STAFF, staff=True)
    page.locator(".more-menu summary").click()  # Driftinformation is under Mer
    page.get_by_role("link", name="Driftinformation", exact=True).click()
    page.get_by_role("link", name="Publicera driftstörning").click()
    page.get_by_label("Rubrik").fill("Kabelbrott Umeå hamn")
    page.get_by_label("Beskrivning").fill("Grävskada vid hamnen.")
    page.get_by_label("Område (ort eller kommun)").fill("Umeå")
    page.get_by_label("Berörda postnummer").fill("901 55, 90304")
    page.get_by_label("Bredband", exact=True).check()
    page.get_by_label("Start").fill(_local(-dt.timedelta(minutes=30)))
    page.get_by_label("Beräknat klart").fill(_local(dt.timedelta(hours=3)))
    page.get_by_label("Radie (km)").fill("20")

    # Choose the place by clicking the map (the middle of Sweden's coast at Umeå).
    picker = page.locator("#outage-picker")
    box = picker.bounding_box()
    width, height = 784, 1612  # domain/geo.py WIDTH, HEIGHT
    x, y = 535.6, 631.3  # geo.project(63.8258, 20.263)
    picker.click(position={"x": x / width * box["width"], "y": y / height * box["height"]})
    lat = float(page.get_by_label("Latitud").input_value().replace(",", "."))
    lon = float(page.get_by_label("Longitud").input_value().replace(",", "."))
    assert abs(lat - 63.83) < 0.1 and abs(lon - 20.26) < 0.1

    page.get_by_role("button", name="Kontrollera").click()
    expect(page.locator("#outage-preview")).to_contain_text("Berör")
    expect(page.locator("#outage-preview")).to_contain_text("hos 1 kund.")
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_url(re.compile(r"/staff/outages/\d+$"))
    expect(page.locator("h1")).to_contain_text("Kabelbrott Umeå hamn")
    expect(page.locator("#toasts")).to_contain_text("är publicerad")
    outage_id = page.url.rsplit("/", 1)[-1]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/staff-published.png", full_page=True)

    customer = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    portal = customer.new_page()
    errors = []
    portal.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(portal, ADMIN)
    panel = portal.locator("#driftinfo")
    panel.get_by_role("link", name="Karta", exact=True).click()
    portal.wait_for_url(re.compile(r"drift=karta"))  # htmx pushes the tab into the URL
    marker = portal.locator(f"#driftinfo svg a[data-outage='{outage_id}']")
    expect(marker).to_have_class(re.compile(r"marker-current.*marker-mine"))
    expect(marker.locator("title")).to_contain_text("Kabelbrott Umeå hamn – berör era tjänster")
    expect(portal.locator(f"#karta-{outage_id}")).to_contain_text("Berör era tjänster")
    # The outline of Sweden has loaded (no tiles from anywhere else).
    assert portal.evaluate(
        "() => fetch('/static/map/sweden.svg').then(r => r.ok && r.headers.get('content-type'))"
    ).startswith("image/svg+xml")
    if SHOTS:
        portal.screenshot(path=f"{SHOTS}/customer-map.png", full_page=True)
    marker.click()
    portal.wait_for_url(re.compile(rf"#karta-{outage_id}$"))
    assert errors == [] and page.js_errors == []  # no CSP refusals, no script errors
    customer.close()
