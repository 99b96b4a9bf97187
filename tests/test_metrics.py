"""Prometheus metrics (issue 16): /metrics answers only the allowed
addresses, counts requests by URL rule, and reads the job queue and the
outbox when scraped."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from database import write_tx
from domain import jobs, mail
from web import metrics


def scrape(client, addr="127.0.0.1") -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": addr})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def requests_total(samples, route, method="GET", status="2xx") -> float:
    key = (
        "teleportal_http_requests_total",
        (("method", method), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


@pytest.mark.parametrize("addr", ["127.0.0.1", "::1"])
def test_localhost_may_scrape(client, addr):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": addr}).status_code == 200


@pytest.mark.parametrize("addr", ["10.1.2.3", "192.168.0.9", "2001:db8::1", ""])
def test_other_addresses_get_404(client, addr):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": addr})
    assert response.status_code == 404
    assert b"teleportal_http_requests" not in response.data


def test_a_network_in_metrics_allow_may_scrape(app, client):
    app.extensions["metrics_allow"] = metrics.parse_allow("127.0.0.1, 10.0.0.0/8")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "11.0.0.1"}).status_code == 404


def test_a_forwarded_address_does_not_open_the_metrics(app, client):
    """With TRUSTED_PROXIES the client's address comes from X-Forwarded-For;
    the metrics still look at who connected (the proxy, not allowed)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    response = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
        headers={"X-Forwarded-For": "127.0.0.1"},
    )
    assert response.status_code == 404


def test_allow_list_parsing():
    nets = metrics.parse_allow("127.0.0.1,::1, 10.0.0.0/8 ,")
    assert metrics.allowed("10.200.0.1", nets)
    assert metrics.allowed("::ffff:127.0.0.1", nets)
    assert not metrics.allowed("not-an-ip", nets)
    assert not metrics.allowed(None, nets)
    with pytest.raises(ValueError):
        metrics.parse_allow("127.0.0.1,localhost")


def test_requests_are_counted_by_url_rule(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    after = scrape(client)
    assert requests_total(after, "/healthz") - requests_total(before, "/healthz") == 2
    assert (
        requests_total(after, "<unmatched>", status="4xx")
        - requests_total(before, "<unmatched>", status="4xx")
        == 1
    )


def test_a_route_with_an_id_is_counted_under_its_rule(demo_client, login):
    from tests.conftest import ADMIN

    login(demo_client, ADMIN)
    before = scrape(demo_client)
    demo_client.get("/services/1")
    demo_client.get("/services/2")
    after = scrape(demo_client)
    rule = "/services/<int:service_id>"
    counted = sum(
        value - before.get(key, 0.0)
        for key, value in after.items()
        if key[0] == "teleportal_http_requests_total" and ("route", rule) in key[1]
    )
    assert counted == 2
    assert not any(dict(k[1]).get("route") == "/services/1" for k in after)


def test_durations_are_observed(client):
    before = scrape(client)
    client.get("/healthz")
    after = scrape(client)
    key = (
        "teleportal_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/healthz"), ("status", "2xx")),
    )
    assert after[key] - before.get(key, 0.0) == 1


def test_gauges_show_queued_jobs_and_unsent_mail(demo_app, demo_client):
    from models import User

    samples = scrape(demo_client)
    assert samples[("teleportal_database_up", ())] == 1
    queued = samples[("teleportal_export_jobs", (("status", "queued"),))]
    pending = samples[("teleportal_outbox_pending", ())]

    demo_app.config["OUTBOX_DEFER"] = True
    user = User.select().first()
    with write_tx():
        jobs.create(user, "Export", "/services?export=xlsx", 10)
        jobs.create(user, "Export 2", "/services?export=csv", 10)
        mail.send_email("someone@example.se", "Hej", "Text")
    samples = scrape(demo_client)
    assert samples[("teleportal_export_jobs", (("status", "queued"),))] == queued + 2
    assert samples[("teleportal_outbox_pending", ())] == pending + 1
