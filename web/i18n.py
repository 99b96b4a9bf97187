"""Languages (issue 20): Swedish, English and Danish with Flask-Babel.

Swedish is the source language: the msgids are the Swedish strings, so
Swedish needs no catalogue and its output is exactly what the templates
say. English and Danish live in ``translations/<lang>/LC_MESSAGES``.

The locale is, in order: the signed-in user's stored language (Min profil),
the switch on the sign-in pages (``?lang=en``, kept in a cookie so it
survives the session being cleared at sign-in and sign-out), the browser's
Accept-Language, else Swedish.

The format filters (kr, amount, thousands, isodate, stamp, when, gigabytes)
answer in the page's locale: for Swedish the pure functions of
``domain/formats.py`` unchanged (Excel files, PDFs and e-mail always use
those), for the other languages Babel's numbers and dates.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import flask_babel
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from flask import g, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

from domain import formats
from domain.text import Text

LANGUAGES = ("sv", "en", "da")
# The switch on the sign-in pages: (code, the language's own name).
LANGUAGE_NAMES = (("sv", "Svenska"), ("en", "English"), ("da", "Dansk"))
LANG_COOKIE = "teleportal_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def N_(text: str) -> str:
    """Marks a string for extraction (babel.cfg keyword) without translating
    it: menu labels and column headings are translated where they are shown."""
    return text


class Contextual(str):
    """A Swedish string with a msgctxt, for a word that translates in two
    ways: "Användare" is the menu's Users and a service's User."""

    context: str


def NC_(context: str, text: str) -> str:
    """N_ with a msgctxt (babel.cfg keyword ``NC_:1c,2``)."""
    marked = Contextual(text)
    marked.context = context
    return marked


def translations():
    """The translations of the current request, looked up once per request.

    Flask-Babel's own ``gettext`` walks the request context, the locale and
    its cache on every call (about 11 µs); a list page of 20 rows calls it
    some 1,400 times (a data-label per cell), so the templates' ``_()`` and
    ``tr()`` read this instead. ``force_locale`` below keeps it right."""
    try:
        found = g.get("_translations")
    except RuntimeError:  # no application context: Flask-Babel's answer
        return get_translations()
    if found is None:
        found = g._translations = get_translations()
    return found


@contextlib.contextmanager
def force_locale(lang: str):
    """Flask-Babel's force_locale (a file or e-mail in someone else's
    language) that also sets aside the request's cached translations; use
    this one, not Flask-Babel's (tests/test_i18n.py checks)."""
    saved = g.pop("_translations", None)
    try:
        with flask_babel.force_locale(lang):
            yield
    finally:
        g.pop("_translations", None)
        if saved is not None:
            g._translations = saved


def gettext(msgid: str, /, **values) -> str:
    found = translations().ugettext(msgid)
    return found % values if values else found


def pgettext(context: str, msgid: str, /, **values) -> str:
    found = translations().upgettext(context, msgid)
    return found % values if values else found


def tr(text) -> str:
    """The translation of a string held in a variable: marked with N_ or NC_,
    or a domain message with values (``domain.text.T_``), whose msgid is
    translated and its values filled in again."""
    if not text:
        return text
    if isinstance(text, Text):
        return gettext(text.msgid, **text.params)
    context = getattr(text, "context", None)
    return pgettext(context, text) if context else gettext(text)


def error_text(error: BaseException) -> str:
    """The translated message of a domain exception: ``str(error)`` loses a
    :class:`~domain.text.Text`'s msgid, so look at the message itself (the
    first argument; some errors carry a field name after it)."""
    first = error.args[0] if error.args else None
    if isinstance(first, str):
        return tr(first)
    return str(error)


def select_locale() -> str:
    user = current_user
    signed_in = user and getattr(user, "is_authenticated", False)
    if signed_in and getattr(user, "language", None) in LANGUAGES:
        return user.language
    chosen = requested_language() or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "sv"


def requested_language() -> str | None:
    """The language picked with the sign-in page's switch, if any."""
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES and request.blueprint in _SWITCH_BLUEPRINTS else None


# Blueprints whose pages show the switch (the sign-in pages).
_SWITCH_BLUEPRINTS = ("auth", "staff")


def remember_language(response):
    """after_request: keep the switch's choice in a cookie."""
    lang = requested_language()
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def switch_links() -> list[tuple[str, str, str, bool]]:
    """(code, name, url, is current) for the sign-in page's language switch:
    the same page and query with ``lang`` set."""
    current = locale_code()
    args = request.args.to_dict(flat=False)
    links = []
    for code, name in LANGUAGE_NAMES:
        args["lang"] = [code]
        query = "&".join(
            f"{_quote(key)}={_quote(value)}" for key, values in args.items() for value in values
        )
        links.append((code, name, f"{request.path}?{query}", code == current))
    return links


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(str(text), safe="")


def locale_code() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "sv"


# --------------------------------------------------------------------------- formats


def amount(ore: int | None) -> str:
    lang = locale_code()
    if lang == "sv" or ore is None:
        return formats.amount(ore)
    return format_decimal(int(ore) / 100, format="#,##0.00", locale=lang)


def kr(ore: int | None) -> str:
    lang = locale_code()
    if lang == "sv" or ore is None:
        return formats.kr(ore)
    return format_currency(int(ore) / 100, "SEK", locale=lang)


def thousands(value) -> str:
    """1234 → "1 234" in Swedish, "1,234" in English, "1.234" in Danish."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    lang = locale_code()
    if lang == "sv":
        return f"{number:,}".replace(",", "\u00a0")
    return format_decimal(number, locale=lang)


def isodate(value) -> str:
    """ISO "2022-04-10" in Swedish; "Apr 10, 2022", "10. apr. 2022" otherwise."""
    lang = locale_code()
    if lang == "sv" or value is None:
        return formats.isodate(value)
    if isinstance(value, dt.datetime):
        value = formats.local(value).date()
    return format_date(value, "medium", locale=lang)


def stamp(value: dt.datetime | None) -> str:
    lang = locale_code()
    if lang == "sv" or value is None:
        return formats.stamp(value)
    shown = formats.local(value)
    return f"{format_date(shown.date(), 'medium', locale=lang)} {_time(shown, lang)}"


def when(value: dt.datetime | None) -> str:
    lang = locale_code()
    if lang == "sv" or value is None:
        return formats.when(value)
    shown = formats.local(value)
    if shown.date() == dt.datetime.now(formats.LOCAL_TZ).date():
        return gettext("Idag kl %(time)s", time=_time(shown, lang))
    return stamp(value)


def _time(shown: dt.datetime, lang: str) -> str:
    return format_time(shown.time(), "short", locale=lang)


def gigabytes(mb: int | None) -> str:
    lang = locale_code()
    if lang == "sv" or mb is None:
        return formats.gigabytes(mb)
    return format_decimal(mb / 1024, format="#,##0.00", locale=lang) + "\u00a0GB"


FILTERS = {
    "amount": amount,
    "kr": kr,
    "thousands": thousands,
    "isodate": isodate,
    "stamp": stamp,
    "when": when,
    "gigabytes": gigabytes,
}


def init_app(app) -> None:
    app.jinja_env.filters.update(FILTERS)
    # After Flask-Babel's init_app, which installs the same callables reading
    # its translations on every call (see translations()).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # tr(value): the translation of a string held in a variable (a menu label,
    # a column heading, an error text), escaped like any value; ``_()`` is for
    # literals in templates (its result is markup).
    app.jinja_env.globals.update(language_switch=switch_links, N_=N_, tr=tr, error_text=error_text)
    app.after_request(remember_language)
