"""Åtgärder early in the keyboard order (issue 13, item 10): on the service
page and the account page the first Tab after the page's header reaches the
action menu, not the whole content first, while the menu still shows in the
right column."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

FOCUS_IN = "(selector) => !!document.activeElement.closest(selector)"


def open_service(page):
    page.goto("/services?f_kind=mobile&sort=number")
    page.locator("#list-services tbody td[data-label='Nummer'] a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))


def test_service_page_tabs_to_the_actions_first(page):
    sign_in(page, ADMIN)
    open_service(page)
    page.get_by_role("link", name="« Alla tjänster").focus()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN, ".actions-menu"), "the first Tab reaches Åtgärder"
    expect(page.locator(":focus")).to_have_text("Ersätt SIM-kort")
    # and it is still drawn on the right of the content
    aside = page.locator(".service-aside").bounding_box()
    main = page.locator(".service-main").bounding_box()
    assert aside["x"] > main["x"] + main["width"] - 1
    assert abs(aside["y"] - main["y"]) < 2


def test_account_page_tabs_to_the_actions_first(page):
    sign_in(page, ADMIN)
    open_service(page)
    page.locator("section[aria-labelledby=info-title] a[href^='/accounts/']").first.click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    page.locator("nav.tabs a").last.focus()  # the last account tab (Ärenden)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN, ".account-actions"), "the next Tab reaches Åtgärder"
    actions = page.locator(".account-actions").bounding_box()
    info = page.locator(".account-info").bounding_box()
    assert actions["x"] > info["x"] + info["width"] - 1
