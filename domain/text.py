"""Messages the domain hands to people, marked for translation (issue 20).

The domain speaks Swedish and never imports Flask, so it cannot translate;
it marks its messages instead and the web layer translates them where they
are shown (``web/i18n.tr``, ``web/i18n.error_text``):

* ``N_("Numret är redan spärrat.")`` — a fixed message, returned as is;
* ``T_("Gruppen %(name)s finns redan.", name=name)`` — a message with
  values: a :class:`Text`, which *is* the Swedish sentence (so logs, audit
  rows, Excel files and tests see Swedish) and also carries its msgid and
  values, so the web layer can translate the msgid and fill in the values.

``pybabel extract`` finds both (keywords ``N_`` and ``T_``, Makefile).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import support


def N_(text: str) -> str:
    """Marks a fixed string for extraction; translated where it is shown."""
    return text


class Contextual(str):
    """A fixed string with a msgctxt, for a word that translates in two ways
    (``web.i18n.tr`` reads ``context``): a service's Avslutad is not a
    ticket's."""

    context: str


def NC_(context: str, text: str) -> str:
    """N_ with a msgctxt (babel.cfg keyword ``NC_:1c,2``)."""
    marked = Contextual(text)
    marked.context = context
    return marked


class Text(str):
    """A Swedish message built from a marked msgid and its values."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, params: dict):
        made = super().__new__(cls, msgid % params if params else msgid)
        made.msgid = msgid
        made.params = params
        return made

    def __reduce__(self):  # survives pickling (background jobs' results)
        return (Text, (self.msgid, self.params))


def T_(msgid: str, **params) -> Text:
    """A message with values (``%(name)s`` placeholders), marked for extraction."""
    return Text(msgid, params)


# ----------------------------------------------------------------------------- outside a request

# Files the domain writes for a person (e-mail, PDF, Excel made by the worker)
# are in that person's language without Flask: Babel's own catalogue loader
# reads the same compiled catalogues Flask-Babel does.
LANGUAGES = ("sv", "en", "da")
_CATALOGUES = Path(__file__).resolve().parent.parent / "translations"


@cache
def _translations(lang: str) -> support.NullTranslations:
    if lang == "sv":  # the source language: the msgids are Swedish
        return support.NullTranslations()
    return support.Translations.load(str(_CATALOGUES), [lang], domain="messages")


def translate(text: str, lang: str | None, context: str | None = None) -> str:
    """``text`` (a marked msgid, or a :class:`Text`) in ``lang``; unknown or
    missing languages answer Swedish."""
    if not text:
        return text
    catalogue = _translations(lang if lang in LANGUAGES else "sv")
    if isinstance(text, Text):
        return (
            catalogue.ugettext(text.msgid) % text.params
            if text.params
            else catalogue.ugettext(text.msgid)
        )
    context = context or getattr(text, "context", None)  # marked with NC_
    if context:
        return catalogue.upgettext(context, text)
    return catalogue.ugettext(text)
