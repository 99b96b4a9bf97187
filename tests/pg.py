"""A throwaway PostgreSQL cluster for one test run (``pytest --db postgresql``).

Debian's PostgreSQL (installed by ``scripts/ensure-postgres.sh`` when missing)
is started from ``initdb`` in a temporary folder, listening on loopback on a
free port, trusting local connections, and removed when the run ends. The
server refuses to run as root, so under root (CI) it runs as the ``postgres``
user that the Debian package creates.

Each test gets its own database, cloned from a template database (schema, or
schema plus demo data) with ``CREATE DATABASE … TEMPLATE``, and dropped after
the test. The cluster trades durability for speed (``fsync=off``): it lives
only as long as the run.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg2

USER = "teleportal"
# C.UTF-8 folds case beyond ASCII (å ä ö é) in lower() and ILIKE; plain C does not.
LOCALE = "C.UTF-8"


def find_bin() -> Path:
    """The folder of initdb/pg_ctl: PG_BIN, else the newest Debian version."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL not found: run scripts/ensure-postgres.sh (apt-get install postgresql) "
            "or set PG_BIN to the folder holding initdb and pg_ctl."
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = find_bin()
        self.root = Path(tempfile.mkdtemp(prefix="teleportal-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.run_as = "postgres" if os.geteuid() == 0 else None
        self._names = itertools.count(1)

    # ------------------------------------------------------------------ process

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            f"--locale={LOCALE}",
        )
        self.resume()
        return self

    def _options(self) -> str:
        return " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server (a database outage), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server on the cluster's data (at start, or after pause())."""
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", log, "-w", "start")

    # ---------------------------------------------------------------- databases

    def url(self, name: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def _admin(self, sql: str) -> None:
        self.execute("postgres", sql)

    def execute(self, database: str, sql: str) -> None:
        """Run ``sql`` in ``database`` outside any transaction."""
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def new_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._names)}"

    def create(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self._admin(f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
