"""Ticket attachments, checked by content and stored outside static/.

A file is accepted only when its bytes are one of the allowed types (PDF,
PNG, JPEG, GIF, plain text, CSV, XLSX, DOCX, EML) *and* its extension belongs
to that type, so ``invoice.pdf`` holding HTML or ``photo.png`` holding a PDF is
refused. The checks are small explicit signature tests rather than a
library: what they accept is exactly what this file says.

Accepted files are written under ``ATTACHMENT_DIR`` with a random name (the
user's file name is kept only in the database) together with a SHA-256
checksum that is verified again when the file is served.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from domain.text import N_, T_

DEFAULT_MAX_MB = 10
MAX_FILES = 10

# type key → (label shown to users, content type served, allowed extensions)
TYPES = {
    "pdf": ("PDF", "application/pdf", (".pdf",)),
    "png": ("PNG-bild", "image/png", (".png",)),
    "jpeg": ("JPEG-bild", "image/jpeg", (".jpg", ".jpeg")),
    "gif": ("GIF-bild", "image/gif", (".gif",)),
    "text": ("Textfil", "text/plain; charset=utf-8", (".txt", ".log")),
    "csv": ("CSV-fil", "text/csv; charset=utf-8", (".csv",)),
    "xlsx": (
        "Excel-fil",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
    ),
    "docx": (
        "Word-fil",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "eml": ("E-postmeddelande", "message/rfc822", (".eml",)),
}
ALLOWED_EXTENSIONS = sorted({ext for _, _, exts in TYPES.values() for ext in exts})
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)  # for <input type=file accept=…>


class AttachmentRejected(ValueError):
    """A file that may not be attached; the message is shown to the user."""


@dataclass
class CheckedFile:
    filename: str
    kind: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024)


def allowed_summary() -> str:
    return N_(
        "PDF, PNG, JPEG, GIF, text (.txt), CSV, Excel (.xlsx), Word (.docx) och e-post (.eml)"
    )


# --------------------------------------------------------------------- file names


def clean_filename(name: str | None) -> str:
    """The user's file name without any path, control characters or odd
    whitespace, at most 120 characters (extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = "bilaga"
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[: 120 - len(ext) - 1] + "." + ext
    return name[:120]


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


# --------------------------------------------------------------------- content checks


def _zip_names(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _office_kind(data: bytes) -> str | None:
    """XLSX/DOCX: an OOXML zip container with its content-types part and main part."""
    names = _zip_names(data)
    if not names or "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macros: an .xlsm/.docm renamed
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def _as_text(data: bytes) -> str | None:
    """Text when the bytes are UTF-8 (or UTF-16 with BOM, or Windows-1252)
    without NULs or other binary control characters."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        if b"\x00" in data:
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return None
    allowed = {"\t", "\n", "\r", "\f"}
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in allowed)
    if controls:
        return None
    return text


_MARKUP = re.compile(r"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe)", re.IGNORECASE)
_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def _looks_like_email(text: str) -> bool:
    """An RFC 822 message: header lines first (with From and one of Subject/
    Date/To), then a blank line."""
    head = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    names = set()
    for line in head.splitlines():
        if line[:1] in (" ", "\t"):
            continue  # folded header line
        if not _HEADER.match(line):
            return False
        names.add(line.split(":", 1)[0].lower())
    return "from" in names and bool(names & {"subject", "date", "to"})


def detect(data: bytes, filename: str) -> str | None:
    """The type key of ``data`` (by content), or None when not allowed.

    The extension only chooses between types that share a container
    (text vs CSV vs EML); it never makes binary content acceptable.
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    text = _as_text(data)
    if text is None or _MARKUP.match(text):
        return None  # binary, or HTML/SVG/XML that a browser might run
    ext = extension(filename)
    if ext == ".eml":
        return "eml" if _looks_like_email(text) else None
    if ext == ".csv":
        return "csv"
    return "text"


def check(filename: str | None, data: bytes) -> CheckedFile:
    """Accept ``data`` as an attachment or raise :class:`AttachmentRejected`."""
    name = clean_filename(filename)
    limit = max_bytes()
    if len(data) > limit:
        raise AttachmentRejected(
            T_(
                "Filen %(name)s är för stor (%(size)s). Största tillåtna storlek är %(limit)s.",
                name=name,
                size=_size(len(data)),
                limit=_size(limit),
            )
        )
    if not data:
        raise AttachmentRejected(T_("Filen %(name)s är tom.", name=name))
    ext = extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise AttachmentRejected(
            T_(
                "Filtypen för %(name)s är inte tillåten. Tillåtna filtyper: PDF, PNG, JPEG, GIF, "
                "text (.txt), CSV, Excel (.xlsx), Word (.docx) och e-post (.eml).",
                name=name,
            )
        )
    kind = detect(data, name)
    if kind is None:
        raise AttachmentRejected(
            T_(
                "Innehållet i %(name)s är inte en tillåten filtyp. Tillåtna filtyper: PDF, PNG, "
                "JPEG, GIF, text (.txt), CSV, Excel (.xlsx), Word (.docx) och e-post (.eml).",
                name=name,
            )
        )
    label, content_type, extensions = TYPES[kind]
    if ext not in extensions:
        raise AttachmentRejected(
            T_(
                "Innehållet i %(name)s stämmer inte med filändelsen %(ext)s (filen är en %(kind)s).",
                name=name,
                ext=ext,
                kind=label,
            )
        )
    return CheckedFile(filename=name, kind=kind, content_type=content_type, data=data)


def check_uploads(files) -> tuple[list[CheckedFile], list[str]]:
    """Check werkzeug FileStorage objects; returns (accepted, error messages).

    Reads at most the size limit plus one byte of each file, so a huge upload
    is refused without being held in memory.
    """
    accepted, errors = [], []
    chosen = [f for f in files if f and f.filename]
    if len(chosen) > MAX_FILES:
        return [], [T_("Högst %(count)s bilagor per meddelande.", count=MAX_FILES)]
    limit = max_bytes()
    for storage in chosen:
        data = storage.stream.read(limit + 1)
        try:
            accepted.append(check(storage.filename, data))
        except AttachmentRejected as exc:
            errors.append(exc.args[0])
    return accepted, errors


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"
    return f"{max(1, n // 1024)} kB"


# --------------------------------------------------------------------- storage


def storage_root() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def path_of(storage_name: str) -> Path:
    """Where a stored file lives; the name is ours (hex), never the user's."""
    if not re.fullmatch(r"[0-9a-f]{32}", storage_name):
        raise ValueError("bad storage name")
    return storage_root() / storage_name[:2] / storage_name


PART_MAX_AGE = 3600  # seconds; a write takes seconds, so an older .part is a dead writer's


def sweep_partial(now: float | None = None) -> int:
    """Remove ``.part`` files a killed worker left behind; returns how many.

    ``store`` writes to ``<name>.part`` and renames it when complete, so a
    ``.part`` file older than ``PART_MAX_AGE`` can only be a write that died.
    """
    now = time.time() if now is None else now
    removed = 0
    for part in storage_root().glob("*/*.part"):
        with contextlib.suppress(FileNotFoundError):
            if now - part.stat().st_mtime > PART_MAX_AGE:
                part.unlink()
                removed += 1
    return removed


def store(checked: CheckedFile) -> str:
    """Write the file under a new random name; returns that name."""
    sweep_partial()
    storage_name = secrets.token_hex(16)
    target = path_of(storage_name)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = target.with_suffix(".part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(checked.data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, target)
    return storage_name


@contextlib.contextmanager
def staged(checked_files):
    """Write the files before the transaction that records them; if anything
    fails the files are removed again, so no row points at a missing file and
    no file lingers without a row. Yields (CheckedFile, storage name) pairs.

        with attachments.staged(files) as stored, write_tx():
            ...
    """
    names = []
    try:
        for checked in checked_files:
            names.append(store(checked))
        yield list(zip(checked_files, names, strict=False))
    except BaseException:
        for name in names:
            remove(name)
        raise


def remove(storage_name: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        path_of(storage_name).unlink()


def read_verified(storage_name: str, sha256: str) -> bytes:
    """The stored bytes, refused (IOError) when they no longer match the checksum."""
    data = path_of(storage_name).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"checksum mismatch for stored attachment {storage_name}")
    return data
