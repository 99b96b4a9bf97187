"""Invoice PDFs open the same way everywhere (issue 13 item 10): every link
to an invoice PDF opens it in a new tab, with the same icon and text; and
Fakturor links the call records (Samtalsspecifikation) until Rapporter exists.
Search hits open the invoice page (tests/test_invoice_page.py), not the PDF."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from database import write_tx
from models import Account, InvoiceLine, User
from permissions import format_permissions, parse_permissions
from tests import expected
from tests.conftest import ADMIN, INVOICES_ONLY

PDF_HREF = re.compile(r"^/invoices/\d+/pdf$")


def pdf_links(client, url: str, headers=None) -> list:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    return [a for a in doc.xpath("//a[@href]") if PDF_HREF.match(a.get("href"))]


def _pages():
    invoice = expected.invoices(ADMIN)[0]
    service_id = (
        InvoiceLine.select(InvoiceLine.service)
        .where(InvoiceLine.service.is_null(False))
        .order_by(InvoiceLine.id)
        .scalar()
    )
    top = Account.get(Account.customer_number == "99012615")
    return {
        "Fakturor": ("/invoices", None),
        "kontots fakturor": (f"/accounts/{top.id}/invoices", None),
        "tjänstens fakturor": (f"/services/{service_id}", None),
        "fakturasidan": (f"/invoices/{invoice.id}", None),
    }


@pytest.mark.parametrize(
    "where", ["Fakturor", "kontots fakturor", "tjänstens fakturor", "fakturasidan"]
)
def test_every_invoice_pdf_link_opens_in_a_new_tab_alike(demo_client, login, where):
    login(demo_client, ADMIN)
    url, headers = _pages()[where]
    links = pdf_links(demo_client, url, headers)
    assert links, where
    for a in links:
        assert a.get("target") == "_blank", (where, lxml_html.tostring(a))
        assert "noopener" in a.get("rel", "").split()
        assert "pdf-link" in a.get("class", "").split()
        assert a.xpath('.//svg[@class="pdf-icon"]')
        assert "PDF" in a.text_content()
        assert "(öppnas i en ny flik)" in a.text_content()


def test_the_pdf_opens_inline(demo_client, login):
    """A new tab shows the PDF: it is sent inline, not as a download."""
    login(demo_client, ADMIN)
    href = pdf_links(demo_client, "/invoices")[0].get("href")
    response = demo_client.get(href)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")


def test_fakturor_links_the_call_records(demo_client, login):
    login(demo_client, ADMIN)
    doc = lxml_html.fromstring(demo_client.get("/invoices").get_data(as_text=True))
    links = doc.xpath(
        '//div[@class="pagehead-actions"]/a[normalize-space()="Samtalsspecifikation"]'
    )
    assert [a.get("href") for a in links] == ["/calls"]
    assert demo_client.get("/calls").status_code == 200


def test_no_call_records_link_without_reports_view(demo_client, login):
    user = User.get(User.username == INVOICES_ONLY)
    assert not user.has("reports.view")
    login(demo_client, INVOICES_ONLY)
    assert "Samtalsspecifikation" not in demo_client.get("/invoices").get_data(as_text=True)
    assert demo_client.get("/calls").status_code == 403

    with write_tx():
        User.update(
            permissions=format_permissions(parse_permissions(user.permissions) | {"reports.view"})
        ).where(User.id == user.id).execute()
    assert "Samtalsspecifikation" in demo_client.get("/invoices").get_data(as_text=True)
