"""The users list keeps the type the manual derives from account access
(Administratör / Kontoadministratör) and shows the rights beside it, so an
invoice-only Administratör reads as such."""

from __future__ import annotations

import re

import lxml.html
import pytest

from database import write_tx
from models import User
from permissions import format_permissions
from tests.conftest import ADMIN


def type_cells(client) -> dict[str, str]:
    html = client.get("/users", query_string={"per_page": 100}).get_data(as_text=True)
    rows = lxml.html.fromstring(html).xpath("//tbody/tr")
    cells = {}
    for row in rows:
        name = row.xpath('string(td[@data-label="Användarnamn"])').strip()
        cells[name] = re.sub(r"\s+", " ", row.xpath('string(td[@data-label="Typ"])')).strip()
    return cells


def test_type_and_rights_side_by_side(demo_client, login):
    login(demo_client, ADMIN)
    cells = type_cells(demo_client)
    assert cells["faktura@a3demo.se"] == "Administratör · Visa fakturor"
    assert cells["admin@a3demo.se"] == "Administratör · Superuser"
    assert cells["konto@a3demo.se"].startswith("Kontoadministratör · ")


@pytest.mark.parametrize(
    ("permissions", "shown"),
    [
        ({"invoices.view", "tickets.view"}, "Visa fakturor, visa ärenden"),
        (
            {"invoices.view", "tickets.view", "services.view", "orders.create"},
            "Egendefinierad: 4 behörigheter",
        ),
        (set(), "Inga behörigheter"),
    ],
)
def test_custom_rights_in_brief(demo_client, login, permissions, shown):
    login(demo_client, ADMIN)
    with write_tx():
        User.update(role=None, permissions=format_permissions(permissions)).where(
            User.username == "faktura@a3demo.se"
        ).execute()
    assert type_cells(demo_client)["faktura@a3demo.se"] == f"Administratör · {shown}"
