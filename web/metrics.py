"""Prometheus metrics (issue 16, item 6): requests counted and timed by route
(the URL rule, not the raw path), method and status class, and the job
queue and outbox backlog read from the database at scrape time.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers;
gunicorn.conf.py clears the folder at start and marks dead workers) each
process writes its counts to files there and a scrape adds them up;
without it the counts live in this process. ``/metrics``
(blueprints/health.py) answers only the addresses in ``METRICS_ALLOW``.
"""

from __future__ import annotations

import ipaddress
import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from domain import health

log = logging.getLogger("teleportal.metrics")

# Not in prometheus_client's global registry: each scrape builds its own
# (below), so that many apps in one process (the tests) share these.
REQUESTS = Counter(
    "teleportal_http_requests",
    "HTTP requests answered, by route, method and status class.",
    ["route", "method", "status"],
    registry=None,
)
DURATION = Histogram(
    "teleportal_http_request_duration_seconds",
    "Time to answer an HTTP request, by route, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)

STATUS_CLASS = {n: f"{n}xx" for n in range(1, 6)}


def observe(route: str, method: str, status: int, seconds: float) -> None:
    status_class = STATUS_CLASS.get(status // 100, "other")
    REQUESTS.labels(route, method, status_class).inc()
    DURATION.labels(route, method, status_class).observe(seconds)


class QueueCollector:
    """Gauges computed when scraped: export jobs queued/running and
    outbox messages waiting to be sent."""

    def collect(self):
        try:
            lengths = health.queue_lengths()
        except Exception as exc:  # the scrape still shows the request counts
            log.warning("metrics: queue lengths could not be read: %s", exc)
            up = GaugeMetricFamily("teleportal_database_up", "1 if the database answered.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("teleportal_database_up", "1 if the database answered.")
        up.add_metric([], 1)
        yield up
        jobs = GaugeMetricFamily(
            "teleportal_export_jobs", "Export jobs waiting or running.", labels=["status"]
        )
        jobs.add_metric(["queued"], lengths["jobs_queued"])
        jobs.add_metric(["running"], lengths["jobs_running"])
        yield jobs
        outbox = GaugeMetricFamily(
            "teleportal_outbox_pending", "E-mail and SMS in the outbox not yet sent."
        )
        outbox.add_metric([], lengths["outbox_pending"])
        yield outbox


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def scrape() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
    registry.register(QueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def parse_allow(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``"127.0.0.1, ::1, 10.0.0.0/8"`` as networks; a bad entry is an error."""
    networks = []
    for part in value.split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return networks


def allowed(address: str | None, networks) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks if net.version == ip.version)
