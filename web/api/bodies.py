"""What an API request sends: its JSON body (size, media type, syntax, then
the operation's marshmallow schema, unknown fields refused), the
``Idempotency-Key`` of a POST and the ``If-Match`` of an edit."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json

from flask import Response, current_app, g, request
from marshmallow import ValidationError

from database import utcnow, write_tx
from tables.api import ApiIdempotency
from web.api.problems import ApiError, field_errors

MAX_KEY = 200
KEEP = dt.timedelta(hours=24)  # how long a key's answer is kept


def read_json(schema) -> dict:
    """The body loaded through ``schema`` (an instance), else an ApiError:
    413 beyond API_MAX_BODY_KB, 415 not JSON, 400 malformed, 422 invalid."""
    limit = current_app.config["API_MAX_BODY_KB"] * 1024
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"The body may be at most {limit} bytes.")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, f"The body may be at most {limit} bytes.")
    g.api_raw_body = raw
    if not raw.strip():
        data = {}
    else:
        mimetype = request.mimetype or ""
        if mimetype != "application/json" and not mimetype.endswith("+json"):
            raise ApiError(415, "Send the body as application/json.")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(422, "The body must be a JSON object.", errors=[_root("Not an object.")])
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        raise ApiError(422, "The body has invalid fields.", errors=field_errors(messages)) from None


def _root(detail: str) -> dict:
    return {"name": "", "pointer": "#", "detail": detail}


# ----------------------------------------------------------------- idempotency


def idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    problem = None
    if not key:
        problem = "Every POST needs an Idempotency-Key header (e.g. a UUID)."
    elif len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        problem = f"The Idempotency-Key must be at most {MAX_KEY} printable ASCII characters."
    if problem:
        raise ApiError(
            400,
            problem,
            errors=[{"name": "Idempotency-Key", "pointer": "header", "detail": problem}],
        )
    return key


def request_hash() -> str:
    body = g.get("api_raw_body", b"")
    with contextlib.suppress(ValueError):  # other spacing or key order: the same request
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(), body))


def run_once(token_id: int, run) -> Response:
    """Run the POST ``run`` once per Idempotency-Key of the token: a retry
    with the same request gets the stored answer (``Idempotent-Replayed``),
    the key with another request 422; a key is kept 24 hours. Key check,
    the change and the stored answer share one write transaction, so two
    retries racing each other cannot both act. Only successful answers are kept: after an error the
    key may be used again."""
    key = idempotency_key()
    digest = request_hash().hexdigest()
    with write_tx():
        # A key is remembered for KEEP; the token's older keys go as it sends new ones.
        ApiIdempotency.delete().where(
            (ApiIdempotency.token == token_id) & (ApiIdempotency.created_at < utcnow() - KEEP)
        ).execute()
        row = ApiIdempotency.get_or_none(
            (ApiIdempotency.token == token_id) & (ApiIdempotency.key == key)
        )
        if row is not None:
            if row.request_hash != digest:
                raise ApiError(
                    422,
                    "This Idempotency-Key was used for another request; use a new key.",
                    errors=[{"name": "Idempotency-Key", "pointer": "header", "detail": "Reused."}],
                )
            response = Response(row.body, status=row.status, mimetype="application/json")
            if row.location:
                response.headers["Location"] = row.location
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = run()
        if 200 <= response.status_code < 300:
            ApiIdempotency.create(
                token=token_id,
                key=key,
                request_hash=digest,
                status=response.status_code,
                body=response.get_data(as_text=True),
                location=response.headers.get("Location", ""),
            )
    return response


# ----------------------------------------------------------------- ETags


def etag_of(representation: dict) -> str:
    text = json.dumps(representation, sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def require_match(current: str) -> None:
    """428 without If-Match, 412 when it names another version."""
    sent = request.headers.get("If-Match")
    if sent is None:
        raise ApiError(428, "Send If-Match with the ETag of the object as you last read it.")
    tags = [tag.strip() for tag in sent.split(",")]
    if "*" not in tags and current not in tags:
        raise ApiError(
            412,
            "The object changed since you read it; read it again and retry.",
            headers={"ETag": current},
        )
