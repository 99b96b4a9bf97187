"""Real browser: "Logga in med Microsoft" on the login page takes the user
through a local OpenID Connect provider (tests/oidc_provider.py) and back
signed in (issue 21 item 6)."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import ADMIN
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def live_server(demo_template, tmp_path, provider):
    """The portal on the demo data with the demo customer's provider set up."""
    from app import create_app
    from database import db, write_tx
    from domain import oidc
    from models import User
    from tests.conftest import _config

    shutil.copyfile(demo_template, tmp_path / "live.db")
    app = create_app(_config(tmp_path / "live.db"))
    with app.app_context():
        db.connect(reuse_if_open=True)
        admin = User.get(User.username == ADMIN)
        provider.login_email = "anna.admin@a3demo.se"
        with write_tx():
            User.update(microsoft_email="anna.admin@a3demo.se").where(User.id == admin.id).execute()
            oidc.save_settings(
                admin.organisation,
                None,
                issuer=provider.issuer,
                client_id=CLIENT_ID,
                secret=CLIENT_SECRET,
                domains=["a3demo.se"],
                create_users=False,
                role_id=None,
                mfa_satisfies=False,
            )
        db.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The provider sends the browser back to the portal's own address.
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_microsoft_button_signs_in_through_the_provider(page, provider):
    page.goto("/login")
    page.screenshot(path="/tmp/oidc_login.png", full_page=True)
    page.fill("#ms-email", "nagon@utan-leverantor.se")
    page.get_by_role("button", name="Logga in med Microsoft").click()
    expect(page.locator("#ms-email-error")).to_contain_text("inte inloggning med Microsoft")
    page.js_errors.clear()  # the console's note of that answer's 400
    page.fill("#ms-email", "anna.admin@a3demo.se")
    page.get_by_role("button", name="Logga in med Microsoft").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("Översikt")
    page.goto("/company/microsoft")
    expect(page.locator("h1")).to_contain_text("Inloggning med Microsoft")
    page.screenshot(path="/tmp/oidc_settings.png", full_page=True)
    assert "hemlig-klient" not in page.content()
    assert page.js_errors == []
