"""Response headers that hold for every page: a strict CSP without inline
scripts or styles, no framing, no sniffing, no caching of signed-in pages."""

from __future__ import annotations

import os

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Sign-in security settings (docs/SECURITY.md), from the environment unless
# the app's config already has them.
_INT_SETTINGS = {
    "SESSION_IDLE_MINUTES": 60,
    "LOGIN_THROTTLE_AFTER": 3,
    "LOGIN_LOCK_AFTER": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_IP_LOCK_AFTER": 30,
    "LOGIN_IP_WINDOW_MINUTES": 15,
    "OIDC_IP_LOCK_AFTER": 10,
    "TRUSTED_PROXIES": 0,
}


def _load_settings(app):
    for name, default in _INT_SETTINGS.items():
        app.config.setdefault(name, int(os.environ.get(name) or default))
    app.config.setdefault(
        "STAFF_REQUIRE_2FA", os.environ.get("STAFF_REQUIRE_2FA", "").lower() in ("1", "true", "yes")
    )
    app.config.setdefault("TOTP_ENCRYPTION_KEY", os.environ.get("TOTP_ENCRYPTION_KEY", ""))
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # The client address (lockouts, audit log) from X-Forwarded-For, trusting
        # exactly this many proxies in front of the app.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_app(app):
    _load_settings(app)

    @app.after_request
    def headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "no-store" not in h.get("Cache-Control", ""):
            # Pages and downloads hold PUK codes and invoices: never cache them.
            # send_file sets "no-cache" (revalidate, but store), so replace it.
            h["Cache-Control"] = "no-store"
        return response
