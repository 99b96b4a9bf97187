"""Samtal linked from a service's Förbrukning (issue 13, item 10): the call
records of that one service, and the link only for users who may see them."""

from __future__ import annotations

import logging

from lxml import html

from database import is_sqlite
from models import CallRecord
from tests.conftest import ADMIN, OTHER_ORG_ADMIN
from tests.listpage import all_rows, get_list
from tests.plans import query_plan
from tests.services_fixtures import a3, add_user, demo_service


def usage_calls_links(client, service) -> list[str]:
    doc = html.fromstring(client.get(f"/services/{service.id}").get_data(as_text=True))
    return doc.xpath('//div[@id="usage-calls"]//a/@href')


def test_the_usage_tab_links_the_services_call_records(demo_client, login):
    login(demo_client, ADMIN)
    service = demo_service("mobile")
    (link,) = usage_calls_links(demo_client, service)
    assert link == f"/calls?service={service.id}"
    listing = all_rows(demo_client, "/calls", {"service": service.id})
    expected = CallRecord.select().where(CallRecord.service == service.id).count()
    assert expected > 0 and listing.total == expected
    assert f"Samtal för {service.number}" in listing.text
    # the narrowing survives a filter, a sort and the export link
    filtered = get_list(demo_client, "/calls", {"service": service.id, "f_traffic": "sms"})
    sms = (
        CallRecord.select()
        .where((CallRecord.service == service.id) & (CallRecord.traffic_type == "sms"))
        .count()
    )
    assert 0 < filtered.total == sms
    assert f"service={service.id}" in filtered.reset_url
    page = html.fromstring(filtered.text)
    (export,) = page.xpath('//a[contains(@class, "export")]/@href')
    assert f"service={service.id}" in export


def test_a_service_outside_scope_or_malformed_answers_404(demo_client, login):
    service = demo_service("mobile")
    login(demo_client, OTHER_ORG_ADMIN)
    assert demo_client.get(f"/calls?service={service.id}").status_code == 404
    login(demo_client, ADMIN)
    for bad in ("abc", "0", str(2**63), "-1"):
        assert demo_client.get(f"/calls?service={bad}").status_code == 404, bad


def test_no_link_without_the_right_to_see_calls(demo_client, login):
    user = add_user(a3(), a3().top_account(), ("services.view",))
    login(demo_client, user.username)
    service = demo_service("mobile")
    assert usage_calls_links(demo_client, service) == []
    assert demo_client.get(f"/calls?service={service.id}").status_code == 403


def test_one_services_records_are_read_off_its_index(demo_client, login, caplog):
    """Counting and paging one service's records use the (service, started_at)
    index, not a walk through the organisation's records (statistics or not)."""

    login(demo_client, ADMIN)
    service = demo_service("mobile")
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        assert demo_client.get(f"/calls?service={service.id}").status_code == 200
    statements = [
        r.msg
        for r in caplog.records
        if r.name == "peewee" and r.msg[0].startswith("SELECT") and 'FROM "call_record"' in r.msg[0]
    ]
    counted = [s for s in statements if "COUNT(" in s[0]]
    paged = [s for s in statements if s[0].startswith('SELECT "t1"."id" FROM')]
    assert counted and paged
    for sql, params in (counted[0], paged[0]):
        plan = " ".join(query_plan(sql, params))
        # PostgreSQL may count off the plain service index: either serves.
        index = "callrecord_service_id_started_at" if is_sqlite() else "callrecord_service_id"
        assert index in plan, plan
