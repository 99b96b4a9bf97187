"""What a browser shows of the API: /api/docs renders the generated
document with the vendored Redoc and no CSP violation; API-nycklar shows a
new key once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_without_csp_violations(page):
    violations = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name=re.compile("Teleportal API"))).to_be_visible()
    expect(page.get_by_text("Idempotency-Key").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    page.screenshot(path="/tmp/api-docs.png")
    assert page.evaluate("window.__csp || []") == []
    assert violations == []
    assert page.js_errors == []


def test_a_new_key_is_shown_once(page):
    sign_in(page, ADMIN)
    page.goto("/company/api")
    page.fill("#name", "Ekonomisystemet")
    page.get_by_label("Visa fakturor").check()
    page.get_by_role("button", name="Skapa nyckel").click()
    secret = page.locator("#api-secret").inner_text()
    assert re.fullmatch(r"tp_[A-Za-z0-9_-]{43}", secret)
    expect(page.locator("table.api-tokens")).to_contain_text("Ekonomisystemet")
    page.screenshot(path="/tmp/api-keys.png", full_page=True)
    page.goto("/company/api")
    expect(page.locator("#api-secret")).to_have_count(0)
    assert secret not in page.content()
    assert page.js_errors == []
