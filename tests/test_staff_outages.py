"""Driftinformation in the back office (/staff/outages, issue 17 item 4):
publish with a preview of what the outage touches, bad input refused with
nothing written, updates and Åtgärdad, the listeners, audit and roles."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import outages
from models import AuditLog, Outage, OutageUpdate
from tests.outages_data import form, local, make_staff, preview_of, publish

SUPPORT = "support@operator.se"


@pytest.fixture
def desk(app, client, login):
    make_staff(SUPPORT, "support")
    login(client, SUPPORT)
    return client


@pytest.fixture
def heard():
    """The events the outage listeners hear (domain/outages.py)."""
    events = []

    def listener(outage, event):
        # Called after the commit: the outage is already in the database.
        assert Outage.get_or_none(Outage.id == outage.id) is not None
        events.append((outage.title, event))

    outages.OUTAGE_LISTENERS.append(listener)
    yield events
    outages.OUTAGE_LISTENERS.remove(listener)


@pytest.fixture
def customer(make_org, make_account, make_service):
    """A broadband at 90155 and a mobile on an account at 90156."""
    org = make_org()
    make_service(make_account(org, postcode="11143"), kind="broadband", postcode="90155")
    make_service(make_account(org, postcode="90156"), kind="mobile")
    return org


def test_preview_counts_what_the_outage_touches_then_publish(desk, customer, heard):
    data = form(service_kinds=["broadband", "mobile"])
    checked = desk.post("/staff/outages/new", data=data)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Berör 2 tjänster hos 1 kund." in html
    assert Outage.select().count() == 0 and heard == []  # nothing until Publicera

    response = desk.post(
        "/staff/outages/new", data={**data, "preview_of": preview_of(html), "confirm": "1"}
    )
    outage = Outage.get()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/outages/{outage.id}")
    assert (outage.title, outage.kind, outage.postcodes) == (
        "Kabelbrott Testby",
        "fault",
        "90155 90156",
    )
    assert outage.service_kinds == "mobile broadband"  # in SERVICE_KINDS order
    assert (round(outage.latitude, 4), round(outage.longitude, 4), outage.radius_km) == (
        63.8258,
        20.263,
        5.0,
    )
    assert outage.state() == "current"
    assert heard == [("Kabelbrott Testby", "published")]
    row = AuditLog.get(AuditLog.action == "outage.publish")
    assert row.object_id == str(outage.id) and row.organisation_id is None
    assert "Kabelbrott Testby" in row.summary
    detail = desk.get(f"/staff/outages/{outage.id}").get_data(as_text=True)
    assert "2 tjänster hos 1 kund" in detail
    listing = desk.get("/staff/outages").get_data(as_text=True)
    assert "Kabelbrott Testby" in listing and "Aktuell" in listing


def test_a_failing_listener_does_not_undo_the_publishing(desk, customer, heard, caplog):
    def broken(outage, event):
        raise RuntimeError("SMTP nere")

    outages.OUTAGE_LISTENERS.insert(0, broken)
    try:
        response, _ = publish(desk)
    finally:
        outages.OUTAGE_LISTENERS.remove(broken)
    assert response.status_code == 303 and Outage.select().count() == 1
    assert heard == [("Kabelbrott Testby", "published")]  # the others still hear
    assert "outage listener" in caplog.text and "SMTP nere" in caplog.text


def test_double_submit_publishes_once(desk, customer, heard):
    data = form()
    html = desk.post("/staff/outages/new", data=data).get_data(as_text=True)
    final = {**data, "preview_of": preview_of(html), "confirm": "1"}
    first = desk.post("/staff/outages/new", data=final)
    second = desk.post("/staff/outages/new", data=final)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert Outage.select().count() == 1
    assert heard == [("Kabelbrott Testby", "published")]


def test_a_change_after_the_preview_is_previewed_again(desk, customer):
    data = form()
    html = desk.post("/staff/outages/new", data=data).get_data(as_text=True)
    changed = {**data, "postcodes": "11143", "preview_of": preview_of(html), "confirm": "1"}
    response = desk.post("/staff/outages/new", data=changed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Uppgifterna har ändrats sedan förhandsvisningen" in page
    assert "Berör 0 tjänster hos 0 kunder." in page
    assert Outage.select().count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"postcodes": "901 55, 9015"}, "Postnummer är fem siffror (t.ex. 901 55): ”9015”"),
        ({"postcodes": "90155, abcde"}, "”abcde”"),
        (
            {
                "starts_at": local(dt.timedelta(hours=2)),
                "expected_end": local(dt.timedelta(hours=1)),
            },
            "Beräknat klart ska vara efter start.",
        ),
        ({"latitude": "52,52", "longitude": "13,40"}, "Positionen ligger utanför Sverige."),
        ({"latitude": "63,8", "longitude": ""}, "Ange både latitud och longitud"),
        ({"latitude": "norr"}, "Ange ett decimaltal"),
        ({"radius_km": "900"}, "Radien är 0,1–500 km."),
        ({"title": ""}, "Ange en rubrik."),
        ({"service_kinds": []}, "Välj minst en tjänstetyp."),
        ({"starts_at": "igår"}, "Inte ett giltigt datum-/tidsvärde"),
        ({"starts_at": "0001-01-01T00:30"}, "Ange en tid mellan år 2000 och 2100."),
        ({"expected_end": "9999-12-31T23:59"}, "Ange en tid mellan år 2000 och 2100."),
        ({"kind": "maintenance", "expected_end": ""}, "Ange när underhållet beräknas vara klart."),
        ({"kind": "storm"}, "Inte ett giltigt val"),
        ({"token": "x"}, "Formuläret är för gammalt."),
    ],
)
def test_bad_input_is_refused_and_nothing_written(desk, heard, overrides, message):
    data = form(**overrides)
    for attempt in ({}, {"confirm": "1", "preview_of": "0" * 32}):
        response = desk.post("/staff/outages/new", data={**data, **attempt})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in html
        assert "Berör " not in html  # no preview of a bad form
    assert Outage.select().count() == 0 and heard == []
    assert not AuditLog.select().where(AuditLog.action.startswith("outage.")).exists()


def test_without_csrf_nothing_is_published(desk):
    data = form()
    response = desk.post("/staff/outages/new", data=data, csrf=False)
    assert response.status_code in (200, 400)
    assert Outage.select().count() == 0


def test_planned_maintenance(desk, customer):
    response, html = publish(
        desk,
        kind="maintenance",
        title="Byte av router",
        starts_at=local(dt.timedelta(days=2)),
        expected_end=local(dt.timedelta(days=2, hours=3)),
    )
    assert response.status_code == 303
    outage = Outage.get()
    assert (outage.kind, outage.state()) == ("maintenance", "planned")
    listing = desk.get("/staff/outages?f_state=planned").get_data(as_text=True)
    assert "Byte av router" in listing and "Planerat avbrott" in listing
    assert "Byte av router" not in desk.get("/staff/outages?f_state=current").get_data(as_text=True)


def test_update_and_resolve(desk, customer, heard):
    publish(desk)
    outage = Outage.get()
    page = desk.get(f"/staff/outages/{outage.id}").get_data(as_text=True)
    assert 'name="seen" type="hidden" value="0"' in page
    end = local(dt.timedelta(hours=8))
    response = desk.post(
        f"/staff/outages/{outage.id}/update",
        data={"text": "Skarvning pågår.", "expected_end": end, "seen": "0"},
    )
    assert response.status_code == 303
    update = OutageUpdate.get()
    assert update.text == "Skarvning pågår." and update.staff.username == SUPPORT
    assert Outage.get_by_id(outage.id).expected_end > outage.expected_end
    page = desk.get(f"/staff/outages/{outage.id}").get_data(as_text=True)
    assert "Uppdatering " in page and "Skarvning pågår." in page

    # A form opened before that update is stale: nothing is added.
    stale = desk.post(f"/staff/outages/{outage.id}/update", data={"text": "Igen", "seen": "0"})
    assert "Någon har lagt till en uppdatering" in stale.get_data(as_text=True)
    assert OutageUpdate.select().count() == 1
    # An empty update is refused next to the field.
    empty = desk.post(f"/staff/outages/{outage.id}/update", data={"text": "", "seen": "1"})
    assert "Skriv uppdateringen." in empty.get_data(as_text=True)
    odd = {"text": "X", "seen": "1", "expected_end": "0001-01-01T00:30"}
    odd_page = desk.post(f"/staff/outages/{outage.id}/update", data=odd)
    assert "Ange en tid mellan år 2000 och 2100." in odd_page.get_data(as_text=True)
    assert OutageUpdate.select().count() == 1

    resolved = desk.post(f"/staff/outages/{outage.id}/resolve", data={"text": "Kabeln är lagad."})
    assert resolved.status_code == 303
    outage = Outage.get_by_id(outage.id)
    assert outage.state() == "resolved"
    assert [u.text for u in OutageUpdate.select().order_by(OutageUpdate.id)] == [
        "Skarvning pågår.",
        "Kabeln är lagad.",
    ]
    # A second Åtgärdad changes nothing and tells no one again.
    again = desk.post(f"/staff/outages/{outage.id}/resolve", data={"text": ""})
    assert (
        again.status_code == 303 and Outage.get_by_id(outage.id).resolved_at == outage.resolved_at
    )
    late = desk.post(f"/staff/outages/{outage.id}/update", data={"text": "Sent", "seen": "2"})
    assert "redan åtgärdat" in late.get_data(as_text=True)
    assert heard == [
        ("Kabelbrott Testby", "published"),
        ("Kabelbrott Testby", "updated"),
        ("Kabelbrott Testby", "resolved"),
    ]
    actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert [a for a in actions if a.startswith("outage.")] == [
        "outage.publish",
        "outage.update",
        "outage.resolve",
    ]


def test_unknown_outage_is_404(desk):
    assert desk.get("/staff/outages/999").status_code == 404
    assert desk.post("/staff/outages/999/resolve", data={}).status_code == 404


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [("billing", False), ("orders", False), ("support", True), ("admin", True)],
)
def test_roles(app, client, login, roles, allowed):
    username = f"{roles}@operator.se"
    make_staff(username, roles)
    login(client, username)
    for path in ("/staff/outages", "/staff/outages/new", "/staff/outages/coverage"):
        assert client.get(path).status_code == (200 if allowed else 403), path
    response = client.post("/staff/outages/new", data=form())
    assert response.status_code == (200 if allowed else 403)
    assert Outage.select().count() == 0
    menu = client.get("/staff/").get_data(as_text=True)
    assert ('href="/staff/outages"' in menu) is allowed  # the staff menu by role


def test_customers_cannot_reach_the_back_office(app, client, login, make_org, make_user):
    user = make_user(make_org(), superuser=True)
    login(client, user.username)
    response = client.get("/staff/outages")
    assert response.status_code in (302, 403)


def test_the_list_sorts_by_status_exports_and_swaps_in_place(desk, customer):
    publish(desk, title="Nu")
    publish(
        desk,
        title="Sedan",
        kind="maintenance",
        starts_at=local(dt.timedelta(days=1)),
        expected_end=local(dt.timedelta(days=1, hours=1)),
    )
    html = desk.get("/staff/outages?sort=state&dir=asc").get_data(as_text=True)
    assert html.index(">Nu<") < html.index(">Sedan<")  # current before planned
    html = desk.get("/staff/outages?sort=state&dir=desc").get_data(as_text=True)
    assert html.index(">Sedan<") < html.index(">Nu<")
    fragment = desk.get("/staff/outages", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Bredband" in fragment.get_data(as_text=True)  # the row's service kinds
    export = desk.get("/staff/outages?export=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
