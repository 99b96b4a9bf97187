"""The conversation as it looks (issue 13 item 9): the customer's own messages
stand to the right and the operator's to the left, each signed in words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ACCOUNT_ADMIN

pytestmark = pytest.mark.browser


def test_customer_and_operator_messages_stand_apart(page):
    sign_in(page, ACCOUNT_ADMIN)
    page.goto("/tickets")
    page.locator("tr", has_text="Message Delivery Failure").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"), wait_until="load")
    operator = page.locator("li.message.from-operator").first
    customer = page.locator("li.message.from-customer").first
    expect(operator.locator(".message-meta")).to_contain_text("Teleportal Kundservice · ")
    expect(customer.locator(".message-meta")).to_contain_text("Karl Berg Kund · ")

    area = page.locator("ol.messages").bounding_box()
    left, right = operator.bounding_box(), customer.bounding_box()
    assert abs(left["x"] - area["x"]) < 2  # the operator's on the left edge
    assert abs((right["x"] + right["width"]) - (area["x"] + area["width"])) < 2  # mine on the right
    assert (
        right["x"] > area["x"] + 20 and left["x"] + left["width"] < area["x"] + area["width"] - 20
    )
    assert page.js_errors == []
