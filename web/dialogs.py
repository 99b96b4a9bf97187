"""In-place dialogs (UI-5) on top of htmx, with a plain-page fallback.

A dialog endpoint answers GET (and an invalid POST) with :func:`show`: for
htmx the form fragment, swapped into ``<dialog id="dialog">`` and opened by
static/app.js; without htmx a page holding the same fragment. A valid POST
answers with :func:`done`: for htmx an empty body plus ``HX-Trigger`` events
(``closeDialog`` and e.g. ``accountChanged``) that close the dialog and make
the panels that listen refresh themselves; without htmx a 303 back.
"""

from __future__ import annotations

from flask import make_response, redirect

from web.htmx import is_htmx, render, trigger


def show(template: str, back_url: str, **context):
    """The dialog ``template`` (a partial) in place, or on its own page."""
    return render(
        "dialog_page.html", template, dialog_template=template, back_url=back_url, **context
    )


def done(back_url: str, **events):
    """Close the dialog and announce ``events``; without htmx go back."""
    if is_htmx():
        response = make_response("")
        response.headers["Vary"] = "HX-Request"
        # closeDialog last: htmx fires the events on the form in the dialog,
        # and closing the dialog empties it, so events after it would fire
        # on a detached element and never reach ``from:body`` listeners.
        return trigger(response, **events, closeDialog=True)
    return redirect(back_url, code=303)
