"""In-place dialogs (UI-5) on top of htmx, with a plain-page fallback.

A dialog endpoint answers GET (and an invalid POST) with :func:`show`: for
htmx the form fragment, swapped into ``<dialog id="dialog">`` and opened by
static/app.js; without htmx a page holding the same fragment. A valid POST
answers with :func:`done`: for htmx an empty body plus ``HX-Trigger`` events
(``closeDialog`` and e.g. ``accountChanged``) that close the dialog and make
the panels that listen refresh themselves; without htmx a 303 back. Its
``message`` is the confirmation every action ends with: a toast announced to
screen readers (htmx) or a flashed message on the page it returns to. An
action that changes more than the page can refresh in place ends with
:func:`go` instead: the browser goes to a page where the same confirmation,
flashed, becomes the toast.
"""

from __future__ import annotations

from flask import flash, make_response, redirect
from flask_babel import gettext

from domain.text import Text
from web.htmx import is_htmx, render, trigger
from web.i18n import tr


def message_text(text) -> str:
    """``tr(text)`` for a domain message whose values may themselves be marked
    labels (``T_(action.label)``, a Text without values): those values are
    translated too, other values (names, numbers) are filled in as they are."""
    if isinstance(text, Text):
        params = {
            key: message_text(value) if isinstance(value, Text) else value
            for key, value in text.params.items()
        }
        return gettext(text.msgid, **params)
    return tr(text)


def show(template: str, back_url: str, **context):
    """The dialog ``template`` (a partial) in place, or on its own page."""
    return render(
        "dialog_page.html", template, dialog_template=template, back_url=back_url, **context
    )


def done(back_url: str, message: str | None = None, **events):
    """Close the dialog, confirm with ``message`` and announce ``events``;
    without htmx go back (the message flashed there). A domain message
    (``N_``/``T_``) is translated here."""
    message = message_text(message)
    if is_htmx():
        response = make_response("")
        response.headers["Vary"] = "HX-Request"
        # showMessage first and closeDialog last: htmx fires the events on the
        # form in the dialog, and closing the dialog empties it, so events
        # after it would fire on a detached element and never reach
        # ``from:body`` listeners.
        first = {"showMessage": message} if message else {}
        return trigger(response, **first, **events, closeDialog=True)
    if message:
        flash(message, "success")
    return redirect(back_url, code=303)


def go(target: str, message: str | None = None):
    """End the dialog by going to ``target`` (htmx: ``HX-Redirect``), where
    ``message`` shows as the same toast (a success flash)."""
    message = message_text(message)
    if message:
        flash(message, "success")
    if is_htmx():
        response = make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)
