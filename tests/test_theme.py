"""Dark mode (issue 20 item 2): the colour scheme chosen in Min profil (and
the back office's Säkerhet och inloggning) is stored on the user, audited,
and put on <html data-theme> by the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models import AuditLog, StaffUser, User
from tests.conftest import ADMIN, STAFF, login_as


def html_theme(body: str) -> str:
    return re.search(r'<html[^>]*data-theme="([^"]*)"', body).group(1)


def test_default_follows_the_system(demo_client):
    login_as(demo_client, ADMIN)
    body = demo_client.get("/").get_data(as_text=True)
    assert html_theme(body) == "auto"
    assert '<meta name="color-scheme" content="light dark">' in body


def test_signed_out_pages_follow_the_system(demo_client):
    assert html_theme(demo_client.get("/login").get_data(as_text=True)) == "auto"


@pytest.mark.parametrize("theme", ["dark", "light", "auto"])
def test_customer_chooses_a_scheme(demo_client, theme):
    user = login_as(demo_client, ADMIN)
    page = demo_client.get("/profile").get_data(as_text=True)
    assert "Utseende" in page
    response = demo_client.post("/profile/theme", data={"theme": theme})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile#appearance")
    assert User.get_by_id(user.id).theme == theme
    body = demo_client.get("/services").get_data(as_text=True)
    assert html_theme(body) == theme
    rows = AuditLog.select().where(AuditLog.action == "profile.theme")
    assert rows.count() == (0 if theme == "auto" else 1)


def test_stored_choice_is_checked_in_the_form(demo_client):
    login_as(demo_client, ADMIN)
    demo_client.post("/profile/theme", data={"theme": "dark"})
    page = demo_client.get("/profile").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="dark"|<input[^>]*value="dark"[^>]*checked', page
    )


@pytest.mark.parametrize("bad", ["", "purple", "<script>", "x" * 300])
def test_unknown_scheme_is_refused(demo_client, bad):
    user = login_as(demo_client, ADMIN)
    response = demo_client.post("/profile/theme", data={"theme": bad})
    assert response.status_code == 303
    assert User.get_by_id(user.id).theme == "auto"
    page = demo_client.get("/profile").get_data(as_text=True)
    assert "Välj ett färgschema." in page


def test_without_csrf_nothing_changes(demo_client):
    user = login_as(demo_client, ADMIN)
    response = demo_client.post("/profile/theme", data={"theme": "dark"}, csrf=False)
    assert response.status_code in (400, 403)
    assert User.get_by_id(user.id).theme == "auto"


def test_staff_choose_a_scheme_in_the_back_office(demo_client):
    staff = login_as(demo_client, STAFF)
    assert "Utseende" in demo_client.get("/staff/security").get_data(as_text=True)
    response = demo_client.post("/staff/security/theme", data={"theme": "dark"})
    assert response.status_code == 303
    assert StaffUser.get_by_id(staff.id).theme == "dark"
    assert html_theme(demo_client.get("/staff/").get_data(as_text=True)) == "dark"


def test_customer_route_refuses_staff_and_signed_out(demo_client):
    assert demo_client.post("/profile/theme", data={"theme": "dark"}).status_code in (302, 303)
    login_as(demo_client, STAFF)
    assert demo_client.post("/profile/theme", data={"theme": "dark"}).status_code in (
        302,
        303,
        403,
        404,
    )


# ----------------------------------------------------------------------- the stylesheet

CSS = Path(__file__).resolve().parent.parent / "static"


def custom_properties(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", block))


def test_dark_scheme_is_the_same_chosen_or_from_the_system():
    """The dark set is written twice (data-theme="dark", and "auto" inside
    the prefers-color-scheme media query): the two must not drift apart."""
    css = (CSS / "app.css").read_text()
    chosen = re.search(r':root\[data-theme="dark"\] \{(.*?)\n\}', css, re.S).group(1)
    system = re.search(
        r'@media \(prefers-color-scheme: dark\) \{\s*:root\[data-theme="auto"\] \{(.*?)\n  \}',
        css,
        re.S,
    ).group(1)
    assert custom_properties(chosen) == custom_properties(system)
    assert "color-scheme: dark" in chosen and "color-scheme: dark" in system


def test_every_colour_of_the_dark_set_has_a_light_value():
    css = (CSS / "app.css").read_text()
    light = custom_properties(re.search(r":root \{(.*?)\n\}", css, re.S).group(1))
    dark = custom_properties(
        re.search(r':root\[data-theme="dark"\] \{(.*?)\n\}', css, re.S).group(1)
    )
    assert set(dark) <= set(light), set(dark) - set(light)


@pytest.mark.parametrize("sheet", sorted(p.name for p in CSS.glob("*.css")))
def test_text_colours_come_from_the_palette(sheet):
    """Text colours are custom properties (so both schemes have them), not hex codes."""
    css = (CSS / sheet).read_text()
    if sheet == "app.css":
        css = css[css.index("* { box-sizing") :]  # after the palette
    assert not re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,8}|rgb)", css)


def test_staff_viewing_as_a_customer_keep_their_own_scheme():
    from types import SimpleNamespace

    from domain.themes import theme_of

    staff = SimpleNamespace(is_authenticated=True, theme="dark", viewed_by=None)
    customer = SimpleNamespace(is_authenticated=True, theme="light", viewed_by=staff)
    assert theme_of(customer) == "dark"
    assert (
        theme_of(SimpleNamespace(is_authenticated=True, theme="light", viewed_by=None)) == "light"
    )
    assert theme_of(SimpleNamespace(is_authenticated=True, theme="bogus", viewed_by=None)) == "auto"
    assert theme_of(SimpleNamespace(is_authenticated=False)) == "auto"


@pytest.mark.parametrize(
    "colour", ["#0b5cad", "#7a1f5c", "#1d7a3e", "#000000", "#5a3e00", "#b3261e"]
)
def test_operator_colour_in_the_dark_scheme_keeps_aa_contrast(colour):
    from domain import branding

    dark = branding.dark_variant(colour)
    assert branding.contrast(dark["--accent"], branding.DARK_PANEL) >= 4.5
    assert branding.contrast(dark["--accent"], branding.DARK_ON_ACCENT) >= 4.5
    assert branding.contrast(dark["--accent-dark"], dark["--accent-soft"]) >= 4.5


def test_operator_theme_stylesheet_has_both_schemes(demo_client):
    from tests.test_staff_branding import form

    login_as(demo_client, STAFF)
    assert demo_client.post("/staff/branding", data=form(colour="#7a1f5c")).status_code in (
        200,
        303,
    )
    css = demo_client.get("/branding/theme.css").get_data(as_text=True)
    assert "--accent: #7a1f5c;" in css
    assert ':root[data-theme="dark"]' in css
    assert "@media (prefers-color-scheme: dark)" in css and ':root[data-theme="auto"]' in css
