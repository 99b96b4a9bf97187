"""What domain code learns from the HTTP request it runs in, handed over
through the hooks domain/ offers, so that domain/ never reads Flask's request:
the audit log's actor and client address, the outbox messages a request
queued, delivered once its response is done, and a store for what may be
kept for the length of the request (the operator's details)."""

from __future__ import annotations

import logging

from flask import g, has_request_context, request
from flask_login import current_user

from domain import audit, mail
from domain import operator as operators

log = logging.getLogger("teleportal.outbox")


def client_ip() -> str:
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def _origin():
    """(signed-in user or None, client address) for the audit log."""
    if not has_request_context():
        return None, ""
    actor = current_user._get_current_object() if current_user.is_authenticated else None
    return actor, client_ip()


def _remember_queued(message_id: int) -> None:
    if has_request_context():
        g.setdefault("outbox_ids", []).append(message_id)


def _request_store() -> dict | None:
    """A dict that lives as long as the request (domain/operator.py's cache)."""
    if not has_request_context():
        return None
    return g.setdefault("domain_store", {})


def init_app(app) -> None:
    audit.set_origin(_origin)
    mail.set_on_queued(_remember_queued)
    operators.set_request_store(_request_store)

    @app.teardown_request
    def _deliver_queued(exc):
        ids = g.pop("outbox_ids", None)
        if not ids or exc is not None or app.config.get("OUTBOX_DEFER"):
            return
        try:
            from database import db

            db.connect(reuse_if_open=True)
            mail.deliver_pending(ids=ids)
        except Exception:  # never break the response; `flask outbox deliver` retries
            log.exception("immediate outbox delivery failed")
