"""Nummerpool and Tillgänglighet (/staff/catalogue/numbers, /availability):
imports from CSV or Excel with every bad row reported, and the wizard using
what was imported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from models import AuditLog, Availability, PoolNumber
from tests.conftest import ADMIN, STAFF
from tests.test_orders_wizard import add, finish_data, start
from tests.tickets_data import client_for


@pytest.fixture
def desk(demo_app):
    return client_for(demo_app, STAFF)


def upload(client, url, content: bytes, name: str, **fields):
    return client.post(
        url,
        data={**fields, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_number_import_reports_each_bad_row_and_adds_the_valid_ones(desk):
    existing = PoolNumber.select().where(PoolNumber.kind == "mobile").first().number
    csv = "\n".join(
        [
            "Nummer",
            "070-123 45 67",  # row 2: valid
            "+46 70 123 45 68",  # row 3: valid
            "hej",  # row 4: not a number
            "0701234567",  # row 5: duplicate of row 2
            existing,  # row 6: already in the pool
            "090-695 32 68",  # row 7: a fixed number, not a mobile one
        ]
    ).encode()
    response = upload(desk, "/staff/catalogue/numbers", csv, "nummer.csv", kind="mobile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 tillagda" in html and "4 rader avvisade" in html
    for row, reason in [
        ("4", "inte ett svenskt nummer"),
        ("5", "dubblett (samma som rad 2)"),
        ("6", "finns redan i nummerpoolen"),
        ("7", "inte ett mobilnummer"),
    ]:
        assert f'<td data-label="Rad">{row}</td>' in html and reason in html
    added = PoolNumber.select().where(PoolNumber.number.in_(["0701234567", "0701234568"]))
    assert {(n.kind, n.status) for n in added} == {("mobile", "free")} and added.count() == 2
    assert "070-123 45" in html  # the series table
    assert AuditLog.select().where(AuditLog.action == "catalogue.numbers_imported").exists()


def test_number_import_all_or_nothing_adds_nothing_on_a_bad_row(desk):
    before = PoolNumber.select().count()
    data = xlsx([["0731112233"], ["0731112234"], ["12"]])
    response = upload(
        desk, "/staff/catalogue/numbers", data, "nummer.xlsx", kind="mobile", all_or_nothing="y"
    )
    html = response.get_data(as_text=True)
    assert "Ingenting importerades" in html and '<td data-label="Rad">3</td>' in html
    assert PoolNumber.select().count() == before
    # the same file without the bad row: added (Excel's number cells too)
    response = upload(
        desk,
        "/staff/catalogue/numbers",
        xlsx([[731112233], ["0731112234"]]),
        "nummer.xlsx",
        kind="mobile",
        all_or_nothing="y",
    )
    assert "2 tillagda" in response.get_data(as_text=True)
    assert PoolNumber.select().count() == before + 2


def test_unreadable_file_is_refused_next_to_the_field(desk):
    response = upload(
        desk, "/staff/catalogue/numbers", b"PK\x03\x04broken", "x.xlsx", kind="mobile"
    )
    assert response.status_code == 200
    assert 'id="file-error"' in response.get_data(as_text=True)
    missing = upload(desk, "/staff/catalogue/numbers", b"", "", kind="mobile")
    assert missing.status_code == 200 and "Välj en fil" in missing.get_data(as_text=True)


def test_reserved_number_links_its_order(demo_app, desk):
    customer = client_for(demo_app, ADMIN)
    draft = start(customer)
    line = add(customer, draft, "MOB-FAST")
    sent = customer.post(f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="send"))
    assert sent.status_code == 303
    html = desk.get("/staff/catalogue/numbers?f_status=reserved").get_data(as_text=True)
    html = html.replace("\u00a0", " ")
    assert f'href="/staff/orders/{draft.id}">{draft.number}<' in html
    assert "076-100 01 00" in html and "076-100 01</a>" in html  # the row and its series


def test_availability_import_then_the_broadband_wizard_answers_with_it(demo_app, desk):
    csv = (
        b"Postnummer;Teknik;Ned;Upp\n"
        b"981 32;Fiber;500;500\n"  # a postcode the demo cannot deliver to
        b"98132;Fast radio;50;10\n"
        b"9813;Fiber;100;100\n"  # bad postcode
        b"98133;Fiber;snabb;10\n"  # bad speed
        b"98132;Fiber;250;250\n"  # duplicate of row 2
    )
    response = upload(desk, "/staff/catalogue/availability", csv, "t.csv", mode="merge")
    html = response.get_data(as_text=True)
    assert "2 tillagda" in html and "3 rader avvisade" in html
    assert "ogiltigt postnummer" in html and "Ned: ange Mbit/s" in html and "dubblett" in html
    customer = client_for(demo_app, ADMIN)
    draft = start(customer)
    line = add(customer, draft, "BB-100")
    p = f"l{line.id}-"
    check = customer.post(
        f"/orders/drafts/{draft.id}/finish",
        data={
            **finish_data(line),
            p + "end_user": "Kontor",
            p + "street": "Storgatan 1",
            p + "city": "Kiruna",
            p + "postcode": "98132",
            "action": "refresh",
        },
    )
    assert "Fiber – 500/500 Mbit/s" in check.text and "Fast radio – 50/10 Mbit/s" in check.text


def test_availability_replace_makes_the_file_the_whole_table(desk):
    assert Availability.select().count() > 1
    data = xlsx(
        [["Postnummer", "Teknik", "Ned (Mbit/s)", "Upp (Mbit/s)"], ["90155", "Fiber", 1000, 1000]]
    )
    response = upload(desk, "/staff/catalogue/availability", data, "t.xlsx", mode="replace")
    html = response.get_data(as_text=True)
    assert "1 tillagda" in html and "borttagna" in html
    assert [(a.postcode, a.technology) for a in Availability.select()] == [("90155", "Fiber")]
    listed = desk.get("/staff/catalogue/availability").get_data(as_text=True)
    assert "901 55" in listed


def test_availability_without_the_columns_is_refused(desk):
    before = Availability.select().count()
    response = upload(
        desk, "/staff/catalogue/availability", b"Post;Tek\n90155;Fiber\n", "t.csv", mode="replace"
    )
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and "Postnummer, Teknik, Ned och Upp" in html
    assert Availability.select().count() == before
