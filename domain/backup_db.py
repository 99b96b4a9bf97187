"""The database half of ``flask backup`` / ``flask restore`` (domain/backup.py).

Each kind of database is a small class with the same five operations: dump
a consistent copy into a folder (returning the row counts and migrations of
that very copy), count rows, say whether it holds data, and restore a dump.
They use their own connections (sqlite3, psycopg2, pg_dump), never the
portal's Peewee handle, so a backup runs beside a working portal.

SQLite: the online backup API copies the live file. The portal's file is in
WAL mode, where a reader blocks no writer, so the copy is made in one step:
one read transaction, a consistent snapshot, writers carry on. Copying in
steps would let go of the snapshot between steps, and SQLite restarts such a
backup whenever another connection commits: with steady writes it may start
over many times (measured: 386 steps of 256 pages for a 20 MB file that one
step copies, while a thread committed about 600 times a second). A file in
another journal mode is copied in steps, so that its writers, which such a
reader would block, wait at most one step.

PostgreSQL: pg_dump -Fc of a snapshot exported from a REPEATABLE READ
transaction in which the rows are counted, so the counts in the manifest are
those of the dump even while the portal writes.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from playhouse.db_url import parse

# A target holding rows in any of these is not empty: restore refuses it
# unless forced. A freshly migrated database has none.
DATA_TABLES = ("organisation", "user", "staff_user", "audit_log")

STEP_PAGES = 1024


class DatabaseError(Exception):
    """A database step of a backup or restore failed; the message says why."""


def store_for(url: str):
    if url.startswith("sqlite:"):
        return SqliteStore(url)
    if url.startswith(("postgres:", "postgresql:")):
        return PostgresStore(url)
    raise DatabaseError(f"okänd DATABASE_URL: {url!r}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteStore:
    kind = "sqlite"
    dump_name = "teleportal.db"

    def __init__(self, url: str):
        if ":///" not in url:
            raise DatabaseError("en SQLite-databas i minnet kan inte säkerhetskopieras")
        self.path = Path(url.split(":///", 1)[1])

    def dump(self, folder: Path) -> tuple[dict, list[str]]:
        if not self.path.exists():
            raise DatabaseError(f"databasfilen {self.path} finns inte")
        target = folder / self.dump_name
        source = sqlite3.connect(self.path, timeout=30)
        try:
            wal = source.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            copy = sqlite3.connect(target)
            try:
                if wal:
                    source.backup(copy)
                else:
                    source.backup(copy, pages=STEP_PAGES, sleep=0.01)
            finally:
                copy.close()
        finally:
            source.close()
        check_integrity(target)
        return _sqlite_figures(target)

    def exists(self) -> bool:
        return self.path.exists()

    def has_data(self) -> bool:
        if not self.path.exists():
            return False
        counts, _ = _sqlite_figures(self.path, readonly=True)
        return any(counts.get(table) for table in DATA_TABLES)

    def figures(self) -> tuple[dict, list[str]]:
        return _sqlite_figures(self.path, readonly=True)

    def check_dump(self, dump: Path) -> tuple[dict, list[str]]:
        check_integrity(dump)
        return _sqlite_figures(dump)

    def restore(self, dump: Path) -> None:
        """Put the dump in place of the database file. The portal must be
        stopped: its open connections would keep writing to the old file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restoring")
        shutil.copyfile(dump, staged)
        with open(staged, "rb") as fh:
            os.fsync(fh.fileno())
        # A WAL or shared-memory file left by the old database would be read
        # as part of the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        os.replace(staged, self.path)


def check_integrity(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        answer = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"databaskopian är skadad: {error}") from None
    finally:
        conn.close()
    if answer != ["ok"]:
        raise DatabaseError("integrity_check på databaskopian: " + "; ".join(answer[:5]))


def _sqlite_figures(path: Path, readonly: bool = False) -> tuple[dict, list[str]]:
    """Rows per table and the applied migrations, read in one transaction."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables
        }
        migrations = []
        if "schema_migration" in counts:
            migrations = [r[0] for r in conn.execute("SELECT name FROM schema_migration")]
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"databasen {path} kan inte läsas: {error}") from None
    finally:
        conn.close()
    return counts, sorted(migrations)


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not candidates:
        raise DatabaseError(f"{name} hittas inte (installera postgresql-client)")
    return max(candidates, key=lambda p: int(Path(p).parts[-3]))


class PostgresStore:
    kind = "postgresql"
    dump_name = "teleportal.dump"

    def __init__(self, url: str):
        self.params = parse(url)

    def env(self) -> dict:
        """The connection for pg_dump/pg_restore, passed in the environment so
        that the password never shows on a command line (ps)."""
        env = dict(os.environ)
        mapping = {
            "host": "PGHOST",
            "port": "PGPORT",
            "user": "PGUSER",
            "password": "PGPASSWORD",
            "database": "PGDATABASE",
        }
        for key, var in mapping.items():
            if self.params.get(key) not in (None, ""):
                env[var] = str(self.params[key])
        return env

    def connect(self):
        import psycopg2

        params = dict(self.params)
        params["dbname"] = params.pop("database")
        return psycopg2.connect(**params)

    def dump(self, folder: Path) -> tuple[dict, list[str]]:
        target = folder / self.dump_name
        conn = self.connect()
        try:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cur:
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                counts, migrations = _pg_figures(cur)
            # The snapshot lives as long as this transaction: dump it now.
            self._run([pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target)])
        finally:
            conn.rollback()
            conn.close()
        return counts, migrations

    def exists(self) -> bool:
        return True

    def has_data(self) -> bool:
        counts, _ = self.figures()
        return any(counts.get(table) for table in DATA_TABLES)

    def figures(self) -> tuple[dict, list[str]]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                return _pg_figures(cur)
        finally:
            conn.rollback()
            conn.close()

    def check_dump(self, dump: Path) -> tuple[dict, list[str]] | None:
        """pg_restore --list reads the whole table of contents."""
        self._run([pg_tool("pg_restore"), "--list", str(dump)], capture=True)
        return None

    def restore(self, dump: Path) -> None:
        """pg_restore --clean --if-exists in one transaction: all or nothing."""
        self._run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                str(self.params["database"]),
                str(dump),
            ]
        )

    def _run(self, command: list[str], capture: bool = False) -> str:
        started = time.monotonic()
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True)
        if done.returncode != 0:
            name = Path(command[0]).name
            raise DatabaseError(f"{name} misslyckades ({done.returncode}): {done.stderr.strip()}")
        self.last_seconds = time.monotonic() - started
        return done.stdout if capture else ""


def _pg_figures(cur) -> tuple[dict, list[str]]:
    cur.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    tables = [row[0] for row in cur.fetchall()]
    counts = {}
    for table in tables:
        cur.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cur.fetchone()[0]
    migrations = []
    if "schema_migration" in counts:
        cur.execute("SELECT name FROM schema_migration")
        migrations = [row[0] for row in cur.fetchall()]
    return counts, sorted(migrations)
