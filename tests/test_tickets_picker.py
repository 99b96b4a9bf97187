"""Skapa ärende's service picker (issue 13 item 8): anything that identifies a
service finds it, a single match is selected by itself, Felanmälan's product
areas keep Tele2's names with what each covers, and a Felanmälan's area
follows the chosen service."""

from __future__ import annotations

import lxml.html
import pytest

from models import PhoneNumber, Service, Ticket, User
from tests.conftest import ADMIN, OTHER_ORG_ADMIN
from tests.tickets_data import client_for


@pytest.fixture
def admin(demo_app):
    return client_for(demo_app, ADMIN)


def lookup(client, **args) -> lxml.html.HtmlElement:
    html = client.get("/tickets/services/lookup", query_string=args).get_data(as_text=True)
    return lxml.html.fragment_fromstring(html, create_parent="div")


def found(fragment) -> list[str]:
    """The service ids offered, in order."""
    return [v for v in fragment.xpath("//input[@name='service']/@value") if v]


def checked(fragment) -> list[str]:
    return fragment.xpath("//input[@name='service'][@checked]/@value")


def a3_service(**where) -> Service:
    org = User.get(User.username == ADMIN).organisation_id
    query = Service.select().where(Service.organisation == org)
    for name, value in where.items():
        query = query.where(getattr(Service, name) == value)
    return query.order_by(Service.id).first()


def spaced(number: str) -> str:
    """0701234567 → "070-123 45 67", as people write it."""
    return f"{number[:3]}-{number[3:6]} {number[6:8]} {number[8:]}"


def test_a_mobile_number_in_any_form(admin):
    mobile = a3_service(kind="mobile", status="active")
    for text in (mobile.number, spaced(mobile.number), "+46 " + mobile.number[1:]):
        assert str(mobile.id) in found(lookup(admin, service_q=text)), text


@pytest.mark.parametrize(
    ("text", "user_name"),
    [
        ("Huvudkontoret", "Huvudkontoret Umeå"),  # user name
        ("Storgatan 12", "Butik Skellefteå"),  # installation address
        ("Förbindelse", "Förbindelse Umeå-Stockholm"),
    ],
)
def test_by_user_and_address(admin, text, user_name):
    assert found(lookup(admin, service_q=text)) == [str(a3_service(user_name=user_name).id)]


def test_by_service_id_and_product(admin):
    trunk = a3_service(kind="sip_trunk")
    assert str(trunk.id) in found(lookup(admin, service_q=trunk.number))  # "SIP-447120"
    offered = found(lookup(admin, service_q="Företagsbredband"))  # the product's name
    assert offered and {Service.get_by_id(int(i)).kind for i in offered} == {"broadband"}


def test_by_a_number_of_a_trunk_or_series(admin):
    trunk = a3_service(kind="sip_trunk")
    extension = PhoneNumber.get((PhoneNumber.service == trunk) & (PhoneNumber.is_main == False))  # noqa: E712
    assert str(trunk.id) in found(lookup(admin, service_q=spaced(extension.number)))
    series = (
        PhoneNumber.select()
        .join(Service)
        .where(PhoneNumber.range_end.is_null(False) & (Service.kind == "number_series"))
        .first()
    )
    inside = series.number[:-2] + "50"  # a number inside 0906953000–0906953099
    assert found(lookup(admin, service_q=inside)) == [str(series.service_id)]


def test_bredband_finds_broadband_services(admin):
    offered = {Service.get_by_id(int(i)).kind for i in found(lookup(admin, service_q="bredband"))}
    assert "broadband" in offered and offered <= {"broadband", "mbb"}
    # Within Felanmälan's Datanät only the fixed broadband.
    data = lookup(admin, service_q="bredband", category="fault", product_area="data")
    assert {Service.get_by_id(int(i)).kind for i in found(data)} == {"broadband"}
    # An area's name finds its services too.
    datanat = {Service.get_by_id(int(i)).kind for i in found(lookup(admin, service_q="Datanät"))}
    assert datanat and datanat <= {"broadband", "capacity", "hosting"}


def test_a_single_match_is_selected_by_itself(admin):
    head_office = a3_service(user_name="Huvudkontoret Umeå")
    typed = lookup(admin, service_q="Huvudkontoret", auto="1")
    assert checked(typed) == [str(head_office.id)]
    assert "Vald" in typed.text_content()
    # Several matches: nothing is chosen for the user.
    several = lookup(admin, service_q="bredband", auto="1")
    assert len(found(several)) > 1 and checked(several) == []


def test_a_chosen_service_stays_chosen_while_searching(admin):
    head_office = a3_service(user_name="Huvudkontoret Umeå")
    fragment = lookup(admin, service_q="bredband", service=head_office.id, auto="1")
    assert found(fragment)[0] == str(head_office.id) and checked(fragment) == [str(head_office.id)]


def test_another_organisations_services_are_never_offered(demo_app):
    norrbygg = User.get(User.username == OTHER_ORG_ADMIN).organisation_id
    theirs = Service.get((Service.organisation == norrbygg) & (Service.kind == "broadband"))
    admin = client_for(demo_app, ADMIN)
    assert str(theirs.id) not in found(lookup(admin, service_q=theirs.number))
    assert found(lookup(admin, service=theirs.id)) == []


def test_product_areas_keep_tele2s_names_with_what_each_covers(admin):
    html = admin.get("/tickets/new/fields?category=fault").get_data(as_text=True)
    page = lxml.html.fragment_fromstring(html, create_parent="div")
    options = [
        " ".join(label.text_content().split())
        for label in page.xpath("//label[contains(@class, 'area-option')]")
    ]
    assert options == [
        "Mobiltelefoni Mobilabonnemang, mobila växelanvändare och mobilt bredband",
        "Fast telefoni Molnväxel, SIP-trunk och nummerserier",
        "Datanät Bredband, fiber, kapacitetstjänster och hosting",
    ]
    assert page.xpath("//input[@name='product_area']/@value") == ["mobile", "fixed", "data"]


def test_the_area_follows_the_chosen_service(admin):
    head_office = a3_service(user_name="Huvudkontoret Umeå")
    fragment = lookup(admin, service_q="Huvudkontoret", auto="1", category="fault")
    area = fragment.xpath("//fieldset[@id='product_area']")[0]
    assert area.get("hx-swap-oob") == "true"
    assert area.xpath(".//input[@checked]/@value") == ["data"]
    assert checked(fragment) == [str(head_office.id)]
    # Choosing another area lets go of a service that is not in it.
    mobile = lookup(admin, service=head_office.id, category="fault", product_area="mobile")
    assert checked(mobile) == [] and not mobile.xpath("//fieldset[@id='product_area']")


def post_fault(client, **data):
    data = {"category": "fault", "subject": "Ingen länk", "body": "Lampan är röd.", **data}
    data.setdefault("action", "send")
    return client.post("/tickets/new", data=data, content_type="multipart/form-data")


def test_a_typed_single_match_is_the_ticket_s_service(admin):
    """Sent before the picker answered: the one service the text finds is taken."""
    head_office = a3_service(user_name="Huvudkontoret Umeå")
    sent = post_fault(admin, service_q="Huvudkontoret")
    assert sent.status_code == 303
    ticket = Ticket.get(Ticket.subject == "Ingen länk")
    assert (ticket.service_id, ticket.product_area) == (head_office.id, "data")


def test_text_without_a_chosen_service_is_explained_next_to_the_picker(admin):
    response = post_fault(admin, service_q="bredband", product_area="data")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    pick = page.xpath("//div[contains(@class, 'service-pick')]")[0]
    assert "has-error" in pick.get("class")
    assert "Välj tjänsten i listan" in pick.text_content()
    assert Ticket.select().where(Ticket.subject == "Ingen länk").count() == 0


def test_a_chosen_service_needs_no_area(admin):
    mobile = a3_service(kind="mobile", status="active")
    sent = post_fault(admin, service=str(mobile.id))
    assert sent.status_code == 303
    assert Ticket.get(Ticket.subject == "Ingen länk").product_area == "mobile"
