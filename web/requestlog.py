"""One JSON line per request on stdout (logger ``teleportal.request``) and
the request metrics, from one pair of hooks that cost a few microseconds
(issue 16, item 6; docs/OPERATIONS.md shows the line).

The request id is the caller's ``X-Request-ID`` when it looks like one
(a proxy or load balancer that sets it ties its log to ours), else a new
one; the response echoes it. Who asked is read from what Flask-Login already
loaded for the request, never loaded for the log: a page that did not look
at the signed-in user logs null.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from time import perf_counter

from flask import g, request

from web import metrics

log = logging.getLogger("teleportal.request")

_SANE_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_UNMATCHED = "<unmatched>"


def _start() -> None:
    g._t0 = perf_counter()
    incoming = request.headers.get("X-Request-ID")
    g.request_id = incoming if incoming and _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _who() -> tuple[int | None, int | None]:
    """(user id, staff id) of the user this request already loaded."""
    user = g.get("logged_user") or g.get("_login_user")
    user_id = getattr(user, "id", None)
    if user_id is None:
        return None, None
    if getattr(user, "is_staff", False):
        return None, user_id
    return user_id, None


def _stdout_handler() -> logging.Handler:
    """Plain lines on stdout, which gunicorn passes on, added once per process."""
    for handler in log.handlers:
        if getattr(handler, "_teleportal", False):
            return handler
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._teleportal = True
    log.addHandler(handler)
    return handler


def init_app(app) -> None:
    enabled = app.config.get("REQUEST_LOG", True)
    if enabled and not app.config.get("TESTING"):
        _stdout_handler()
        log.setLevel(logging.INFO)
        # The line goes to stdout once, not again through the root logger.
        log.propagate = False
    # Tests leave the logger alone: no lines unless a test asks for them
    # (caplog.set_level(logging.INFO, logger="teleportal.request")).

    # First of all hooks, so the time includes the others and a hook that
    # fails (the database away) still finds the clock started.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response):
        start = g.get("_t0")
        if start is None:  # a request that failed before any hook ran
            return response
        seconds = perf_counter() - start
        rule = request.url_rule
        route = rule.rule if rule is not None else _UNMATCHED
        status = response.status_code
        metrics.observe(route, request.method, status, seconds)
        response.headers["X-Request-ID"] = g.request_id
        if enabled and log.isEnabledFor(logging.INFO):
            user_id, staff_id = _who()
            log.info(
                json.dumps(
                    {
                        "request_id": g.request_id,
                        "method": request.method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "user_id": user_id,
                        "staff_id": staff_id,
                    },
                    separators=(",", ":"),
                )
            )
        return response
