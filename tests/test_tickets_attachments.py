"""Attachments are checked by content, stored outside static/ under random
names with a checksum, and refused with a clear message (TIC-2, TIC-3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain import attachments
from domain.attachments import AttachmentRejected
from tests.tickets_data import CSV, EML, EXE, GIF, HTML, JPEG, PDF, PNG, TEXT, ooxml, plain_zip


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("faktura.pdf", PDF, "pdf"),
        ("bild.PNG", PNG, "png"),
        ("foto.jpg", JPEG, "jpeg"),
        ("foto.jpeg", JPEG, "jpeg"),
        ("anim.gif", GIF, "gif"),
        ("logg.txt", TEXT, "text"),
        ("nummer.csv", CSV, "csv"),
        ("rapport.xlsx", ooxml("xl"), "xlsx"),
        ("brev.docx", ooxml("word"), "docx"),
        ("fel.eml", EML, "eml"),
        ("ansi.txt", "Åtgärd klar".encode("cp1252"), "text"),
    ],
)
def test_allowed_types_are_accepted_by_content(app, name, data, kind):
    checked = attachments.check(name, data)
    assert checked.kind == kind
    assert checked.content_type == attachments.TYPES[kind][1]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("program.exe", EXE, "Filtypen"),  # extension not allowed
        ("skript.html", HTML, "Filtypen"),
        ("faktura.pdf", EXE, "Innehållet i faktura.pdf är inte en tillåten filtyp"),  # fake ext
        ("faktura.pdf", PNG, "stämmer inte med filändelsen .pdf"),  # PNG dressed as PDF
        ("bild.png", PDF, "stämmer inte med filändelsen .png"),
        ("logg.txt", HTML, "inte en tillåten filtyp"),  # markup a browser could run
        ("logg.txt", b"binary\x00data", "inte en tillåten filtyp"),
        ("rapport.xlsx", plain_zip(), "inte en tillåten filtyp"),  # a zip, not OOXML
        ("rapport.xlsx", ooxml("xl", macro=True), "inte en tillåten filtyp"),  # renamed .xlsm
        ("brev.docx", ooxml("xl"), "stämmer inte"),  # a workbook named .docx
        ("fel.eml", TEXT, "inte en tillåten filtyp"),  # text without mail headers
        ("tom.txt", b"", "är tom"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(app, name, data, words):
    with pytest.raises(AttachmentRejected) as refused:
        attachments.check(name, data)
    assert words in str(refused.value)


def test_size_limit(app):
    app.config["ATTACHMENT_MAX_MB"] = 1
    limit = 1024 * 1024
    assert attachments.check("stor.txt", b"a" * limit).size == limit
    with pytest.raises(AttachmentRejected, match="för stor"):
        attachments.check("stor.txt", b"a" * (limit + 1))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\anna\\bild.png", "bild.png"),
        ("rapport\x00\r\n.pdf", "rapport.pdf"),
        ("", "bilaga"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_file_names_lose_paths_and_control_characters(given, kept):
    assert attachments.clean_filename(given) == kept


def test_stored_under_random_name_outside_static_with_checksum(app):
    checked = attachments.check("bild.png", PNG)
    name = attachments.store(checked)
    path = attachments.path_of(name)
    assert path.read_bytes() == PNG
    assert "bild" not in name and len(name) == 32
    root = Path(app.config["ATTACHMENT_DIR"]).resolve()
    assert path.resolve().is_relative_to(root)
    assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert attachments.read_verified(name, checked.sha256) == PNG
    path.write_bytes(PNG + b"changed")
    with pytest.raises(OSError, match="checksum"):
        attachments.read_verified(name, checked.sha256)


def test_storage_names_cannot_point_elsewhere(app):
    with pytest.raises(ValueError):
        attachments.path_of("../../secret_key")


def test_staged_files_are_removed_when_the_transaction_fails(app):
    checked = attachments.check("bild.png", PNG)
    with pytest.raises(RuntimeError), attachments.staged([checked]) as stored:
        path = attachments.path_of(stored[0][1])
        assert path.exists()
        raise RuntimeError("the write failed")
    assert not path.exists()
