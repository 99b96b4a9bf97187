"""Small hand-made data for the report tests (tests/test_reports_*.py):
organisation A with its top account, a sub-account (the Kontoadmin's) and a
sibling, and organisation B whose rows must never appear. Times are UTC."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from lxml import html as lxml_html

from database import write_tx
from models import CallRecord
from tests.listpage import all_rows, read_xlsx

EVERYTHING = ("reports.view", "invoices.view", "tickets.view", "orders.manage", "services.view")


@pytest.fixture
def people(client, make_org, make_account, make_user, make_service):
    a, b = make_org("Alfa AB"), make_org("Beta AB")
    top = a.top_account()
    sub = make_account(a, top)
    sibling = make_account(a, top)
    w = SimpleNamespace(a=a, b=b, top=top, sub=sub, sibling=sibling, btop=b.top_account())
    w.admin = make_user(a, top, EVERYTHING)
    w.konto = make_user(a, sub, EVERYTHING)  # Kontoadministratör of the sub-account
    w.no_invoices = make_user(a, top, ("reports.view", "services.view"))
    w.other = make_user(b, w.btop, EVERYTHING)
    w.s1 = make_service(top, number="0701000001", user_name="Topp Användare")
    w.s2 = make_service(sub, number="0701000002", user_name="Under Användare")
    w.s3 = make_service(sibling, number="0701000003", user_name="Syster Användare")
    w.b1 = make_service(w.btop, number="0709000001", user_name="Beta Användare")
    return w


def call(service, when: str, traffic="national", seconds=60, ore=100, country="SE",
         b_number="081234567", invoiced=False, invoice=None, bytes=0):  # fmt: skip
    with write_tx():
        return CallRecord.create(
            organisation=service.organisation_id, account=service.account_id, service=service,
            started_at=dt.datetime.fromisoformat(when), a_number=service.number,
            b_number=b_number, traffic_type=traffic, country=country, duration_s=seconds,
            price_ore=ore, invoiced=invoiced or invoice is not None, invoice=invoice, bytes=bytes,
        )  # fmt: skip


def rows(client, url, params=None) -> list[dict]:
    """The preview's rows over all pages, non-breaking spaces as spaces."""
    listing = all_rows(client, url, params)
    return [
        {k: v.replace("\xa0", " ") if isinstance(v, str) else v for k, v in r.items()}
        for r in listing.rows
    ]


def xlsx(client, url, params=None) -> list[dict]:
    """The export's rows as dicts by header."""
    response = client.get(url, query_string={**(params or {}), "export": "xlsx"})
    assert response.status_code == 200, response.status_code
    header, body = read_xlsx(response)
    return [dict(zip(header, [c.value for c in row], strict=False)) for row in body]


def form_errors(response) -> list[str]:
    """The messages next to the form's fields."""
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    return [e.text_content().strip() for e in doc.xpath('//p[@class="field-error"]')]
