"""The JSON API for integrations, /api/v1 (issue 19): accounts, services,
invoices, orders, call records and tickets, authenticated by the Bearer
tokens of API-nycklar (/company/api). The machinery — authentication, rate
limit, problems, paging, idempotency, the OpenAPI document — is in web/api/;
each module here declares its operations with ``web.api.operations.operation``.
"""

from __future__ import annotations

from flask import Blueprint

from web.api.operations import init_blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
init_blueprint(bp)

from blueprints.api import (  # noqa: E402, F401  (they add their routes to bp)
    accounts,
    calls,
    invoices,
    openapi,
    orders,
    services,
    tickets,
)
