"""An API operation: a view declared once with what the OpenAPI document
says of it (web/api/spec.py) and what every request goes through — Bearer
token, rate limit, permission, JSON body, Idempotency-Key.

A view gets the token's user (domain/api_tokens.TokenUser: the creator
narrowed to the token's permissions and sub-tree) and scopes every look-up
with it through the portal's own ``visible_to`` queries, so an object
outside the token's scope is a 404 exactly as in the portal.

Cookies open nothing here: a request is the token's or 401. That is why the
API blueprint is exempt from CSRF, which guards what cookies authorise.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from database import utcnow
from domain import api_tokens
from permissions import holds_any
from web.api import bodies
from web.api.paging import envelope
from web.api.problems import ApiError, for_status, from_error
from web.auth import MAX_ID
from web.requestcontext import client_ip


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    permission: str | tuple | None
    response: object | None = None  # marshmallow schema class of the answer
    paged: bool = False
    body: object | None = None  # marshmallow schema class of the body
    query: list = field(default_factory=list)  # [(name, schema dict, description)]
    status: int = 200
    if_match: bool = False
    etag: bool = False
    media: str = "application/json"
    description: str = ""


OPERATIONS: list[Operation] = []

WHY = {
    api_tokens.MISSING: "Send an API token: Authorization: Bearer tp_…",
    api_tokens.UNKNOWN: "The API token is not valid.",
    api_tokens.EXPIRED: "The API token has expired.",
    api_tokens.REVOKED: "The API token has been revoked.",
    api_tokens.INACTIVE: "The API token's user can no longer sign in or reach its accounts.",
}


def authenticate():
    """The token's user, its request counted; 401 or 429 as an ApiError."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        secret = ""
    principal, why = api_tokens.authenticate(secret.strip())
    if principal is None:
        raise ApiError(
            401,
            WHY[why],
            headers={"WWW-Authenticate": 'Bearer realm="teleportal-api"'},
        )
    now = utcnow()
    count = api_tokens.count_request(principal.token, client_ip(), now)
    limit = current_app.config["API_RATE_LIMIT"]
    reset = 60 - now.second
    g.api_rate = (limit, max(0, limit - count), reset)
    if count > limit:
        raise ApiError(
            429,
            f"At most {limit} requests a minute per API token.",
            headers={"Retry-After": str(reset)},
        )
    g._login_user = principal  # current_user: audit rows name the token's creator
    return principal


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def page_response(items: list, cursor) -> Response:
    """A list page: its items with the ``next`` link (body and Link header)."""
    body, headers = envelope(items, cursor)
    return json_response(body, headers=headers)


def operation(bp, rule: str, method: str = "GET", **declared):
    """Register ``view`` as the operation ``method rule`` of ``bp``; it is
    called as ``view(user, **path_args)`` (and ``body=`` when it has one)."""

    def decorator(view):
        op = Operation(rule=rule, method=method, endpoint=f"{bp.name}.{view.__name__}", **declared)

        @functools.wraps(view)
        def wrapper(**kwargs):
            for value in kwargs.values():
                if isinstance(value, int) and not 0 < value <= MAX_ID:
                    raise ApiError(404, "No such object.")
            user = authenticate()
            if op.permission and not holds_any(user, op.permission):
                raise ApiError(403, f"The API token does not carry {_names(op.permission)}.")
            if op.body is not None:
                kwargs["body"] = bodies.read_json(op.body())
            if method == "POST":
                return bodies.run_once(user.token.id, lambda: view(user, **kwargs))
            return view(user, **kwargs)

        wrapper.access = "api"
        wrapper.api_operation = op
        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        OPERATIONS.append(op)
        return wrapper

    return decorator


def _names(permission) -> str:
    names = (permission,) if isinstance(permission, str) else permission
    return " or ".join(names)


def init_blueprint(bp) -> None:
    """Problems for every error of ``bp``'s views, and the rate headers."""

    @bp.errorhandler(ApiError)
    def api_error(error):
        return from_error(error)

    @bp.errorhandler(HTTPException)
    def http_error(error):
        return for_status(error.code or 500, error)

    @bp.after_request
    def rate_headers(response):
        rate = g.get("api_rate")
        if rate is not None:
            limit, remaining, reset = rate
            response.headers["RateLimit-Policy"] = f'"per-token";q={limit};w=60'
            response.headers["RateLimit"] = f'"per-token";r={remaining};t={reset}'
        response.headers["Cache-Control"] = "no-store"
        return response
