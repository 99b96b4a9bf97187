"""Stored files appear whole or not at all (docs/DEPLOYMENT.md, shared
storage): every writer writes a temporary ``.part`` file beside the target
and renames it into place, so another node never reads half a file."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from domain.files import atomic_open
from tests.conftest import STAFF

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def renames(monkeypatch):
    """Every os.replace/os.link: (source, target)."""
    calls = []
    real_replace, real_link = os.replace, os.link

    def replace(src, dst, *args, **kwargs):
        calls.append((Path(src), Path(dst)))
        return real_replace(src, dst, *args, **kwargs)

    def link(src, dst, *args, **kwargs):
        calls.append((Path(src), Path(dst)))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "link", link)
    return calls


def assert_renamed_into_place(renames, target: Path, content: bytes):
    assert target.read_bytes() == content
    sources = [src for src, dst in renames if dst == target]
    assert sources, f"{target} was written in place, not renamed into it"
    assert all(src.parent == target.parent and src.name.endswith(".part") for src in sources)
    assert not list(target.parent.glob("*.part")) and not list(target.parent.glob(".*.part"))


def test_atomic_open_shows_the_file_only_when_whole(tmp_path):
    target = tmp_path / "f.pdf"
    with atomic_open(target) as fh:
        fh.write(b"%PDF half")
        assert not target.exists()
        fh.write(b" and the rest")
    assert target.read_bytes() == b"%PDF half and the rest"

    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"broken")
        raise RuntimeError("the writer died")
    assert target.read_bytes() == b"%PDF half and the rest"  # the old file stands
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf"]  # no .part left


def test_imported_invoice_pdfs_are_renamed_into_place(demo_app, tmp_path, renames):
    from domain.billing import import_file
    from tables.billing import Invoice

    invoice = Invoice.select().order_by(Invoice.id).first()
    archive = tmp_path / "pdf.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"{invoice.number}.pdf", PDF)
    report = import_file("pdf", str(archive), pdf_dir=demo_app.config["INVOICE_PDF_DIR"])
    assert report.new == 1, report.error_list
    stored = Path(demo_app.config["INVOICE_PDF_DIR"]) / Invoice.get_by_id(invoice.id).pdf_file
    assert_renamed_into_place(renames, stored, PDF)


def test_billing_uploads_are_renamed_into_place(demo_app, demo_client, login, renames, tmp_path):
    folder = tmp_path / "uploads"
    demo_app.config["BILLING_UPLOAD_DIR"] = str(folder)
    login(demo_client, STAFF)
    from tests.billing_files import CDR_HEADER, Demo, cdr_row

    rows = [CDR_HEADER] + [cdr_row(Demo(), i) for i in range(3)]
    content = ("\r\n".join(rows) + "\r\n").encode()
    response = demo_client.post(
        "/staff/billing",
        data={"kind": "cdr", "on_error": "skip", "file": (io.BytesIO(content), "samtal.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303  # kept for the preview
    (stored,) = [p for p in folder.iterdir() if not p.name.endswith(".part")]
    assert_renamed_into_place(renames, stored, content)


def test_a_generated_secret_key_is_linked_into_place_whole(tmp_path, renames):
    from app import _secret_key

    key = _secret_key(tmp_path)
    assert len(key) == 64
    assert_renamed_into_place(renames, tmp_path / "secret_key", key.encode())
    assert _secret_key(tmp_path) == key  # read, not made again
