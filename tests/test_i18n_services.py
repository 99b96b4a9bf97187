"""Languages (issue 20) in Tjänster: a service's page and its panels, the
status and kind labels, Samtal, the molnväxel's dialogs and bulk results in
English and Danish, with the domain's messages translated where shown."""

from __future__ import annotations

import json
import re

import pytest

from models import BulkAction, CallRecord, Service, SwitchboardQueue
from tests.services_fixtures import HX, demo_service, post


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True).replace("\u00a0", " ")


SWEDISH_ON_MOBILE_PAGE = (
    "Abonnemangsinformation",
    "Tjänstespecifikation",
    "Förbrukning och trender",
    "Aktiva spärrar",
    "Tilläggstjänster",
    "Avtal och villkor",
    "Bindningstid",
    "Kvarvarande data",
    "Alla tjänster",
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            (
                '<h1><span id="service-heading">Service: ',
                "Subscription information",
                "Service specification",
                "Usage and trends",
                "Active bars",
                "Mobile administration",
                "Agreement and terms",
                "Remaining data",
                "Starter package",
                "« All services",
                "Mobile. The actions on the right show what you can do",
                'aria-label="Change user"',
            ),
        ),
        (
            "da",
            (
                "Abonnement: ",
                "Abonnementsinformation",
                "Abonnementsspecifikation",
                "Forbrug og tendenser",
                "Aktive spærringer",
                "Tillægsabonnementer",
                "Aftale og vilkår",
                "Opkaldsgrænse",
                "Telefonbog",
                "« Alle abonnementer",
                "Mobiltelefoni. Handlingerne til højre",
            ),
        ),
    ],
)
def test_mobile_service_page_translated(as_lang, lang, expected):
    client = as_lang(lang)
    text = page(client, f"/services/{demo_service('mobile').id}")
    assert f'<html lang="{lang}"' in text
    for phrase in expected:
        assert phrase in text, phrase
    for swedish in SWEDISH_ON_MOBILE_PAGE:
        assert swedish not in text, swedish
    # the status label, a constant of tables/services.py, through tr()
    status = re.search(r'<span class="status status-active">([^<]+)</span>', text).group(1)
    assert status == {"en": "Active", "da": "Aktiv"}[lang]


def test_swedish_service_page_unchanged(as_lang):
    client = as_lang("sv")
    text = page(client, f"/services/{demo_service('mobile').id}")
    for swedish in SWEDISH_ON_MOBILE_PAGE:
        assert swedish in text, swedish
    assert "Mobiltelefoni. Åtgärderna till höger visar" in text


def test_services_list_status_and_kind_labels(as_lang):
    text = page(as_lang("en"), "/services")
    body = re.search(r"<tbody.*?</tbody>", text, re.S).group(0)
    assert ">Active</span>" in body and ">Mobile</td>" in body
    assert "Aktiv<" not in body and "Mobiltelefoni" not in body
    # the Status filter's choices
    assert re.search(r'value="barred"[^>]*> Barred</label>', text)
    assert re.search(r'value="terminated"[^>]*> Terminated</label>', text)


def test_call_records_in_danish(as_lang):
    service = Service.get_by_id(CallRecord.select(CallRecord.service).first().service_id)
    text = page(as_lang("da"), f"/calls?service={service.id}")
    head = re.search(r"<thead.*?</thead>", text, re.S).group(0)
    for heading in ("Trafiktype", "Retning", "Varighed (s)", "Beløb", "Faktureret"):
        assert re.search(rf">\s*{re.escape(heading)}\s*<", head), heading
    assert "<h1>Opkald for " in text and "« Abonnementet" in text
    assert 'data-label="Retning"' in text
    assert re.search(r">(Udgående|Indgående)</td>", text)
    for swedish in ("Trafiktyp", "Riktning", "Samtal för", "Utgående", "Inkommande"):
        assert not re.search(rf"\b{swedish}\b", text), swedish


def test_switchboard_panel_and_dialog_in_english(as_lang):
    client = as_lang("en")
    pbx = demo_service("cloud_pbx")
    text = page(client, f"/services/{pbx.id}")
    for phrase in ("Employees", "Queues", "New employee", "New queue", "Ring strategy", "In turn"):
        assert phrase in text, phrase
    assert "Medarbetare" not in text and "I tur och ordning" not in text
    dialog = client.get(f"/services/{pbx.id}/employees/new", headers=HX).get_data(as_text=True)
    assert "Extension" in dialog and "Anknytning" not in dialog
    # a domain error with a value, next to its field
    response = post(client, f"/services/{pbx.id}/employees/new", {"name": "X", "extension": "201"})
    text = response.get_data(as_text=True)
    assert "Extension 201 is already used in the switchboard." in text
    assert "används redan" not in text
    response = post(client, f"/services/{pbx.id}/employees/new", {"name": "X", "extension": "1a"})
    assert "The extension must be 2–6 digits." in response.get_data(as_text=True)
    # the confirmation (a toast)
    response = post(client, f"/services/{pbx.id}/employees/new", {"name": "Ny", "extension": "298"})
    assert json.loads(response.headers["HX-Trigger"])["showMessage"] == "Employee Ny is saved."


def test_queue_membership_refusal_in_danish(as_lang):
    client = as_lang("da")
    pbx = demo_service("cloud_pbx")
    queue = SwitchboardQueue.select().where(SwitchboardQueue.pbx == pbx.id).first()
    member = queue.members.first().service
    response = post(
        client, f"/services/{member.id}/queues/{queue.id}/membership", {"action": "join"}
    )
    assert response.status_code == 409
    assert "Nummeret er allerede med i køen." in response.get_data(as_text=True)


def _bulk(client, action, ids, step, **values):
    data = {"action": action, "step": step, "ids": ",".join(map(str, ids)), **values}
    return client.post("/services/bulk", data=data, headers=HX)


def test_bulk_form_error_and_result_page_in_english(as_lang):
    client = as_lang("en")
    service = demo_service("mobile")
    response = _bulk(client, "price_plan", [service.id], "choose", code="NOPE")
    text = response.get_data(as_text=True)
    assert "Choose a price plan." in text and "Välj en prislista." not in text
    confirmation = _bulk(client, "bar", [service.id], "choose", kind="premium")
    text = confirmation.get_data(as_text=True)
    assert "Add bar: Premium-rate calls" in text
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    response = _bulk(client, "bar", [service.id], "run", kind="premium", token=token)
    run = BulkAction.get_by_id(int(response.headers["HX-Redirect"].rsplit("/", 1)[1]))
    assert run.summary == "Lägg till spärr: Betalsamtal"  # stored (and audited) in Swedish
    text = page(client, f"/services/bulk/{run.id}")
    assert "<strong>Add bar: Premium-rate calls</strong> for 1 service." in text
    assert "Status: <strong" in text and ">Done</strong>" in text
    assert "Back to Services" in text and "Result" in text
    for swedish in ("Lägg till spärr", "Betalsamtal", "Tillbaka till Tjänster", "Resultat"):
        assert swedish not in text, swedish


def test_service_labels_outside_a_request():
    """Status and kind labels (tables/services.py) for files written outside
    a request; a service's Avslutad is not a ticket's (a msgctxt)."""
    from domain.text import translate
    from tables.services import SERVICE_KINDS, SERVICE_STATUSES

    assert SERVICE_STATUSES["terminated"] == "Avslutad"  # Swedish as before
    assert translate(SERVICE_STATUSES["terminated"], "en") == "Terminated"
    assert translate(SERVICE_STATUSES["barred"], "da") == "Spærret"
    assert translate(SERVICE_KINDS["cloud_pbx"], "en") == "Cloud switchboard"
    assert translate(SERVICE_KINDS["cloud_pbx"], "sv") == "Molnväxel"
