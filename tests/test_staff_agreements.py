"""Avtal and Prislistor in the back office (issue 17 item 2): the agreement
list with its filters, creating and editing agreements and price lists with
their validation, and who may open them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from database import write_tx
from domain.passwords import hash_password
from models import (
    Agreement,
    AgreementProduct,
    AuditLog,
    Organisation,
    PriceList,
    PriceListItem,
    PriceListRequestPrice,
    Product,
    RequestType,
    StaffUser,
)
from tests.conftest import ADMIN, STAFF
from tests.listpage import read_xlsx, xlsx_column
from tests.tickets_data import client_for


@pytest.fixture
def desk(demo_app):
    return client_for(demo_app, STAFF)


def org(name):
    return Organisation.get(Organisation.name == name)


def a3_agreement():
    return Agreement.get(Agreement.number == "RA-2023-0147")


def product(code):
    return Product.get(Product.code == code)


def staff_with(roles: str) -> str:
    username = f"{roles.replace(' ', '-')}@operator.se"
    with write_tx():
        StaffUser.create(
            username=username,
            email=username,
            name=f"Personal {roles}",
            password_hash=hash_password("x" * 12),
            roles=roles,
        )
    return username


def agreement_form(**overrides):
    data = {
        "number": "RA-2026-0200",
        "organisation": str(org("Norrlandsbygg AB").id),
        "name": "Ramavtal Bygg",
        "start_date": "2026-01-01",
        "end_date": "",
        "price_list": "",
        "sla": "",
        "notice_months": "6",
        "products": [str(product("MOB-FAST").id), str(product("DATA-10").id)],
    }
    data.update(overrides)
    return data


def counts():
    return (
        Agreement.select().count(),
        AgreementProduct.select().count(),
        AuditLog.select().where(AuditLog.action.startswith("agreement.")).count(),
    )


def fingerprint_of(html: str) -> str:
    return re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', html).group(1)


# --------------------------------------------------------------------------- list


def test_list_shows_every_customers_agreements_by_organisation_and_status(demo_app, desk):
    norrbygg = org("Norrlandsbygg AB")
    with write_tx():
        Agreement.create(
            organisation=norrbygg,
            number="RA-2020-0001",
            name="Gammalt avtal",
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2021, 12, 31),
        )
    page = desk.get("/staff/agreements")
    assert page.status_code == 200
    assert "RA-2023-0147" in page.text and "A3 Demo Connect" in page.text
    assert "RA-2020-0001" in page.text and "Upphört" in page.text and "Gällande" in page.text
    own = desk.get(f"/staff/agreements?organisation={norrbygg.id}").text
    assert "RA-2020-0001" in own and "RA-2023-0147" not in own
    current = desk.get("/staff/agreements?f_status=current").text
    assert "RA-2023-0147" in current and "RA-2020-0001" not in current
    ended = desk.get("/staff/agreements?f_status=ended", headers={"HX-Request": "true"})
    assert "<html" not in ended.text
    assert "RA-2020-0001" in ended.text and "RA-2023-0147" not in ended.text
    unknown = desk.get("/staff/agreements?organisation=999999").text
    assert "RA-2023-0147" not in unknown and "Det finns inga avtal" in unknown
    assert desk.get("/staff/agreements?organisation=abc").status_code == 200
    header, rows = read_xlsx(desk.get("/staff/agreements?export=xlsx"))
    numbers = xlsx_column(header, rows, "Avtalsnummer")
    statuses = dict(zip(numbers, xlsx_column(header, rows, "Status"), strict=True))
    assert statuses["RA-2023-0147"] == "Gällande" and statuses["RA-2020-0001"] == "Upphört"


def test_agreement_page_shows_terms_and_products(demo_app, desk):
    agreement = a3_agreement()
    page = desk.get(f"/staff/agreements/{agreement.id}")
    assert page.status_code == 200
    assert "Ramavtal Företag" in page.text and "A3 Ramavtal 2023" in page.text
    assert "2023-01-01 – tills vidare" in page.text and "3 månader" in page.text
    assert "Mobil Fastpris" in page.text or product("MOB-FAST").name in page.text
    assert desk.get("/staff/agreements/999999").status_code == 404


# --------------------------------------------------------------------------- create and edit


def test_create_agreement_then_edit_it(demo_app, desk):
    norrbygg = org("Norrlandsbygg AB")
    price_list = PriceList.get(PriceList.name == "A3 Ramavtal 2023")
    form = desk.get(f"/staff/agreements/new?organisation={norrbygg.id}")
    assert form.status_code == 200 and "Produkter i avtalet" in form.text
    response = desk.post(
        "/staff/agreements/new", data=agreement_form(price_list=str(price_list.id))
    )
    assert response.status_code == 303, response.text
    agreement = Agreement.get(Agreement.number == "RA-2026-0200")
    assert response.location.endswith(f"/staff/agreements/{agreement.id}")
    assert (agreement.organisation_id, agreement.notice_months) == (norrbygg.id, 6)
    assert agreement.price_list_id == price_list.id and agreement.end_date is None
    included = {p.product.code for p in agreement.products}
    assert included == {"MOB-FAST", "DATA-10"}
    assert AuditLog.get(AuditLog.action == "agreement.create").organisation_id == norrbygg.id

    edit = desk.get(f"/staff/agreements/{agreement.id}/edit")
    assert edit.status_code == 200 and "Ramavtal Bygg" in edit.text
    response = desk.post(
        f"/staff/agreements/{agreement.id}/edit",
        data=agreement_form(
            name="Ramavtal Bygg 2026",
            end_date="2027-12-31",
            organisation=str(org("A3 Demo Connect").id),  # ignored: the customer stays
            products=[str(product("BB-100").id)],
            fingerprint=fingerprint_of(edit.text),
        ),
    )
    assert response.status_code == 303, response.text
    agreement = Agreement.get_by_id(agreement.id)
    assert agreement.name == "Ramavtal Bygg 2026" and agreement.end_date == dt.date(2027, 12, 31)
    assert agreement.organisation_id == norrbygg.id
    assert {p.product.code for p in agreement.products} == {"BB-100"}
    changed = AuditLog.get(AuditLog.action == "agreement.update")
    assert "Ramavtal Bygg 2026" in changed.summary and '"BB-100"' not in (changed.before or "")


OVERLAP = "Perioden överlappar avtal RA-2023-0147 (Ramavtal Företag, 2023-01-01 – tills vidare)"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"organisation": "A3", "start_date": "2025-06-01"},
            "start_date",
            OVERLAP,
        ),
        (
            {"organisation": "A3", "start_date": "2020-01-01", "end_date": "2023-01-01"},
            "end_date",
            OVERLAP,
        ),
        ({"end_date": "2025-12-31"}, "end_date", "Slutdatum kan inte vara före startdatum."),
        ({"start_date": "2026-13-01"}, "start_date", "Ange datum som ÅÅÅÅ-MM-DD"),
        ({"start_date": ""}, "start_date", "Ange datum som ÅÅÅÅ-MM-DD."),
        ({"end_date": "31/12/2027"}, "end_date", "Ange datum som ÅÅÅÅ-MM-DD"),
        ({"price_list": "999999"}, "price_list", "Prislistan finns inte."),
        ({"price_list": "abc"}, "price_list", "Prislistan finns inte."),
        ({"sla": "999999"}, "sla", "SLA-nivån finns inte."),
        ({"number": "RA-2023-0147"}, "number", "Avtalsnumret RA-2023-0147 finns redan"),
        ({"number": "ra-2023-0147"}, "number", "Avtalsnumret RA-2023-0147 finns redan"),
        ({"number": ""}, "number", "Ange ett avtalsnummer."),
        ({"name": ""}, "name", "Ange ett namn på avtalet."),
        ({"organisation": ""}, "organisation", "Välj en kund."),
        ({"organisation": "999999"}, "organisation", "Kunden finns inte."),
        ({"notice_months": "tre"}, "notice_months", "Ange uppsägningstid i hela månader"),
        ({"notice_months": "999"}, "notice_months", "Ange uppsägningstid i hela månader"),
        ({"products": ["999999"]}, "products", "En vald produkt finns inte längre"),
        ({"products": ["x"]}, "products", "En vald produkt finns inte längre"),
        ({"name": "Avtal\x00"}, "name", "Fältet innehåller otillåtna tecken."),
    ],
)
def test_bad_agreement_refused_with_message_and_nothing_written(
    demo_app, desk, overrides, field, message
):
    if overrides.get("organisation") == "A3":
        overrides["organisation"] = str(org("A3 Demo Connect").id)
    before = counts()
    response = desk.post("/staff/agreements/new", data=agreement_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    if field != "products":
        # the message sits next to its field
        assert re.search(rf'id="{field}-error"[^>]*>{re.escape(message)}', response.text)
    assert counts() == before


def test_an_adjacent_period_is_no_overlap(demo_app, desk):
    a3 = org("A3 Demo Connect")
    old = a3_agreement()
    edit = desk.get(f"/staff/agreements/{old.id}/edit")
    keep = [str(p.product_id) for p in old.products]
    ended = desk.post(
        f"/staff/agreements/{old.id}/edit",
        data=agreement_form(
            number=old.number,
            name=old.name,
            start_date="2023-01-01",
            end_date="2025-12-31",
            notice_months="3",
            price_list=str(old.price_list_id),
            sla=str(old.sla_id),
            products=keep,
            fingerprint=fingerprint_of(edit.text),
        ),
    )
    assert ended.status_code == 303, ended.text
    assert len(keep) == AgreementProduct.select().where(AgreementProduct.agreement == old).count()
    new = desk.post(
        "/staff/agreements/new",
        data=agreement_form(organisation=str(a3.id), start_date="2026-01-01"),
    )
    assert new.status_code == 303, new.text
    assert a3.agreements.count() == 2


def test_stale_edit_is_refused(demo_app, desk):
    agreement = a3_agreement()
    edit = desk.get(f"/staff/agreements/{agreement.id}/edit")
    stale = fingerprint_of(edit.text)
    with write_tx():  # a colleague saves in between
        Agreement.update(notice_months=6).where(Agreement.id == agreement.id).execute()
    response = desk.post(
        f"/staff/agreements/{agreement.id}/edit",
        data=agreement_form(
            number=agreement.number, start_date="2023-01-01", name="Nytt namn", fingerprint=stale
        ),
    )
    assert response.status_code == 200
    assert "Avtalet har ändrats av någon annan" in response.text
    assert Agreement.get_by_id(agreement.id).name == "Ramavtal Företag"


def test_missing_csrf_is_refused(demo_app):
    client = client_for(demo_app, STAFF)
    response = client.post("/staff/agreements/new", data=agreement_form(), csrf=False)
    assert response.status_code == 400
    assert not Agreement.select().where(Agreement.number == "RA-2026-0200").exists()


# --------------------------------------------------------------------------- price lists


def price_form(name="Bygg 2026", **prices):
    data = {"name": name, "description": "Avtalspriser för bygg"}
    data.update(prices)
    return data


def test_price_list_prices_in_kronor_stored_in_ore(demo_app, desk):
    mob, bb, phone = product("MOB-FAST"), product("BB-100"), product("HW-IPHONE")
    tags = RequestType.get(RequestType.key == "tag_order")
    log = RequestType.get(RequestType.key == "log_extract")
    assert desk.get("/staff/pricelists/new").status_code == 200
    response = desk.post(
        "/staff/pricelists/new",
        data=price_form(
            **{
                f"p{mob.id}_monthly": "199,00",
                f"p{mob.id}_binding": "24",
                f"p{bb.id}_monthly": "1 299,50",
                f"p{bb.id}_start": "199",
                f"p{phone.id}_monthly": "0",
                f"p{phone.id}_start": "8990.5",
                f"rt{tags.id}_price": "150",
                f"rt{log.id}_price": "0",
            }
        ),
    )
    assert response.status_code == 303, response.text
    price_list = PriceList.get(PriceList.name == "Bygg 2026")
    items = {
        i.product.code: (i.monthly_ore, i.start_ore, i.binding_months) for i in price_list.items
    }
    assert items == {
        "MOB-FAST": (19900, 0, 24),
        "BB-100": (129950, 19900, 0),
        "HW-IPHONE": (0, 899050, 0),
    }
    requests = {r.request_type.key: r.price_ore for r in price_list.request_prices}
    assert requests == {"tag_order": 15000, "log_extract": 0}
    page = desk.get(f"/staff/pricelists/{price_list.id}")
    assert 'value="1299,50"' in page.text and 'value="150"' in page.text
    # The list shows it with its counts.
    listing = desk.get("/staff/pricelists").text
    assert "Bygg 2026" in listing and "A3 Ramavtal 2023" in listing

    # Emptying a price takes the product out; a request price too.
    response = desk.post(
        f"/staff/pricelists/{price_list.id}",
        data=price_form(
            fingerprint=fingerprint_of(page.text),
            **{f"p{mob.id}_monthly": "189", f"rt{log.id}_price": "495"},
        ),
    )
    assert response.status_code == 303, response.text
    assert [(i.product.code, i.monthly_ore) for i in price_list.items] == [("MOB-FAST", 18900)]
    requests = {r.request_type.key: r.price_ore for r in price_list.request_prices}
    assert requests == {"log_extract": 49500}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("monthly", "abc", "Ange ett belopp i kronor, t.ex. 199 eller 199,00."),
        ("monthly", "199,001", "Ange ett belopp i kronor"),
        ("monthly", "1.999.00", "Ange ett belopp i kronor"),
        ("monthly", "-5", "Priset kan inte vara negativt."),
        ("monthly", "2000000", "Priset får vara högst 1 000 000 kr."),
        ("start", "12 kr", "Ange ett belopp i kronor"),
        ("binding", "tolv", "Ange bindningstid i hela månader"),
        ("binding", "500", "Ange bindningstid i hela månader"),
        ("request", "gratis", "Ange ett belopp i kronor"),
    ],
)
def test_bad_prices_get_a_message_next_to_the_field_and_nothing_is_written(
    demo_app, desk, field, value, message
):
    price_list = PriceList.get(PriceList.name == "A3 Ramavtal 2023")
    mob = product("MOB-FAST")
    tags = RequestType.get(RequestType.key == "tag_order")
    page = desk.get(f"/staff/pricelists/{price_list.id}")
    name = {
        "monthly": f"p{mob.id}_monthly",
        "start": f"p{mob.id}_start",
        "binding": f"p{mob.id}_binding",
        "request": f"rt{tags.id}_price",
    }[field]
    data = price_form(name="Ändrat namn", fingerprint=fingerprint_of(page.text))
    data.update({f"p{mob.id}_monthly": "129", name: value})
    before = (
        [(i.product_id, i.monthly_ore, i.start_ore) for i in price_list.items],
        [(r.request_type_id, r.price_ore) for r in price_list.request_prices],
    )
    response = desk.post(f"/staff/pricelists/{price_list.id}", data=data)
    assert response.status_code == 200
    assert re.search(rf'id="{name}-error">{re.escape(message)}', response.text), message
    assert f'value="{value}"' in response.text  # what was typed stays
    after = (
        [(i.product_id, i.monthly_ore, i.start_ore) for i in price_list.items],
        [(r.request_type_id, r.price_ore) for r in price_list.request_prices],
    )
    assert after == before
    assert PriceList.get_by_id(price_list.id).name == "A3 Ramavtal 2023"


def test_price_list_needs_a_unique_name(demo_app, desk):
    before = PriceList.select().count()
    taken = desk.post("/staff/pricelists/new", data=price_form(name="a3 ramavtal 2023"))
    assert taken.status_code == 200
    assert "Det finns redan en prislista som heter a3 ramavtal 2023." in taken.text
    empty = desk.post("/staff/pricelists/new", data=price_form(name=""))
    assert "Ange ett namn på prislistan." in empty.text
    assert PriceList.select().count() == before
    assert PriceListItem.select().count() > 0 and PriceListRequestPrice.select().count() == 3


# --------------------------------------------------------------------------- access


ADMIN_ROUTES = [
    ("get", "/staff/agreements"),
    ("get", "/staff/agreements/new"),
    ("post", "/staff/agreements/new"),
    ("get", "/staff/agreements/{agreement}"),
    ("get", "/staff/agreements/{agreement}/edit"),
    ("post", "/staff/agreements/{agreement}/edit"),
    ("get", "/staff/pricelists"),
    ("get", "/staff/pricelists/new"),
    ("post", "/staff/pricelists/new"),
    ("get", "/staff/pricelists/{price_list}"),
    ("post", "/staff/pricelists/{price_list}"),
]
BILLING_ROUTES = [
    ("get", "/staff/billing/charges"),
    ("post", "/staff/billing/charges/collect?upto=999"),
]


def _urls(routes):
    ids = {
        "agreement": a3_agreement().id,
        "price_list": PriceList.get(PriceList.name == "A3 Ramavtal 2023").id,
    }
    return [(method, path.format(**ids)) for method, path in routes]


@pytest.mark.parametrize("roles", ["orders", "support", "billing"])
def test_staff_without_admin_get_403_on_agreements_and_price_lists(demo_app, roles):
    client = client_for(demo_app, staff_with(roles))
    for method, url in _urls(ADMIN_ROUTES):
        response = getattr(client, method)(url, data=agreement_form())
        assert response.status_code == 403, (method, url)
    assert Agreement.select().count() == 1


@pytest.mark.parametrize("roles", ["orders", "support"])
def test_staff_without_billing_get_403_on_charges(demo_app, roles):
    client = client_for(demo_app, staff_with(roles))
    for method, url in _urls(BILLING_ROUTES):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_billing_staff_open_the_charges_and_customers_none_of_it(demo_app):
    billing = client_for(demo_app, staff_with("billing"))
    assert billing.get("/staff/billing/charges", follow_redirects=True).status_code == 200
    customer = client_for(demo_app, ADMIN)
    for method, url in _urls(ADMIN_ROUTES + BILLING_ROUTES):
        assert getattr(customer, method)(url).status_code == 403, url


def test_menu_shows_avtal_to_admin_only(demo_app, desk):
    assert 'href="/staff/agreements"' in desk.get("/staff/").text
    orders = client_for(demo_app, staff_with("orders"))
    assert 'href="/staff/agreements"' not in orders.get("/staff/").text


# --------------------------------------------------------------------------- forms as shown


def shown_form(html: str, css_class: str) -> list[tuple[str, str]]:
    """What a form on the page sends as it is shown: (name, value) pairs."""
    import lxml.html

    (form,) = lxml.html.fromstring(html).xpath(f'//form[contains(@class, "{css_class}")]')
    pairs = []
    for element in form.xpath(".//input|.//select|.//textarea"):
        name, kind = element.get("name"), (element.get("type") or "").lower()
        if not name or name == "csrf_token":
            continue
        if kind == "checkbox" and element.get("checked") is None:
            continue
        if element.tag == "select":
            chosen = element.xpath(".//option[@selected]") or element.xpath(".//option")[:1]
            pairs.append((name, chosen[0].get("value", "")))
        elif element.tag == "textarea":
            pairs.append((name, element.text or ""))
        else:
            pairs.append((name, element.get("value", "")))
    return pairs


def test_saving_the_forms_as_shown_changes_nothing(demo_app, desk):
    """Every product the agreement and its price list hold is in the forms,
    options without a category (data packages, price plans …) included."""
    from werkzeug.datastructures import MultiDict

    agreement = a3_agreement()
    price_list = agreement.price_list
    included = sorted(p.product_id for p in agreement.products)
    prices = sorted((i.product_id, i.monthly_ore, i.start_ore) for i in price_list.items)
    requests = sorted((r.request_type_id, r.price_ore) for r in price_list.request_prices)
    assert product("DATA-10").id in included and product("PL-FAST").id in included

    page = desk.get(f"/staff/agreements/{agreement.id}")
    assert "Tillval: Datapaket" in page.text and product("DATA-10").name in page.text
    form = desk.get(f"/staff/agreements/{agreement.id}/edit").text
    response = desk.post(
        f"/staff/agreements/{agreement.id}/edit", data=MultiDict(shown_form(form, "agreement-form"))
    )
    assert response.status_code == 303, response.text
    assert sorted(p.product_id for p in a3_agreement().products) == included

    form = desk.get(f"/staff/pricelists/{price_list.id}").text
    response = desk.post(
        f"/staff/pricelists/{price_list.id}", data=MultiDict(shown_form(form, "pricelist-form"))
    )
    assert response.status_code == 303, response.text
    assert sorted((i.product_id, i.monthly_ore, i.start_ore) for i in price_list.items) == prices
    assert sorted((r.request_type_id, r.price_ore) for r in price_list.request_prices) == requests


def test_double_submit_and_stale_price_list(demo_app, desk):
    first = desk.post("/staff/agreements/new", data=agreement_form())
    second = desk.post("/staff/agreements/new", data=agreement_form())
    assert first.status_code == 303 and second.status_code == 200
    assert "Avtalsnumret RA-2026-0200 finns redan (Norrlandsbygg AB)." in second.text
    assert Agreement.select().where(Agreement.number == "RA-2026-0200").count() == 1

    price_list = PriceList.get(PriceList.name == "A3 Ramavtal 2023")
    stale = fingerprint_of(desk.get(f"/staff/pricelists/{price_list.id}").text)
    held = price_list.items.count()
    with write_tx():  # a colleague changes a price in between
        PriceListItem.update(monthly_ore=11900).where(
            (PriceListItem.price_list == price_list.id)
            & (PriceListItem.product == product("MOB-FAST").id)
        ).execute()
    response = desk.post(
        f"/staff/pricelists/{price_list.id}",
        data=price_form(name="A3 Ramavtal 2023", fingerprint=stale),
    )
    assert response.status_code == 200
    assert "Prislistan har ändrats av någon annan" in response.text
    assert held == 4 and price_list.items.count() == held  # nothing removed
