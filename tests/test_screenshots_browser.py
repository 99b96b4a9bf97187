"""Screenshots for review (issue 20 item 5): Översikt, Tjänster, a service
page and a dialog in each language and colour scheme, saved as artefacts in
``SCREENSHOT_DIR`` (default ``test-artifacts/screenshots``, not in git).
Each screenshot is taken only after the page shows its language (the menu's
words, <html lang>) and its scheme (the page's background), so a page that
falls back to Swedish or to the light scheme fails here instead of being
saved for someone to notice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots")

# The menu's Översikt and Tjänster in each language.
MENU = {
    "sv": ("Översikt", "Tjänster"),
    "en": ("Overview", "Services"),
    "da": ("Oversigt", "Abonnementer"),
}


def luminance(css_colour: str) -> float:
    """0 (black) … 255 (white) of an rgb()/rgba() colour."""
    red, green, blue = (float(v) for v in css_colour.split("(")[1].split(")")[0].split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def choose_language(page, lang: str) -> None:
    page.goto("/profile/details")
    page.select_option("select[name=language]", lang)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


# The colour behind the page: the body's, else the root element's.
PAGE_BACKGROUND = """() => {
  for (const el of [document.body, document.documentElement]) {
    const colour = getComputedStyle(el).backgroundColor;
    if (colour && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(colour)) return colour;
  }
  return "rgb(255, 255, 255)";
}"""


def check_and_shoot(page, lang: str, scheme: str, name: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    background = page.evaluate(PAGE_BACKGROUND)
    if scheme == "dark":
        assert luminance(background) < 80, f"{name}: not dark ({background})"
    else:
        assert luminance(background) > 180, f"{name}: not light ({background})"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{lang}-{scheme}-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["sv", "en", "da"])
def test_screenshots_per_language_and_scheme(page, lang):
    sign_in(page, ADMIN)
    if lang != "sv":
        choose_language(page, lang)
    overview, services = MENU[lang]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # the theme is Automatiskt
        page.goto("/")
        expect(page.locator("#mainmenu")).to_contain_text(overview)
        expect(page.locator("h1")).to_have_text(overview)
        check_and_shoot(page, lang, scheme, "oversikt")
        page.goto("/services")
        expect(page.locator("#mainmenu a[aria-current=page]")).to_have_text(services)
        check_and_shoot(page, lang, scheme, "tjanster")
        page.locator("#list-services tbody a[href^='/services/']").first.click()
        page.wait_for_url("**/services/*")
        expect(page.locator(".actions-menu")).to_be_visible()
        check_and_shoot(page, lang, scheme, "tjanst")
        page.locator(".actions-menu a[hx-get]").first.click()
        expect(page.locator("#dialog h2")).to_be_visible()
        check_and_shoot(page, lang, scheme, "dialog")
    assert not page.js_errors
