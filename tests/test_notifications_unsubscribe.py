"""The signed unsubscribe link in mail by preference (/unsubscribe/<token>):
GET changes nothing, POST turns the box off and audits it, a tampered token
is refused, a used link says "redan avregistrerad", and a mail client's
one-click POST (RFC 8058) works without a session."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain import notifications
from models import AuditLog, Contact
from tests.conftest import csrf_meta


@pytest.fixture
def two_contacts(app, make_org, make_account):
    """One address on two accounts' contacts with Driftstörningar ticked."""
    org = make_org("Kund AB")
    sub = make_account(org, company_name="Kund AB Umeå")
    with write_tx():
        first = Contact.create(
            organisation=org,
            account=org.top_account(),
            name="Tove Drift",
            email="drift@kund.se",
            notify_outage=True,
            notify_billing=True,
        )
        second = Contact.create(
            organisation=org,
            account=sub,
            name="Tove Drift",
            email="drift@kund.se",
            notify_outage=True,
        )
    return first, second


def link(contacts, kind="outage") -> str:
    return "/unsubscribe/" + notifications.unsubscribe_token([c.id for c in contacts], kind)


def boxes(contact) -> tuple[bool, bool, bool]:
    fresh = Contact.get_by_id(contact.id)
    return fresh.notify_billing, fresh.notify_technical, fresh.notify_outage


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_get_shows_the_question_and_changes_nothing(client, two_contacts):
    first, second = two_contacts
    response = client.get(link(two_contacts))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Avregistrera från Driftstörningar" in html
    assert "drift@kund.se" in html
    assert f"{first.account.customer_number} Kund AB" in html
    assert f"{second.account.customer_number} Kund AB Umeå" in html
    assert "Avregistrera mig" in html
    assert boxes(first) == (True, False, True) and boxes(second) == (False, False, True)
    assert AuditLog.select().where(AuditLog.action == "contact.unsubscribe").count() == 0
    assert response.headers["Cache-Control"] == "no-store"


def test_post_turns_the_box_off_audited_and_reuse_says_already(client, two_contacts):
    first, second = two_contacts
    url = link(two_contacts)
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": form_token(page)})
    assert response.status_code == 200
    assert "får inte längre e-post om driftstörningar" in response.get_data(as_text=True)
    # Only the outage box, on both contacts of the address.
    assert boxes(first) == (True, False, False) and boxes(second) == (False, False, False)
    rows = list(AuditLog.select().where(AuditLog.action == "contact.unsubscribe"))
    assert sorted(int(r.object_id) for r in rows) == sorted([first.id, second.id])
    assert all(r.organisation_id == first.organisation_id for r in rows)
    assert "avregistrerade sig från Driftstörningar" in rows[0].summary

    # The link again: nothing more to do, and no new audit row.
    again = client.get(url)
    assert again.status_code == 200 and "redan avregistrerad" in again.get_data(as_text=True)
    assert "Avregistrera mig" not in again.get_data(as_text=True)
    posted = client.post(url, data={"csrf_token": form_token(page)})
    assert "redan avregistrerad" in posted.get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.action == "contact.unsubscribe").count() == 2


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: t.replace(t.split(".")[0], "eyJjIjpbMV0sImsiOiJiaWxsaW5nIn0"),  # payload
        lambda t: t.split(".")[0],  # cut short
        lambda t: "x",
    ],
)
def test_a_tampered_token_is_refused_and_changes_nothing(client, two_contacts, mangle):
    first, _ = two_contacts
    token = notifications.unsubscribe_token([first.id], "outage")
    url = "/unsubscribe/" + mangle(token)
    response = client.get(url)
    assert response.status_code == 404
    assert "Länken är ogiltig" in response.get_data(as_text=True)
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert boxes(first) == (True, False, True)


def test_a_token_signed_with_another_key_or_for_a_deleted_contact(app, client, two_contacts):
    first, second = two_contacts
    from itsdangerous import URLSafeSerializer

    foreign = URLSafeSerializer("another key", salt="teleportal.unsubscribe").dumps(
        {"c": [first.id], "k": "outage"}
    )
    assert client.get(f"/unsubscribe/{foreign}").status_code == 404
    gone = link([second])
    with write_tx():
        Contact.delete().where(Contact.id == second.id).execute()
    assert client.get(gone).status_code == 404


def test_post_without_the_form_token_is_refused(client, two_contacts):
    first, _ = two_contacts
    response = client.post(link([first]), data={"csrf_token": "nonsense"}, csrf=False)
    assert response.status_code == 400
    assert "Avregistrera mig" in response.get_data(as_text=True)
    assert boxes(first) == (True, False, True)


def test_one_click_post_from_a_mail_client(client, two_contacts):
    """RFC 8058: the mail client POSTs to the List-Unsubscribe address with no
    session, no CSRF token."""
    first, second = two_contacts
    response = client.post(
        link([first], "billing"), data={"List-Unsubscribe": "One-Click"}, csrf=False
    )
    assert response.status_code == 200
    assert boxes(first) == (False, False, True) and boxes(second) == (False, False, True)


def test_staff_and_customers_signed_in_use_it_the_same(demo_client, login):
    from tests.conftest import STAFF

    login(demo_client, STAFF)
    tommy = Contact.get(Contact.email == "tommy.frost@a3demo.se")
    response = demo_client.get(link([tommy], "technical"))
    assert response.status_code == 200 and csrf_meta(response.get_data(as_text=True)) is not None
