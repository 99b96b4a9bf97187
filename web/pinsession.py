"""Requests of a kundnummer + PIN session (AUTH-7, domain/account_pin.py).

The session's user (``PinUser``) is already narrowed by the scope code to its
one account and to ``services.view`` / ``invoices.view``. On top of that,
every request is read-only like staff viewing as a customer
(web/viewas.py): a POST, PUT, PATCH or DELETE answers 403 before its view
runs (except logging out) and ``database.write_tx`` refuses to open; and
only the areas the PIN opens answer at all (the start page, Tjänster with
usage, Fakturor), others 403 — so a page that lets every user see "their
own" rows (orders, tickets) does not apply to a session that has no user.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user

from database import set_read_only
from web.viewas import SAFE_METHODS

ALLOWED_POSTS = frozenset({"auth.logout"})
ALLOWED_BLUEPRINTS = frozenset({"dashboard", "services", "invoices", "calls", "auth", "branding"})


def pin_account():
    """The account of a kundnummer + PIN session, or None."""
    if not current_user or not current_user.is_authenticated:
        return None
    return getattr(current_user, "pin_account", None)


def _refusal(text: str):
    return render_template("error.html", code=403, title="Endast läsning", text=text), 403


def init_app(app: Flask) -> None:
    @app.before_request
    def _read_only_pin_session():
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.startswith("health.") or pin_account() is None:
            return None
        set_read_only(f"kundnummer {current_user.pin_account.customer_number}")
        if request.method not in SAFE_METHODS and endpoint not in ALLOWED_POSTS:
            return _refusal(
                "Du är inloggad med kundnummer och PIN-kod och kan bara läsa. "
                "Logga in med användarnamn och lösenord för att ändra något."
            )
        if request.blueprint not in ALLOWED_BLUEPRINTS:
            return _refusal(
                "Med kundnummer och PIN-kod ser du bara kontots tjänster, förbrukning och fakturor."
            )
        return None

    @app.teardown_request
    def _end_read_only(exc):
        set_read_only(None)

    @app.context_processor
    def _pin_banner():
        return {"pin_session_account": pin_account()}
