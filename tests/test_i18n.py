"""Languages (issue 20): the catalogues cover every marked string, the
converted templates hold no unmarked text, and pages answer in the user's
language, the sign-in switch's or the browser's (README "Languages")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from database import write_tx
from models import User
from tests.conftest import ADMIN

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGS = ("en", "da")

# Every template: its visible text must be marked for translation (the check
# below fails on a text node or a visible attribute outside ``_()``). Mail
# templates are plain text (templates/mail/**.txt), translated by the mail code.
TEMPLATES = ROOT / "templates"
CONVERTED = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


# --------------------------------------------------------------------------- (a) catalogues


def extracted_msgids() -> set[str]:
    """The msgids pybabel extract finds now (babel.cfg, keyword N_)."""
    method_map = [
        ("templates/**.html", "jinja2"),
        ("templates/mail/**.txt", "jinja2"),
        ("**.py", "python"),
    ]
    keywords = {
        **{"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "T_": None, "_l": None},
        **{"pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)},
    }
    skip = ("tests", "bench", "instance", "instance-large", "node_modules")

    def wanted(dirname: str) -> bool:
        name = Path(dirname).name
        return not name.startswith((".", "_")) and name not in skip

    ids = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, keywords=keywords, directory_filter=wanted
    ):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


@pytest.fixture(scope="module")
def msgids():
    return extracted_msgids()


def test_extraction_finds_the_marked_strings(msgids):
    # one from each kind of source: a template literal, N_ in Python, a menu label
    texts = {"Exportera till Excel", "Prislista", "Tjänster", "Idag kl %(time)s", "Användare"}
    assert {(None, text) for text in texts} <= msgids
    assert ("tjänstens", "Användare") in msgids  # NC_ and pgettext: a msgctxt


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_translates_every_msgid(lang, msgids):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f)
    translated = {
        (m.context, m.id): m.string for m in catalogue if m.id and m.string and not m.fuzzy
    }
    missing = sorted(msgids - translated.keys())
    assert not missing, f"{lang}: untranslated msgids (make translations): {missing}"
    # the placeholders survive translation
    for (_context, msgid), text in translated.items():
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text)), msgid


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_the_po(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as f:
        po = {(m.context, m.id): m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    with open(folder / "messages.mo", "rb") as f:
        mo = {(_text(m.context), m.id): m.string for m in read_mo(f) if m.id}
    assert mo == po, f"{lang}: messages.mo is stale, run make translations"


def _text(context):
    """read_mo gives a msgctxt as bytes."""
    return context.decode() if isinstance(context, bytes) else context


# --------------------------------------------------------------------------- (b) no unmarked text

# data-label: the column name a phone shows in front of a cell (the card layout).
VISIBLE_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "data-label")
# base.html blocks that fill an attribute, not text.
ATTRIBUTE_BLOCKS = ("body_class", "main_class", "card_class")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def untranslated_text(source: str) -> list[str]:
    """Visible text of a template outside Jinja: the template's data tokens
    (the lexer's), each expression or tag replaced by a blank, then the text
    nodes and visible attributes of the HTML; what still holds a letter."""
    skeleton = []
    tokens = [
        (kind, value) for _lineno, kind, value in Environment().lex(source) if kind != "whitespace"
    ]
    skipping = 0  # inside a block filled into an attribute ({% block body_class %})
    for i, (kind, value) in enumerate(tokens):
        following = [v for _k, v in tokens[i + 1 : i + 4]]
        if kind == "block_begin" and following[:1] == ["block"]:
            if skipping or following[1:2] and following[1] in ATTRIBUTE_BLOCKS:
                skipping += 1
        elif kind == "block_begin" and following[:1] == ["endblock"] and skipping:
            skipping -= 1
        elif kind == "data" and not skipping:
            skeleton.append(value)
        elif kind in ("variable_begin", "block_begin"):
            skeleton.append(" ")
    parser = _Text()
    parser.feed("".join(skeleton))
    parser.close()
    return [
        text.strip()
        for text in parser.found
        if any(unicodedata.category(ch).startswith("L") for ch in text)
    ]


def test_the_check_finds_unmarked_text():
    assert untranslated_text('<p title="Hjälp">Hej {{ name }}</p>') == ["Hjälp", "Hej"]
    assert untranslated_text('<p title="{{ _(\'Hjälp\') }}">{{ _("Hej") }} 12 – …</p>') == []
    assert untranslated_text("{# Kommentar #}<script>x()</script>{% if a %}{% endif %}") == []
    assert untranslated_text("{% block body_class %}login-page{% endblock %}") == []
    assert untranslated_text("{% block content %}Hej{% endblock %}") == ["Hej"]


def test_every_template_is_checked():
    assert len(CONVERTED) > 280 and "base.html" in CONVERTED
    assert "partials/services/dialogs/_barring.html" in CONVERTED or any(
        name.startswith("partials/services/dialogs/") for name in CONVERTED
    )


@pytest.mark.parametrize("template", CONVERTED)
def test_converted_template_has_no_unmarked_text(template):
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    assert untranslated_text(source) == []


# --------------------------------------------------------------------------- (c) pages


def test_login_page_is_swedish_by_default(demo_client):
    text = demo_client.get("/login").get_data(as_text=True)
    assert '<html lang="sv"' in text
    assert "Logga in på ditt konto" in text and "Lösenord" in text


@pytest.mark.parametrize(
    ("lang", "heading", "password"),
    [("en", "Sign in to your account", "Password"), ("da", "Log ind på din konto", "Adgangskode")],
)
def test_login_switch_changes_language_and_is_remembered(demo_client, lang, heading, password):
    first = demo_client.get(f"/login?lang={lang}")
    text = first.get_data(as_text=True)
    assert f'<html lang="{lang}"' in text
    assert heading in text and password in text and "Logga in på ditt konto" not in text
    assert f"teleportal_lang={lang}" in first.headers["Set-Cookie"]
    # the switch lists the three languages, the chosen one current
    assert re.search(rf'href="/login\?lang={lang}"[^>]*aria-current="true"', text)
    again = demo_client.get("/forgot").get_data(as_text=True)
    assert f'<html lang="{lang}"' in again and password not in again
    assert ("Forgot your password?" if lang == "en" else "Glemt adgangskoden?") in again


def test_login_switch_ignores_unknown_language(demo_client):
    response = demo_client.get("/login?lang=xx")
    assert response.status_code == 200
    assert '<html lang="sv"' in response.get_data(as_text=True)
    assert "teleportal_lang" not in response.headers.get("Set-Cookie", "")


def test_accept_language_when_nothing_chosen(demo_client):
    text = demo_client.get("/login", headers={"Accept-Language": "da, en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="da"' in text and "Log ind på din konto" in text


def test_failed_login_message_translated(demo_client):
    demo_client.get("/login?lang=en")
    page = demo_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    response = demo_client.post(
        "/login", data={"csrf_token": token.group(1), "username": ADMIN, "password": "wrong"}
    )
    assert "Wrong username or password." in response.get_data(as_text=True)


def set_language(username: str, lang: str) -> None:
    with write_tx():
        User.update(language=lang).where(User.username == username).execute()


@pytest.fixture
def english_admin(demo_client, login):
    set_language(ADMIN, "en")
    login(demo_client, ADMIN)
    return demo_client


def test_user_language_english_menu_and_services_headers(english_admin):
    text = english_admin.get("/services").get_data(as_text=True)
    assert '<html lang="en"' in text
    menu = re.search(r'<nav class="mainmenu".*?</nav>', text, re.S).group(0)
    assert ">Overview<" in menu and ">Services<" in menu and ">Invoices<" in menu
    assert "Tjänster" not in menu and "Översikt" not in menu
    head = re.search(r"<thead.*?</thead>", text, re.S).group(0)
    for heading in ("Number", "User", "Price plan", "Monthly fee", "Account", "Product", "Type"):
        assert re.search(rf">\s*{re.escape(heading)}\s*<", head), heading
    assert 'aria-label="Filter Price plan"' in head and "Users" not in head
    assert 'data-label="User"' in text  # the rows' card labels
    assert "Export to Excel" in text and "rows per page" in text and "Sign out" in text
    assert "Exportera till Excel" not in text and "Prislista" not in text


def test_user_language_beats_the_switch_cookie(english_admin):
    english_admin.set_cookie("teleportal_lang", "da")
    text = english_admin.get("/").get_data(as_text=True)
    assert '<html lang="en"' in text and "<h1>Overview</h1>" in text


def test_swedish_user_sees_swedish(demo_client, login):
    login(demo_client, ADMIN)
    text = demo_client.get("/services", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # the stored language (sv) wins over the browser's
    assert '<html lang="sv"' in text and ">Tjänster<" in text and "Exportera till Excel" in text


def test_error_page_translated(english_admin):
    response = english_admin.get("/services/999999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_money_and_dates_per_locale_on_pages(demo_client, login):
    login(demo_client, ADMIN)
    swedish = demo_client.get("/invoices").get_data(as_text=True)
    assert re.search(r"\d{4}-\d{2}-\d{2}", swedish)
    assert re.search(r"\d+,\d\d\xa0kr", swedish)
    set_language(ADMIN, "en")
    english = demo_client.get("/invoices").get_data(as_text=True)
    assert re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}", english)
    assert re.search(r"SEK[\d,]+\.\d\d", english) and not re.search(r"\d+,\d\d\xa0kr", english)
    set_language(ADMIN, "da")
    danish = demo_client.get("/invoices").get_data(as_text=True)
    assert re.search(r"\d{1,2}\. [a-z]{3}\. \d{4}", danish)
    assert re.search(r"\d+,\d\d\xa0SEK", danish)


@pytest.mark.parametrize(
    ("lang", "date", "stamp", "money", "number"),
    [
        ("sv", "2022-04-10", "2022-04-10 11:35", "1\xa0234,50\xa0kr", "12\xa0345"),
        ("en", "Apr 10, 2022", "Apr 10, 2022 11:35\u202fAM", "SEK1,234.50", "12,345"),
        ("da", "10. apr. 2022", "10. apr. 2022 11.35", "1.234,50\xa0SEK", "12.345"),
    ],
)
def test_format_filters_per_locale(app, lang, date, stamp, money, number):
    from web import i18n

    with app.test_request_context("/login", headers={"Accept-Language": lang}):
        assert i18n.isodate(dt.date(2022, 4, 10)) == date
        assert i18n.stamp(dt.datetime(2022, 4, 10, 9, 35)) == stamp  # UTC → Stockholm (CEST)
        assert i18n.kr(123450) == money
        assert i18n.thousands(12345) == number


# --------------------------------------------------------------------------- (d) domain messages


def test_domain_message_with_values_is_swedish_and_translatable(app):
    import pickle

    from domain.text import T_, translate
    from web.i18n import error_text, tr

    message = T_("Idag kl %(time)s", time="10:15")
    assert message == "Idag kl 10:15"  # logs, audit rows and Swedish pages
    assert pickle.loads(pickle.dumps(message)).params == {"time": "10:15"}
    assert translate(message, "en") == "Today at 10:15"
    assert translate(message, "da") == "I dag kl. 10:15"
    assert translate(message, "xx") == "Idag kl 10:15"
    with app.test_request_context("/login", headers={"Accept-Language": "en"}):
        assert tr(message) == "Today at 10:15"
        # a domain error carrying the message and a field name
        assert error_text(ValueError(message, "name")) == "Today at 10:15"
        assert error_text(ValueError("Tjänster")) == "Services"


def test_force_locale_only_through_web_i18n():
    """web.i18n.translations() caches the request's translations; Flask-Babel's
    own force_locale would leave that cache in the other language."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("blueprints", "web", "domain")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "i18n.py" and "flask_babel import force_locale" in path.read_text()
    ]
    assert offenders == []


def test_force_locale_inside_a_request_and_back(app):
    from flask import render_template_string

    from web.i18n import force_locale, tr

    with app.test_request_context("/login", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Tjänster') }}") == "Services"
        with force_locale("da"):
            assert render_template_string("{{ _('Tjänster') }}") == "Abonnementer"
            assert tr("Tjänster") == "Abonnementer"
        assert render_template_string("{{ _('Tjänster') }}") == "Services"
        assert tr("Tjänster") == "Services"


def test_a_message_may_have_a_value_called_text(app):
    from domain.text import T_
    from web.i18n import tr

    with app.test_request_context("/login"):
        assert tr(T_("Fakturatext: %(text)s", text="Projekt 7")) == "Fakturatext: Projekt 7"
