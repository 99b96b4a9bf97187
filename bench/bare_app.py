"""A bare Flask app for bench/overhead.py: one page, a plain Jinja template
(bench/templates/bare.html) of a 20-row table, padded to the byte size of
the portal's Tjänster page.

    BARE_PAGE_BYTES=28728 gunicorn --workers 2 --chdir bench 'bare_app:create_app()'

No database, session, login, CSRF or Babel: what the portal costs beyond
this is its per-request overhead.
"""

from __future__ import annotations

import os

from flask import Flask, render_template

COLUMNS = ["Status", "Nummer", "Användare", "Typ", "Produkt", "Månadsavg.", "Konto"]
ROWS = [
    {
        "id": 1000 + i,
        "status": "active",
        "number": f"07012345{i:02d}",
        "user": f"Användare {i}",
        "kind": "Mobiltelefoni",
        "product": "Mobil Företag Bas",
        "monthly": f"{199 + i},00 kr",
        "account": f"9950085{i % 10} A3 Demo Connect underkonto",
    }
    for i in range(20)
]


def create_app() -> Flask:
    app = Flask(__name__)
    target = int(os.environ.get("BARE_PAGE_BYTES", "0"))

    def render(padding: str) -> str:
        return render_template(
            "bare.html", title="Tjänster", columns=COLUMNS, rows=ROWS, padding=padding
        )

    padding = []  # found by the first request: the filler that makes the page `target` bytes

    @app.get("/")
    def page():
        if not padding:
            padding.append("x" * max(0, target - len(render("").encode())))
        return render(padding[0])

    return app
