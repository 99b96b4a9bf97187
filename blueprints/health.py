"""Health, readiness and metrics for the load balancer and Prometheus
(issue 16; docs/OPERATIONS.md). Public, GET only, no session touched.

* ``/healthz``: the process answers (touches nothing, not even the database);
* ``/readyz``: the database answers, its migrations are current and the job
  worker was heard from within ``READY_WORKER_SECONDS`` — 200, or 503 naming
  what fails;
* ``/metrics``: Prometheus text, to the addresses in ``METRICS_ALLOW`` only
  (the direct peer's address: behind a proxy, scrape the node itself).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from domain import health
from web import metrics as web_metrics
from web.auth import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
@public
def readyz():
    parts = health.readiness(health.MIGRATIONS, current_app.config["READY_WORKER_SECONDS"])
    ready = all(state == health.OK for state in parts.values())
    return jsonify(parts), 200 if ready else 503


def _peer_address() -> str | None:
    """The address that connected to us, also when TRUSTED_PROXIES made
    ``remote_addr`` the forwarded client's: a forwarded header is not
    trusted to open the metrics."""
    original = request.environ.get("werkzeug.proxy_fix.orig")
    if original and original.get("REMOTE_ADDR"):
        return original["REMOTE_ADDR"]
    return request.remote_addr


@bp.get("/metrics")
@public
def metrics():
    if not web_metrics.allowed(_peer_address(), current_app.extensions["metrics_allow"]):
        abort(404)
    body, content_type = web_metrics.scrape()
    return body, 200, {"Content-Type": content_type}
