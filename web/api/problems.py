"""RFC 9457 problem details: every error of the API is one
``application/problem+json`` object, validation errors with the fields'
names in ``errors``."""

from __future__ import annotations

import json

from flask import Response, has_request_context, request
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM = "application/problem+json"
API_PREFIX = "/api/v1"


class ApiError(Exception):
    """Raised anywhere in an API view: answered as a problem."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: list[dict] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers


def field_errors(messages: dict, prefix: str = "") -> list[dict]:
    """Marshmallow's ``{field: [message]}`` (nested) as a flat list of
    ``{"name", "pointer", "detail"}``."""
    out = []
    for name, value in messages.items():
        path = f"{prefix}/{name}"
        if isinstance(value, dict):
            out.extend(field_errors(value, path))
            continue
        for message in value if isinstance(value, list) else [value]:
            if isinstance(message, dict):
                out.extend(field_errors(message, path))
            else:
                out.append({"name": path.lstrip("/"), "pointer": f"#{path}", "detail": message})
    return out


def problem(
    status: int,
    detail: str = "",
    *,
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    if has_request_context():
        body["instance"] = request.path
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_error(error: ApiError) -> Response:
    return problem(error.status, error.detail, errors=error.errors, headers=error.headers)


def is_api_request() -> bool:
    """Whether the request is the API's (its errors are problems, not pages)."""
    path = request.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


DETAILS = {
    400: "The request could not be understood.",
    401: "A valid API token is required (Authorization: Bearer tp_…).",
    403: "The API token does not carry the permission this needs.",
    404: "No such object, or it lies outside the API token's scope.",
    405: "The method is not allowed for this address.",
    413: "The request body is too large.",
    500: "An unexpected error occurred.",
}


def for_status(status: int, exc=None) -> Response:
    """The problem answering an HTTP error raised outside an API view
    (routing's 404 and 405, a body beyond MAX_CONTENT_LENGTH)."""
    headers = {}
    if status == 405 and exc is not None and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(status, DETAILS.get(status, ""), headers=headers)
