"""Mobilnätet (issue 17 item 4): staff import the coverage file
(/staff/outages/coverage), customers look a place up (Täckning → Plats) and
see the län by the state of the mobile network (Nätverksstatus)."""

from __future__ import annotations

import datetime as dt
import io

import lxml.html
import pytest
from openpyxl import Workbook

from database import utcnow, write_tx
from domain import coverage, geo
from models import AuditLog, Coverage, Outage
from tests.outages_data import make_staff

HEADER = "Plats;Postnummer;Nät;Tal;Surf;Signalstyrka;Lat;Lon\n"
GOOD = (
    HEADER
    + "Kungsgatan 1, Stockholm;111 43;5G;Ja;Ja;Mycket god;59,3360;18,0700\n"
    + "Kungsgatan 1, Stockholm;11143;2G;Ja;Nej;Bas;59.3360;18.0700\n"
    + "Storgatan 1, Kiruna;98131;4G;Ja;Ja;God;;\n"
)


@pytest.fixture
def desk(app, client, login):
    make_staff("support@operator.se", "support")
    login(client, "support@operator.se")
    return client


def _upload(client, content: bytes, filename: str = "tackning.csv"):
    return client.post(
        "/staff/outages/coverage",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _old_row():
    with write_tx():
        Coverage.create(place="Gammal plats", postcode="90155", network="4G", strength=1)


def test_a_good_file_replaces_the_coverage(desk):
    _old_row()
    response = _upload(desk, GOOD.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 rader importerade; täckningen är ersatt." in html
    rows = {(r.place, r.network): r for r in Coverage.select()}
    assert set(rows) == {
        ("Kungsgatan 1, Stockholm", "5G"),
        ("Kungsgatan 1, Stockholm", "2G"),
        ("Storgatan 1, Kiruna", "4G"),
    }
    five_g = rows["Kungsgatan 1, Stockholm", "5G"]
    assert (five_g.postcode, five_g.voice, five_g.data, five_g.strength) == ("11143", True, True, 3)
    assert (five_g.latitude, five_g.longitude) == (59.336, 18.07)
    two_g = rows["Kungsgatan 1, Stockholm", "2G"]
    assert (two_g.data, two_g.strength) == (False, 1)
    assert rows["Storgatan 1, Kiruna", "4G"].latitude is None
    assert AuditLog.get(AuditLog.action == "coverage.import").summary.startswith(
        "Täckning importerad från tackning.csv: 3 rader"
    )


def test_a_bad_row_is_reported_and_nothing_replaced(desk):
    _old_row()
    content = (
        GOOD
        + "Ingenstans;9013;4G;Ja;Ja;God;;\n"
        + "Berlin;11143;4G;Ja;Ja;God;52,52;13,40\n"
        + "Umeå;90155;6G;Ja;Ja;God;;\n"
        + "Umeå;90155;4G;Kanske;Ja;Utmärkt;;\n"
    )
    html = _upload(desk, content.encode()).get_data(as_text=True)
    page = lxml.html.fromstring(html)
    errors = [
        (row[0].text_content(), row[1].text_content())
        for row in page.xpath("//table[@class='coverage-errors']/tbody/tr")
    ]
    assert errors == [
        ("5", "Postnummer ska vara fem siffror, inte ”9013”"),
        ("6", "Positionen ligger utanför Sverige"),
        ("7", "Nät ska vara ett av 2G, 3G, 4G, 4G+, 5G, inte ”6G”"),
        ("8", "Tal ska vara Ja eller Nej, inte ”kanske”"),
    ]
    assert "4 rad(er) med fel, inget importerat" in html
    assert [r.place for r in Coverage.select()] == ["Gammal plats"]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"Plats;Postnummer\nX;90155\n", "t.csv", "saknade kolumner: Nät, Tal, Surf, Signalstyrka"),
        (HEADER.replace("Lon", "Höjd").encode(), "t.csv", "okända kolumner: Höjd"),
        (b"", "t.csv", "Filen är tom"),
        (HEADER.encode(), "t.csv", "Filen har inga rader"),
        ("Plats;Postnummer;Nät;Tal;Surf;Signalstyrka\nÅ;90155;4G;Ja;Ja;God\n".encode("latin-1"),
         "t.csv", "Filen är inte UTF-8"),
        (b"PK\x03\x04trasig", "t.xlsx", "Filen går inte att läsa som Excel"),
        (GOOD.encode(), "t.pdf", "Filen ska vara CSV (.csv) eller Excel (.xlsx)."),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused(desk, content, filename, message):
    _old_row()
    response = _upload(desk, content, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert Coverage.select().count() == 1


def test_no_file_is_a_field_error(desk):
    response = desk.post("/staff/outages/coverage", data={}, content_type="multipart/form-data")
    assert "Välj en fil att importera." in response.get_data(as_text=True)


def test_an_excel_file_imports(desk):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Plats", "Postnummer", "Nät", "Tal", "Surf", "Signalstyrka", "Latitud", "Longitud"]
    )
    sheet.append(["Rådhustorget 1, Umeå", 90155, "4G+", "Ja", "Ja", "God", 63.8258, 20.263])
    stream = io.BytesIO()
    book.save(stream)
    html = _upload(desk, stream.getvalue(), "tackning.xlsx").get_data(as_text=True)
    assert "1 rader importerade" in html
    row = Coverage.get()
    assert (row.postcode, row.network, row.strength, row.latitude) == ("90155", "4G+", 2, 63.8258)


# ----------------------------------------------------------------- Plats


@pytest.fixture
def customer(client, login, make_org, make_user):
    user = make_user(make_org(), superuser=True)
    return lambda: login(client, user.username)


def _lookup(client, place: str, network: str = "4G"):
    html = client.get(
        "/", query_string={"drift": "mobil", "vy": "tackning", "nat": network, "plats": place}
    ).get_data(as_text=True)
    page = lxml.html.fromstring(html)
    return page, {
        table.findtext("caption"): [
            [cell.text_content().strip() for cell in row.xpath("th|td")]
            for row in table.xpath("tbody/tr")
        ]
        for table in page.xpath("//table[@class='coverage-result']")
    }


def test_plats_look_up_by_postcode_or_address(app, client, customer):
    coverage.import_file("t.csv", GOOD.encode())
    customer()
    _, found = _lookup(client, "Kungsgatan 1, 111 43, Sverige")
    assert found == {
        "Kungsgatan 1, Stockholm, 111 43, Sverige": [
            ["5G", "✓ Ja", "✓ Ja", "Mycket god"],
            ["2G", "✓ Ja", "– Nej", "Bas"],
        ]
    }
    _, by_name = _lookup(client, "kiruna storgatan")
    assert by_name == {"Storgatan 1, Kiruna, 981 31, Sverige": [["4G", "✓ Ja", "✓ Ja", "God"]]}
    with write_tx():
        Coverage.create(place="Östra gatan 2, Östersund", postcode="83131", network="4G")
    _, folded = _lookup(client, "östra gatan")  # å ä ö folded on SQLite too
    assert list(folded) == ["Östra gatan 2, Östersund, 831 31, Sverige"]
    page, _ = _lookup(client, "11143", network="5G")  # the place found is marked on the map
    (ring,) = page.xpath("//svg//circle[@class='found-place']")
    assert (float(ring.get("cx")), float(ring.get("cy"))) == geo.project(59.336, 18.07)
    _, nul = _lookup(client, "\x00")
    assert nul == {}
    page, none = _lookup(client, "Ingenstans")
    assert none == {} and "Ingen täckningsinformation för ”Ingenstans”." in page.text_content()


def test_the_coverage_map_draws_the_network_in_its_colours(app, client, customer):
    coverage.import_file("t.csv", GOOD.encode())
    customer()
    page, _ = _lookup(client, "", network="5G")
    dots = page.xpath("//svg//circle[contains(@class,'coverage')]")
    assert [d.get("class") for d in dots] == ["coverage coverage-3"]  # lila: Mycket god
    x, y = geo.project(59.336, 18.07)
    assert (float(dots[0].get("cx")), float(dots[0].get("cy"))) == (x, y)
    page, _ = _lookup(client, "", network="2G")
    assert [d.get("class") for d in page.xpath("//svg//circle[contains(@class,'coverage')]")] == [
        "coverage coverage-1"
    ]  # gul: Bas
    page, _ = _lookup(client, "", network="4G")  # Kiruna's 4G row has no position
    assert page.xpath("//svg//circle[contains(@class,'coverage')]") == []


# ---------------------------------------------------------- Nätverksstatus


def test_postcode_regions():
    assert geo.region_of("11143") == "AB"
    assert geo.region_of("901 55") == "AC"
    assert geo.region_of("98131") == "BD"
    assert geo.region_of("41136") == "O"
    assert geo.region_of("62155") == "I"
    assert geo.region_of("00000") is None
    # Every län has at least one prefix, and every prefix names a län.
    assert set(geo.POSTCODE_REGION.values()) == set(geo.REGIONS)


def _status(client) -> dict[str, str]:
    page = lxml.html.fromstring(client.get("/?drift=mobil&vy=status").get_data(as_text=True))
    return {
        row.findtext("th"): row.get("class").removeprefix("region-row-")
        for row in page.xpath("//table[@class='region-status']/tbody/tr")
    }


def test_network_status_colours(app, client, customer):
    now = utcnow()
    with write_tx():
        # A current mobile fault in Kiruna (Norrbotten): red.
        Outage.create(
            title="Basstation",
            kind="fault",
            postcodes="98131",
            service_kinds="mobile",
            starts_at=now - dt.timedelta(hours=1),
        )
        # Maintenance of mobile broadband in Stockholm in three days: yellow.
        Outage.create(
            title="Underhåll",
            kind="maintenance",
            postcodes="11143",
            service_kinds="mbb",
            starts_at=now + dt.timedelta(days=3),
            expected_end=now + dt.timedelta(days=3, hours=2),
        )
        # Not the mobile network, too far ahead, or over: no colour.
        Outage.create(
            title="Fiber",
            postcodes="90155",
            service_kinds="broadband",
            starts_at=now - dt.timedelta(hours=1),
        )
        Outage.create(
            title="Sedan",
            kind="maintenance",
            postcodes="41136",
            service_kinds="mobile",
            starts_at=now + dt.timedelta(days=30),
        )
        Outage.create(
            title="Löst",
            postcodes="21122",
            service_kinds="mobile",
            starts_at=now - dt.timedelta(hours=3),
            resolved_at=now - dt.timedelta(hours=1),
        )
    # fmt: skip
    customer()
    status = _status(client)
    assert status["Norrbottens län"] == "red"
    assert status["Stockholms län"] == "yellow"
    assert {name for name, colour in status.items() if colour != "green"} == {
        "Norrbottens län",
        "Stockholms län",
    }
    assert len(status) == 21


def test_a_whole_network_fault_colours_every_region(app, client, customer):
    with write_tx():
        Outage.create(title="Kärnnät", postcodes="", service_kinds="mobile mbb",
                      starts_at=utcnow() - dt.timedelta(minutes=10))  # fmt: skip
    customer()
    assert set(_status(client).values()) == {"red"}
