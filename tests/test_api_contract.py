"""The API contract fuzzed from its own OpenAPI document (issue 19) with
Schemathesis: every operation, with generated paths, queries, headers and
bodies, sent with a token of every permission: never a 5xx, and every
answer's status, media type, headers and body match the document.

Schemathesis's pytest plugin does not run under pytest 9 (it reads a
private attribute pytest dropped), so the operations are walked here and
each is fuzzed by Hypothesis through ``as_strategy()``."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))


def test_the_api_answers_as_its_document_says(demo_app):
    demo_app.config["API_RATE_LIMIT"] = 10**9  # the fuzzing is not what is limited
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    secret, _ = make_token(ADMIN)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            headers = dict(case.headers or {})
            headers.update(auth(secret))
            case.headers = headers
            response = case.call_and_validate(checks=CHECKS)
            calls.append((case.operation.label, response.status_code))

        fuzz()
    statuses = {status for _, status in calls}
    assert len(calls) >= len(operations) * 5
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
