"""The phone layout (issue 20 item 4) in a real browser at 360×740: the main
pages of a customer administrator and of the back office do not scroll
sideways, and the buttons and links of the menu and the pager are touch
targets at least 44 px high; then the main tasks at phone size: find a
service and bar it, open an invoice PDF, create a ticket, approve an order.
Screenshots go to the folder named by PHONE_SCREENSHOTS, when set."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN, STAFF

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
TOUCH = 44

# The visible targets of the menu (once opened), the user menu, the pager and
# the list's checkboxes, with their heights. A checkbox counts by the label
# around it or, without one, by its own box.
TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
                 return s.display !== "none" && s.visibility !== "hidden" && r.width > 0; })
  .map(e => { const t = e.closest("label") || e; const r = t.getBoundingClientRect();
              return {what: (e.textContent || e.getAttribute("aria-label") || e.name || e.tagName).trim().slice(0, 40),
                      height: r.height, width: r.width}; })"""


def shot(page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser, live_server):
    """A page at 360×740 with touch, signed in as ``user``."""
    contexts = []

    def open_as(user: str, staff: bool = False):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": WIDTH, "height": HEIGHT},
            has_touch=True,
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and page.js_errors.append(msg.text))
        sign_in(page, user, staff=staff)
        return page

    yield open_as
    for context in contexts:
        context.close()


# The elements reaching past the right edge, for the message.
PAST_THE_EDGE = """() => {
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(e))
    .map(e => e.tagName.toLowerCase() + "." + [...e.classList].join(".")).slice(0, 8); }"""


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def no_sideways_scroll(page, what: str) -> None:
    overflow = sideways(page)
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


def small_targets(page, selector: str) -> list[dict]:
    return [t for t in page.evaluate(TARGETS, selector) if t["height"] < TOUCH - 0.5]


def check_page(page, path: str, name: str) -> list:
    """What is wrong with the page at phone size (an empty list when nothing)."""
    problems = []

    def small(selector: str, where: str = "") -> None:
        found = small_targets(page, selector)
        if found:
            problems.append((path + where, "small targets", found))

    if sideways(page) > 0:
        problems.append((path, "scrolls sideways by", sideways(page), page.evaluate(PAST_THE_EDGE)))
    small(".pager a, .pager select, .pages a, .pages span")
    small("table.list input[type=checkbox]")
    small(".pagehead-actions .button, .pagehead-actions a")
    small(".actions-menu li a")  # a service's Åtgärder
    shot(page, name)
    button = page.locator("button.menu-button")
    links = ".mainmenu > a, .mainmenu summary, .more-menu-panel a"
    if button.is_visible():
        small("button.menu-button")
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        if not page.evaluate(TARGETS, links):
            problems.append((path, "no menu links", None))
        small(links, " menu")
        if sideways(page) > 0:
            problems.append((path, "with the menu open scrolls by", sideways(page)))
        shot(page, f"{name}-meny")
        page.keyboard.press("Escape")
    else:  # the back office's short bar, when it fits
        small(links, " bar")
    page.locator(".usermenu summary").click()
    small(".usermenu summary, .usermenu-panel a, .usermenu-panel button", " user menu")
    if sideways(page) > 0:
        problems.append((path, "with the user menu open scrolls by", sideways(page)))
    page.keyboard.press("Escape")
    return problems


def first_link(page, list_id: str, pattern: str) -> str:
    href = page.locator(f"#{list_id} tbody a[href]").evaluate_all(
        f"(links) => links.map(a => a.getAttribute('href')).find(h => /{pattern}/.test(h))"
    )
    assert href, f"no link {pattern} in #{list_id}"
    return href


def test_customer_pages_fit_a_phone(phone):
    page = phone(ADMIN)
    pages = [("/", "oversikt"), ("/services", "tjanster")]
    problems = []
    for path, name in pages:
        page.goto(path)
        problems += check_page(page, path, name)
    service = first_link(page, "list-services", r"^\/services\/\d+$")
    page.goto("/invoices")
    invoice = first_link(page, "list-invoices", r"^\/invoices\/\d+$")
    for path, name in [
        (service, "tjanst"),
        ("/accounts", "konton"),
        ("/invoices", "fakturor"),
        (invoice, "faktura"),
        ("/tickets", "arenden"),
        ("/orders/new", "ny-bestallning"),
        ("/profile", "min-profil"),
        ("/orders", "bestallningar"),
    ]:
        page.goto(path)
        problems += check_page(page, path, name)
    assert problems == []
    assert page.js_errors == []


def test_back_office_pages_fit_a_phone(phone):
    page = phone(STAFF, staff=True)
    problems = []
    for path, name in [("/staff/", "staff-start"), ("/staff/tickets", "staff-arenden")]:
        page.goto(path)
        problems += check_page(page, path, name)
    assert problems == []
    assert page.js_errors == []


def test_find_a_service_and_bar_it(phone):
    page = phone(ADMIN)
    page.goto("/services?f_kind=mbb&sort=number")
    number = page.locator("#list-services tbody td[data-label='Nummer'] a").first
    digits = re.sub(r"\D", "", number.inner_text())
    box = page.locator(".globalsearch input[name=q]")
    box.press_sequentially(digits[-6:], delay=20)
    hit = page.locator("#globalsearch-results a", has_text=number.inner_text()).first
    expect(hit).to_be_visible()
    no_sideways_scroll(page, "the search results")
    shot(page, "sok-tjanst")
    hit.click()
    page.wait_for_url(re.compile(r"/services/\d+$"))
    page.locator(".actions-menu").get_by_role("link", name="Mobilspärrar").click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("h2")).to_have_text("Hantera spärrar")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"the dialog is cut off: {box}"
    no_sideways_scroll(page, "the Spärrar dialog")
    assert small_targets(page, "#dialog .button, #dialog button, #dialog select") == []
    dialog.locator("select[name=kind]").select_option("roaming")
    shot(page, "sparra-dialog")
    dialog.get_by_role("button", name="Lägg till").click()
    expect(dialog.locator(".done-inline")).to_contain_text("Klart: Lägg till spärr: Roaming")
    dialog.locator("a.cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("section[aria-labelledby=barrings-title]")).to_contain_text("Roaming")
    assert page.js_errors == []


def test_open_an_invoice_pdf(phone):
    page = phone(ADMIN)
    page.goto("/invoices")
    page.locator("#list-invoices tbody a[href^='/invoices/']").first.click()
    page.wait_for_url(re.compile(r"/invoices/\d+$"))
    link = page.locator("a[href$='/pdf']").first
    expect(link).to_be_visible()
    assert link.bounding_box()["height"] >= TOUCH - 0.5
    answer = page.request.get(link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    assert answer.body()[:5] == b"%PDF-"


def test_create_a_ticket(phone):
    page = phone(ADMIN)
    page.goto("/tickets")
    page.get_by_role("link", name="Skapa ärende").click()
    expect(page.locator("h1")).to_have_text("Skapa ärende")
    page.wait_for_load_state("load")
    page.select_option("#category", "order")
    page.fill("#subject", "Fråga från mobilen")
    page.fill("#body", "Skrivet på en telefon.")
    no_sideways_scroll(page, "Skapa ärende")
    shot(page, "skapa-arende")
    page.get_by_role("button", name="Skicka in ärende").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"), wait_until="load")
    expect(page.locator("h1")).to_have_text("Ärende: Fråga från mobilen")
    no_sideways_scroll(page, "the new ticket")
    shot(page, "arende")
    assert page.js_errors == []


def test_approve_an_order(phone):
    page = phone("attest@a3demo.se")
    page.goto("/orders/approvals")
    rows = page.locator("#list-approvals tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    no_sideways_scroll(page, "Att godkänna")
    shot(page, "att-godkanna")
    rows.first.get_by_role("link", name=re.compile("Visa")).click()
    page.wait_for_url(re.compile(r"/orders/\d+"))
    no_sideways_scroll(page, "the order")
    approve = page.locator("#approvals").get_by_role("button", name="Godkänn")
    assert approve.bounding_box()["height"] >= TOUCH - 0.5
    shot(page, "bestallning-attest")
    approve.click()
    expect(page.locator("#approvals").get_by_role("button", name="Godkänn")).to_have_count(0)
    page.goto("/orders/approvals")
    if count == 1:
        expect(page.locator("#list-approvals")).to_contain_text("Inga beställningar väntar")
    else:
        expect(rows).to_have_count(count - 1)
    assert page.js_errors == []


CUSTOMER_SWEEP = [
    "/accounts",
    "/accounts/new",
    "/accounts/tree",
    "/audit",
    "/calls",
    "/company",
    "/company/api",
    "/company/approvers",
    "/groups",
    "/groups/categories/new",
    "/groups/upload",
    "/invoices/summa-per-grupp",
    "/orders/approvals",
    "/profile/details",
    "/profile/password",
    "/profile/report-bug",
    "/reports",
    "/reports/abonnemang",
    "/reports/arenden",
    "/reports/bestallningar",
    "/reports/forbrukning",
    "/reports/kostnader-per-grupp",
    "/reports/mina",
    "/reports/samtalsstatistik",
    "/reports/scheman",
    "/reports/scheman/ny",
    "/reports/sla",
    "/reports/trafikspecifikation",
    "/services/sim-search",
    "/services/summa-per-grupp",
    "/shortcuts",
    "/tickets/new",
    "/users",
    "/users/new",
]
STAFF_SWEEP = [
    "/staff/agreements",
    "/staff/agreements/new",
    "/staff/audit",
    "/staff/billing",
    "/staff/billing/charges",
    "/staff/branding",
    "/staff/catalogue",
    "/staff/catalogue/availability",
    "/staff/catalogue/numbers",
    "/staff/changes",
    "/staff/notices",
    "/staff/orders",
    "/staff/organisations",
    "/staff/organisations/new",
    "/staff/outages",
    "/staff/outages/new",
    "/staff/pricelists",
    "/staff/security",
    "/staff/tickets/inbound",
    "/staff/tickets/new",
    "/staff/tickets/request-types",
    "/staff/users",
    "/staff/users/new",
]


def sweep(page, paths) -> list:
    problems = []
    for path in paths:
        page.goto(path)
        if sideways(page) > 0:
            problems.append((path, sideways(page), page.evaluate(PAST_THE_EDGE)))
        shot(page, "sweep" + path.replace("/", "-"))
    return problems


def details(page, lists: dict) -> list[str]:
    """The first detail page of each list, as a user would find it."""
    found = []
    for path, (list_id, pattern) in lists.items():
        page.goto(path)
        found.append(first_link(page, list_id, pattern))
    return found


def test_every_customer_page_fits_a_phone(phone):
    page = phone(ADMIN)
    more = details(
        page,
        {
            "/accounts": ("list-accounts", r"^\/accounts\/\d+$"),
            "/orders": ("list-orders", r"^\/orders\/\d+$"),
            "/tickets": ("list-tickets", r"^\/tickets\/\d+$"),
        },
    )
    problems = sweep(page, CUSTOMER_SWEEP + more)
    assert not problems, "\n".join(map(str, problems))


def test_every_back_office_page_fits_a_phone(phone):
    page = phone(STAFF, staff=True)
    more = details(
        page,
        {
            "/staff/organisations": ("list-staff-organisations", r"^\/staff\/organisations\/\d+$"),
            "/staff/orders": ("list-staff_orders", r"^\/staff\/orders\/\d+$"),
            "/staff/tickets": ("list-staff-tickets", r"^\/staff\/tickets\/\d+$"),
        },
    )
    problems = sweep(page, STAFF_SWEEP + more)
    assert not problems, "\n".join(map(str, problems))


def test_list_filters_open_as_a_panel_of_touch_targets(phone):
    page = phone(ADMIN)
    page.goto("/services")
    page.locator("#list-services [data-list-filters]").click()
    heading = page.locator("#list-services thead th a").first
    expect(heading).to_be_visible()
    assert (
        small_targets(page, "#list-services thead th a, #list-services .col-filter summary") == []
    )
    page.locator("#list-services thead .col-filter summary").first.click()
    no_sideways_scroll(page, "Tjänster with a filter open")
    assert small_targets(page, "#list-services .filter-pop .button") == []
    shot(page, "tjanster-filter")
    assert page.js_errors == []
