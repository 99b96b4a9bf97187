"""The whole order story in a real Chromium (issue 14, item 11), each person
in a browser context of their own on the demo data:

* Karl Berg (Kontoadministratör on 99500852 and below) orders Mobil Fastpris
  with a number he picks from the pool; Anna Lind and Per Holm approve it
  (the demo's two-step Mobiltelefoni chain); staff take it and complete it;
  Karl finds the subscription in Tjänster with that number, and the order
  page shows v0, both approvals and the whole history.
* A change after sending makes the order v1 and e-mails its creator.
* Anna's offert for a data product reaches staff, who answer it with a
  price; she accepts it on the order page and it is Mottagen.

Screenshots of the key steps go to /tmp/story (STORY_SCREENSHOTS to move
them)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN, STAFF
from tests.test_orders_wizard_browser import choose_account, posted

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("STORY_SCREENSHOTS", "/tmp/story")
APPROVER = "attest@a3demo.se"  # Per Holm, step 2 of the demo's Mobiltelefoni chain
NUMBER = "0761000147"  # a free pool number of the demo


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def person(browser, live_server):
    """``person(username, staff=False)``: a signed-in page in a new browser
    context; every page's JavaScript errors are collected in ``.js_errors``."""
    contexts = []

    def open_as(username: str, staff: bool = False):
        context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and page.js_errors.append(msg.text))
        sign_in(page, username, staff=staff)
        return page

    yield open_as
    for context in contexts:
        context.close()


def order_mobile_subscription(page, number: str, desired: dt.date) -> str:
    """Karl's way through Ny beställning; returns the order's number."""
    page.goto("/orders")
    page.get_by_role("link", name="Ny beställning").click()
    expect(page.locator("h1")).to_have_text("Ny beställning")
    choose_account(page, "99500852")
    page.check("input[name=kind][value=order]")
    page.get_by_role("button", name="Nästa »").click()
    page.get_by_role("link", name="Mobilabonnemang").click()
    page.get_by_role("button", name="Välj Mobil Fastpris").click()
    expect(page.locator('[data-total="monthly"]')).not_to_have_text("")
    page.get_by_role("button", name="Nästa »").click()

    expect(page.get_by_role("heading", name="Slutför beställningen")).to_be_visible()
    page.get_by_label("Slutanvändare/Alias").fill("Karin Ek")
    with posted(page, "/finish"):
        page.select_option("select[name$=-number]", number)
    with posted(page, "/finish"):
        page.fill("#desired_date", desired.isoformat())
        page.locator("#desired_date").blur()
    shot(page, "01-slutfor")
    page.get_by_role("button", name="Slutför beställningen").click()
    expect(
        page.get_by_text("Beställningen är nu slutförd och kommer att bearbetas")
    ).to_be_visible()
    label = page.get_by_text(re.compile(r"\b\d+ v0\b")).first
    expect(label).to_be_visible()
    shot(page, "02-bekraftelse")
    return re.search(r"(\d+) v0", label.inner_text()).group(1)


def open_order(page, number: str) -> None:
    """From the Beställningar list to the order's page."""
    page.goto(f"/orders?f_number={number}")
    row = page.locator("table.list tbody tr", has_text=f"{number} v")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Visa").click()
    expect(page.locator("h1")).to_contain_text(number)


def approve_from_list(page, number: str) -> None:
    """Att godkänna → the order → Godkänn."""
    page.goto("/orders")
    page.get_by_role("link", name=re.compile(r"Att godkänna")).click()
    page.wait_for_url(re.compile(r"/orders/approvals"))
    row = page.locator("#list-approvals tbody tr", has_text=number)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile("Visa")).click()
    expect(page.locator("h1")).to_contain_text(number)
    page.locator("#approvals").get_by_role("button", name="Godkänn").click()
    expect(page.locator("#approvals").get_by_role("button", name="Godkänn")).to_have_count(0)


def staff_order(page, number: str):
    page.goto("/staff/orders")
    row = page.locator("tbody tr", has_text=f"{number} v")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile(rf"^{number} v\d+$")).click()
    expect(page.locator("h1")).to_contain_text(number)
    return page


def test_order_approve_twice_complete_and_find_the_service(person):
    today = dt.date.today()
    karl = person(ACCOUNT_ADMIN)
    number = order_mobile_subscription(karl, NUMBER, today)

    open_order(karl, number)
    expect(karl.locator("h1 .status")).to_have_text("Väntar på godkännande")
    expect(karl.locator("#approvals")).to_contain_text("Anna Lind")
    shot(karl, "03-vantar")

    anna = person(ADMIN)
    approve_from_list(anna, number)
    expect(anna.locator("h1 .status")).to_have_text("Väntar på godkännande")
    expect(anna.locator("#approvals .step-approved")).to_contain_text("Anna Lind")
    shot(anna, "04-anna-godkant")

    per = person(APPROVER)
    approve_from_list(per, number)
    expect(per.locator("h1 .status")).to_have_text("Mottagen")
    shot(per, "05-per-godkant")

    staff = staff_order(person(STAFF, staff=True), number)
    expect(staff.locator("h1")).to_contain_text("Mottagen")
    staff.get_by_role("button", name="Påbörja").click()
    expect(staff.locator("h1")).to_contain_text("Pågår")
    staff.get_by_role("button", name="Slutför").click()
    expect(staff.locator("h1")).to_contain_text("Slutförd")
    shot(staff, "06-staff-slutford")

    karl.goto("/services")
    listed = karl.locator("#list-services tbody tr", has_text="076-100 01 47")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Aktiv")
    expect(listed).to_contain_text("Mobil Fastpris")
    shot(karl, "07-tjanster")

    open_order(karl, number)
    expect(karl.locator("h1")).to_contain_text(f"{number} v0")
    expect(karl.locator("h1 .status")).to_have_text("Slutförd")
    # Faktureringsadress: the invoice address the wizard offered for 99500852
    expect(karl.locator("#order-delivery + dl")).to_contain_text("Box 3124, 90304 Umeå")
    steps = karl.locator("#approvals .approval-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Anna Lind")
    expect(steps.nth(0)).to_contain_text("Godkänd")
    expect(steps.nth(1)).to_contain_text("Per Holm")
    expect(steps.nth(1)).to_contain_text("Godkänd")
    history = karl.locator("table.order-history td[data-label=Händelse]")
    expect(history).to_have_text(["Väntar på godkännande", "Mottagen", "Pågår", "Slutförd"])
    shot(karl, "08-orderns-sida")
    for page in (karl, anna, per, staff):
        assert page.js_errors == []


def change_mails(number: str, version: int) -> list[tuple[str, str]]:
    """(recipient, body) of the e-mails the app queued about ``number`` vN."""
    from models import OutboxMessage

    rows = OutboxMessage.select().where(
        OutboxMessage.subject == f"Beställning {number} v{version} har ändrats"
    )
    return [(row.recipient, row.body) for row in rows]


def test_a_change_after_sending_makes_v1_and_mails_the_creator(person):
    karl = person(ACCOUNT_ADMIN)
    number = order_mobile_subscription(karl, "0761000148", dt.date.today())
    open_order(karl, number)
    expect(karl.locator("h1")).to_contain_text(f"{number} v0")
    assert change_mails(number, 1) == []

    karl.get_by_role("link", name="Ändra").click()
    dialog = karl.locator("dialog#dialog")
    dialog.get_by_label("Ort").fill("Luleå")
    shot(karl, "11-andra")
    dialog.get_by_role("button", name="Spara ändringen").click()
    expect(karl.locator("h1")).to_contain_text(f"{number} v1")
    expect(dialog).to_be_hidden()
    expect(karl.locator("h1 .status")).to_have_text("Väntar på godkännande")
    versions = karl.locator("ul.order-versions")
    expect(versions).to_contain_text(f"{number} v1")
    expect(versions).to_contain_text("Luleå")
    expect(karl.locator("table.order-history")).to_contain_text("Ändrad")
    shot(karl, "12-v1")

    mails = change_mails(number, 1)
    assert [to for to, _ in mails] == [ACCOUNT_ADMIN]
    assert "version 1" in mails[0][1] and "Luleå" in mails[0][1]
    # the change restarts the approval: Anna has it to approve again
    anna = person(ADMIN)
    anna.goto("/orders/approvals")
    expect(anna.locator("#list-approvals tbody tr", has_text=f"{number} v1")).to_have_count(1)
    assert karl.js_errors == [] and anna.js_errors == []


def test_an_offert_answered_by_staff_and_accepted(person):
    anna = person(ADMIN)
    anna.goto("/orders/new")
    choose_account(anna, "99012615")
    anna.check("input[name=kind][value=quote]")
    anna.get_by_role("button", name="Nästa »").click()
    anna.get_by_role("link", name="Hosting").click()
    anna.get_by_role("button", name="Välj Virtuell server 4 GB").click()
    anna.get_by_role("button", name="Nästa »").click()
    anna.get_by_label("Slutanvändare/Alias").fill("server1.a3demo.se")
    anna.get_by_role("button", name="Skicka offerten").click()
    expect(anna.get_by_role("heading", name="Offerten är skickad")).to_be_visible()
    label = anna.locator("ul.sent-orders a")
    expect(label).to_have_text(re.compile(r"^\d+ v0$"))
    number = label.inner_text().split()[0]
    shot(anna, "21-offert-skickad")
    label.click()
    expect(anna.locator("h1")).to_contain_text(f"Offert {number} v0")
    expect(anna.locator("h1 .status")).to_have_text("Mottagen")  # Datanät: no chain
    expect(anna.get_by_role("link", name="Acceptera offert")).to_have_count(0)

    staff = staff_order(person(STAFF, staff=True), number)
    staff.get_by_label("Månadskostnad för Virtuell server 4 GB").fill("549,00")
    staff.get_by_label("Startkostnad för Virtuell server 4 GB").fill("1 500,00")
    staff.get_by_label("Svar till kunden").fill(
        "Virtuell server 4 GB: 549 kr/mån, startavgift 1 500 kr."
    )
    shot(staff, "22-besvara")
    staff.get_by_role("button", name="Besvara").click()
    expect(staff.locator("h1")).to_contain_text("Besvarad")

    anna.reload()
    expect(anna.locator("h1 .status")).to_have_text("Besvarad")
    expect(anna.locator(".order-answer")).to_contain_text("549 kr/mån")
    expect(anna.locator("table.order-lines")).to_contain_text("549,00")
    expect(anna.locator("table.order-lines")).to_contain_text("1\u00a0500,00")
    shot(anna, "23-besvarad")
    anna.get_by_role("link", name="Acceptera offert").click()
    anna.locator("dialog#dialog").get_by_role("button", name="Acceptera offerten").click()
    expect(anna.locator("h1 .status")).to_have_text("Mottagen")
    expect(anna.get_by_role("link", name="Acceptera offert")).to_have_count(0)
    history = anna.locator("table.order-history td[data-label=Händelse]")
    expect(history).to_have_text(["Mottagen", "Besvarad", "Mottagen"])
    shot(anna, "24-accepterad")

    staff.goto("/staff/orders")
    expect(staff.locator("tbody tr", has_text=f"{number} v")).to_contain_text("Mottagen")
    assert anna.js_errors == [] and staff.js_errors == []
