"""Hantera flera (GRP-3): the template, an upload of good and bad rows with
its row report, "Allt eller inget" against "Spara giltiga rader", a file
that is not Excel, and scope (another organisation's kundnummer is unknown,
one outside a Kontoadministratör's part of the tree is outside their scope)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook, load_workbook

from domain.group_import import COLUMNS
from tests.accounts_fixtures import NORRBYGG, SUB1, SUB2, SUB11, TOP, account, grant, sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN
from tests.groups_fixtures import group, memberships, mobiles, months, ym


def workbook(*rows, header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, mode="all", filename="grupper.xlsx"):
    return client.post(
        "/groups/upload",
        data={"file": (io.BytesIO(data), filename), "mode": mode},
        content_type="multipart/form-data",
    )


def report(response) -> dict[int, str]:
    """The report's rows: row number → the rest of the row's text."""
    html = response.get_data(as_text=True)
    body = html.split('id="upload-report"', 1)[1]
    rows = {}
    for cells in re.findall(r"<tr class=\"row-\w+\">(.*?)</tr>", body, re.S):
        texts = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
        rows[int(texts[0])] = " | ".join(texts[1:])
    return rows


def mixed_file() -> bytes:
    """Rows 2-4 good, 5-10 bad, in that order."""
    number = mobiles(SUB2)[1].number
    written = f"{number[:3]}-{number[3:6]} {number[6:8]} {number[8:]}"
    return workbook(
        ("Region", "Norr", "Kontoren i norr", "", "", "", ""),
        ("Region", "Norr", "", SUB11, "", ym(months(1)), ""),
        ("Region", "Syd", "", "", written, "", ""),
        ("Region", "Norr", "", "12345678", "", "", ""),
        ("Region", "Norr", "", NORRBYGG, "", "", ""),
        ("Region", "Norr", "", "", "070-000 00 01", "", ""),
        ("Region", "Norr", "", SUB2, "", "2026-13", ""),
        ("Avdelning", "Teknik", "", SUB1, "", ym(months(2)), ""),
        ("Region", "", "", SUB2, "", "", ""),
    )


def test_template_is_an_excel_file_with_the_columns_and_the_groups(demo_client):
    sign_in(demo_client, ADMIN)
    response = demo_client.get("/groups/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert ("Avdelning", "Ekonomi") in {(r[0], r[1]) for r in rows[1:]}


def test_every_row_is_reported_and_valid_rows_saved(demo_client):
    from models import Group

    sign_in(demo_client, ADMIN)
    response = upload(demo_client, mixed_file(), mode="valid")
    assert response.status_code == 200
    rows = report(response)
    assert sorted(rows) == list(range(2, 11))
    assert "kategori Region skapad, grupp Region:Norr skapad" in rows[2]
    assert f"{SUB11} i Region:Norr {ym(months(1))} – tills vidare" in rows[3]
    assert "grupp Region:Syd skapad" in rows[4]
    assert rows[5] == "12345678 | Fel okänt kundnummer"
    assert rows[6] == f"{NORRBYGG} | Fel okänt kundnummer"  # another organisation's
    assert rows[7] == "070-000 00 01 | Fel numret finns inte"
    assert rows[8] == "2026-13 | Fel Från månad är ingen månad (ÅÅÅÅ-MM)"
    assert rows[9].startswith(f"{SUB1} | Fel Perioden överlappar Avdelning:Sälj")
    assert rows[10] == "Region: | Fel Kategori och Grupp måste anges"
    assert "3 rader sparade, 6 med fel sparades inte" in response.get_data(as_text=True)
    # Saved: the groups (with the description) and the memberships.
    assert group("Region:Norr").description == "Kontoren i norr"
    assert memberships(account(SUB11)) == [("Region:Norr", months(1), None)]
    service = mobiles(SUB2)[1]
    assert ("Region:Syd", service.start_date.replace(day=1), None) in memberships(service)
    assert [m[0] for m in memberships(account(SUB2))] == ["Avdelning:Teknik"]  # row 8 saved nothing
    assert Group.select().count() == 7


def test_all_or_nothing_saves_nothing_when_a_row_fails(demo_client):
    from models import AuditLog, Group, GroupCategory, GroupMembership

    sign_in(demo_client, ADMIN)
    counts = [m.select().count() for m in (Group, GroupCategory, GroupMembership, AuditLog)]
    response = upload(demo_client, mixed_file(), mode="all")
    rows = report(response)
    assert len(rows) == 9 and rows[5] == "12345678 | Fel okänt kundnummer"
    assert rows[3].startswith(f"{SUB11} | Giltig")
    page = response.get_data(as_text=True)
    assert "Ingenting sparades: 6 av 9 rader har fel (Allt eller inget)" in page
    assert [m.select().count() for m in (Group, GroupCategory, GroupMembership, AuditLog)] == counts


def test_all_or_nothing_saves_a_file_without_errors(demo_client):
    sign_in(demo_client, ADMIN)
    response = upload(
        demo_client,
        workbook(
            ("Kostnadsställe", "KS 200", "", SUB11, "", "", ""),
            ("Kostnadsställe", "KS 300", "Nytt", SUB2, "", ym(months(0)), ym(months(5))),
        ),
    )
    assert "2 rader sparade" in response.get_data(as_text=True)
    assert memberships(account(SUB2))[-1] == ("Kostnadsställe:KS 300", months(0), months(5))


def test_rows_of_one_file_see_each_other(demo_client):
    """Two rows putting one account in two groups of a category at once."""
    sign_in(demo_client, ADMIN)
    response = upload(
        demo_client,
        workbook(
            ("Kostnadsställe", "KS 200", "", SUB11, "", "", ""),
            ("Kostnadsställe", "KS 100", "", SUB11, "", "", ""),
        ),
        mode="valid",
    )
    rows = report(response)
    assert "Giltig" not in rows[2] and "OK" in rows[2]
    assert "Perioden överlappar Kostnadsställe:KS 200" in rows[3]


def test_a_file_that_is_not_excel_is_refused(demo_client):
    from models import AuditLog

    sign_in(demo_client, ADMIN)
    count = AuditLog.select().count()
    for data, name in (
        (b"Kategori;Grupp\nAvdelning;Ekonomi\n", "grupper.xlsx"),
        (b"PK\x03\x04 not really a zip", "grupper.xlsx"),
        (b"%PDF-1.4", "grupper.pdf"),
    ):
        response = upload(demo_client, data, filename=name)
        assert response.status_code == 200
        assert "inte en Excel-fil" in response.get_data(as_text=True)
        assert 'id="upload-report"' not in response.get_data(as_text=True)
    assert AuditLog.select().count() == count


def test_missing_columns_and_missing_file_are_answered(demo_client):
    sign_in(demo_client, ADMIN)
    response = upload(demo_client, workbook(("Avdelning", "Ekonomi"), header=("Kategori", "Grupp")))
    assert "Kolumnen Beskrivning saknas" in response.get_data(as_text=True)
    response = demo_client.post("/groups/upload", data={"mode": "all"})
    assert "Välj en Excel-fil." in response.get_data(as_text=True)


def test_kontoadministrator_uploads_within_scope_and_creates_no_groups(demo_client):
    grant(ACCOUNT_ADMIN, "accounts.edit")
    sign_in(demo_client, ACCOUNT_ADMIN)
    response = upload(
        demo_client,
        workbook(
            ("Kostnadsställe", "KS 200", "", SUB11, "", "", ""),
            ("Kostnadsställe", "KS 200", "", TOP, "", "", ""),
            ("Region", "Norr", "", SUB11, "", "", ""),
        ),
        mode="valid",
    )
    rows = report(response)
    assert "OK" in rows[2]
    assert rows[3] == f"{TOP} | Fel kundnumret ligger utanför din behörighet"
    assert rows[4] == "Region:Norr | Fel kategorin finns inte och du får inte skapa kategorier"
    assert [m[0] for m in memberships(account(TOP))] == ["Kostnadsställe:KS 100"]
