"""The operator's branding as files the layout links to (UI-10): the logo
uploaded in the back office and a stylesheet setting the primary colour as
CSS custom properties (the CSP forbids inline styles). Public: the sign-in
page shows them too."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, url_for

from domain import branding
from domain.operator import current
from web.auth import public

bp = Blueprint("branding", __name__, url_prefix="/branding")

CACHE = "public, max-age=3600"


@bp.route("/logo")
@public
def logo():
    found = branding.logo()
    if found is None:
        return redirect(url_for("static", filename="logo.svg"))
    data, content_type = found
    response = Response(data, mimetype=content_type)
    # An SVG opened on its own is a document: it may run nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = CACHE
    return response


@bp.route("/theme.css")
@public
def theme():
    colour = current().colour
    if colour and branding.colour_problem(colour):
        abort(404)  # never stored so; nothing to say about it
    css = ""
    if colour:
        css = (
            ":root {\n"
            f"  --accent: {colour};\n"
            f"  --accent-dark: {branding.shade(colour, 0.78)};\n"
            f"  --accent-soft: {branding.shade(colour, 1.9)};\n"
            "}\n"
        )
        # the dark scheme (static/app.css: chosen, or the system's while "auto")
        dark = "".join(
            f"  {name}: {value};\n" for name, value in branding.dark_variant(colour).items()
        )
        css += (
            f':root[data-theme="dark"] {{\n{dark}}}\n'
            f'@media (prefers-color-scheme: dark) {{\n:root[data-theme="auto"] {{\n{dark}}}\n}}\n'
        )
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "no-cache"
    return response
