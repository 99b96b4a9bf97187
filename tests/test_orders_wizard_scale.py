"""Ny beställning for an organisation with thousands of accounts: Konto is
typed as a kundnummer instead of a list of every account, and
Faktureringsadress offers the order's account and those above it only."""

from __future__ import annotations

import pytest

from domain.orders import drafts
from models import Order
from tests.test_orders_wizard import account, add, finish_data, start


@pytest.fixture
def many_accounts(monkeypatch):
    monkeypatch.setattr(drafts, "ACCOUNT_LIST_LIMIT", 2)


def test_a_long_account_list_becomes_a_kundnummer_field(admin, many_accounts):
    page = admin.get("/orders/new").text
    assert 'name="account_number"' in page and '<select id="account"' not in page
    sub = account("23080667")
    response = admin.post("/orders/new", data={"account_number": "2308 0667", "kind": "order"})
    assert response.status_code == 303, response.text
    draft = Order.select().where(Order.status == "draft").order_by(Order.id.desc()).first()
    assert draft.account_id == sub.id


def test_an_unknown_kundnummer_is_refused_next_to_the_field(admin, many_accounts):
    before = Order.select().count()
    response = admin.post("/orders/new", data={"account_number": "12345678", "kind": "order"})
    assert response.status_code == 200
    assert "Inget av dina konton har kundnumret 12345678." in response.text
    assert 'value="12345678"' in response.text  # what was typed stays
    assert Order.select().count() == before


def test_a_short_account_list_stays_a_list(admin):
    page = admin.get("/orders/new").text
    assert '<select id="account"' in page and 'name="account_number"' not in page


def test_billing_address_is_the_account_or_one_above_it(admin):
    draft = start(admin, "23080667")  # underkonto 1.1, below 99500852 and 99012615
    line = add(admin, draft, "MOB-FAST")
    page = admin.get(f"/orders/drafts/{draft.id}/finish").text
    billing = page.split('id="billing_account"', 1)[1].split("</select>", 1)[0]
    for number in ("23080667", "99500852", "99012615"):
        assert f">{number} – " in billing
    assert "23080671" not in billing  # a sibling's address is not offered
    sibling = account("23080671")
    refused = admin.post(
        f"/orders/drafts/{draft.id}/finish",
        data=finish_data(line, billing_account=str(sibling.id), action="send"),
    )
    assert refused.status_code == 200 and "Välj faktureringsadress." in refused.text
    assert Order.get_by_id(draft.id).status == "draft"
