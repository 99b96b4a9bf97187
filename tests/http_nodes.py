"""App nodes as an operator runs them — gunicorn processes on loopback
ports — and a browser-like HTTP client (cookies, CSRF tokens, forms and
uploads) for tests that go through several of them."""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Node:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_node(
    env: dict, folder: Path, workers: int = 1, config: dict | None = None, timeout: int = 30
) -> Node:
    """A gunicorn serving the portal with ``env`` on a free port, answered.
    ``timeout``: gunicorn's worker timeout in seconds."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"gunicorn-{port}.log"
    environment = {
        **os.environ,
        "SESSION_COOKIE_SECURE": "0",
        "TELEPORTAL_INSTANCE": str(folder / "instance"),
        "TELEPORTAL_TEST_CONFIG": json.dumps(config or {}),
        **env,
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(timeout),
        "--bind",
        f"127.0.0.1:{port}",
        "tests.node_app:create()",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    node = Node(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            if Client().get(node.url + "/login").status == 200:
                return node
        time.sleep(0.2)
    node.stop()
    raise RuntimeError(f"gunicorn did not answer: {log.read_text()[-2000:]}")


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: one cookie jar, whichever node it talks to."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, method, url, body=None, headers=None, timeout: float = 30) -> Answer:
        """One request; an answer of any status. A connection refused or cut
        off raises OSError or http.client.HTTPException."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def get(self, url, timeout: float = 30) -> Answer:
        return self.request("GET", url, timeout=timeout)

    def csrf_token(self, url) -> str:
        """The CSRF token a page of ``url`` carries (the session's)."""
        page = self.get(url).text
        match = re.search(r'name="csrf-token" content="([^"]+)"', page) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', page
        )
        assert match, f"no CSRF token on {url}"
        return html.unescape(match.group(1))

    def post(
        self,
        url,
        fields: dict,
        files: dict | None = None,
        token_from=None,
        token=None,
        timeout: float = 30,
    ) -> Answer:
        """A form post with the session's CSRF token: ``token`` as given, else
        read from the page at ``token_from`` (default ``url``)."""
        fields = {"csrf_token": token or self.csrf_token(token_from or url), **fields}
        if not files:
            body = urllib.parse.urlencode(fields).encode()
            return self.request(
                "POST",
                url,
                body,
                {"Content-Type": "application/x-www-form-urlencoded"},
                timeout=timeout,
            )
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            url,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=timeout,
        )

    def sign_in(self, node_url: str, username: str, password: str) -> Answer:
        return self.post(node_url + "/login", {"username": username, "password": password})
