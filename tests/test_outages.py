"""Known outages where the customer acts (issue 13 item 7): one rule
(domain/outages.py) decides which services an outage touches, and Översikt's
"Berör era tjänster", the service page and Skapa ärende (Felanmälan) all use it."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from database import utcnow, write_tx
from domain import outages
from models import Account, Outage, Service, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN

NOTICE = "Det pågår en känd driftstörning som berör tjänsten"


def _outage(title="Avbrott", kinds="broadband", postcodes="90155", **fields) -> Outage:
    now = utcnow()
    fields.setdefault("starts_at", now - dt.timedelta(hours=1))
    fields.setdefault("expected_end", now + dt.timedelta(hours=3))
    with write_tx():
        return Outage.create(title=title, service_kinds=kinds, postcodes=postcodes, **fields)


# ------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("kind", "service_postcode", "account_postcode", "status", "kinds", "postcodes", "touched"),
    [
        # Installation address: its postcode decides.
        ("broadband", "90155", "11143", "active", "broadband", "90155", True),
        ("broadband", "93131", "90155", "active", "broadband", "90155", False),
        ("capacity", "90155", "90155", "active", "broadband capacity", "90304 90155", True),
        # The kind must be listed.
        ("broadband", "90155", "90155", "active", "mobile mbb", "90155", False),
        # No installation address (mobile …): the account's postcode decides.
        ("mobile", "", "11143", "active", "mobile mobile_pbx mbb", "11143 11144", True),
        ("mbb", "", "90155", "active", "mobile mobile_pbx mbb", "11143 11144", False),
        ("mobile_pbx", "", "11144", "active", "mobile_pbx", "11144", True),
        ("broadband", "", "97231", "active", "broadband", "97231", True),
        # Postcodes written with a space match too.
        ("broadband", "90155", "11143", "active", "broadband", "901 55", True),
        # No postcodes: the whole network, every service of the kinds.
        ("cloud_pbx", "", "93137", "active", "cloud_pbx mobile_pbx", "", True),
        ("mobile", "", "93137", "active", "cloud_pbx mobile_pbx", "", False),
        # No kinds: general information, touches nothing.
        ("broadband", "90155", "90155", "active", "", "90155", False),
        # Only running services: barred and given notice yes, ordered and ended no.
        ("broadband", "90155", "90155", "barred", "broadband", "90155", True),
        ("broadband", "90155", "90155", "terminating", "broadband", "90155", True),
        ("broadband", "90155", "90155", "terminated", "broadband", "90155", False),
        ("broadband", "90155", "90155", "ordered", "broadband", "90155", False),
    ],
)
def test_the_rule(
    make_org,
    make_account,
    make_service,
    kind,
    service_postcode,
    account_postcode,
    status,
    kinds,
    postcodes,
    touched,
):
    org = make_org()
    account = make_account(org, postcode=account_postcode)
    service = make_service(account, kind=kind, status=status, postcode=service_postcode)
    outage = _outage(kinds=kinds, postcodes=postcodes)
    found = outages.touched([outage], Service.select().where(Service.id == service.id))
    assert (outage.id in found) is touched
    assert (outage in outages.current_for(service)) is touched


def test_only_current_outages_reach_a_service(make_org, make_account, make_service):
    org = make_org()
    service = make_service(make_account(org, postcode="90155"), kind="mobile")
    now = utcnow()
    planned = _outage(kinds="mobile", starts_at=now + dt.timedelta(days=1))
    resolved = _outage(kinds="mobile", resolved_at=now - dt.timedelta(minutes=5))
    going_on = _outage(kinds="mobile", title="Pågår")
    assert outages.current_for(service) == [going_on]
    assert planned.id in outages.touched([planned, resolved], Service.select())


# ------------------------------------------------------------------------- Översikt


def _dashboard_marks(client) -> dict[str, bool]:
    page = lxml.html.fromstring(client.get("/").get_data(as_text=True))
    return {
        article.findtext("h3").strip(): bool(article.xpath(".//*[contains(@class,'badge')]"))
        for article in page.xpath("//article[contains(@class, 'outage')]")
    }


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, OTHER_ORG_ADMIN, INVOICES_ONLY])
def test_the_dashboard_marker_follows_the_rule(demo_client, login, username):
    user = login(demo_client, username)
    marks = _dashboard_marks(demo_client)
    assert marks
    mine = (
        outages.touched(Outage.select(), Service.visible_to(user))
        if user.has("services.view")
        else set()
    )
    for outage in Outage.select():
        if outage.title in marks:
            assert marks[outage.title] is (outage.id in mine), (username, outage.title)


def test_the_dashboard_marks_what_touches_the_users_own_services(demo_client, login):
    """The Umeå fiber outage touches the head office's broadband (90155): A3's
    Administratör sees it marked; the Kontoadministratör, whose only broadband is
    in Skellefteå (93131) under accounts at 90155, does not; nor does Norrbygg."""
    fiber = "Fiberavbrott Umeå centrum"
    login(demo_client, ADMIN)
    assert _dashboard_marks(demo_client)[fiber] is True
    login(demo_client, ACCOUNT_ADMIN)
    assert _dashboard_marks(demo_client)[fiber] is False
    login(demo_client, OTHER_ORG_ADMIN)
    marks = _dashboard_marks(demo_client)
    assert marks[fiber] is False
    # Luleå's broadband outage: Norrbygg has an account in Luleå, but no broadband there.
    assert marks["Avbrott i bredband Luleå"] is False


def test_another_organisations_outage_does_not_mark_mine(demo_client, login):
    """An outage at Norrbygg's office (93137) marks Norrbygg's Översikt, not A3's."""
    norrbygg_bb = Service.get(
        (Service.kind == "broadband")
        & (Service.number.startswith("BB-"))
        & (Service.organisation == User.get(User.username == OTHER_ORG_ADMIN).organisation_id)
    )
    assert norrbygg_bb.account.postcode == "93137"
    _outage(title="Kabelbrott Skellefteå hamn", kinds="broadband", postcodes="93137")
    login(demo_client, OTHER_ORG_ADMIN)
    assert _dashboard_marks(demo_client)["Kabelbrott Skellefteå hamn"] is True
    login(demo_client, ADMIN)
    assert _dashboard_marks(demo_client)["Kabelbrott Skellefteå hamn"] is False
    # Nor does it reach A3's Skellefteå broadband page (93131).
    butik = Service.get(Service.user_name == "Butik Skellefteå")
    assert NOTICE not in demo_client.get(f"/services/{butik.id}").get_data(as_text=True)


# ------------------------------------------------------------------------- the service page


def _service(user_name: str) -> Service:
    return Service.get(Service.user_name == user_name)


def test_a_touched_service_says_so_at_the_top_of_its_page(demo_client, login):
    login(demo_client, ADMIN)
    head_office = _service("Huvudkontoret Umeå")
    html = demo_client.get(f"/services/{head_office.id}").get_data(as_text=True)
    page = lxml.html.fromstring(html)
    main = page.xpath("//div[contains(@class, 'service-main')]")[0]
    notice = main[0]  # first thing in the page's main column
    assert "outage-notice" in notice.get("class") and notice.get("role") == "status"
    text = notice.text_content()
    assert NOTICE in text and "Fiberavbrott Umeå centrum" in text and "Beräknas klart" in text


@pytest.mark.parametrize("user_name", ["Kontor Stockholm", "Butik Skellefteå"])
def test_an_untouched_service_has_no_notice(demo_client, login, user_name):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/services/{_service(user_name).id}").get_data(as_text=True)
    assert NOTICE not in html


def test_a_planned_outage_is_no_notice_yet(demo_client, login):
    """Stockholm's mobile maintenance is days ahead: a mobile there shows nothing."""
    login(demo_client, ADMIN)
    stockholm = Account.get(Account.customer_number == "23081096")
    mobile = Service.get((Service.account == stockholm) & (Service.kind == "mobile"))
    assert NOTICE not in demo_client.get(f"/services/{mobile.id}").get_data(as_text=True)


# ------------------------------------------------------------------------- Felanmälan


def test_felanmalan_warns_about_a_known_outage_before_filing(demo_client, login):
    login(demo_client, ADMIN)
    head_office = _service("Huvudkontoret Umeå")
    picked = demo_client.get(
        "/tickets/services/lookup",
        query_string={"category": "fault", "product_area": "data", "service": head_office.id},
    ).get_data(as_text=True)
    assert NOTICE in picked and "Fiberavbrott Umeå centrum" in picked
    assert "Du kan ändå göra en felanmälan" in picked
    other = _service("Kontor Stockholm")
    quiet = demo_client.get(
        "/tickets/services/lookup",
        query_string={"category": "fault", "product_area": "data", "service": other.id},
    ).get_data(as_text=True)
    assert NOTICE not in quiet


def test_felanmalan_from_the_service_page_shows_the_notice_and_still_files(demo_client, login):
    login(demo_client, ADMIN)
    head_office = _service("Huvudkontoret Umeå")
    fields = demo_client.get(
        f"/tickets/new/fields?service={head_office.id}&category=fault"
    ).get_data(as_text=True)
    assert NOTICE in fields
    sent = demo_client.post(
        f"/tickets/new?service={head_office.id}",
        data={
            "category": "fault",
            "subject": "Ingen länk",
            "body": "Routern är röd.",
            "priority": "1",
        },
    )
    assert sent.status_code == 303
