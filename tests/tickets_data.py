"""Data and helpers for the ticket tests: files of each kind, e-mail messages, clients."""

from __future__ import annotations

import io
import re
import zipfile
from email.message import EmailMessage

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
TEXT = "Loggutdrag från växeln\nSamtal 14:02 bröts efter 3 s\n".encode()
CSV = "nummer;användare\n0701234567;Anna\n".encode()
EML = (
    b"From: Anna <anna@example.se>\r\nTo: support@example.se\r\nSubject: Felrapport\r\n"
    b"Date: Mon, 3 Dec 2021 11:35:00 +0100\r\n\r\nHej, det fungerar inte.\r\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def ooxml(kind: str, macro: bool = False) -> bytes:
    """A minimal .xlsx ("xl") or .docx ("word") zip container."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if kind == "xl":
            archive.writestr("xl/workbook.xml", "<workbook/>")
        else:
            archive.writestr("word/document.xml", "<document/>")
        if macro:
            archive.writestr(f"{kind}/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hej")
    return buffer.getvalue()


def upload(name: str, data: bytes):
    """A file for the test client's multipart form data."""
    return (io.BytesIO(data), name)


def reply_mail(
    to: str,
    sender: str,
    body: str,
    subject: str = "Re: Ärende",
    attachments=(),
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


TOKEN_RE = re.compile(r"arende\+([a-f0-9]+)@")


def _fresh_g_client_class():
    from tests.conftest import CsrfClient

    class FreshGClient(CsrfClient):
        """The fixtures keep one app context for the whole test and each request
        reuses it, so Flask-Login's user cached in ``g`` would leak from one
        client to the next; start every request with an empty ``g``."""

        def open(self, *args, **kwargs):
            from flask import g, has_app_context

            if has_app_context():
                for name in list(g):
                    g.pop(name, None)
            return super().open(*args, **kwargs)

    return FreshGClient


def client_for(app, username: str | None = None):
    """A new test client (own cookies), signed in as ``username`` if given."""
    from tests.conftest import login_as

    app.test_client_class = _fresh_g_client_class()
    client = app.test_client()
    if username:
        login_as(client, username)
    return client
