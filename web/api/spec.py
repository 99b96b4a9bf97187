"""The OpenAPI 3.1 document, built with apispec from the operations the
API's blueprints declare (web/api/operations.py) and their marshmallow
schemas — never written by hand, so it cannot drift from the code."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from web.api.operations import OPERATIONS
from web.api.problems import API_PREFIX, PROBLEM
from web.auth import MAX_ID

VERSION = "1.0.0"

ERRORS = {
    400: "Malformed request: bad JSON, a bad query parameter or a missing Idempotency-Key.",
    401: "No API token, or one that is unknown, expired or revoked.",
    403: "The token does not carry the permission.",
    404: "No such object in the token's scope.",
    409: "The object's state does not allow it.",
    412: "If-Match names another version of the object.",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "Invalid fields (named in `errors`), unknown fields included.",
    428: "If-Match is missing.",
    429: "Too many requests this minute; see Retry-After.",
}

DESCRIPTION = """\
The Teleportal API for integrations. Create a key under **API-nycklar**
(/company/api) and send it as `Authorization: Bearer tp_…`. A key carries
the permissions and account sub-tree it was given, never more than the user
who created it; an object outside them answers 404.

* Lists are paged by cursor: follow `next` (also in the `Link` header).
  Filters and sort keys are named like the portal lists' query parameters.
* Amounts are öre with their currency; dates ISO 8601; timestamps UTC.
* Errors are RFC 9457 problem details (`application/problem+json`);
  validation errors name their fields in `errors`.
* Every POST needs an `Idempotency-Key`: a retry with the same key and body
  (within 24 hours) gets the first answer again and changes nothing; the
  key with another body answers 422.
* Edits need `If-Match` with the ETag from reading the object (412 when it
  changed since, 428 without it).
* Each key may make a limited number of requests a minute (`RateLimit`,
  `RateLimit-Policy`; 429 with `Retry-After` beyond it).
"""


class ProblemField(Schema):
    name = fields.String(required=True)
    pointer = fields.String(required=True)
    detail = fields.String(required=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(ProblemField))


def _path(rule: str) -> str:
    return API_PREFIX + re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)


def _schema_name(schema) -> str:
    return schema.__name__


def _operation(spec: APISpec, op) -> dict:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in re.findall(r"<int:(\w+)>", op.rule)
    ]
    for name, schema, description in op.query:
        param = {"name": name, "in": "query", "schema": schema, "description": description}
        if schema.get("type") == "array":
            param.update(style="form", explode=True)
        params.append(param)
    if op.method == "POST":
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": "A key of your own (e.g. a UUID) per intended request.",
            }
        )
    if op.if_match:
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The ETag of the object as last read.",
            }
        )
    success: dict = {"description": "OK" if op.status == 200 else "Created"}
    if op.media == "application/json" and op.response is not None:
        success["content"] = {"application/json": {"schema": _schema_name(op.response)}}
    elif op.media != "application/json":
        success["content"] = {op.media: {"schema": {"type": "string", "format": "binary"}}}
    headers = {}
    if op.etag:
        headers["ETag"] = {"schema": {"type": "string"}, "description": "The object's version."}
    if op.paged:
        headers["Link"] = {"schema": {"type": "string"}, "description": 'rel="next" page.'}
    if op.status == 201:
        headers["Location"] = {"schema": {"type": "string"}}
    headers["RateLimit"] = {"$ref": "#/components/headers/RateLimit"}
    headers["RateLimit-Policy"] = {"$ref": "#/components/headers/RateLimit-Policy"}
    success["headers"] = headers
    statuses = {400, 401, 403, 429}
    if "<int:" in op.rule:
        statuses.add(404)
    if op.body is not None:
        statuses |= {413, 415, 422}
    if op.method == "POST":
        statuses |= {409, 422}
    if op.if_match:
        statuses |= {412, 428}
    responses = {str(op.status): success}
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    out = {
        "operationId": op.endpoint.replace(".", "_"),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    }
    if op.description:
        out["description"] = op.description
    permission = op.permission
    if permission:
        names = (permission,) if isinstance(permission, str) else permission
        out["description"] = (
            out.get("description", "") + "\n\nPermission: " + " or ".join(f"`{n}`" for n in names)
        ).strip()
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_name(op.body)}},
        }
    return out


def build(server_url: str = "/") -> dict:
    spec = APISpec(
        title="Teleportal API",
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
        servers=[{"url": server_url}],
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API-nyckel, tp_…"}
    )
    spec.components.schema("Problem", schema=Problem)
    for status, description in ERRORS.items():
        spec.components.response(
            f"Problem{status}",
            {"description": description, "content": {PROBLEM: {"schema": "Problem"}}},
        )
    spec.components.header(
        "RateLimit",
        {"schema": {"type": "string"}, "description": 'Remaining requests: "per-token";r=…;t=…'},
    )
    spec.components.header(
        "RateLimit-Policy",
        {"schema": {"type": "string"}, "description": 'The limit: "per-token";q=…;w=60'},
    )
    by_path: dict[str, dict] = {}
    for op in OPERATIONS:
        by_path.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(spec, op)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
