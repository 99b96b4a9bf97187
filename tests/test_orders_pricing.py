"""What the agreement lets an organisation order, at what price (SPEC §10c)."""

from __future__ import annotations

import datetime as dt

from database import write_tx
from domain.orders.pricing import Catalogue, current_agreement, line_price, list_price
from models import Agreement, Organisation, Product, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN


def product(code):
    return Product.get(Product.code == code)


def user(name):
    return User.get(User.username == name)


def test_agreement_price_overrides_list_price(demo_app):
    admin = user(ADMIN)
    catalogue = Catalogue(admin, admin.organisation_id, is_quote=False)
    assert catalogue.agreement_number == "RA-2023-0147"
    mob = product("MOB-FAST")
    assert list_price(mob).monthly_ore == 13900
    assert catalogue.price(mob).monthly_ore == 12900
    # not on the price list: list price
    assert catalogue.price(product("DATA-5")).monthly_ore == 20000
    # Mobil Fastpris 129 + Data 10GB 225 (agreement) + Fastpris 0
    total = line_price(catalogue, mob, [product("DATA-10"), product("PL-FAST")], 2)
    assert total.monthly_ore == 2 * (12900 + 22500)


def test_order_offers_only_the_agreement_offert_everything_marked(demo_app):
    admin = user(ADMIN)
    order = Catalogue(admin, admin.organisation_id, is_quote=False)
    quote = Catalogue(admin, admin.organisation_id, is_quote=True)
    kap = product("KAP-1G")
    assert kap not in order.products()
    assert order.product(kap.id) is None
    assert kap in quote.products()
    assert not quote.in_agreement(kap)
    assert quote.in_agreement(product("MOB-FAST"))
    # outside the agreement an offert shows list price
    assert quote.price(kap).monthly_ore == kap.monthly_ore


def test_organisation_without_agreement_can_only_send_offert(demo_app):
    other = user(OTHER_ORG_ADMIN)
    assert current_agreement(other.organisation_id) is None
    order = Catalogue(other, other.organisation_id, is_quote=False)
    assert not order.may_order and order.products() == []
    quote = Catalogue(other, other.organisation_id, is_quote=True)
    assert quote.may_order and product("MOB-FAST") in quote.products()


def test_agreement_only_current_within_its_period(demo_app):
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    agreement = current_agreement(org)
    with write_tx():
        Agreement.update(end_date=dt.date.today() - dt.timedelta(days=1)).where(
            Agreement.id == agreement.id
        ).execute()
    assert current_agreement(org) is None
    assert current_agreement(org, dt.date.today() - dt.timedelta(days=2)) is not None


def test_hardware_needs_its_permission(demo_app):
    konto = user(ACCOUNT_ADMIN)  # no services.hardware
    admin = user(ADMIN)
    iphone = product("HW-IPHONE")
    assert iphone.permission == "services.hardware"
    assert iphone not in Catalogue(konto, konto.organisation_id, is_quote=False).products()
    assert iphone in Catalogue(admin, admin.organisation_id, is_quote=False).products()
    sections = dict(Catalogue(konto, konto.organisation_id, is_quote=False).sections())
    assert "Hårdvara" not in sections
    assert "Mobiltjänster" in sections


def test_category_search(demo_app):
    admin = user(ADMIN)
    sections = Catalogue(admin, admin.organisation_id, is_quote=False).sections("växel")
    names = [c.name for _, cats in sections for c, _n in cats]
    assert names and all("Växel" in n for n in names)
