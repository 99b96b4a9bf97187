"""/api/v1/openapi.json: the API's OpenAPI 3.1 document (web/api/spec.py),
open without a token so that tools and the documentation page can read it."""

from __future__ import annotations

import functools

from blueprints.api import bp
from web.api import spec
from web.api.operations import json_response
from web.auth import public


@functools.cache
def _document() -> dict:
    return spec.build()


@bp.route("/openapi.json")
@public
def openapi():
    return json_response(_document())
