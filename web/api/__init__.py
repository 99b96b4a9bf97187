"""The JSON API's HTTP machinery (issue 19): Bearer authentication, the
per-token rate limit, RFC 9457 problem answers, JSON bodies, idempotent
POSTs, ETags, cursor paging and the OpenAPI document built from the
operations the API's blueprints declare (blueprints/api/)."""
