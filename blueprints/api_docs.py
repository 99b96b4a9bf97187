"""/api/docs: the API's reference, rendered in the browser by the vendored
Redoc (static/vendor/redoc-3.0.1.standalone.js) from /api/v1/openapi.json.

This one page has its own Content-Security-Policy: Redoc builds its styles
at run time (styled-components inserts <style> elements), so style-src needs
'unsafe-inline' here. Scripts stay 'self' only (the vendored copy is changed
not to probe eval and not to load its logo from a CDN: static/vendor/
README.md), and the page shows no user data and needs no sign-in, so
relaxing styles here widens nothing else."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth import public

bp = Blueprint("api_docs", __name__)

DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@bp.route("/api/docs")
@public
def docs():
    response = render_template("api/docs.html")
    return response, 200, {"Content-Security-Policy": DOCS_CSP}
