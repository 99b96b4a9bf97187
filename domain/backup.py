"""Backup and restore of one Teleportal instance (``flask backup``, ``flask restore``).

A backup is one file, ``teleportal-backup-YYYYmmdd-HHMMSS.tar.gz`` (UTC), so
it can be copied off the server as it is:

    database/teleportal.db      SQLite: the online backup API's copy, integrity-checked
    database/teleportal.dump    PostgreSQL: pg_dump -Fc
    files/attachments/…         ATTACHMENT_DIR
    files/invoices/…            INVOICE_PDF_DIR
    files/reports/…             REPORT_DIR
    files/billing-imports/…     BILLING_UPLOAD_DIR
    secret_key                  the instance's generated key, when it has one
    manifest.json               last: created at, database kind, migrations,
                                rows per table, files and bytes per folder

The manifest comes last so that its figures are what the archive holds and
so that a cut-off archive, which lacks it, is refused as incomplete. The
database is copied first and the files after it: a stored file is written
before the row that names it, so every file the copied rows name is there.
Files are written once (temp file, then rename) and never changed, so a file
is either in the archive whole or not at all; ``.part`` files are writes in
progress and are left out.

Restore checks everything it can before it changes anything: the target
must be empty (or ``force``), the archive readable to its end, its manifest
there, its migrations known to this code, the copy sound and its row counts
those of the manifest. Only then are the database and the folders swapped
in, and the row counts compared once more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from domain.backup_db import DatabaseError, store_for

FORMAT = 1
MANIFEST = "manifest.json"
PREFIX = "teleportal-backup-"
# Folder name in the archive → the configuration key naming the folder.
FOLDERS = {
    "attachments": "ATTACHMENT_DIR",
    "invoices": "INVOICE_PDF_DIR",
    "reports": "REPORT_DIR",
    "billing-imports": "BILLING_UPLOAD_DIR",
}


class BackupError(Exception):
    """Backup or restore refused or failed; the message is for the operator."""


@dataclass
class Result:
    path: Path
    manifest: dict


def code_migrations(migrations_dir: str) -> list[str]:
    return sorted(p.stem for p in Path(migrations_dir).glob("[0-9]*.py"))


# ------------------------------------------------------------------ backup


def create_backup(config, instance_path: str, to_dir: str | Path, now=None) -> Result:
    """Write the archive into ``to_dir``; safe while the portal runs."""
    store = _store(config)
    out = Path(to_dir)
    out.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    path = _free_name(out, now)
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=out))
    part = path.with_name(path.name + ".part")
    try:
        try:
            counts, migrations = store.dump(work)
        except DatabaseError as error:
            raise BackupError(str(error)) from None
        files = {}
        with tarfile.open(part, "w:gz", compresslevel=6) as tar:
            tar.add(work / store.dump_name, arcname=f"database/{store.dump_name}")
            for name, key in FOLDERS.items():
                files[name] = _add_folder(tar, Path(config[key]), f"files/{name}")
            secret = Path(instance_path) / "secret_key"
            has_secret = secret.is_file()
            if has_secret:
                tar.add(secret, arcname="secret_key")
            manifest = {
                "format": FORMAT,
                "created_at": now.replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
                "database": {
                    "kind": store.kind,
                    "file": f"database/{store.dump_name}",
                    "migration": migrations[-1] if migrations else None,
                    "migrations": migrations,
                    "tables": counts,
                    "rows": sum(counts.values()),
                },
                "files": files,
                "file_count": sum(f["count"] for f in files.values()),
                "file_bytes": sum(f["bytes"] for f in files.values()),
                "secret_key": has_secret,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return Result(path, manifest)


def _store(config):
    try:
        return store_for(config["DATABASE_URL"])
    except DatabaseError as error:
        raise BackupError(str(error)) from None


def _free_name(out: Path, now: dt.datetime) -> Path:
    stem = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    path, n = out / f"{stem}.tar.gz", 1
    while path.exists():  # two backups in one second
        n += 1
        path = out / f"{stem}-{n}.tar.gz"
    return path


def _add_folder(tar: tarfile.TarFile, folder: Path, arcroot: str) -> dict:
    count = size = 0
    if not folder.is_dir():
        return {"count": 0, "bytes": 0}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".part"):
                continue
            full = Path(root) / name
            arcname = f"{arcroot}/{full.relative_to(folder).as_posix()}"
            try:
                with open(full, "rb") as fh:
                    info = tar.gettarinfo(arcname=arcname, fileobj=fh)
                    if not info.isreg():
                        continue
                    tar.addfile(info, fh)
            except FileNotFoundError:  # deleted meanwhile (an expired report)
                continue
            count += 1
            size += info.size
    return {"count": count, "bytes": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# ------------------------------------------------------------------ restore


def read_manifest(archive: str | Path) -> dict:
    """The manifest of an archive (read to its end, as it comes last)."""
    with _open(archive) as tar:
        manifest = None
        for member in _members(tar):
            if member.name == MANIFEST:
                manifest = json.load(tar.extractfile(member))
    if manifest is None:
        raise BackupError(f"{archive}: arkivet saknar {MANIFEST} (ofullständigt arkiv)")
    return manifest


def restore_backup(
    archive: str | Path, config, instance_path: str, migrations_dir: str, force: bool = False
) -> dict:
    """Restore the archive into this instance; returns the manifest.

    SQLite: the portal (gunicorn and the worker) must be stopped, and the
    caller must have closed its own connection to the database."""
    store = _store(config)
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} finns inte")
    targets = {name: Path(config[key]) for name, key in FOLDERS.items()}
    if not force:
        _refuse_data(store, targets)
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".restore-", dir=instance))
    try:
        manifest = _extract(archive, stage)
        _check_manifest(manifest, store, migrations_dir)
        _check_files(manifest, stage)
        dump = stage / manifest["database"]["file"]
        try:
            staged = store.check_dump(dump)
        except DatabaseError as error:
            raise BackupError(f"{archive}: {error}") from None
        if staged is not None:
            _compare(manifest, staged[0], "kopian i arkivet")
        # Nothing in the instance has changed until here.
        try:
            store.restore(dump)
        except DatabaseError as error:
            raise BackupError(str(error)) from None
        for name, target in targets.items():
            _swap_folder(stage / "files" / name, target)
        if manifest.get("secret_key"):
            _put_secret(stage / "secret_key", instance / "secret_key")
        try:
            restored, _ = store.figures()
        except DatabaseError as error:
            raise BackupError(str(error)) from None
        _compare(manifest, restored, "den återställda databasen")
        return manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _refuse_data(store, targets: dict[str, Path]) -> None:
    try:
        has_data = store.has_data()
    except DatabaseError as error:
        raise BackupError(str(error)) from None
    if has_data:
        raise BackupError(
            "måldatabasen innehåller redan data; återställ till en tom databas "
            "eller ange --force för att skriva över den"
        )
    for name, folder in targets.items():
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            raise BackupError(
                f"mappen {folder} ({name}) innehåller redan filer; ange --force för att ersätta den"
            )


@contextlib.contextmanager
def _open(archive):
    try:
        with tarfile.open(archive, "r:gz") as tar:
            yield tar
            # tarfile stops at a damaged header as if the archive ended there:
            # read the rest, so that gzip checks its CRC and length.
            while tar.fileobj.read(1 << 20):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            f"{archive}: arkivet är skadat eller ofullständigt och kan inte läsas ({error})"
        ) from None


def _members(tar: tarfile.TarFile):
    """The archive's members, refusing any that flask backup does not write:
    other names, paths leaving the archive, links and devices."""
    for member in tar:
        name = member.name
        parts = name.split("/")
        allowed = (
            name in (MANIFEST, "secret_key")
            or (parts[0] == "database" and len(parts) == 2)
            or (parts[0] == "files" and len(parts) > 2 and parts[1] in FOLDERS)
        )
        if not allowed or name.startswith("/") or ".." in parts:
            raise BackupError(f"okänd post i arkivet: {name!r}; inget är ändrat")
        if not (member.isreg() or member.isdir()):
            raise BackupError(f"{name!r} i arkivet är ingen vanlig fil; inget är ändrat")
        yield member


def _extract(archive: Path, stage: Path) -> dict:
    with _open(archive) as tar:
        for member in _members(tar):
            tar.extract(member, stage, filter="data")
    manifest_path = stage / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{archive}: arkivet saknar {MANIFEST} (ofullständigt arkiv)")
    try:
        return json.loads(manifest_path.read_text())
    except ValueError as error:
        raise BackupError(f"{archive}: {MANIFEST} kan inte läsas ({error})") from None


def _check_manifest(manifest: dict, store, migrations_dir: str) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(f"okänt arkivformat {manifest.get('format')!r}; inget är ändrat")
    kind = manifest["database"]["kind"]
    if kind != store.kind:
        raise BackupError(
            f"arkivet innehåller en {kind}-databas men DATABASE_URL är {store.kind}; "
            "återställ till samma slags databas"
        )
    unknown = sorted(set(manifest["database"]["migrations"]) - set(code_migrations(migrations_dir)))
    if unknown:
        raise BackupError(
            f"arkivet kommer från en nyare version av Teleportal (migreringen {unknown[-1]} "
            "finns inte i den här koden); uppgradera koden först, inget är ändrat"
        )


def _check_files(manifest: dict, stage: Path) -> None:
    for name, expected in manifest["files"].items():
        folder = stage / "files" / name
        found = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        figures = {"count": len(found), "bytes": sum(p.stat().st_size for p in found)}
        if figures != expected:
            raise BackupError(
                f"filerna i {name} stämmer inte med manifestet ({figures} mot {expected}); "
                "arkivet är skadat, inget är ändrat"
            )


def _compare(manifest: dict, counts: dict, what: str) -> None:
    expected = manifest["database"]["tables"]
    wrong = [
        f"{table}: {counts.get(table)} mot {rows}"
        for table, rows in sorted(expected.items())
        if counts.get(table) != rows
    ]
    if wrong:
        raise BackupError(
            f"antalet rader i {what} stämmer inte med manifestet: " + ", ".join(wrong)
        )


def _swap_folder(source: Path, target: Path) -> None:
    """Put the restored folder in the target's place (renames beside it, so
    shared storage sees the whole folder change at once)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restoring")
    old = target.with_name(f".{target.name}.before-restore")
    for leftover in (incoming, old):
        shutil.rmtree(leftover, ignore_errors=True)
    if source.is_dir():
        shutil.move(str(source), str(incoming))
    else:
        incoming.mkdir()
    if target.exists():
        os.rename(target, old)
    os.rename(incoming, target)
    shutil.rmtree(old, ignore_errors=True)


def _put_secret(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.restoring")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(source.read_bytes())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, target)
