"""Issue 17, item 11: an outage staff publish for a postcode through the back
office e-mails only the opted-in contacts of organisations with services it
touches by the one rule (domain/outages.py) — above the touched service in
the account tree, with the Driftstörningar box ticked — and shows on their
Översikt, service page and map (the last three: tests/test_outage_map.py);
its unsubscribe link then stops the next one."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain.mail import deliver_pending
from models import AuditLog, Contact
from tests.outages_data import make_staff, publish


def contact(org, account, email, **boxes) -> Contact:
    with write_tx():
        return Contact.create(
            organisation=org, account=account, name=email.split("@")[0], email=email, **boxes
        )


@pytest.fixture
def world(app, smtp_server, make_org, make_account, make_service, make_user):
    app.config.update(smtp_server.config)
    mine, other = make_org(name="Mitt Bolag AB"), make_org(name="Annat Bolag AB")
    branch = make_account(mine, postcode="11143")  # billed in Stockholm
    make_service(branch, kind="broadband", postcode="90155")  # installed in Umeå
    sibling = make_account(mine, postcode="90155")  # nothing of it is touched
    make_service(sibling, kind="hosting")
    make_service(other.top_account(), kind="broadband", postcode="11143")
    contact(mine, mine.top_account(), "chef@mitt.se", notify_outage=True)
    contact(mine, branch, "drift@mitt.se", notify_outage=True)
    contact(mine, branch, "ekonomi@mitt.se", notify_billing=True)  # box off for outages
    contact(mine, sibling, "syster@mitt.se", notify_outage=True)
    contact(other, other.top_account(), "drift@annat.se", notify_outage=True)
    make_staff("support@operator.se", "support")
    return mine


def test_publishing_mails_only_the_opted_in_contacts_above_touched_services(
    app, client, login, smtp_server, world
):
    login(client, "support@operator.se")
    response, preview = publish(client, postcodes="901 55", service_kinds=["broadband"])
    assert response.status_code == 303
    assert "Berör 1 tjänst hos 1 kund" in preview
    deliver_pending()
    received = {m["To"].lower(): m for m in smtp_server.messages}
    assert set(received) == {"chef@mitt.se", "drift@mitt.se"}
    mail = received["drift@mitt.se"]
    body = mail.get_content()
    assert "Kabelbrott Testby" in body and "Driftstörningar" in body
    assert "kontaktperson för konto" in body  # why they got it
    assert mail["List-Unsubscribe"]

    # drift@ follows the link and unsubscribes; the next outage skips them.
    link = re.search(r"(/unsubscribe/\S+)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    done = client.post(link, data={"csrf_token": token.group(1)})
    assert "får inte längre e-post om driftstörningar" in done.get_data(True)
    assert not Contact.get(Contact.email == "drift@mitt.se").notify_outage
    assert AuditLog.select().where(AuditLog.organisation == world.id).exists()
    smtp_server.messages.clear()
    login(client, "support@operator.se")
    response, _ = publish(
        client, title="Nytt avbrott", postcodes="90155", service_kinds=["broadband"]
    )
    assert response.status_code == 303
    deliver_pending()
    assert {m["To"].lower() for m in smtp_server.messages} == {"chef@mitt.se"}
