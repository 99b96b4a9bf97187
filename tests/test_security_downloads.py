"""Downloads are never stored by the browser or a proxy (ASVS 14.3.2), text
attachments say their charset once, and uploads a killed worker left half
written are cleaned away."""

from __future__ import annotations

import os
import time

import pytest

from domain import attachments
from models import Invoice, Ticket, TicketAttachment
from tests.conftest import ADMIN, STAFF
from tests.tickets_data import PNG, TEXT, client_for, upload

LISTS = [
    "/accounts",
    "/services",
    "/invoices",
    "/orders",
    "/calls",
    "/tickets",
    "/users",
    "/audit",
]
STAFF_LISTS = ["/staff/tickets", "/staff/tickets/inbound", "/staff/changes", "/staff/audit"]


def assert_not_stored(response):
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", LISTS)
def test_excel_exports_are_not_stored(demo_app, path):
    admin = client_for(demo_app, ADMIN)
    response = admin.get(path, query_string={"export": "xlsx"})
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert_not_stored(response)


@pytest.mark.parametrize("path", STAFF_LISTS)
def test_staff_excel_exports_are_not_stored(demo_app, path):
    staff = client_for(demo_app, STAFF)
    response = staff.get(path, query_string={"export": "xlsx"})
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert_not_stored(response)


def test_invoice_pdf_and_zip_are_not_stored(demo_app):
    admin = client_for(demo_app, ADMIN)
    invoices = list(Invoice.select().where(Invoice.organisation == 1).limit(2))
    pdf = admin.get(f"/invoices/{invoices[0].id}/pdf")
    assert pdf.mimetype == "application/pdf"
    assert_not_stored(pdf)
    archive = admin.get(
        "/invoices", query_string={"export": "zip", "ids": [i.id for i in invoices]}
    )
    assert archive.mimetype == "application/zip"
    assert_not_stored(archive)


def _reply_with(client, ticket, name, data):
    response = client.post(
        f"/tickets/{ticket.id}/reply",
        data={"body": "Bifogat", "attachments": [upload(name, data)]},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 303)
    return TicketAttachment.get(TicketAttachment.filename == name)


def test_attachment_download_is_not_stored_and_says_its_charset_once(demo_app):
    admin = client_for(demo_app, ADMIN)
    ticket = Ticket.get(Ticket.subject == "Message Delivery Failure")
    text = _reply_with(admin, ticket, "logg.txt", TEXT)
    response = admin.get(f"/tickets/{ticket.id}/attachments/{text.id}")
    assert response.data == TEXT
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    staff = client_for(demo_app, STAFF)
    image = _reply_with(admin, ticket, "bild.png", PNG)
    response = staff.get(f"/staff/tickets/{ticket.id}/attachments/{image.id}")
    assert response.headers["Content-Type"] == "image/png"
    assert "no-store" in response.headers["Cache-Control"]


def test_a_dead_writers_part_file_is_removed_by_the_next_upload(demo_app):
    admin = client_for(demo_app, ADMIN)
    root = attachments.storage_root()
    shard = root / "ab"
    shard.mkdir(parents=True, exist_ok=True)
    dead = shard / ("ab" + "0" * 30 + ".part")
    dead.write_bytes(b"")
    hour_ago = time.time() - attachments.PART_MAX_AGE - 60
    os.utime(dead, (hour_ago, hour_ago))
    writing = shard / ("ab" + "1" * 30 + ".part")  # another worker writing right now
    writing.write_bytes(b"half")
    ticket = Ticket.get(Ticket.subject == "Message Delivery Failure")
    stored = _reply_with(admin, ticket, "skärm.png", PNG)
    assert not dead.exists()
    assert writing.exists()
    assert attachments.path_of(stored.storage_name).read_bytes() == PNG
    assert not list(
        attachments.path_of(stored.storage_name).parent.glob(f"{stored.storage_name}*.part")
    )
