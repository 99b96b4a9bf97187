"""Ny beställning (ORD-2): every step as a page and as an htmx fragment,
the draft keeping what was entered, sending and its confirmation."""

from __future__ import annotations

import json
import re

import pytest

from models import Account, Order, OrderLine, PoolNumber, Product, User
from tables.catalogue import OptionGroup
from tests.conftest import ACCOUNT_ADMIN, ADMIN, login_as

HX = {"HX-Request": "true"}


def product(code):
    return Product.get(Product.code == code)


def account(number):
    return Account.get(Account.customer_number == number)


def start(client, number="99012615", kind="order"):
    response = client.post("/orders/new", data={"account": account(number).id, "kind": kind})
    assert response.status_code == 303, response.text
    draft_id = int(re.search(r"/orders/drafts/(\d+)/category", response.location).group(1))
    return Order.get_by_id(draft_id)


def add(client, draft, code):
    response = client.post(f"/orders/drafts/{draft.id}/lines", data={"product": product(code).id})
    assert response.status_code == 303, response.text
    line_id = int(response.location.rsplit("/", 1)[1])
    return OrderLine.get_by_id(line_id)


def group(code, name):
    return OptionGroup.get((OptionGroup.product == product(code)) & (OptionGroup.name == name))


def item_id(code, group_name, item_code):
    g = group(code, group_name)
    return next(i.id for i in g.items if i.product.code == item_code)


def finish_data(line, **extra):
    data = {
        f"l{line.id}-end_user": "Anna Andersson",
        f"l{line.id}-sim": "new",
        f"l{line.id}-number_choice": "new",
        f"l{line.id}-number": "0761000100",
        "delivery_choice": "profile",
        "billing_account": str(line.order.account_id),
        "contact_method": "email",
        "contact_email": "admin@a3demo.se",
        "desired_date": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def admin(demo_client):
    login_as(demo_client, ADMIN)
    return demo_client


# --------------------------------------------------------------------------- steps


def test_start_page_and_fragment(admin):
    page = admin.get("/orders/new")
    assert page.status_code == 200
    assert "<html" in page.text and "Välj det konto" in page.text
    assert "Offert" in page.text and "RA-2023-0147" in page.text
    fragment = admin.get("/orders/new", headers=HX)
    assert "<html" not in fragment.text and 'name="kind"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_started_from_account_is_locked(admin):
    sub = account("99500852")
    page = admin.get(f"/orders/new?account={sub.id}")
    assert "kan inte ändras här" in page.text and 'name="account"' not in page.text
    # a tampered account in the form does not move the order
    response = admin.post(
        f"/orders/new?account={sub.id}", data={"account": account("99012615").id, "kind": "order"}
    )
    assert response.status_code == 303
    draft = Order.select().order_by(Order.id.desc()).get()
    assert draft.account_id == sub.id and draft.status == "draft"
    page = admin.get(f"/orders/drafts/{draft.id}/start")
    assert "kan inte ändras här" in page.text


def test_htmx_step_change_uses_hx_location(admin):
    response = admin.post(
        "/orders/new", data={"account": account("99012615").id, "kind": "order"}, headers=HX
    )
    assert response.status_code == 200
    target = json.loads(response.headers["HX-Location"])
    assert target["target"] == "#wizard" and "/category" in target["path"]


def test_category_step_grouped_and_searchable(admin):
    draft = start(admin)
    page = admin.get(f"/orders/drafts/{draft.id}/category")
    text = page.text
    for section in ("Hårdvara", "Mobiltjänster", "Växel", "Bredband"):
        assert f"<h3>{section}</h3>" in text
    found = admin.get(f"/orders/drafts/{draft.id}/category?q=bredband", headers=HX)
    assert "<html" not in found.text
    assert "Mobilt bredband" in found.text and "Växel - Mobil" not in found.text


def test_product_step_shows_instructions_and_agreement_price(admin):
    draft = start(admin)
    category = product("MOB-FAST").category
    page = admin.get(f"/orders/drafts/{draft.id}/category/{category.id}")
    assert "Beställningsinstruktioner" in page.text
    assert "Fastpris är vanligast" in page.text
    assert "129,00\u00a0kr" in page.text and "139,00\u00a0kr" in page.text  # agreement vs list
    assert "Avtalspris" in page.text


def test_offert_marks_products_outside_agreement(admin):
    order = start(admin, kind="order")
    category = product("KAP-1G").category
    page = admin.get(f"/orders/drafts/{order.id}/category/{category.id}")
    assert "Kapacitetstjänst" not in page.text
    quote = start(admin, kind="quote")
    page = admin.get(f"/orders/drafts/{quote.id}/category/{category.id}")
    assert "Kapacitetstjänst" in page.text and "Utanför avtalet" in page.text


def test_configuration_defaults_optional_and_totals(admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    page = admin.get(f"/orders/drafts/{draft.id}/lines/{line.id}")
    text = page.text
    assert "Valfritt." in text
    for name in ("Prislista", "Datapaket", "Tilläggstjänster", "Handtag", "SIM-kortstyp"):
        assert name in text
    # defaults: Fastpris + 5GB: 129 + 200
    assert re.search(r'data-total="monthly">329,00', text)
    # choose 10GB (agreement price 225) and the twin card (29): recomputed on the server
    response = admin.post(
        f"/orders/drafts/{draft.id}/lines/{line.id}",
        data={
            f"group-{group('MOB-FAST', 'Prislista').id}": item_id(
                "MOB-FAST", "Prislista", "PL-FAST"
            ),
            f"group-{group('MOB-FAST', 'Datapaket').id}": item_id(
                "MOB-FAST", "Datapaket", "DATA-10"
            ),
            f"group-{group('MOB-FAST', 'Tilläggstjänster').id}": item_id(
                "MOB-FAST", "Tilläggstjänster", "ADD-TWIN"
            ),
            f"group-{group('MOB-FAST', 'SIM-kortstyp').id}": item_id(
                "MOB-FAST", "SIM-kortstyp", "SIM-VOICE"
            ),
            "quantity": "1",
            "action": "refresh",
        },
        headers=HX,
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert re.search(r'data-total="monthly">383,00', response.text)
    names = {o.name for o in OrderLine.select().where(OrderLine.parent == line.id)}
    assert names == {"Fastpris", "Mobil Data 10GB", "Tvillingkort", "Voice SIM-kort", "Mobilapp"}


def test_full_order_sent_with_agreement_prices(admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    response = admin.post(
        f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="send")
    )
    assert response.status_code == 303, response.text
    order = Order.get_by_id(draft.id)
    # Mobiltelefoni's chain: Anna Lind's own step passes, Per Holm's waits
    assert order.status == "awaiting_approval" and order.version == 0
    assert order.agreement_number == "RA-2023-0147" and order.batch == str(order.number)
    assert order.product_area == "mobile"
    assert (order.delivery_street, order.delivery_postcode) == ("Gata 1", "90155")
    sent_line = OrderLine.get_by_id(line.id)
    assert sent_line.monthly_ore == 12900
    details = json.loads(sent_line.details)
    assert details["number"] == "0761000100" and details["end_user"] == "Anna Andersson"
    assert PoolNumber.get(PoolNumber.number == "0761000100").status == "reserved"
    assert order.versions.count() == 1
    confirmation = admin.get(response.location)
    assert "Beställningen är nu slutförd och kommer att bearbetas" in confirmation.text
    assert order.label in confirmation.text


def test_offert_for_organisation_without_agreement(demo_client):
    login_as(demo_client, "admin@norrbygg.se")
    top = account("99013377")
    refused = demo_client.post("/orders/new", data={"account": top.id, "kind": "order"})
    assert refused.status_code == 200 and "Du kan bara skicka en offert" in refused.text
    draft = start(demo_client, "99013377", kind="quote")
    line = add(demo_client, draft, "MOB-FAST")
    response = demo_client.post(
        f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="send")
    )
    assert response.status_code == 303, response.text
    order = Order.get_by_id(draft.id)
    assert order.is_quote and order.agreement_number == ""
    assert OrderLine.get_by_id(line.id).monthly_ore == 13900  # list price


def test_split_per_area_into_one_batch(admin):
    draft = start(admin)
    mobile = add(admin, draft, "MOB-FAST")
    broadband = add(admin, draft, "BB-100")
    data = finish_data(
        mobile,
        **{
            f"l{broadband.id}-end_user": "Kontoret",
            f"l{broadband.id}-street": "Gata 1",
            f"l{broadband.id}-postcode": "901 55",
            f"l{broadband.id}-city": "Umeå",
            f"l{broadband.id}-technology": "Fiber",
            "action": "send",
        },
    )
    response = admin.post(f"/orders/drafts/{draft.id}/finish", data=data)
    assert response.status_code == 303, response.text
    orders = list(Order.select().where(Order.batch == str(draft.number)).order_by(Order.id))
    assert len(orders) == 2
    assert {o.product_area for o in orders} == {"mobile", "data"}
    # the mobile order waits for its approval chain; Datanät has none
    assert [o.status for o in orders] == ["awaiting_approval", "received"]
    assert all(o.version == 0 for o in orders)
    bb = OrderLine.get_by_id(broadband.id)
    assert bb.order_id == orders[1].id and bb.monthly_ore == 54900
    assert json.loads(bb.details)["address"]["postcode"] == "90155"
    page = admin.get(response.location)
    assert orders[0].label in page.text and orders[1].label in page.text


def test_lagg_till_produkt_keeps_the_draft(admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    response = admin.post(f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="add"))
    assert response.status_code == 303 and "/category" in response.location
    page = admin.get(response.location)
    assert "Din beställning" in page.text and "Mobil Fastpris" in page.text
    resumed = admin.get(f"/orders/drafts/{draft.id}/finish")
    assert 'value="Anna Andersson"' in resumed.text


def test_save_as_draft_and_resume_after_new_login(demo_app, admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    response = admin.post(
        f"/orders/drafts/{draft.id}/finish",
        data=finish_data(line, action="save", desired_date="2031-01-02"),
    )
    assert response.status_code == 303 and response.location.endswith("/orders")
    other = demo_app.test_client()
    login_as(other, ADMIN)
    resumed = other.get(f"/orders/drafts/{draft.id}", follow_redirects=True)
    assert 'value="Anna Andersson"' in resumed.text
    assert 'value="2031-01-02"' in resumed.text
    assert '<option value="0761000100" selected>' in resumed.text
    assert Order.get_by_id(draft.id).status == "draft"


def test_delete_draft(admin):
    draft = start(admin)
    response = admin.post(f"/orders/drafts/{draft.id}/delete")
    assert response.status_code == 303
    assert Order.get_or_none(Order.id == draft.id) is None


def test_number_taken_by_another_draft_choose_again(admin):
    first = start(admin)
    first_line = add(admin, first, "MOB-FAST")
    second = start(admin)
    second_line = add(admin, second, "MOB-FAST")
    admin.post(f"/orders/drafts/{second.id}/finish", data=finish_data(second_line, action="save"))
    sent = admin.post(
        f"/orders/drafts/{first.id}/finish", data=finish_data(first_line, action="send")
    )
    assert sent.status_code == 303
    again = admin.post(
        f"/orders/drafts/{second.id}/finish", data=finish_data(second_line, action="send")
    )
    assert again.status_code == 200
    assert "inte längre ledigt" in again.text and "Välj ett annat" in again.text
    assert Order.get_by_id(second.id).status == "draft"
    assert Order.get_by_id(second.id).submitted_at is None


def test_double_clicked_send_gives_one_order(admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    data = finish_data(line, action="send")
    first = admin.post(f"/orders/drafts/{draft.id}/finish", data=data)
    second = admin.post(f"/orders/drafts/{draft.id}/finish", data=data)
    assert first.status_code == 303
    # the draft is no longer one: 404, never a second order
    assert second.status_code == 404
    assert Order.select().where(Order.batch == str(draft.number)).count() == 1
    assert OrderLine.select().where(OrderLine.order == draft.id).count() == 5


def test_send_race_in_the_domain_gives_one_order(demo_app):
    from domain.orders import drafts, sending

    user = User.get(User.username == ADMIN)
    draft = drafts.start(user, account("99012615").id, False)
    line = drafts.add_product(user, draft, product("MOB-FAST").id)
    from werkzeug.datastructures import MultiDict

    drafts.save_finish(draft, MultiDict(finish_data(line)))
    stale = Order.get_by_id(draft.id)  # both clicks loaded the draft
    sending.send(Order.get_by_id(draft.id), user)
    with pytest.raises(sending.AlreadySent):
        sending.send(stale, user)
    assert Order.select().where(Order.batch == str(draft.number)).count() == 1


def test_pool_number_reserved_by_a_race_refused_nothing_written(demo_app):
    from werkzeug.datastructures import MultiDict

    from domain.orders import drafts, pool, sending

    user = User.get(User.username == ADMIN)
    draft = drafts.start(user, account("99012615").id, False)
    line = drafts.add_product(user, draft, product("MOB-FAST").id)
    drafts.save_finish(draft, MultiDict(finish_data(line)))
    # another order took the number between the check and the reservation
    original = pool.is_free
    try:
        pool.is_free = lambda number, kind="mobile": True
        from database import write_tx

        with write_tx():
            PoolNumber.update(status="reserved").where(PoolNumber.number == "0761000100").execute()
        with pytest.raises(drafts.DraftError) as caught:
            sending.send(draft, user)
    finally:
        pool.is_free = original
    assert "Välj ett annat" in caught.value.errors[f"l{line.id}-number"]
    fresh = Order.get_by_id(draft.id)
    assert fresh.status == "draft" and fresh.submitted_at is None and fresh.version == 0
    assert fresh.versions.count() == 0


def test_account_admin_only_their_subtree(demo_client):
    login_as(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/orders/new")
    assert "99500852" in page.text and "99012615" not in page.text
    refused = demo_client.post(
        "/orders/new", data={"account": account("99012615").id, "kind": "order"}
    )
    assert refused.status_code == 200 and "Välj ett av de konton" in refused.text
    assert demo_client.get(f"/orders/new?account={account('23080671').id}").status_code == 404
    # no services.hardware: hardware is not offered and cannot be added
    draft = start(demo_client, "99500852")
    response = demo_client.post(
        f"/orders/drafts/{draft.id}/lines", data={"product": product("HW-IPHONE").id}
    )
    assert response.status_code == 303 and "/category" in response.location
    assert OrderLine.select().where(OrderLine.order == draft.id).count() == 0


def test_other_organisations_draft_is_404(demo_app, admin):
    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    other = demo_app.test_client()
    login_as(other, "admin@norrbygg.se")
    for url in (
        f"/orders/drafts/{draft.id}",
        f"/orders/drafts/{draft.id}/start",
        f"/orders/drafts/{draft.id}/category",
        f"/orders/drafts/{draft.id}/lines/{line.id}",
        f"/orders/drafts/{draft.id}/finish",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/orders/drafts/{draft.id}/delete").status_code == 404
    assert (
        other.post(f"/orders/drafts/{draft.id}/finish", data={"action": "send"}).status_code == 404
    )
    assert Order.get_by_id(draft.id).status == "draft"


def test_without_orders_create_forbidden(demo_client):
    login_as(demo_client, "faktura@a3demo.se")
    assert demo_client.get("/orders/new").status_code == 403


def test_entry_points_link_to_the_wizard(admin):
    sub = account("99500852")
    assert f"/orders/new?account={sub.id}" in admin.get(f"/accounts/{sub.id}").text
    assert 'href="/orders/new"' in admin.get("/orders").text
    assert "/orders/new" in admin.get("/").text
