"""Fixtures for real-browser tests: a live server on the demo data and
Debian's Chromium driven by Playwright (``CHROMIUM_PATH`` to override)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: run `make chromium` or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        _swedish_by_default(browser)
        yield browser
        browser.close()


def _swedish_by_default(browser) -> None:
    """Every context a Swedish browser (Accept-Language sv-SE) unless a test
    asks for another locale: the page's language follows Accept-Language for
    the signed-out and for staff (web/i18n.py), Playwright's default is en-US."""
    new_context = browser.new_context

    def swedish_context(*args, **kwargs):
        kwargs.setdefault("locale", "sv-SE")
        return new_context(*args, **kwargs)

    browser.new_context = swedish_context


@pytest.fixture
def live_server(demo_template, tmp_path):
    """The portal on the demo data, served on a free local port."""
    from app import create_app
    from tests.conftest import _config

    app = create_app(_config(tmp_path / "live.db"))
    shutil.copyfile(demo_template, tmp_path / "live.db")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, accept_downloads=True, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.js_errors = errors
    yield page
    context.close()


def sign_in(page, username: str, password: str = "Teleportal-demo-2026", staff: bool = False):
    page.goto("/staff/login" if staff else "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
