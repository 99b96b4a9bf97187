"""Tekniska meddelanden (/staff/notices): staff send a technical notice to the
contacts who ticked Tekniska meddelanden, to all organisations or chosen ones,
optionally only those with services of chosen kinds; the recipients are
previewed, sending is audited and a double submit sends once."""

from __future__ import annotations

import re

import pytest

from database import write_tx
from domain.mail import deliver_pending
from models import AuditLog, Contact, NotificationLog, Organisation, TechnicalNotice
from tests.conftest import ADMIN, STAFF


@pytest.fixture
def staff(demo_app, demo_client, login, smtp_server):
    demo_app.config.update(smtp_server.config)
    login(demo_client, STAFF)
    return demo_client


@pytest.fixture
def norrbygg_tech():
    """A contact of the other demo customer who wants technical notices."""
    org = Organisation.get(Organisation.name.contains("Norrlandsbygg"))
    with write_tx():
        return Contact.create(
            organisation=org,
            account=org.top_account(),
            name="Nils Teknik",
            email="teknik@norrbygg.se",
            notify_technical=True,
        )


def form_token(client) -> str:
    html = client.get("/staff/notices").get_data(as_text=True)
    return re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', html).group(1)


def received(smtp_server) -> dict:
    deliver_pending()
    got = {m["To"].lower(): m for m in smtp_server.messages}
    smtp_server.messages.clear()
    return got


def test_page_and_its_menu_entry(staff):
    response = staff.get("/staff/notices")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tekniska meddelanden" in html and "Norrlandsbygg AB" in html
    # Reached from Driftinformation (the menu entry it sits under).
    assert 'href="/staff/notices"' in staff.get("/staff/outages").get_data(as_text=True)
    assert 'aria-current="page">Driftinformation' in html
    assert "Inga meddelanden har skickats" in html
    assert "<strong>1 e-postadress</strong> får meddelandet" in html  # everyone: Tommy Frost


def test_customers_and_staff_without_the_role_are_refused(demo_app, demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get("/staff/notices").status_code == 403
    other = demo_app.test_client()
    login(other, "faktura@teleportal.se")  # Filip Fakturering: billing only
    assert other.get("/staff/notices").status_code == 403
    assert other.post("/staff/notices", data={"action": "send"}).status_code == 403


def test_preview_counts_addresses_for_the_audience(staff, norrbygg_tech):
    # Demo: Tommy Frost (A3 Demo Connect, underkonto 1) wants technical notices.
    everyone = staff.post("/staff/notices/preview", data={"audience": "all"})
    assert "<strong>2 e-postadresser</strong>" in everyone.get_data(as_text=True)
    norrbygg = Organisation.get(Organisation.name.contains("Norrlandsbygg"))
    chosen = staff.post(
        "/staff/notices/preview", data={"audience": "chosen", "organisations": [norrbygg.id]}
    )
    assert "<strong>1 e-postadress</strong>" in chosen.get_data(as_text=True)

    # Services of a kind in the contact's account or below it: Tommy Frost's
    # underkonto 1 has a number series, Norrlandsbygg none; neither has hosting.
    def by_kind(kinds):
        data = {"audience": "all", "kinds": kinds}
        return staff.post("/staff/notices/preview", data=data).get_data(as_text=True)

    assert "<strong>1 e-postadress</strong>" in by_kind(["number_series"])
    assert "<strong>2 e-postadresser</strong>" in by_kind(["number_series", "broadband"])
    assert "Ingen kontaktperson med Tekniska meddelanden" in by_kind(["hosting"])
    none_chosen = staff.post("/staff/notices/preview", data={"audience": "chosen"})
    assert "Välj mottagare" in none_chosen.get_data(as_text=True)


def test_send_to_chosen_organisation_and_double_submit_sends_once(
    staff, smtp_server, norrbygg_tech
):
    norrbygg = norrbygg_tech.organisation
    token = form_token(staff)
    data = {
        "subject": "Planerat byte av DNS-servrar",
        "body": "Den 12 januari byter vi DNS-servrar. Inga åtgärder behövs.",
        "audience": "chosen",
        "organisations": [norrbygg.id],
        "token": token,
        "action": "send",
    }
    response = staff.post("/staff/notices", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/notices")
    again = staff.post("/staff/notices", data=data)  # double click / reload
    assert again.status_code == 303
    assert "redan skickat" in staff.get("/staff/notices").get_data(as_text=True)

    got = received(smtp_server)
    assert set(got) == {"teknik@norrbygg.se"}
    mail = got["teknik@norrbygg.se"]
    assert mail["Subject"] == "Planerat byte av DNS-servrar"
    body = " ".join(mail.get_content().split())
    assert "Den 12 januari byter vi DNS-servrar." in body
    account = norrbygg.top_account()
    assert (
        f"kontaktperson för konto {account.customer_number} {account.company_name} "
        "med Tekniska meddelanden ikryssat." in body
    )
    assert mail["List-Unsubscribe"].startswith("<http")

    notice = TechnicalNotice.get()
    assert TechnicalNotice.select().count() == 1
    assert (notice.recipients, notice.audience_label) == (1, norrbygg.name)
    entry = AuditLog.get(AuditLog.action == "notice.send")
    assert entry.organisation_id is None and "1 e-postadress (" in entry.summary
    assert NotificationLog.select().where(NotificationLog.kind == "technical").count() == 1
    listed = staff.get("/staff/notices").get_data(as_text=True)
    assert "Planerat byte av DNS-servrar" in listed


def test_send_to_all_reaches_every_opted_in_address(staff, smtp_server, norrbygg_tech):
    data = {
        "subject": "Ny adress till webbmejlen",
        "body": "Webbmejlen finns nu på mail.teleportal.se.",
        "audience": "all",
        "token": form_token(staff),
        "action": "send",
    }
    assert staff.post("/staff/notices", data=data).status_code == 303
    assert set(received(smtp_server)) == {"tommy.frost@a3demo.se", "teknik@norrbygg.se"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "", "body": "Text", "audience": "all"}, "Skriv en rubrik."),
        ({"subject": "Rubrik", "body": "", "audience": "all"}, "Skriv meddelandet."),
        (
            {"subject": "Rubrik", "body": "Text", "audience": "chosen"},
            "Välj minst en organisation.",
        ),
        (
            {"subject": "Rubrik", "body": "Text", "audience": "chosen", "organisations": ["99999"]},
            "inte ett giltigt val",
        ),
        ({"subject": "Rubrik", "body": "Text", "audience": "nobody"}, "Inte ett giltigt val"),
        ({"subject": "Rubrik\x00", "body": "Text", "audience": "all"}, "otillåtna tecken"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_sends_nothing(staff, smtp_server, data, error):
    response = staff.post(
        "/staff/notices", data={**data, "token": form_token(staff), "action": "send"}
    )
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert TechnicalNotice.select().count() == 0
    assert received(smtp_server) == {}


def test_a_post_without_the_form_token_sends_nothing(staff, smtp_server):
    data = {"subject": "Rubrik", "body": "Text", "audience": "all", "action": "send"}
    response = staff.post("/staff/notices", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Formuläret hade gått ut" in html
    assert TechnicalNotice.select().count() == 0 and received(smtp_server) == {}
    # The form shown again has a token of its own and sends.
    token = re.search(r'id="token" name="token" type="hidden" value="([^"]+)"', html).group(1)
    assert staff.post("/staff/notices", data={**data, "token": token}).status_code == 303


def test_preview_button_without_javascript_shows_the_count(staff, norrbygg_tech):
    data = {
        "subject": "Rubrik",
        "body": "Text",
        "audience": "all",
        "token": form_token(staff),
        "action": "preview",
    }
    response = staff.post("/staff/notices", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>2 e-postadresser</strong>" in html
    assert 'value="Rubrik"' in html  # the form keeps what was written
    assert TechnicalNotice.select().count() == 0
