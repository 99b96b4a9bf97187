"""Inställningar (/staff/branding, UI-10): the operator's details, logo and
colour set in the back office show in the layout, the e-mails and the
invoice PDF; bad input is refused next to the field; only Administratör."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from database import write_tx
from domain import usermail
from domain.passwords import hash_password
from models import AuditLog, OutboxMessage, Setting, StaffUser, User
from tests import expected
from tests.conftest import ADMIN, STAFF
from tests.tickets_data import client_for

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)
GOOD_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#123456"/></svg>'


@pytest.fixture
def desk(demo_app):
    return client_for(demo_app, STAFF)


def form(**changes):
    data = {
        "name": "Norrnät",
        "phone": "0910 – 77 00 00",
        "email": "kundservice@norrnat.example",
        "web": "https://norrnat.example",
        "support_url": "",
        "address": "Storgatan 3, 931 30 Skellefteå",
        "org_number": "556036-0793",
        "vat_number": "SE556036079301",
        "bankgiro": "5050-1055",
        "plusgiro": "",
        "colour": "#0b5cad",
    }
    data.update(changes)
    return data


def test_details_show_in_layout_email_and_invoice_pdf(demo_app, desk):
    response = desk.post("/staff/branding", data=form())
    assert response.status_code == 303, response.text
    customer = client_for(demo_app, ADMIN)
    page = customer.get("/").get_data(as_text=True)
    footer = page[page.index('<footer class="sitefoot">') :]
    assert "Kundservice 0910 – 77 00 00" in footer and "norrnat.example" in footer
    assert "<title>" in page and "– Norrnät</title>" in page
    # an e-mail
    user = User.get(User.username == ADMIN)
    with write_tx():
        usermail.password_reset(user, "token123")
    body = OutboxMessage.select().order_by(OutboxMessage.id.desc()).get().body
    assert "Norrnät" in body and "Kundservice 0910 – 77 00 00" in body
    # the invoice PDF
    invoice = expected.invoices(ADMIN)[0]
    pdf = customer.get(f"/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Norrnät" in text and "Bankgiro 5050-1055" in text and "Storgatan 3" in text
    # the authenticator app's account name (the QR code at 2FA set-up)
    from domain import twofactor

    with demo_app.test_request_context("/"):
        assert "issuer=Norrn%C3%A4t" in twofactor.provisioning_uri("ABCDEFGH" * 4, ADMIN)
    # audited
    entry = AuditLog.select().where(AuditLog.action == "branding.changed").get()
    assert "namn" in entry.summary and entry.organisation_id is None


def test_empty_field_falls_back_to_configuration(demo_app, desk):
    desk.post("/staff/branding", data=form())
    desk.post("/staff/branding", data=form(name=demo_app.config["OPERATOR_NAME"], phone=""))
    assert not Setting.select().where(Setting.key == "operator.name").exists()
    page = desk.get("/staff/").get_data(as_text=True)
    assert f"Kundservice {demo_app.config['OPERATOR_PHONE']}" in page


@pytest.mark.parametrize(
    ("colour", "message"),
    [("blue", "#rrggbb"), ("#12345g", "#rrggbb"), ("#ffff00", "För ljus")],
)
def test_bad_colour_refused_next_to_the_field(desk, colour, message):
    response = desk.post("/staff/branding", data=form(colour=colour))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="colour-error"' in html and message in html
    assert not Setting.select().where(Setting.key == "operator.colour").exists()


def test_colour_served_as_a_stylesheet(demo_app, desk):
    desk.post("/staff/branding", data=form(colour="#7a1f5c"))
    page = desk.get("/staff/").get_data(as_text=True)
    link = re.search(r'href="(/branding/theme\.css\?v=7a1f5c)"', page)
    assert link, "the layout links the theme stylesheet"
    css = desk.get(link.group(1))
    assert css.mimetype == "text/css" and "--accent: #7a1f5c;" in css.get_data(as_text=True)
    assert "style=" not in page.split("<body", 1)[0]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "l.svg",
            "skript",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "l.svg",
            "händelseattribut",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
            "l.svg",
            "foreignObject",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:x()"/></svg>',
            "l.svg",
            "länka",
        ),
        (b"GIF89a not a logo", "l.gif", "PNG- eller SVG"),
        (b"\x89PNG\r\n\x1a\nbroken", "l.png", "ingen giltig PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 300_000, "l.png", "högst 200 kB"),
    ],
)
def test_bad_logo_refused(desk, data, name, message):
    response = desk.post(
        "/staff/branding",
        data={**form(), "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="logo-error"' in html and message in html
    assert not Setting.select().where(Setting.key == "operator.logo").exists()


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [(PNG_1PX, "l.png", "image/png"), (GOOD_SVG, "l.svg", "image/svg+xml")],
)
def test_good_logo_shown_in_layout(demo_app, desk, data, name, mime):
    response = desk.post(
        "/staff/branding",
        data={**form(), "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client_for(demo_app).get("/login").get_data(as_text=True)
    src = re.search(r'<img src="(/branding/logo\?v=\w+)"', page)
    assert src, "the sign-in page shows the uploaded logo"
    served = client_for(demo_app).get(src.group(1))
    assert served.status_code == 200 and served.mimetype == mime and served.data == data
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    # removed again: back to the default logo
    desk.post("/staff/branding", data=form(remove_logo="y"))
    assert "/branding/logo" not in client_for(demo_app).get("/login").get_data(as_text=True)


def test_support_staff_get_403(demo_app):
    with write_tx():
        StaffUser.create(
            username="kalle@operator.se",
            email="kalle@operator.se",
            name="Kalle Tekniker",
            password_hash=hash_password("x" * 12),
            roles="support",
        )
    support = client_for(demo_app, "kalle@operator.se")
    assert support.get("/staff/branding").status_code == 403
    assert support.post("/staff/branding", data=form()).status_code == 403
    assert "/staff/branding" not in support.get("/staff/tickets").get_data(as_text=True)
    assert not Setting.select().where(Setting.key == "operator.name").exists()


def test_uploaded_logo_is_drawn_on_the_invoice_pdf(demo_app, desk):
    invoice = expected.invoices(ADMIN)[0]
    customer = client_for(demo_app, ADMIN)

    def images() -> int:
        pdf = customer.get(f"/invoices/{invoice.id}/pdf")
        return len(PdfReader(io.BytesIO(pdf.data)).pages[0].images)

    without = images()
    desk.post(
        "/staff/branding",
        data={**form(), "logo": (io.BytesIO(PNG_1PX), "logo.png")},
        content_type="multipart/form-data",
    )
    assert images() == without + 1
