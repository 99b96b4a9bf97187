"""Numbers people can read (issue 13, item 6): phone numbers grouped the
Swedish way, org.nr "556629-0549" and data "12,70 GB" on every screen;
stored as plain digits, found however they are typed, exported as the
digits in text cells; mobile number errors that say what is wrong."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from database import is_sqlite, write_tx
from domain.numbers import (
    format_org_number,
    format_phone,
    mobile_number_problem,
    normalise_mobile,
    number_query,
)
from models import CallRecord, Contact, OutboxMessage, Service, Ticket, User
from tests.accounts_fixtures import HTMX, SUB1, account
from tests.conftest import ACCOUNT_ADMIN, ADMIN, DEMO_PASSWORD, STAFF
from tests.listpage import get_list, read_xlsx, xlsx_column
from tests.plans import query_plan
from tests.services_fixtures import demo_service
from web.formatting import gigabytes

MOBILE = "0701234567"
SHOWN = "070-123 45 67"
TYPED_FORMS = ["070-123 45 67", "070 123 45 67", "+46 70 123 45 67", "+46701234567", "0701234567"]


def text_of(response) -> str:
    """A page's text as a person reads it: tags gone, no-break spaces as spaces."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace("\u00a0", " ")


@pytest.fixture
def known_mobile(demo_app):
    """A demo mobile service given a number whose readable form is known."""
    service = demo_service("mobile")
    with write_tx():
        Service.update(number=MOBILE).where(Service.id == service.id).execute()
    return Service.get_by_id(service.id)


# ----------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0701234567", "070-123 45 67"),  # mobile
        ("0761234567", "076-123 45 67"),
        ("0812345678", "08-123 456 78"),  # Stockholm
        ("081234567", "08-123 45 67"),
        ("0311234567", "031-123 45 67"),  # three-digit area code
        ("031123456", "031-12 34 56"),
        ("092012345", "0920-123 45"),  # four-digit area code
        ("0920123456", "0920-12 34 56"),
        ("0771404040", "077-140 40 40"),  # non-geographic
        ("+46701234567", "070-123 45 67"),  # typed internationally
        ("0046701234567", "070-123 45 67"),
        ("070-123 45 67", "070-123 45 67"),  # already readable
        ("+4533123456", "+45 33 12 34 56"),  # foreign: with its country code
        ("004533123456", "+45 33 12 34 56"),
        ("+16502530000", "+1 650-253-0000"),
    ],
)
def test_phone_numbers_are_grouped_the_swedish_way(stored, shown):
    assert format_phone(stored) == shown


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "112",  # short number
        "11414",
        "070123",  # too short to be a number
        "07012345678901",  # too long
        "0741234567",  # a series nobody holds
        "4520202020",  # digits without a prefix: could be anything
        "BB-552601",  # a service id
        "VXL-100234",
        "HOST-a3demo.se",
        "abc",
        "070-ABC",
        " ",
    ],
)
def test_anything_else_is_shown_as_stored(odd):
    assert format_phone(odd) == odd.strip()


def test_nothing_is_shown_as_nothing():
    assert format_phone(None) == "" and format_org_number(None) == ""


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("5566290549", "556629-0549"), ("556629-0549", "556629-0549"), ("12345", "12345"), ("", "")],
)
def test_org_numbers(stored, shown):
    assert format_org_number(stored) == shown


@pytest.mark.parametrize(("mb", "shown"), [(13005, "12,70 GB"), (1024, "1,00 GB"), (0, "0,00 GB")])
def test_data_volumes_have_a_space_before_gb(mb, shown):
    assert gigabytes(mb).replace("\u00a0", " ") == shown


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        *((form, MOBILE) for form in TYPED_FORMS),
        ("0046 70 123 45 67", MOBILE),
        ("+46 (0)70-123 45 67", MOBILE),
        ("556629-0549", "5566290549"),
        ("070-123", "070123"),  # a part of a number
        ("+46 70", "070"),
        ("Anna Lind", None),  # not a number: searched as typed
        ("BB-552601", None),
        ("", None),
        ("-", None),
    ],
)
def test_typed_numbers_are_brought_to_the_stored_form(typed, stored):
    assert number_query(typed) == stored


# ----------------------------------------------------------------------------- on screen


def test_services_list_shows_readable_numbers(demo_client, login, known_mobile):
    login(demo_client, ADMIN)
    listing = get_list(demo_client, "/services", {"f_number": MOBILE})
    assert [row["Nummer"].replace("\u00a0", " ") for row in listing.rows] == [SHOWN]


def test_service_page_shows_the_readable_number(demo_client, login, known_mobile):
    login(demo_client, ADMIN)
    text = text_of(demo_client.get(f"/services/{known_mobile.id}"))
    assert f"Tjänst: {SHOWN}" in text and f"Telefonnummer {SHOWN}" in text
    assert MOBILE not in text
    assert re.search(r"\d+,\d\d GB av \d+,\d\d GB kvar", text)


def test_number_series_and_switchboard_numbers_are_readable(demo_client, login):
    login(demo_client, ADMIN)
    series = text_of(demo_client.get(f"/services/{demo_service('number_series').id}"))
    assert "Från 090-695 30 00" in series and "Till 090-695 30 99" in series
    pbx = text_of(demo_client.get(f"/services/{demo_service('cloud_pbx').id}"))
    assert "090-695 32 00" in pbx and "0906953200" not in pbx


def test_forwardings_and_caller_id_are_readable(demo_client, login, known_mobile):
    from models import CallForwarding

    with write_tx():
        CallForwarding.create(service=known_mobile.id, kind="busy", target="0812345678")
        Service.update(caller_id="0906953200").where(Service.id == known_mobile.id).execute()
    login(demo_client, ADMIN)
    page = text_of(demo_client.get(f"/services/{known_mobile.id}"))
    assert "Vidarekoppla vid upptaget: 08-123 456 78" in page
    assert "Nummervisning 090-695 32 00" in page
    # The dialogs show the stored numbers the same way in their fields.
    dialog = demo_client.get(f"/services/{known_mobile.id}/forwardings", headers=HTMX)
    assert 'value="08-123 456 78"' in dialog.get_data(as_text=True)
    dialog = demo_client.get(f"/services/{known_mobile.id}/caller-id", headers=HTMX)
    assert 'value="090-695 32 00"' in dialog.get_data(as_text=True)


def test_account_pages_show_the_org_number_and_contact_numbers(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    with write_tx():
        Contact.create(
            organisation=sub1.organisation_id,
            account=sub1.id,
            name="Nummer Nilsson",
            phone="0812345678",
            mobile=MOBILE,
        )
    listing = get_list(demo_client, "/accounts", {"f_customer": SUB1})
    assert listing.column("Org. nr.") == ["556629-0549"]
    page = text_of(demo_client.get(f"/accounts/{sub1.id}"))
    assert "Organisationsnummer 556629-0549" in page
    assert "Telefon 08-123 456 78" in page and f"Mobil {SHOWN}" in page


def test_search_hits_show_readable_numbers(demo_client, login, known_mobile):
    login(demo_client, ADMIN)
    html = demo_client.get("/search", query_string={"q": MOBILE}, headers=HTMX)
    html = html.get_data(as_text=True).replace("\u00a0", " ")
    # the digits typed are marked in the grouped number
    assert "<mark>070-123 45 67</mark>" in html
    accounts = text_of(demo_client.get("/search", query_string={"q": "5566290549"}))
    assert "Org. nr 556629-0549" in accounts


def test_calls_show_readable_a_and_b_numbers(demo_client, login):
    login(demo_client, ADMIN)
    call = CallRecord.select().where(CallRecord.b_number != "").order_by(CallRecord.id).first()
    with write_tx():
        CallRecord.update(a_number=MOBILE, b_number="0812345678").where(
            CallRecord.id == call.id
        ).execute()
    listing = get_list(demo_client, "/calls", {"f_a_number": SHOWN, "f_b_number": "08-123"})
    cells = [(r["A-nummer"], r["B-nummer"]) for r in listing.rows]
    assert [(a.replace("\u00a0", " "), b.replace("\u00a0", " ")) for a, b in cells] == [
        (SHOWN, "08-123 456 78")
    ]


def test_tickets_and_staff_pages_show_readable_numbers(demo_client, login, known_mobile):
    import datetime as dt

    from domain import service_actions as sa

    login(demo_client, ADMIN)
    page = text_of(demo_client.get(f"/tickets/new?service={known_mobile.id}"))
    assert SHOWN in page and MOBILE not in page
    request_change(known_mobile, sa.prepare_terminate, dt.date.today() + dt.timedelta(days=20))
    login(demo_client, STAFF)
    changes = text_of(demo_client.get("/staff/changes"))
    assert SHOWN in changes and MOBILE not in changes
    staff_home = text_of(demo_client.get("/staff/"))
    assert "556629-0549" in staff_home and "5566290549" not in staff_home


def test_profile_shows_the_readable_mobile_number(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)  # Karl Berg, 0707654321
    page = text_of(demo_client.get("/profile"))
    assert "Mobilnummer 070-765 43 21" in page
    dialog = demo_client.get("/profile/details", headers=HTMX).get_data(as_text=True)
    assert 'value="070-765 43 21"' in dialog


def request_change(service, prepare, *args, **kwargs):
    """A change asked for by the demo administrator, through the domain."""
    from domain.orders import service_requests

    change = prepare(service, *args, **kwargs)
    user = User.get(User.username == ADMIN)
    return service_requests.request(
        user, service, change.pop("op"), change.pop("payload"), **change
    )


def test_orders_list_names_numbers_readably(demo_client, login, known_mobile):
    from domain import service_actions as sa

    request_change(known_mobile, sa.prepare_forwarding, {"busy": ("+46 8 123 456 78", "")})
    login(demo_client, ADMIN)
    text = text_of(demo_client.get("/orders", query_string={"f_type": "forwarding"}))
    assert f"Vidarekoppla vid upptaget → 08-123 456 78 – {SHOWN}" in text


def test_order_mail_names_the_service_by_its_readable_number(demo_app, known_mobile):
    import datetime as dt

    from domain import provisioning
    from domain import service_actions as sa

    end = dt.date.today() + dt.timedelta(days=20)
    order = request_change(known_mobile, sa.prepare_terminate, end=end)
    with write_tx():
        provisioning.complete(order, None)
    mail = (
        OutboxMessage.select()
        .where(OutboxMessage.recipient == ADMIN)
        .order_by(OutboxMessage.id.desc())
        .get()
    )
    assert f"tjänst {SHOWN}" in mail.body and MOBILE not in mail.body


# ----------------------------------------------------------------------------- found either way


@pytest.mark.parametrize("typed", TYPED_FORMS)
def test_global_search_finds_the_service_however_it_is_typed(
    demo_client, login, known_mobile, typed
):
    login(demo_client, ADMIN)
    text = text_of(demo_client.get("/search", query_string={"q": typed}))
    assert f"{SHOWN} {known_mobile.user_name}" in text


@pytest.mark.parametrize("typed", TYPED_FORMS)
def test_list_filter_finds_the_service_however_it_is_typed(demo_client, login, known_mobile, typed):
    login(demo_client, ADMIN)
    listing = get_list(demo_client, "/services", {"f_number": typed})
    assert listing.ids == [known_mobile.id]


@pytest.mark.parametrize("typed", TYPED_FORMS)
def test_ticket_list_filter_on_the_service_finds_it_however_it_is_typed(
    demo_client, login, known_mobile, typed
):
    from domain.tickets import create_ticket

    with write_tx():
        ticket = create_ticket(
            organisation=known_mobile.organisation_id,
            account=known_mobile.account_id,
            created_by=User.get(User.username == ADMIN),
            subject="Numret",
            body="x",
            category="support",
            service=known_mobile,
        )
    login(demo_client, ADMIN)
    listing = get_list(demo_client, "/tickets", {"f_service": typed, "f_status": ""})
    admin = User.get(User.username == ADMIN)
    on_the_service = Ticket.visible_to(admin).where(Ticket.service == known_mobile.id)
    assert ticket.id in listing.ids and set(listing.ids) == {t.id for t in on_the_service}


def test_org_number_filter_finds_accounts_in_either_form(demo_client, login):
    login(demo_client, ADMIN)
    plain = get_list(demo_client, "/accounts", {"f_org": "5566290549"})
    readable = get_list(demo_client, "/accounts", {"f_org": "556629-0549"})
    assert plain.ids and readable.ids == plain.ids


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
@pytest.mark.parametrize("typed", ["070-123 45 67", "+46 70 12", "070 1"])
def test_a_typed_number_keeps_the_plan_of_the_stored_digits(demo_app, username, typed):
    """The column is compared as it is (never through a function), so the
    list reads the same index whichever way the number was typed."""
    from blueprints.services import SERVICE_LIST

    user = User.get(User.username == username)

    def plan(text):
        state = SERVICE_LIST.state(MultiDict({"f_number": text}), path="/services")
        sql, params = SERVICE_LIST._ids_query(SERVICE_LIST.narrowed(user, state), state, 100)[
            0
        ].sql()
        return query_plan(sql, params)

    assert plan(typed) == plan(number_query(typed))
    assert "INDEX" in plan(typed)[0].upper() or not is_sqlite()
    assert any("INDEX" in step.upper() for step in plan(typed))


# ----------------------------------------------------------------------------- exports


def test_export_keeps_the_plain_digits_as_text(demo_client, login, known_mobile):
    login(demo_client, ADMIN)
    header, rows = read_xlsx(
        demo_client.get("/services", query_string={"export": "xlsx", "f_number": SHOWN})
    )
    (cell,) = [row[header.index("Nummer")] for row in rows]
    assert cell.value == MOBILE and isinstance(cell.value, str) and cell.data_type == "s"


def test_call_and_account_exports_keep_digits_as_text(demo_client, login):
    login(demo_client, ADMIN)
    header, rows = read_xlsx(demo_client.get("/calls", query_string={"export": "xlsx"}))
    numbers = xlsx_column(header, rows, "A-nummer")
    assert numbers and all(isinstance(n, str) and n.isdigit() for n in numbers)
    header, rows = read_xlsx(demo_client.get("/accounts", query_string={"export": "xlsx"}))
    assert set(xlsx_column(header, rows, "Org. nr.")) == {"5566290549"}


# ----------------------------------------------------------------------------- mobile errors


MOBILE_ERRORS = [
    ("070123", "för kort"),
    ("070-123 45", "för kort"),
    ("070123456789", "för långt"),
    ("08-123 456 78", "08-123 456 78 är inte ett mobilnummer"),
    ("0920-123 45", "0920-123 45 är inte ett mobilnummer"),
    ("07O-123 45 67", "inte bokstäver"),
    ("mobil", "inte bokstäver"),
    ("+45 20 20 20 20", "inte ett utländskt"),
    ("070#123", "med siffror"),
]


@pytest.mark.parametrize(("typed", "problem"), MOBILE_ERRORS)
def test_mobile_number_problems_are_named(typed, problem):
    assert problem in mobile_number_problem(typed)
    assert normalise_mobile(typed) is None


@pytest.mark.parametrize("typed", TYPED_FORMS)
def test_mobile_numbers_are_accepted_in_any_form(typed):
    assert mobile_number_problem(typed) is None and normalise_mobile(typed) == MOBILE


@pytest.mark.parametrize(("typed", "problem"), MOBILE_ERRORS)
def test_contact_form_says_what_is_wrong_with_the_mobile(demo_client, login, typed, problem):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    before = Contact.select().count()
    response = demo_client.post(
        f"/accounts/{sub1.id}/contacts/new",
        data={"name": "Ny Kontakt", "role": "contact", "phone": "", "mobile": typed, "email": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert problem in text_of(response)
    assert "börjar med 07 eller +46 7" not in text_of(response)
    assert Contact.select().count() == before


def test_contact_form_stores_the_plain_digits(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/contacts/new",
        data={
            "name": "Ny Kontakt",
            "role": "contact",
            "phone": "",
            "mobile": "+46 70 123 45 67",
            "email": "",
        },
        headers=HTMX,
    )
    assert response.status_code == 200 and "HX-Trigger" in response.headers
    assert Contact.get(Contact.name == "Ny Kontakt").mobile == MOBILE


def test_user_form_says_what_is_wrong_with_the_mobile(demo_client, login):
    from tests.test_users_rules import form_data

    login(demo_client, ADMIN)
    karl = User.get(User.username == ACCOUNT_ADMIN)
    response = demo_client.post(f"/users/{karl.id}/edit", data=form_data(karl, mobile="070123"))
    assert response.status_code == 200 and "Mobilnumret är för kort" in text_of(response)
    assert User.get_by_id(karl.id).mobile == "0707654321"
    form = demo_client.get(f"/users/{karl.id}/edit").get_data(as_text=True)
    assert 'value="070-765 43 21"' in form


def test_min_profil_says_what_is_wrong_with_the_mobile(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    karl = User.get(User.username == ACCOUNT_ADMIN)
    data = {
        "name": karl.name,
        "username": karl.username,
        "email": karl.email,
        "language": karl.language,
        "current_password": DEMO_PASSWORD,
    }
    response = demo_client.post("/profile/details", data={**data, "mobile": "08-123 456 78"})
    assert response.status_code == 200
    assert "08-123 456 78 är inte ett mobilnummer" in text_of(response)
    # The readable form of the number already stored is no change at all.
    response = demo_client.post("/profile/details", data={**data, "mobile": "070-765 43 21"})
    assert response.status_code == 303
    assert User.get_by_id(karl.id).mobile == "0707654321"
