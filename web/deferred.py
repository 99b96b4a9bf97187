"""Work that runs after the response has been sent.

``after_response(work)`` runs ``work()`` once the WSGI server has written
the response and closes it (``Response.call_on_close``), in a request
context rebuilt from this request's environ, so ``request.remote_addr``
(the audit log's address) and the outbox delivery of ``domain.mail`` work
as in the request itself. Used where the time a response takes must not
depend on what the work finds (Glömt lösenordet?: a mail or none).

The request body has been read already: pass what ``work`` needs in its
closure, not through ``request.form``.
"""

from __future__ import annotations

import logging

from flask import after_this_request, current_app, request

from database import db

log = logging.getLogger("teleportal.deferred")


def after_response(work) -> None:
    app = current_app._get_current_object()
    environ = dict(request.environ)

    def run() -> None:
        try:
            with app.request_context(environ):
                db.connect(reuse_if_open=True)
                work()
        except Exception:  # the response is gone; nothing to answer with
            log.exception("deferred work failed")

    @after_this_request
    def schedule(response):
        response.call_on_close(run)
        return response
