"""``flask backup`` and ``flask restore`` (domain/backup.py).

A backup taken while a thread keeps writing restores into a fresh instance
with the row counts of its manifest and the same files, byte for byte; and
restore refuses, changing nothing, a target with data, an archive from a
newer version and a damaged or incomplete archive. On PostgreSQL (``pytest
--db postgresql``) the same tests run pg_dump/pg_restore into a second
database of the same server.
"""

from __future__ import annotations

import io
import json
import secrets
import tarfile
import threading
from pathlib import Path

import pytest

from database import db, is_sqlite, write_tx
from domain.backup import FOLDERS, read_manifest
from domain.backup_db import store_for
from tests.conftest import CsrfClient, _config

SOURCE_FILES = {
    "attachments": {"ab/ab12cd": b"%PDF-1.4 bilaga\n", "ef/ef34aa": b"hej\n" * 1000},
    "invoices": {"2026/F1001.pdf": b"%PDF faktura", "imported/3/F1002.pdf": b"%PDF import"},
    "reports": {"7-0a1b.xlsx": secrets.token_bytes(5000)},
    "billing-imports": {"tok.csv": b"fakturanummer;belopp\nF1;100\n"},
}


@pytest.fixture
def source(demo_app, tmp_path):
    """The demo instance with its own folders holding a few files (and a
    write in progress, ``.part``, which a backup leaves out)."""
    for name, key in FOLDERS.items():
        folder = tmp_path / "source" / name
        demo_app.config[key] = str(folder)
        for relative, data in SOURCE_FILES[name].items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    (tmp_path / "source" / "attachments" / "ab" / "cc99.part").write_bytes(b"halv")
    return demo_app


class FreshInstance:
    """A second instance: its own instance folder and files folders, and a
    database of its own made from the migrated empty template (a file, or a
    database of the run's PostgreSQL cluster)."""

    def __init__(self, url: str, base: Path, monkeypatch):
        self.base = base
        self.instance = base / "instance"
        self.instance.mkdir(parents=True)
        self.url = url
        self.config = _config(url, base, **{key: str(base / name) for name, key in FOLDERS.items()})
        monkeypatch.setenv("TELEPORTAL_INSTANCE", str(self.instance))
        self.empty_counts = self.counts()

    def app(self):
        from app import create_app

        app = create_app(self.config)
        app.test_client_class = CsrfClient
        return app

    def restore(self, archive, *args):
        app = self.app()
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["restore", str(archive), *args])
            if not db.is_closed():
                db.close()
        return result

    def counts(self) -> dict:
        return store_for(self.url).figures()[0]


@pytest.fixture
def fresh(source, tmp_path, monkeypatch, new_database, empty_template):
    return FreshInstance(new_database(empty_template, "fresh"), tmp_path / "fresh", monkeypatch)


def run_backup(app, folder):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(folder)])
    assert result.exit_code == 0, result.output
    archives = sorted(Path(folder).glob("teleportal-backup-*.tar.gz"))
    assert archives and str(archives[-1]) in result.output
    return archives[-1], result


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def audit_writer(app, stop, written, error):
    """Keep inserting numbered audit rows, each in its own write_tx, on the
    thread's own connection."""
    from models import AuditLog

    try:
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                n = 0
                while not stop.is_set():
                    with write_tx():
                        AuditLog.create(action="test.backup", object_id=str(n))
                    written.append(n)
                    n += 1
            finally:
                db.close()
    except Exception as exc:  # the test fails on it
        error.append(exc)


# ------------------------------------------------------------------ round trip


def test_backup_while_writing_restores_into_a_fresh_instance(source, fresh, tmp_path):
    from models import AuditLog

    base = AuditLog.select().count()
    stop, written, error = threading.Event(), [], []
    thread = threading.Thread(target=audit_writer, args=(source, stop, written, error))
    thread.start()
    try:
        while len(written) < 20 and thread.is_alive():
            thread.join(0.01)  # until the writer is well under way
        before = len(written)
        archive, result = run_backup(source, tmp_path / "backups")
        after = len(written)
    finally:
        stop.set()
        thread.join()
    assert error == [] and before >= 20

    manifest = read_manifest(archive)
    tables = manifest["database"]["tables"]
    # The copy is one moment of the writes: after those before it began,
    # before those after it ended.
    assert before <= tables["audit_log"] - base <= after
    assert tables["organisation"] == 2 and tables["service"] > 40
    assert manifest["database"]["kind"] == ("sqlite" if is_sqlite() else "postgresql")
    assert manifest["database"]["migration"] == manifest["database"]["migrations"][-1]
    expected_files = {name: files for name, files in SOURCE_FILES.items()}
    assert manifest["files"] == {
        name: {"count": len(files), "bytes": sum(map(len, files.values()))}
        for name, files in expected_files.items()
    }
    assert manifest["file_count"] == 6
    assert f"{manifest['database']['rows']} rader" in result.output

    restored = fresh.restore(archive)
    assert restored.exit_code == 0, restored.output
    assert "stämmer med manifestet" in restored.output
    assert fresh.counts() == tables
    for name, files in expected_files.items():
        assert files_of(fresh.base / name) == files  # the .part file left out
    assert not list(fresh.instance.glob(".restore-*"))

    # The restored audit rows are an unbroken run 0..k-1 of the writer's.
    app = fresh.app()
    with app.app_context():
        numbers = sorted(
            int(row.object_id) for row in AuditLog.select().where(AuditLog.action == "test.backup")
        )
        assert numbers == list(range(tables["audit_log"] - base))
        # And the restored portal works: a demo user signs in.
        client = app.test_client()
        page = client.post(
            "/login",
            data={"username": "admin@a3demo.se", "password": "Teleportal-demo-2026"},
        )
        assert page.status_code in (302, 303), page.status_code
        db.close()


def test_the_secret_key_file_travels_with_the_backup(source, fresh, tmp_path):
    secret = Path(source.instance_path) / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_hex(32))
    archive, _ = run_backup(source, tmp_path / "backups")
    assert read_manifest(archive)["secret_key"] is True
    assert fresh.restore(archive).exit_code == 0
    assert (fresh.instance / "secret_key").read_bytes() == secret.read_bytes()


@pytest.mark.sqlite_only
def test_sqlite_backup_is_integrity_checked_and_excludes_nothing_but_part_files(source, tmp_path):
    import sqlite3

    archive, _ = run_backup(source, tmp_path / "backups")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        tar.extract("database/teleportal.db", tmp_path / "x", filter="data")
    assert names[-1] == "manifest.json"
    assert not [n for n in names if n.endswith(".part")]
    conn = sqlite3.connect(tmp_path / "x" / "database" / "teleportal.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.sqlite_only
def test_sqlite_restores_onto_a_new_server_without_a_database_file(source, tmp_path, monkeypatch):
    archive, _ = run_backup(source, tmp_path / "backups")
    target = tmp_path / "new-server" / "data" / "teleportal.db"
    monkeypatch.setenv("TELEPORTAL_INSTANCE", str(tmp_path / "new-server" / "instance"))
    from app import create_app

    app = create_app(_config(target, tmp_path / "new-server"))
    assert not target.exists()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", str(archive)])
        db.close()
    assert result.exit_code == 0, result.output
    assert (
        store_for(f"sqlite:///{target}").figures()[0]
        == (read_manifest(archive)["database"]["tables"])
    )


# ------------------------------------------------------------------ refusals


def test_restore_refuses_a_database_with_data_unless_forced(source, tmp_path):
    from models import AuditLog

    archive, _ = run_backup(source, tmp_path / "backups")
    with write_tx():
        AuditLog.create(action="test.after_backup")
    runner = source.test_cli_runner()

    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "innehåller redan data" in refused.output
    db.connect(reuse_if_open=True)
    assert AuditLog.select().where(AuditLog.action == "test.after_backup").count() == 1

    forced = runner.invoke(args=["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    db.connect(reuse_if_open=True)
    assert AuditLog.select().where(AuditLog.action == "test.after_backup").count() == 0
    assert (
        store_for(source.config["DATABASE_URL"]).figures()[0]
        == (read_manifest(archive)["database"]["tables"])
    )


def test_restore_refuses_folders_with_files_unless_forced(source, fresh, tmp_path):
    archive, _ = run_backup(source, tmp_path / "backups")
    stray = fresh.base / "reports" / "old.xlsx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"gammal")
    refused = fresh.restore(archive)
    assert refused.exit_code != 0 and "innehåller redan filer" in refused.output
    assert fresh.counts() == fresh.empty_counts
    assert stray.exists()
    assert fresh.restore(archive, "--force").exit_code == 0
    assert files_of(fresh.base / "reports") == SOURCE_FILES["reports"]


def rewrite(archive: Path, target: Path, change_manifest=None, drop=(), add=()) -> Path:
    """A copy of the archive with its manifest changed or members dropped/added."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as out:
        for member in src:
            if member.name in drop:
                continue
            data = src.extractfile(member).read()
            if member.name == "manifest.json" and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        for name, data in add:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def assert_untouched(fresh, result, message):
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert fresh.counts() == fresh.empty_counts  # the database as it was
    assert not any((fresh.base / name).exists() for name in FOLDERS)
    assert not list(fresh.instance.glob(".restore-*"))


def test_restore_refuses_an_archive_from_a_newer_version(source, fresh, tmp_path):
    archive, _ = run_backup(source, tmp_path / "backups")

    def newer(manifest):
        manifest["database"]["migrations"].append("9990_from_the_future")
        manifest["database"]["migration"] = "9990_from_the_future"

    future = rewrite(archive, tmp_path / "future.tar.gz", change_manifest=newer)
    result = fresh.restore(future)
    assert_untouched(fresh, result, "nyare version av Teleportal")
    assert "9990_from_the_future" in result.output


@pytest.mark.parametrize("damage", ["truncated", "flipped", "not_gzip"])
def test_restore_refuses_a_damaged_archive(source, fresh, tmp_path, damage):
    archive, _ = run_backup(source, tmp_path / "backups")
    data = bytearray(archive.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped":
        for i in range(len(data) // 2, len(data) // 2 + 64):
            data[i] ^= 0xFF
    else:
        data = bytearray(b"this is not a backup\n" * 100)
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(bytes(data))
    assert_untouched(fresh, fresh.restore(broken), "skadat eller ofullständigt")


def test_restore_refuses_an_archive_without_its_manifest(source, fresh, tmp_path):
    archive, _ = run_backup(source, tmp_path / "backups")
    cut = rewrite(archive, tmp_path / "cut.tar.gz", drop=("manifest.json",))
    assert_untouched(fresh, fresh.restore(cut), "saknar manifest.json")


def test_restore_refuses_an_archive_whose_contents_disagree_with_its_manifest(
    source, fresh, tmp_path
):
    archive, _ = run_backup(source, tmp_path / "backups")
    extra = rewrite(
        archive, tmp_path / "extra.tar.gz", add=[("files/invoices/smuggled.pdf", b"%PDF")]
    )
    assert_untouched(fresh, fresh.restore(extra), "stämmer inte med manifestet")

    def fewer_rows(manifest):
        manifest["database"]["tables"]["service"] += 1

    rows = rewrite(archive, tmp_path / "rows.tar.gz", change_manifest=fewer_rows)
    result = fresh.restore(rows)
    if is_sqlite():  # the copy is counted before it is put in place
        assert_untouched(fresh, result, "stämmer inte med manifestet")
    else:  # a pg dump is counted once restored: the command still fails
        assert result.exit_code != 0 and "stämmer inte med manifestet" in result.output


@pytest.mark.parametrize(
    "name", ["files/../../../etc/x", "/etc/x", "files/elsewhere/x", "database/../x", "other"]
)
def test_restore_refuses_members_it_did_not_write(source, fresh, tmp_path, name):
    archive, _ = run_backup(source, tmp_path / "backups")
    evil = rewrite(archive, tmp_path / "evil.tar.gz", add=[(name, b"x")])
    assert_untouched(fresh, fresh.restore(evil), "okänd post i arkivet")


def test_restore_refuses_a_link_in_the_archive(source, fresh, tmp_path):
    archive, _ = run_backup(source, tmp_path / "backups")
    linked = tmp_path / "linked.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(linked, "w:gz") as out:
        link = tarfile.TarInfo("files/attachments/ab/link")
        link.type, link.linkname = tarfile.SYMTYPE, "ab12cd"
        out.addfile(link)
        for member in src:
            out.addfile(member, src.extractfile(member))
    assert_untouched(fresh, fresh.restore(linked), "ingen vanlig fil")


@pytest.mark.parametrize("change", ["format", "kind"])
def test_restore_refuses_another_format_or_kind_of_database(source, fresh, tmp_path, change):
    archive, _ = run_backup(source, tmp_path / "backups")

    def edit(manifest):
        if change == "format":
            manifest["format"] = 2
        else:
            kind = manifest["database"]["kind"]
            manifest["database"]["kind"] = "postgresql" if kind == "sqlite" else "sqlite"

    other = rewrite(archive, tmp_path / "other.tar.gz", change_manifest=edit)
    message = "okänt arkivformat" if change == "format" else "återställ till samma slags databas"
    assert_untouched(fresh, fresh.restore(other), message)


def test_restore_of_a_missing_file_says_so(source, fresh, tmp_path):
    result = fresh.restore(tmp_path / "nothing.tar.gz")
    assert result.exit_code != 0 and "finns inte" in result.output
