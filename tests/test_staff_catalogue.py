"""Produkter (/staff/catalogue, ORD-3): what staff change in the catalogue is
what Ny beställning offers; a product in use is retired, not deleted."""

from __future__ import annotations

import re

import pytest

from blueprints.staff.catalogue_forms import product_stamp
from database import write_tx
from domain.passwords import hash_password
from models import (
    AuditLog,
    Contact,
    OptionGroup,
    OptionGroupItem,
    Product,
    ProductCategory,
    Service,
    StaffUser,
    User,
)
from tests.conftest import ADMIN, STAFF
from tests.test_orders_wizard import add, start
from tests.tickets_data import client_for


@pytest.fixture
def desk(demo_app):
    return client_for(demo_app, STAFF)


@pytest.fixture
def customer(demo_app):
    return client_for(demo_app, ADMIN)


def product_form(**changes):
    data = {
        "code": "MOB-NORR",
        "name": "Mobil Norrland",
        "category": "",
        "kind": "subscription",
        "service_kind": "mobile",
        "monthly_ore": "149",
        "start_ore": "0",
        "binding_months": "12",
        "data_mb": "",
        "description": "Abonnemang för norra Sverige",
        "active": "y",
        "product_area": "mobile",
        "max_quantity": "1",
        "instructions": "Ring kundservice innan du beställer fler än fem.",
        "finish_fields": ["end_user", "sim", "number"],
        "permission": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def create_category(desk, name="Norrlandserbjudanden"):
    response = desk.post(
        "/staff/catalogue/categories/new",
        data={"name": name, "section": "Mobiltjänster", "active": "y"},
    )
    assert response.status_code == 303, response.text
    return ProductCategory.get(ProductCategory.name == name)


def create_product(desk, **changes):
    response = desk.post("/staff/catalogue/products/new", data=product_form(**changes))
    assert response.status_code == 303, response.text
    return Product.get(Product.code == product_form(**changes)["code"])


def test_new_product_shows_in_the_wizard_with_instructions_and_defaults(desk, customer):
    category = create_category(desk)
    new = create_product(desk, category=str(category.id))
    assert (new.monthly_ore, new.binding_months, new.finish_keys) == (
        14900,
        12,
        ("end_user", "sim", "number"),
    )
    response = desk.post(
        f"/staff/catalogue/products/{new.id}/groups",
        data={"name": "Datapaket", "kind": "data_package"},
    )
    assert response.status_code == 303
    group = OptionGroup.get(OptionGroup.product == new.id)
    five, ten = (Product.get(Product.code == c) for c in ("DATA-5", "DATA-10"))
    desk.post(f"/staff/catalogue/groups/{group.id}/items", data={f"g{group.id}-product": five.id})
    desk.post(
        f"/staff/catalogue/groups/{group.id}/items",
        data={f"g{group.id}-product": ten.id, f"g{group.id}-is_default": "y"},
    )
    items = list(group.items.order_by(OptionGroupItem.position))
    assert [(i.product_id, i.is_default) for i in items] == [(five.id, False), (ten.id, True)]
    # move 10GB first: the wizard lists the group's items in that order
    desk.post(f"/staff/catalogue/items/{items[1].id}/up")
    # an Offert offers the whole active catalogue (an Order: the agreement's)
    draft = start(customer, kind="quote")
    sections = customer.get(f"/orders/drafts/{draft.id}/category").text
    assert "Norrlandserbjudanden" in sections
    page = customer.get(f"/orders/drafts/{draft.id}/category/{category.id}").text
    assert "Mobil Norrland" in page and "Ring kundservice innan du beställer" in page
    line = add(customer, draft, "MOB-NORR")
    config = customer.get(f"/orders/drafts/{draft.id}/lines/{line.id}").text
    assert re.search(rf'name="group-{group.id}" value="{items[1].id}" checked', config)
    assert config.index("Mobil Data 10GB") < config.index("Mobil Data 5GB")
    assert AuditLog.select().where(AuditLog.action == "catalogue.product_created").exists()


def test_retired_product_leaves_the_wizard_but_its_services_still_show_it(desk, customer):
    service = Service.select().join(Product).where(Product.kind == "subscription").first()
    product = service.product
    draft = start(customer, kind="quote")
    category_page = f"/orders/drafts/{draft.id}/category/{product.category_id}"
    assert product.name in customer.get(category_page).text
    form = desk.get(f"/staff/catalogue/products/{product.id}").text
    assert "används" in form and "kan inte tas bort" in form
    response = desk.post(
        f"/staff/catalogue/products/{product.id}",
        data=product_form(
            code=product.code,
            name=product.name,
            category=str(product.category_id or ""),
            kind=product.kind,
            service_kind=product.service_kind,
            active=None,
            stamp=product_stamp(product),
        ),
    )
    assert response.status_code == 303
    assert not Product.get_by_id(product.id).active
    assert product.name not in customer.get(category_page).text
    refused = customer.post(f"/orders/drafts/{draft.id}/lines", data={"product": product.id})
    assert refused.status_code in (200, 303, 400, 404)
    assert draft.lines.count() == 0
    shown = client_for(customer.application, ADMIN).get(f"/services/{service.id}")
    assert shown.status_code == 200 and product.name in shown.text


def test_delete_refused_for_a_product_in_use_allowed_for_an_unused_one(desk):
    used = Product.get(Product.code == "DATA-5")  # an option item and on services
    response = desk.post(f"/staff/catalogue/products/{used.id}/delete")
    assert response.status_code == 303
    assert Product.get_or_none(Product.id == used.id) is not None
    page = desk.get(response.location).text
    assert "kan inte tas bort" in page and "Avaktivera" in page
    unused = create_product(desk, code="TEST-UNUSED")
    desk.post(
        f"/staff/catalogue/products/{unused.id}/groups", data={"name": "Extra", "kind": "addon"}
    )
    assert "används inte" in desk.get(f"/staff/catalogue/products/{unused.id}").text
    response = desk.post(f"/staff/catalogue/products/{unused.id}/delete")
    assert response.status_code == 303 and response.location.endswith("/staff/catalogue")
    assert Product.get_or_none(Product.id == unused.id) is None
    assert not OptionGroup.select().where(OptionGroup.product == unused.id).exists()


def test_product_with_a_permission_is_hidden_from_a_user_without_it(demo_app, desk, customer):
    category = create_category(desk)
    create_product(desk, category=str(category.id), permission="services.mex")
    admin = User.get(User.username == ADMIN)
    with write_tx():
        contact = Contact.create(
            organisation=admin.organisation_id,
            account=admin.scope_account_id,
            name="Olle Beställare",
            email="olle@a3demo.se",
        )
        User.create(
            organisation=admin.organisation_id,
            contact=contact,
            scope_account=admin.scope_account_id,
            username="olle@a3demo.se",
            email="olle@a3demo.se",
            name="Olle Beställare",
            password_hash=hash_password("x" * 12),
            permissions="accounts.view orders.create services.view",
        )
    olle = client_for(demo_app, "olle@a3demo.se")
    draft = start(olle, kind="quote")
    assert (
        "Mobil Norrland" not in olle.get(f"/orders/drafts/{draft.id}/category/{category.id}").text
    )
    draft = start(customer, kind="quote")
    page = customer.get(f"/orders/drafts/{draft.id}/category/{category.id}").text
    assert "Mobil Norrland" in page, "the administrator holds services.mex"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "MOB-FAST"}, "code", "används redan"),
        ({"code": ""}, "code", "Ange en kod"),
        ({"monthly_ore": "12,345"}, "monthly_ore", "kronor"),
        ({"monthly_ore": "-5"}, "monthly_ore", "negativt"),
        ({"binding_months": "tolv"}, "binding_months", "heltal"),
        ({"max_quantity": "0"}, "max_quantity", "mellan 1"),
        ({"service_kind": ""}, "service_kind", "måste ange"),
        ({"permission": "root"}, "permission", "giltigt val"),
    ],
)
def test_bad_product_input_shown_next_to_the_field(desk, changes, field, message):
    before = Product.select().count()
    response = desk.post("/staff/catalogue/products/new", data=product_form(**changes))
    assert response.status_code == 200
    error = re.search(rf'id="{field}-error">([^<]*)<', response.text)
    assert error and message in error.group(1), response.text[-2000:]
    assert Product.select().count() == before


def test_categories_reorder_and_list_filters(desk):
    first, second = ProductCategory.select().order_by(ProductCategory.position, ProductCategory.id)[
        :2
    ]
    response = desk.post(f"/staff/catalogue/categories/{second.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    order = [
        c.id
        for c in ProductCategory.select().order_by(ProductCategory.position, ProductCategory.id)
    ]
    assert order[:2] == [second.id, first.id]
    listed = desk.get("/staff/catalogue?f_kind=data_package").text
    assert "DATA-5" in listed and "MOB-FAST" not in listed
    by_category = desk.get(f"/staff/catalogue?f_category={first.id}").text
    codes = set(re.findall(r'/staff/catalogue/products/\d+">([^<]+)<', by_category))
    assert codes == {p.code for p in Product.select().where(Product.category == first.id)}


def test_support_staff_get_403(demo_app):
    with write_tx():
        StaffUser.create(
            username="kalle@operator.se",
            email="kalle@operator.se",
            name="Kalle Tekniker",
            password_hash=hash_password("x" * 12),
            roles="support orders billing",
        )
    other = client_for(demo_app, "kalle@operator.se")
    product = Product.get(Product.code == "MOB-FAST")
    for url in (
        "/staff/catalogue",
        f"/staff/catalogue/products/{product.id}",
        "/staff/catalogue/numbers",
        "/staff/catalogue/availability",
    ):
        assert other.get(url).status_code == 403, url
    assert other.post(f"/staff/catalogue/products/{product.id}/delete").status_code == 403
    assert other.post("/staff/catalogue/products/new", data=product_form()).status_code == 403
    assert not Product.select().where(Product.code == "MOB-NORR").exists()


def test_edit_keeps_its_own_code_refuses_another_and_is_audited(desk):
    product = Product.get(Product.code == "BB-100")
    data = product_form(
        code="BB-100",
        name="Företagsbredband 100/100 Plus",
        category=str(product.category_id),
        service_kind=product.service_kind,
        finish_fields=["end_user", "address"],
        monthly_ore="649,50",
        stamp=product_stamp(product),
    )
    response = desk.post(f"/staff/catalogue/products/{product.id}", data=data)
    assert response.status_code == 303
    changed = Product.get_by_id(product.id)
    assert (changed.name, changed.monthly_ore, changed.finish_keys) == (
        "Företagsbredband 100/100 Plus",
        64950,
        ("end_user", "address"),
    )
    entry = AuditLog.select().where(AuditLog.action == "catalogue.product_changed").get()
    assert '"monthly_ore": 59900' in entry.before and '"monthly_ore": 64950' in entry.after
    stale = desk.post(f"/staff/catalogue/products/{product.id}", data={**data, "name": "Gammal"})
    assert stale.status_code == 200 and "har ändrats av någon annan" in stale.text
    assert Product.get_by_id(product.id).name == "Företagsbredband 100/100 Plus"
    data["stamp"] = product_stamp(changed)
    taken = desk.post(f"/staff/catalogue/products/{product.id}", data={**data, "code": "BB-1000"})
    assert taken.status_code == 200 and 'id="code-error"' in taken.text
    assert Product.get_by_id(product.id).code == "BB-100"


def test_category_sent_twice_makes_no_twin_and_bad_input_is_shown(desk):
    create_category(desk, "Norrland")
    again = desk.post(
        "/staff/catalogue/categories/new",
        data={"name": "norrland", "section": "Mobiltjänster", "active": "y"},
    )
    assert again.status_code == 200 and 'id="name-error"' in again.text
    assert ProductCategory.select().where(ProductCategory.name == "Norrland").count() == 1
    empty = desk.post("/staff/catalogue/categories/new", data={"name": "", "section": ""})
    assert 'id="name-error"' in empty.text and 'id="section-error"' in empty.text
    category = ProductCategory.get(ProductCategory.name == "Norrland")
    kept = desk.post(
        f"/staff/catalogue/categories/{category.id}",
        data={"name": "Norrland", "section": "Mobiltjänster"},  # active unticked
    )
    assert kept.status_code == 303
    assert not ProductCategory.get_by_id(category.id).active
