"""Staff's "Kommentar till kunden" (issue 13, item 9): given when completing
or rejecting a change in the back office, it shows in the order's history on
the service page and in the status e-mail to the one who asked."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html

from domain import service_actions as sa
from domain.orders import service_requests
from models import Account, OutboxMessage, User
from tests.conftest import ADMIN, STAFF
from tests.services_fixtures import demo_service, post
from tests.test_services_staff import customer_request

TODAY = dt.date.today()


@pytest.fixture
def staff(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    return client


def last_mail_to(address: str) -> OutboxMessage:
    return (
        OutboxMessage.select()
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
        .first()
    )


def section(admin, service, title_id: str) -> str:
    """The text of one panel of the service page."""
    doc = html.fromstring(admin.get(f"/services/{service.id}").get_data(as_text=True))
    (panel,) = doc.xpath(f'//section[@aria-labelledby="{title_id}"]')
    return " ".join(panel.text_content().split())


@pytest.mark.parametrize(
    "handle, data",
    [
        ("complete", {"comment": "Numret flyttas ut ur växeln samma dag."}),
        ("reject", {"comment": "Bindningstiden löper till 2027."}),
    ],
)
def test_the_comment_shows_in_the_history_and_the_mail(admin, staff, handle, data):
    service = demo_service("mobile")
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=20))
    assert post(staff, f"/staff/changes/{order.id}/{handle}", data).status_code == 200
    shown = f"Kommentar från Teleportal: {data['comment']}"
    history = section(admin, service, "rel-orders-title")
    assert order.label in history and shown in history
    mail = last_mail_to(ADMIN)
    assert order.label in mail.subject and shown in mail.body


def test_a_comment_on_a_change_waiting_for_its_date(admin, staff):
    """A move completed ahead of its date waits as Pågår: the comment shows
    with it under Pågående ändringar and in the mail, once."""
    service = demo_service("mobile")
    target = Account.get(Account.customer_number == "23080667")
    start = sa.first_of_next_month(TODAY)
    user = User.get(User.username == ADMIN)
    args = sa.prepare_move(user, service, target.id, start)
    order = service_requests.request(user, service, args.pop("op"), args.pop("payload"), **args)
    comment = "Fakturan för flytten kommer separat."
    post(staff, f"/staff/changes/{order.id}/complete", {"comment": comment})
    pending = section(admin, service, "pending-title")
    assert order.label in pending and f"Kommentar från Teleportal: {comment}" in pending
    body = last_mail_to(ADMIN).body
    assert body.count(comment) == 1
    assert f"Ändringen genomförs {start.isoformat()}." in body


def test_no_comment_no_line(admin, staff):
    service = demo_service("mobile")
    order = customer_request(service, sa.prepare_terminate, end=TODAY + dt.timedelta(days=20))
    post(staff, f"/staff/changes/{order.id}/complete", {"comment": ""})
    assert "Kommentar från" not in section(admin, service, "rel-orders-title")
    assert "Kommentar" not in last_mail_to(ADMIN).body
