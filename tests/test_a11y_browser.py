"""Accessibility checked by machine (issue 20 item 3): axe-core (shipped by
axe-playwright-python) runs over the main pages and dialogs of each kind of
user, in both colour schemes, and fails on any serious or critical
violation. The pages are listed once, in PAGES.

Set ``A11Y_SCREENSHOTS`` to a folder to keep a screenshot of every page and
dialog in each scheme (artefacts for review)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN, STAFF

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("A11Y_SCREENSHOTS")
SCHEMES = ("light", "dark")
BLOCKING = {"serious", "critical"}
ALL_RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
# The second scheme changes only colours: there, only the colour rules run.
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}


@dataclass(frozen=True)
class Check:
    """A page (``url``), reached by a click on ``open_first`` from there
    when set (a row's link), with a dialog opened by ``dialog``."""

    name: str
    url: str
    open_first: str = ""
    dialog: str = ""


# The main pages and dialogs of each kind of user: the one list to extend.
# (who: username, staff?, checks); username None: signed out.
DIALOG = "[hx-target='#dialog']"
PAGES = {
    "utloggad": (
        None,
        False,
        [
            Check("inloggning", "/login"),
            Check("glomt-losenord", "/forgot"),
            Check("personal-inloggning", "/staff/login"),
        ],
    ),
    "admin": (
        ADMIN,
        False,
        [
            Check("oversikt", "/"),
            Check("oversikt-karta", "/?drift=karta"),
            Check("oversikt-mobilnatet", "/?drift=mobil"),
            Check("sok", "/search?q=070"),
            Check("tjanster", "/services"),
            Check("genvag-dialog", "/services", dialog="a.shortcut-star"),
            Check("tjanst", "/services", open_first="table.list tbody tr a"),
            Check("tjanst-alias-dialog", "/services", "table.list tbody tr a", dialog="a.pencil"),
            Check("tjanst-sparr-dialog", "/services", "table.list tbody tr a", dialog="a.add-icon"),
            Check("konton", "/accounts"),
            Check("nytt-konto-dialog", "/accounts", dialog=f".pagehead-actions {DIALOG}"),
            Check("konto", "/accounts", open_first="table.list tbody tr td a"),
            Check("grupper", "/groups"),
            Check("bestallningar", "/orders"),
            Check("bestallning", "/orders", open_first="table.list tbody tr td a"),
            Check("ny-bestallning", "/orders/new"),
            Check("fakturor", "/invoices"),
            Check("faktura", "/invoices", open_first="table.list tbody tr td a"),
            Check("arenden", "/tickets"),
            Check("arende", "/tickets", open_first="table.list tbody tr td a"),
            Check("nytt-arende", "/tickets/new"),
            Check("anvandare", "/users"),
            Check("ny-anvandare", "/users/new"),
            Check("rapporter", "/reports"),
            Check("kostnader-per-grupp", "/reports/kostnader-per-grupp"),
            Check("api-nycklar", "/company/api"),
            Check("genvagar", "/shortcuts"),
            Check("logg", "/audit"),
            Check("foretagsprofil", "/company"),
            Check("profil", "/profile"),
            Check("profil-dialog", "/profile", dialog="#profile-grid a.button.small"),
            Check("losenord-dialog", "/profile", dialog="a[href$='/profile/password']"),
            Check("rapportera-fel", "/profile", dialog="a.button[href$='report-bug']"),
        ],
    ),
    "kontoadmin": (
        ACCOUNT_ADMIN,
        False,
        [
            Check("oversikt", "/"),
            Check("tjanster", "/services"),
            Check("konton", "/accounts"),
            Check("fakturor", "/invoices"),
            Check("profil", "/profile"),
        ],
    ),
    "staff": (
        STAFF,
        True,
        [
            Check("backoffice", "/staff/"),
            Check("organisationer", "/staff/organisations"),
            Check("organisation", "/staff/organisations", open_first="table.list tbody tr td a"),
            Check("bestallningar", "/staff/orders"),
            Check("andringar", "/staff/changes"),
            Check("arenden", "/staff/tickets"),
            Check("nytt-arende", "/staff/tickets/new"),
            Check("avtal", "/staff/agreements"),
            Check("produkter", "/staff/catalogue"),
            Check("prislistor", "/staff/pricelists"),
            Check("fakturaimport", "/staff/billing"),
            Check("driftinformation", "/staff/outages"),
            Check("ny-driftstorning", "/staff/outages/new"),
            Check("meddelanden", "/staff/notices"),
            Check("varumarke", "/staff/branding"),
            Check("anvandare", "/staff/users"),
            Check("logg", "/staff/audit"),
            Check("sakerhet", "/staff/security"),
        ],
    ),
}


def blocking(results) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"
            )
    return found


def visit(page, check: Check):
    response = page.goto(check.url)
    assert response.ok, f"{check.url}: {response.status}"
    page.wait_for_load_state("networkidle")
    if check.open_first:
        before = page.url
        page.locator(check.open_first).first.click()
        page.wait_for_url(lambda url: url != before)
        page.wait_for_load_state("networkidle")
    if check.dialog:
        page.locator(check.dialog).first.click()
        page.wait_for_selector("#dialog[open] h2")


@pytest.mark.parametrize("who", list(PAGES))
def test_no_serious_violations(browser, live_server, who):
    username, staff, checks = PAGES[who]
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    axe = Axe()
    problems = []
    try:
        if username:
            sign_in(page, username, staff=staff)
            assert "/login" not in page.url, f"{username} is not signed in"
        for check in checks:
            visit(page, check)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                scope = "#dialog" if check.dialog else None
                rules = ALL_RULES if scheme == SCHEMES[0] else COLOUR_RULES
                results = axe.run(page, context=scope, options=rules)
                for line in blocking(results):
                    problems.append(f"{who}/{check.name}/{scheme}: {line}")
                if SHOTS:
                    os.makedirs(SHOTS, exist_ok=True)
                    page.screenshot(
                        path=f"{SHOTS}/{who}-{check.name}-{scheme}.png", full_page=not check.dialog
                    )
            page.emulate_media(color_scheme="light")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
