"""Bad input in Ny beställning (issue 14 item 7): a clear message on the
step, nothing lost, nothing sent; tampered ids refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import Order, OrderLine, User
from tests.conftest import ADMIN, login_as
from tests.test_orders_wizard import account, add, finish_data, group, item_id, product, start


@pytest.fixture
def admin(demo_client):
    login_as(demo_client, ADMIN)
    return demo_client


@pytest.fixture
def mobile(admin):
    draft = start(admin)
    return draft, add(admin, draft, "MOB-FAST")


def send(client, line, **fields):
    return client.post(
        f"/orders/drafts/{line.order_id}/finish", data=finish_data(line, action="send", **fields)
    )


YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("end_user", "", "Ange slutanvändare"),
        ("end_user", "Anna\x00", "otillåtna tecken"),
        ("number", "", "Välj ett mobilnummer"),
        ("number", "0701234567", "inte längre ledigt"),  # not a pool number
        ("sim", "chip", "Välj SIM-kort"),
    ],
)
def test_line_fields(admin, mobile, key, value, message):
    draft, line = mobile
    response = send(admin, line, **{f"l{line.id}-{key}": value})
    assert response.status_code == 200
    assert message in response.text
    assert Order.get_by_id(draft.id).status == "draft"


def test_esim_needs_valid_email(admin, mobile):
    draft, line = mobile
    response = send(
        admin, line, **{f"l{line.id}-sim": "esim", f"l{line.id}-esim_email": "inte-en-adress"}
    )
    assert "Ange en giltig e-postadress" in response.text
    # what was typed is kept
    assert 'value="inte-en-adress"' in response.text


def test_own_sim_invalid_icc(admin, mobile):
    draft, line = mobile  # the Superuser holds services.allocate_sim
    response = send(
        admin, line, **{f"l{line.id}-sim": "own", f"l{line.id}-icc": "8946010173315781039"}
    )
    assert "ICC-numret är inte giltigt" in response.text
    ok = send(admin, line, **{f"l{line.id}-sim": "own", f"l{line.id}-icc": "8946010173315781038"})
    assert ok.status_code == 303


def test_own_sim_needs_allocate_permission(demo_client):
    login_as(demo_client, "konto@a3demo.se")
    draft = start(demo_client, "99500852")
    line = add(demo_client, draft, "MOB-FAST")
    page = demo_client.get(f"/orders/drafts/{draft.id}/finish")
    assert 'value="own"' not in page.text
    response = send(
        demo_client, line, **{f"l{line.id}-sim": "own", f"l{line.id}-icc": "8946010173315781038"}
    )
    assert "behörighet att allokera" in response.text


def test_porting_checks_org_number_and_date(admin, mobile):
    draft, line = mobile
    p = f"l{line.id}-"
    response = send(
        admin,
        line,
        **{
            p + "number_choice": "port",
            p + "port_number": "070-12",
            p + "port_org_number": "5566290548",
            p + "port_date": YESTERDAY,
        },
    )
    text = response.text
    assert "Ange ett svenskt mobilnummer" in text
    assert "organisationsnummer" in text
    assert "bakåt i tiden" in text
    ok = send(
        admin,
        line,
        **{
            p + "number_choice": "port",
            p + "port_number": "070-123 45 67",
            p + "port_org_number": "556629-0549",
            p + "port_date": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert ok.status_code == 303
    assert '"port_org_number": "5566290549"' in OrderLine.get_by_id(line.id).details


def test_past_activation_date(admin, mobile):
    draft, line = mobile
    response = send(admin, line, desired_date=YESTERDAY)
    assert "Önskat aktiveringsdatum kan inte ligga bakåt i tiden" in response.text
    assert f'value="{YESTERDAY}"' in response.text


def test_other_delivery_address_postcode(admin, mobile):
    draft, line = mobile
    response = send(
        admin,
        line,
        delivery_choice="other",
        delivery_name="Lager",
        delivery_street="Hamngatan 2",
        delivery_postcode="9030",
        delivery_city="Umeå",
    )
    assert "Postnumret ska vara fem siffror" in response.text
    assert 'value="Hamngatan 2"' in response.text


def test_broadband_postcode_and_availability(admin):
    draft = start(admin)
    line = add(admin, draft, "BB-100")
    p = f"l{line.id}-"
    base = {p + "end_user": "Kontor", p + "street": "Gata 1", p + "city": "Umeå"}
    bad = admin.post(
        f"/orders/drafts/{draft.id}/finish",
        data={**finish_data(line), **base, p + "postcode": "9015X", "action": "send"},
    )
    assert "Postnumret ska vara fem siffror" in bad.text
    nowhere = admin.post(
        f"/orders/drafts/{draft.id}/finish",
        data={**finish_data(line), **base, p + "postcode": "98132", "action": "send"},
    )
    assert "Vi kan inte leverera bredband till postnummer 98132" in nowhere.text
    check = admin.post(
        f"/orders/drafts/{draft.id}/finish",
        data={**finish_data(line), **base, p + "postcode": "90155", "action": "refresh"},
    )
    assert "Fiber – 1000/1000 Mbit/s" in check.text
    assert "Koppar (VDSL) – 100/40 Mbit/s" in check.text


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "minst 1"), ("-3", "minst 1"), ("51", "Högst 50 st"), ("två", "heltal")],
)
def test_hardware_quantity(admin, quantity, message):
    draft = start(admin)
    line = add(admin, draft, "HW-IPHONE")
    response = admin.post(
        f"/orders/drafts/{draft.id}/lines/{line.id}", data={"quantity": quantity, "action": "next"}
    )
    assert response.status_code == 200 and message in response.text
    assert OrderLine.get_by_id(line.id).quantity == 1
    ok = admin.post(
        f"/orders/drafts/{draft.id}/lines/{line.id}", data={"quantity": "3", "action": "next"}
    )
    assert ok.status_code == 303
    assert OrderLine.get_by_id(line.id).quantity == 3


def test_required_option_missing(admin, mobile):
    draft, line = mobile
    data = {
        f"group-{group('MOB-FAST', 'Prislista').id}": item_id("MOB-FAST", "Prislista", "PL-FAST"),
        f"group-{group('MOB-FAST', 'SIM-kortstyp').id}": item_id(
            "MOB-FAST", "SIM-kortstyp", "SIM-VOICE"
        ),
        "quantity": "1",
        "action": "next",
    }
    response = admin.post(f"/orders/drafts/{draft.id}/lines/{line.id}", data=data)
    assert response.status_code == 200 and "Välj datapaket." in response.text
    # and the draft cannot be sent without it
    assert "Välj datapaket för Mobil Fastpris" in send(admin, line).text


def test_tampered_option_refused(admin, mobile):
    draft, line = mobile
    # an item of another product's group
    foreign = item_id("VXL-MOB-FAST", "Datapaket", "DATA-15")
    response = admin.post(
        f"/orders/drafts/{draft.id}/lines/{line.id}",
        data={f"group-{group('MOB-FAST', 'Datapaket').id}": foreign, "action": "next"},
    )
    assert response.status_code == 200 and "Ogiltigt val under Datapaket" in response.text
    names = {o.name for o in OrderLine.select().where(OrderLine.parent == line.id)}
    assert "Mobil Data 5GB" in names  # nothing changed


@pytest.mark.parametrize("code", ["KAP-1G", "DATA-5", "TOP-1"])
def test_tampered_product_refused(admin, code):
    """Outside the agreement (KAP-1G), an option (DATA-5) or a top-up is not a product to order."""
    draft = start(admin)
    response = admin.post(f"/orders/drafts/{draft.id}/lines", data={"product": product(code).id})
    assert response.status_code == 303 and "/category" in response.location
    assert OrderLine.select().where(OrderLine.order == draft.id).count() == 0


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", ""])
def test_garbage_product_id(admin, value):
    draft = start(admin)
    response = admin.post(f"/orders/drafts/{draft.id}/lines", data={"product": value})
    assert response.status_code == 303
    assert OrderLine.select().where(OrderLine.order == draft.id).count() == 0


def test_offert_line_changed_to_order_is_refused_at_sending(admin):
    draft = start(admin, kind="quote")
    line = add(admin, draft, "KAP-1G")
    admin.post(
        f"/orders/drafts/{draft.id}/start", data={"account": draft.account_id, "kind": "order"}
    )
    p = f"l{line.id}-"
    response = send(
        admin,
        line,
        **{
            p + "street": "Gata 1",
            p + "postcode": "90155",
            p + "city": "Umeå",
            p + "technology": "Fiber",
            p + "end_user": "X",
        },
    )
    assert response.status_code == 200 and "finns inte att beställa här" in response.text
    assert Order.get_by_id(draft.id).status == "draft"


def test_billing_account_of_other_organisation_refused(admin, mobile):
    draft, line = mobile
    response = send(admin, line, billing_account=str(account("99013377").id))
    assert "Välj faktureringsadress" in response.text


def test_extra_contact_of_other_organisation_refused(admin, mobile):
    from models import Contact

    draft, line = mobile
    foreign = Contact.get(Contact.email == "admin@norrbygg.se")
    response = send(admin, line, extra_contact=str(foreign.id))
    assert "Välj en kontaktperson ur listan" in response.text


def test_same_number_twice_in_one_draft(admin):
    draft = start(admin)
    first = add(admin, draft, "MOB-FAST")
    second = add(admin, draft, "MOB-FAST")
    data = finish_data(
        first,
        **{
            f"l{second.id}-end_user": "Bo",
            f"l{second.id}-sim": "new",
            f"l{second.id}-number_choice": "new",
            f"l{second.id}-number": "0761000100",
            "action": "send",
        },
    )
    response = admin.post(f"/orders/drafts/{draft.id}/finish", data=data)
    assert "redan valt för en annan produkt" in response.text


def test_line_of_another_draft_is_404(admin):
    draft = start(admin)
    other = start(admin)
    line = add(admin, other, "MOB-FAST")
    assert admin.get(f"/orders/drafts/{draft.id}/lines/{line.id}").status_code == 404
    assert admin.post(f"/orders/drafts/{draft.id}/lines/{line.id}/remove").status_code == 404


def test_user_without_manage_cannot_resume_colleagues_draft(demo_app, admin):
    from database import write_tx
    from permissions import format_permissions

    draft = start(admin)
    colleague = User.get(User.username == "faktura@a3demo.se")
    with write_tx():
        colleague.permissions = format_permissions({"orders.create"})
        colleague.save()
    other = demo_app.test_client()
    login_as(other, "faktura@a3demo.se")
    assert other.get(f"/orders/drafts/{draft.id}/finish").status_code == 404
    # the Kontoadministratör with orders.manage sees drafts only in their sub-tree
    konto = demo_app.test_client()
    login_as(konto, "konto@a3demo.se")
    assert konto.get(f"/orders/drafts/{draft.id}/finish").status_code == 404


def test_an_autosave_after_sending_changes_nothing(admin):
    from domain.orders import drafts as draft_rules

    draft = start(admin)
    line = add(admin, draft, "MOB-FAST")
    sent = admin.post(f"/orders/drafts/{draft.id}/finish", data=finish_data(line, action="send"))
    assert sent.status_code == 303, sent.text
    stale = Order.get_by_id(draft.id)
    stale.status = "draft"  # as a request that loaded the draft just before Skicka saw it
    draft_rules.save_finish(stale, {**finish_data(line), f"l{line.id}-end_user": "Sent för sent"})
    assert json.loads(OrderLine.get_by_id(line.id).details)["end_user"] == "Anna Andersson"
