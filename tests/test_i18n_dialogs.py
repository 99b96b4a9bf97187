"""Languages (issue 20), the service action dialogs: an English or Danish
user sees the dialogs' headings, labels, buttons, field errors, confirmations
and refusals in their language, a Swedish user exactly the Swedish ones."""

from __future__ import annotations

import json

import pytest

from domain.numbers import mobile_number_problem
from domain.text import translate
from tests.conftest import ADMIN
from tests.services_fixtures import demo_service, post, url

HX = {"HX-Request": "true"}


def dialog(client, service, action: str) -> str:
    response = client.get(url(service, action), headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- dialogs


def test_terminate_dialog_in_english(as_lang):
    client = as_lang("en")
    text = dialog(client, demo_service("mobile"), "terminate")
    for shown in (
        ">Terminate service</h2>",
        ">Confirm</button>",
        ">Cancel</a>",
        'aria-label="Close"',
        "Requested technical end date",
        "<dt>Notice period</dt>",
        "Enter the requested technical end date and confirm.",
    ):
        assert shown in text, shown
    for swedish in ("Avsluta tjänst", "Bekräfta", "Avbryt", "Uppsägningstid", "mån (löper"):
        assert swedish not in text, swedish


def test_barrings_dialog_in_danish(as_lang):
    client = as_lang("da")
    text = dialog(client, demo_service("mobile"), "barrings")
    for shown in (
        ">Administrér spærringer</h2>",
        ">Tilføj spærring</label>",
        ">Tilføj</button>",
        "<h3>Aktive spærringer</h3>",
        "Bemærk, at dette kun gælder spærring i mobilnettet.",
        ">Luk</a>",
    ):
        assert shown in text, shown
    for swedish in ("Hantera spärrar", "Lägg till", "Aktiva spärrar", "Stäng", "Tänk på"):
        assert swedish not in text, swedish


def test_sim_dialog_choices_and_labels_in_english(as_lang):
    client = as_lang("en")
    text = dialog(client, demo_service("mobile"), "sim")
    assert ">Replace SIM card</h2>" in text and ">Method</label>" in text
    assert "Choose method..." in text and "Send new SIM" in text
    assert "Välj metod" not in text and "Skicka nytt SIM" not in text
    text = post(client, url(demo_service("mobile"), "sim"), {"method": "send", "refresh": "1"})
    text = text.get_data(as_text=True)
    assert "Physical SIM card" in text and "Fysiskt SIM-kort" not in text


def test_swedish_user_sees_the_swedish_dialog(as_lang):
    client = as_lang("sv")
    text = dialog(client, demo_service("mobile"), "terminate")
    assert ">Avsluta tjänst</h2>" in text and ">Bekräfta</button>" in text
    assert "<dt>Uppsägningstid</dt>" in text and ">Avbryt</a>" in text
    assert "Önskat tekniskt avslutsdatum" in text and "Confirm" not in text


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("lang", "message"), [("en", "At most 100 characters."), ("da", "Højst 100 tegn.")]
)
def test_field_error_from_the_domain_translated(as_lang, lang, message):
    client = as_lang(lang)
    response = post(client, url(demo_service("mobile"), "user-name"), {"user_name": "x" * 101})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'class="field-error" id="user_name-error">{message}</p>' in text
    assert "Högst 100 tecken" not in text


def test_field_error_with_values_translated(as_lang):
    client = as_lang("en")
    service = demo_service("mobile")
    response = post(client, url(service, "sim"), {"method": "customer", "msisdn": "0701111111"})
    text = response.get_data(as_text=True)
    assert "The MSISDN must be the service&#39;s number" in text
    assert "Msisdn ska vara" not in text


def test_control_characters_message_translated(as_lang):
    client = as_lang("da")
    response = post(client, url(demo_service("mobile"), "user-name"), {"user_name": "a\x00b"})
    text = response.get_data(as_text=True)
    assert "Feltet indeholder ugyldige tegn." in text
    assert "otillåtna tecken" not in text


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "The bar Roaming has been added."), ("da", "Spærringen Roaming er tilføjet.")],
)
def test_confirmation_toast_translated(as_lang, lang, message):
    client = as_lang(lang)
    response = post(client, url(demo_service("mobile"), "barrings"), {"kind": "roaming"})
    assert json.loads(response.headers["HX-Trigger"])["showMessage"] == message
    text = response.get_data(as_text=True)  # the dialog stays open with the order's summary
    done = "Done: Add bar: Roaming." if lang == "en" else "Udført: Tilføj spærring: Roaming."
    assert done in text and "Klart:" not in text and "Lägg till spärr" not in text


def test_flash_message_without_htmx_translated(as_lang):
    client = as_lang("en")
    service = demo_service("mobile")
    response = post(client, url(service, "user-name"), {"user_name": "Utan Htmx"}, htmx=False)
    assert response.status_code == 303
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert ("success", "The user has been changed to Utan Htmx.") in flashes


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "The action Terminate service cannot be used when the service has the status"),
        ("da", "Handlingen Opsig abonnement kan ikke bruges, når abonnementet har status"),
    ],
)
def test_refusal_with_values_translated(as_lang, lang, message):
    client = as_lang(lang)
    service = demo_service("mobile", status="terminated")
    response = post(client, url(service, "terminate"), {"end_date": "2030-01-01"})
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert message in text
    assert "Åtgärden" not in text and "kan inte användas" not in text


def test_swedish_refusal_unchanged(as_lang):
    client = as_lang("sv")
    service = demo_service("mobile", status="terminated")
    response = post(client, url(service, "terminate"), {"end_date": "2030-01-01"})
    text = response.get_data(as_text=True)
    assert "Åtgärden Avsluta tjänst kan inte användas när tjänsten har status Avslutad." in text


def test_mobile_number_problem_is_swedish_and_translatable():
    problem = mobile_number_problem("070123")
    assert problem.startswith("Mobilnumret är för kort.")
    assert translate(problem, "en") == (
        "The mobile number is too short. A Swedish mobile number has ten digits, "
        "e.g. 070-123 45 67."
    )
    assert translate(mobile_number_problem("07o"), "da") == (
        "Mobilnummeret må kun indeholde cifre, ikke bogstaver."
    )


def test_summary_of_several_parts_translated(as_lang):
    client = as_lang("en")
    service = demo_service("mobile")
    data = {"directory_listed": "y", "roaming_voice": "y"}  # roaming for data off
    response = post(client, url(service, "options"), data, htmx=False)
    assert response.status_code == 303
    from domain import service_actions as sa
    from tests.services_fixtures import last_order

    summary = sa.order_summary(last_order(service))
    assert summary == "Optioner: Katalogpost på, Roaming tal på, Roaming data av"  # Swedish kept
    with client.application.test_request_context(headers={"Accept-Language": "en"}):
        from web.dialogs import message_text

        assert message_text(summary) == (
            "Options: Directory listing on, Voice roaming on, Data roaming off"
        )


# --------------------------------------------------------------------------- e-mail


def test_status_mail_in_the_recipients_language(as_lang, demo_app, login):
    import datetime as dt

    from domain import service_actions as sa
    from tests.conftest import STAFF
    from tests.test_services_staff import customer_request
    from tests.test_services_staff_comment import last_mail_to

    as_lang("en")
    staff = demo_app.test_client()
    login(staff, STAFF)
    service = demo_service("mobile")
    end = dt.date.today() + dt.timedelta(days=20)
    order = customer_request(service, sa.prepare_terminate, end=end)
    comment = {"comment": "Bindningstiden löper till 2027."}
    assert post(staff, f"/staff/changes/{order.id}/reject", comment).status_code == 200
    mail = last_mail_to(ADMIN)
    assert order.label in mail.subject
    assert "Comment from Teleportal: Bindningstiden löper till 2027." in mail.body
    assert f"Concerns: Termination as of {end.isoformat()}" in mail.body
    assert "Kommentar från" not in mail.body and "Gäller:" not in mail.body
