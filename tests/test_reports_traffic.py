"""Specifikation – Samtal, Trafikspecifikation and Samtalsstatistik: rows
against sums worked out by hand from the calls below, scope (the other
organisation, the Kontoadmin's sub-tree) and the forms' messages."""

from __future__ import annotations

import pytest

from tests.conftest import login_as
from tests.reports_fixtures import call, form_errors, people, rows, xlsx  # noqa: F401

JAN = {"from": "2026-01-01", "to": "2026-01-31"}
SPEC = "/reports/specifikation-samtal"
TRAFFIC = "/reports/trafikspecifikation"
STATS = "/reports/samtalsstatistik"


@pytest.fixture
def calls(people):  # noqa: F811
    w = people
    call(w.s1, "2026-01-10 10:00:00", seconds=60, ore=100, invoiced=True)
    call(w.s1, "2026-01-10 10:00:30", seconds=120, ore=200, b_number="0731112233")
    call(w.s1, "2026-01-11 09:00:00", "international", 30, 500, country="DE", invoiced=True)
    call(w.s1, "2026-01-12 12:00:00", "sms", 0, 50)
    call(w.s1, "2026-02-05 12:00:00", seconds=600, ore=999)  # after the period
    call(w.s2, "2026-01-10 10:00:45", "mobile", 30, 150)
    call(w.s2, "2026-01-11 09:00:30", seconds=10, ore=20)  # starts as the DE call ends
    call(w.s2, "2026-01-12 23:30:00", seconds=60, ore=40)  # 00:30 local on the 13th
    call(w.b1, "2026-01-10 10:00:10", seconds=600, ore=7000)
    return w


def _spec(rows_):
    return sorted(
        (r["Nummer"], r["Trafiktyp"], r["Land"], r["Antal"], r["Minuter"], r["Belopp"])
        for r in rows_
    )


def test_call_specification_asks_for_a_period_and_says_uninvoiced_is_included(client, calls):
    login_as(client, calls.admin.username)
    text = client.get(SPEC).get_data(as_text=True)
    assert 'name="from"' in text and "listview" not in text
    assert "ännu ej fakturerad trafik" in text


def test_call_specification_per_service_type_and_country(client, calls):
    login_as(client, calls.admin.username)
    shown = _spec(rows(client, SPEC, JAN))
    assert shown == [
        ("070-100 00 01", "Nationella samtal", "SE", "2", "3,0", "3,00 kr"),
        ("070-100 00 01", "SMS", "SE", "1", "0,0", "0,50 kr"),
        ("070-100 00 01", "Utlandssamtal", "DE", "1", "0,5", "5,00 kr"),
        ("070-100 00 02", "Nationella samtal", "SE", "2", "1,2", "0,60 kr"),
        ("070-100 00 02", "Samtal till mobil", "SE", "1", "0,5", "1,50 kr"),
    ]
    exported = xlsx(client, SPEC, JAN)
    by_key = {(r["Nummer"], r["Trafiktyp"], r["Land"]): r for r in exported}
    assert len(exported) == 5
    national = by_key[("0701000001", "Nationella samtal", "SE")]
    assert (national["Antal"], national["Minuter"], national["Belopp"]) == (2, 3.0, 3.0)
    assert national["Varav ej fakturerat"] == 2.0
    assert by_key[("0701000002", "Nationella samtal", "SE")]["Minuter"] == 1.2
    # sorting by a sum and filtering by a group key work on the groups
    by_amount = rows(client, SPEC, {**JAN, "sort": "amount", "dir": "desc"})
    assert by_amount[0]["Belopp"] == "5,00 kr"
    national_only = rows(client, SPEC, {**JAN, "f_traffic": "national"})
    assert len(national_only) == 2


def test_call_specification_scope(client, calls):
    login_as(client, calls.konto.username)
    assert {r["Nummer"] for r in xlsx(client, SPEC, JAN)} == {"0701000002"}
    assert {r["Nummer"] for r in rows(client, SPEC, JAN)} == {"070-100 00 02"}
    login_as(client, calls.other.username)
    assert _spec(rows(client, SPEC, JAN)) == [
        ("070-900 00 01", "Nationella samtal", "SE", "1", "10,0", "70,00 kr")
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "to", "Till kan inte vara före Från."),
        ({"from": "2025-01-01", "to": "2026-02-01"}, "to", "högst 13 månader"),
        ({"from": "2026-1-1x", "to": "2026-01-31"}, "from", "Från är inte ett datum"),
    ],
)
def test_call_specification_bad_periods(client, calls, params, field, message):
    login_as(client, calls.admin.username)
    for extra in ({}, {"export": "xlsx"}):
        response = client.get(SPEC, query_string={**params, **extra})
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert any(message in e for e in form_errors(response))


# ------------------------------------------------------------- Trafikspecifikation


def test_traffic_of_one_number_with_b_numbers_and_the_gdpr_note(client, calls):
    login_as(client, calls.admin.username)
    form = client.get(TRAFFIC).get_data(as_text=True)
    assert "GDPR" in form and 'name="number"' in form
    params = {**JAN, "number": "070-100 00 01"}
    shown = rows(client, TRAFFIC, params)
    assert len(shown) == 4  # February's is outside the period
    assert "073-111 22 33" in [r["B-nummer"] for r in shown]
    exported = xlsx(client, TRAFFIC, params)
    assert sorted(r["Belopp"] for r in exported) == [0.5, 1.0, 2.0, 5.0]
    assert {r["Fakturerad"] for r in exported} == {"Ja", "Nej"}  # not yet invoiced too
    page = client.get(TRAFFIC, query_string=params).get_data(as_text=True)
    assert "GDPR" in page


@pytest.mark.parametrize(
    ("user", "number", "message"),
    [
        ("konto", "0701000001", "finns inte bland de tjänster"),  # outside the sub-tree
        ("admin", "0709000001", "finns inte bland de tjänster"),  # the other organisation's
        ("admin", "", "Ange ett nummer."),
        ("admin", "Kalle", "Ange ett telefonnummer"),
    ],
)
def test_traffic_number_outside_scope_is_a_message(client, calls, user, number, message):
    login_as(client, getattr(calls, user).username)
    for extra in ({}, {"export": "xlsx"}):
        response = client.get(TRAFFIC, query_string={**JAN, "number": number, **extra})
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert any(message in e for e in form_errors(response))
        assert "081234567" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- Samtalsstatistik


def _stats(rows_):
    return [(r["Datum"], r["Antal samtal"], r["Flest samtidiga"]) for r in rows_]


def test_statistics_per_local_day_with_peak_concurrency(client, calls):
    login_as(client, calls.admin.username)
    # 10th: 10:00–10:01, 10:00:30–10:02:30 and 10:00:45–10:01:15 overlap: 3.
    # 11th: 09:00:00–09:00:30 ends as 09:00:30 starts: never 2 at once.
    # 23:30 UTC on the 12th is the 13th in Sweden; the SMS is no call.
    assert _stats(rows(client, STATS, JAN)) == [
        ("2026-01-10", "3", "3"),
        ("2026-01-11", "2", "1"),
        ("2026-01-13", "1", "1"),
    ]
    exported = xlsx(client, STATS, JAN)
    assert [(str(r["Datum"])[:10], r["Antal samtal"], r["Flest samtidiga"]) for r in exported] == [
        ("2026-01-10", 3, 3),
        ("2026-01-11", 2, 1),
        ("2026-01-13", 1, 1),
    ]
    assert [r["Snittlängd (s)"] for r in exported] == [70, 20, 60]


def test_statistics_of_one_number_and_of_the_sub_tree(client, calls):
    login_as(client, calls.admin.username)
    one = {**JAN, "number": "0701000001"}
    assert _stats(rows(client, STATS, one)) == [("2026-01-10", "2", "2"), ("2026-01-11", "1", "1")]
    login_as(client, calls.konto.username)
    assert _stats(rows(client, STATS, JAN)) == [
        ("2026-01-10", "1", "1"),
        ("2026-01-11", "1", "1"),
        ("2026-01-13", "1", "1"),
    ]
    response = client.get(STATS, query_string=one)
    assert any("finns inte" in e for e in form_errors(response))


def test_statistics_period_is_at_most_three_months(client, calls):
    login_as(client, calls.admin.username)
    response = client.get(STATS, query_string={"from": "2026-01-01", "to": "2026-04-01"})
    assert any("högst 3 månader" in e for e in form_errors(response))


@pytest.mark.parametrize("url", [SPEC, STATS, "/reports/avslutade-tjanster"])
@pytest.mark.parametrize(
    "params",
    [
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "x" * 5000, "to": "2026-03-01"},
    ],
)
def test_calendar_ends_and_nonsense_are_messages_not_errors(client, calls, url, params):
    login_as(client, calls.admin.username)
    response = client.get(url, query_string=params)
    assert response.status_code == 200
    assert form_errors(response)


def test_change_parameters_opens_the_form_filled_in(client, calls):
    from lxml import html as lxml_html

    login_as(client, calls.admin.username)
    page = client.get(SPEC, query_string=JAN).get_data(as_text=True)
    link = lxml_html.fromstring(page).xpath('//a[text()="Ändra parametrar"]/@href')[0]
    form = client.get(link).get_data(as_text=True)
    assert "listview" not in form
    assert 'value="2026-01-01"' in form and 'value="2026-01-31"' in form


def test_statistics_sorted_by_peak(client, calls):
    login_as(client, calls.admin.username)
    by_peak = rows(client, STATS, {**JAN, "sort": "peak", "dir": "desc"})
    assert [r["Datum"] for r in by_peak][0] == "2026-01-10"
    assert [r["Flest samtidiga"] for r in by_peak] == ["3", "1", "1"]


def test_statistics_local_days_in_summer_time(client, people):  # noqa: F811
    call(people.s1, "2026-07-01 21:30:00", seconds=60)  # 23:30 local, the 1st
    call(people.s1, "2026-07-01 22:30:00", seconds=60)  # 00:30 local, the 2nd
    login_as(client, people.admin.username)
    shown = rows(client, STATS, {"from": "2026-07-01", "to": "2026-07-31"})
    assert [(r["Datum"], r["Antal samtal"]) for r in shown] == [
        ("2026-07-01", "1"),
        ("2026-07-02", "1"),
    ]


def test_summer_time_spans_match_the_time_zone():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from blueprints.reports.traffic import _dst_spans

    zone = ZoneInfo("Europe/Stockholm")
    for low, high in _dst_spans(2020, 2030):
        for moment, offset in ((low - dt.timedelta(seconds=1), 1), (low, 2),
                               (high - dt.timedelta(seconds=1), 2), (high, 1)):  # fmt: skip
            local = moment.replace(tzinfo=dt.UTC).astimezone(zone)
            assert local.utcoffset() == dt.timedelta(hours=offset), moment
