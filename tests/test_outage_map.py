"""Driftinformation on Översikt (issue 17 item 4): an outage staff publish
for a postcode shows to the organisation whose services it touches, marked,
in Lista, on the map and on the service page, and unmarked to others; the
tabs swap in place with the URL keeping the tab."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from domain import geo
from models import Outage
from tests.outages_data import local, make_staff, publish

NOTICE = "Det pågår en känd driftstörning som berör tjänsten"
MAINTENANCE = "Det pågår planerat underhåll som berör tjänsten"


@pytest.fixture
def world(app, make_org, make_account, make_user, make_service):
    """Two organisations: Mine has a broadband at 90155, Other at 11143."""
    mine, other = make_org(name="Mitt Bolag AB"), make_org(name="Annat Bolag AB")
    touched = make_service(mine.top_account(), kind="broadband", postcode="90155")
    elsewhere = make_service(other.top_account(), kind="broadband", postcode="11143")
    make_staff("support@operator.se", "support")
    return {
        "mine": make_user(mine, superuser=True),
        "other": make_user(other, superuser=True),
        "touched": touched,
        "elsewhere": elsewhere,
    }


def _publish(client, login, **fields):
    login(client, "support@operator.se")
    response, _ = publish(client, **fields)
    assert response.status_code == 303
    return Outage.get(Outage.title == fields.get("title", "Kabelbrott Testby"))


def _articles(html: str) -> dict[str, str]:
    page = lxml.html.fromstring(html)
    return {
        a.findtext("h3").strip(): a.text_content()
        for a in page.xpath("//article[contains(@class, 'outage')]")
    }


def _markers(html: str) -> dict[str, str]:
    page = lxml.html.fromstring(html)
    return {m.get("data-outage"): m.get("class") for m in page.xpath("//svg//a[@data-outage]")}


def test_a_published_outage_reaches_the_touched_customer_only(client, login, world):
    outage = _publish(client, login, postcodes="901 55")

    login(client, world["mine"].username)
    lista = _articles(client.get("/").get_data(as_text=True))
    assert "Berör era tjänster" in lista["Kabelbrott Testby"]
    karta = client.get("/?drift=karta").get_data(as_text=True)
    assert "marker-mine" in _markers(karta)[str(outage.id)]
    assert "Berör era tjänster" in _articles(karta)["Kabelbrott Testby"]
    service_page = client.get(f"/services/{world['touched'].id}").get_data(as_text=True)
    assert NOTICE in service_page and "Kabelbrott Testby" in service_page

    login(client, world["other"].username)
    lista = _articles(client.get("/").get_data(as_text=True))
    assert "Berör era tjänster" not in lista["Kabelbrott Testby"]  # shown, not marked
    markers = _markers(client.get("/?drift=karta").get_data(as_text=True))
    assert "marker-mine" not in markers[str(outage.id)]
    assert "marker-current" in markers[str(outage.id)]
    other_page = client.get(f"/services/{world['elsewhere'].id}").get_data(as_text=True)
    assert NOTICE not in other_page


def test_the_marker_sits_at_the_outage_position(client, login, world):
    outage = _publish(client, login, latitude="59,3326", longitude="18,0649", radius_km="25")
    login(client, world["mine"].username)
    page = lxml.html.fromstring(client.get("/?drift=karta").get_data(as_text=True))
    (marker,) = page.xpath(f"//a[@data-outage='{outage.id}']")
    x, y = geo.project(59.3326, 18.0649)
    pin = marker.xpath(".//circle[contains(@class,'marker-pin')]")[0]
    area = marker.xpath(".//circle[contains(@class,'marker-area')]")[0]
    assert (float(pin.get("cx")), float(pin.get("cy"))) == (x, y)
    assert float(area.get("r")) == 25.0  # one map unit is one km
    assert marker.get("href") == f"#karta-{outage.id}"
    assert page.xpath(f"//article[@id='karta-{outage.id}']")  # the text it links to
    # The map is the shipped outline, nothing from elsewhere.
    (image,) = page.xpath("//svg[contains(@class,'sweden-map')]/image")
    assert image.get("href") == "/static/map/sweden.svg"


def test_an_outage_without_position_is_listed_but_not_drawn(client, login, world):
    outage = _publish(client, login, latitude="", longitude="")
    assert outage.latitude is None and outage.radius_km is None
    login(client, world["mine"].username)
    karta = client.get("/?drift=karta").get_data(as_text=True)
    assert str(outage.id) not in _markers(karta)
    assert "Kabelbrott Testby" in _articles(client.get("/").get_data(as_text=True))


def test_planned_maintenance_shows_as_such(client, login, world):
    now_plus = dt.timedelta(minutes=-5)
    outage = _publish(
        client,
        login,
        kind="maintenance",
        title="Byte av router",
        starts_at=local(now_plus),
        expected_end=local(dt.timedelta(hours=2)),
    )
    login(client, world["mine"].username)
    html = client.get(f"/services/{world['touched'].id}").get_data(as_text=True)
    assert MAINTENANCE in html and NOTICE not in html
    assert "Avbrottet är planerat" in html
    lista = _articles(client.get("/").get_data(as_text=True))
    assert "Planerat underhåll" in lista["Byte av router"]
    assert "Berör era tjänster" in lista["Byte av router"]
    assert outage.state() == "current"


def test_updates_show_to_customers(client, login, world):
    outage = _publish(client, login)
    client.post(
        f"/staff/outages/{outage.id}/update", data={"text": "Tekniker på plats.", "seen": "0"}
    )
    login(client, world["mine"].username)
    text = _articles(client.get("/").get_data(as_text=True))["Kabelbrott Testby"]
    assert "Uppdatering 20" in text and "Tekniker på plats." in text
    service_page = client.get(f"/services/{world['touched'].id}").get_data(as_text=True)
    assert "Tekniker på plats." in service_page


def test_tabs_swap_in_place_and_keep_the_url(client, login, world):
    login(client, world["mine"].username)
    full = client.get("/?drift=karta")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    partial = client.get("/?drift=karta", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert "<html" not in html and 'id="driftinfo"' in html and "sweden-map" in html
    assert "HX-Request" in partial.headers["Vary"]
    page = lxml.html.fromstring(html)
    current = page.xpath("//nav[contains(@class,'segmented')]//a[@aria-current='true']")
    assert [a.text for a in current] == ["Karta"]
    assert all(a.get("hx-push-url") == "true" for a in page.xpath("//nav//a"))
    # An unknown tab falls back to Lista; nothing breaks on odd input.
    assert 'aria-current="true">Lista' in client.get("/?drift=<x>&vy=1&nat=9G").get_data(
        as_text=True
    )
    mobil = client.get("/?drift=mobil&vy=xyz&nat=9G").get_data(as_text=True)
    assert 'aria-current="true">Täckning' in mobil and 'aria-current="true">4G' in mobil
