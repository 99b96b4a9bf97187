"""Real browser: an administrator gives an account a PIN in the account
page's dialog, signs out, and signs in with kundnummer + PIN to a read-only
view of that account (AUTH-7)."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


@pytest.fixture
def pin_server(demo_template, tmp_path):
    """The portal on the demo data with PIN sign-in on."""
    from app import create_app
    from tests.conftest import _config

    shutil.copyfile(demo_template, tmp_path / "live.db")
    app = create_app(_config(tmp_path / "live.db", PIN_LOGIN_ENABLED=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def pin_page(browser, pin_server):
    app, url = pin_server
    context = browser.new_context(base_url=url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.js_errors = errors
    page.app = app
    yield page
    context.close()


def an_account_with_services(app):
    from peewee import fn

    from models import Account, Organisation, Service, User

    with app.app_context():
        admin = User.get(User.username == ADMIN)
        row = (
            Service.select(Service.account, fn.COUNT(Service.id).alias("n"))
            .join(Account)
            .join(Organisation)
            .where(
                (Service.organisation == admin.organisation_id) & (Account.parent.is_null(False))
            )
            .group_by(Service.account)
            .order_by(fn.COUNT(Service.id).desc())
            .first()
        )
        return Account.get_by_id(row.account_id)


def test_admin_sets_a_pin_and_the_account_signs_in_read_only(pin_page, tmp_path):
    page = pin_page
    account = an_account_with_services(page.app)
    sign_in(page, ADMIN)
    page.goto(f"/accounts/{account.id}")
    page.get_by_role("link", name="Sätt PIN-kod").click()
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_contain_text("PIN-kod för inloggning")
    dialog.locator("input[name=pin]").fill("12")
    dialog.get_by_role("button", name="Spara").click()
    expect(dialog).to_contain_text("4–8 siffror")
    dialog.locator("input[name=pin]").fill("483920")
    dialog.get_by_role("button", name="Spara").click()
    expect(page.locator("body")).to_contain_text("PIN-koden är sparad.")
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/login$"))

    page.get_by_role("link", name="Logga in med kundnummer och PIN").click()
    expect(page.locator("h1")).to_have_text("Logga in med kundnummer och PIN")
    page.screenshot(path=str(tmp_path / "pin-login.png"))
    page.fill("#customer_number", account.customer_number)
    page.fill("#pin", "000000")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".form-error")).to_have_text("Fel kundnummer eller PIN-kod.")
    page.fill("#customer_number", account.customer_number)
    page.fill("#pin", "483920")
    page.get_by_role("button", name="Logga in").click()
    banner = page.locator(".viewas-banner")
    expect(banner).to_contain_text(
        f"Inloggad med kundnummer {account.customer_number} (endast läsning)"
    )
    expect(page.get_by_role("link", name="Beställningar")).to_have_count(0)
    expect(page.get_by_role("link", name="Användare")).to_have_count(0)
    expect(page.locator("form.globalsearch")).to_have_count(0)
    page.get_by_role("link", name="Tjänster", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Tjänster")
    expect(page.locator("body")).to_contain_text(account.customer_number)
    page.screenshot(path=str(tmp_path / "pin-services.png"), full_page=True)
    shutil.copy(tmp_path / "pin-services.png", "/tmp/pin-services.png")
    shutil.copy(tmp_path / "pin-login.png", "/tmp/pin-login.png")
    banner.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.js_errors == []
