"""The one place that decides between a full page and its htmx partial."""

from __future__ import annotations

import json

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment (history restores want the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, partial: str, **context):
    """Render ``page``, or only ``partial`` for htmx; the answer varies by HX-Request."""
    response = make_response(render_template(partial if is_htmx() else page, **context))
    response.headers["Vary"] = "HX-Request"
    return response


def trigger(response, **events):
    """Attach ``HX-Trigger`` events (``closeDialog=True, contactAdded=12``),
    after any the response already carries."""
    existing = response.headers.get("HX-Trigger")
    merged = json.loads(existing) if existing else {}
    merged.update(events)
    response.headers["HX-Trigger"] = json.dumps(merged)
    return response


def confirm(response, message: str):
    """The short confirmation an action ends with (a toast announced to
    screen readers, see static/app.js), before the response's other events."""
    existing = response.headers.get("HX-Trigger")
    events = {"showMessage": message, **(json.loads(existing) if existing else {})}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
