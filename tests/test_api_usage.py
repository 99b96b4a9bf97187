"""GET /api/v1/services/<id>/usage: Förbrukning per month as the service
page shows it, newest first, paged by cursor, scoped like the page."""

from __future__ import annotations

from peewee import fn

from models import MonthlyUsage, Service, User
from tests.api_fixtures import auth, make_token
from tests.conftest import ADMIN, OTHER_ORG_ADMIN


def service_with_usage(organisation_id: int) -> Service:
    return (
        Service.select()
        .join(MonthlyUsage, on=(MonthlyUsage.service == Service.id))
        .where(Service.organisation == organisation_id)
        .group_by(Service.id)
        .having(fn.COUNT(MonthlyUsage.id) >= 3)
        .first()
    )


def test_usage_pages_through_every_month_newest_first(demo_app):
    admin = User.get(User.username == ADMIN)
    service = service_with_usage(admin.organisation_id)
    assert service is not None
    secret, _ = make_token(ADMIN)
    client = demo_app.test_client()
    months, path = [], f"/api/v1/services/{service.id}/usage?limit=2"
    while path:
        response = client.get(path, headers=auth(secret))
        assert response.status_code == 200, response.text
        page = response.get_json()
        assert len(page["items"]) <= 2
        months += page["items"]
        path = page["next"]
    stored = list(
        MonthlyUsage.select()
        .where(MonthlyUsage.service == service.id)
        .order_by(MonthlyUsage.month.desc())
    )
    assert [m["month"] for m in months] == [u.month.isoformat() for u in stored]
    first, row = months[0], stored[0]
    quota = row.data_quota_mb + row.topup_mb
    assert first["quota_mb"] == quota and first["data_used_mb"] == row.data_used_mb
    assert first["remaining_mb"] == (max(quota - row.data_used_mb, 0) if quota else None)


def test_usage_is_scoped_and_needs_services_view(demo_app):
    admin = User.get(User.username == ADMIN)
    service = service_with_usage(admin.organisation_id)
    client = demo_app.test_client()
    other, _ = make_token(OTHER_ORG_ADMIN)
    assert (
        client.get(f"/api/v1/services/{service.id}/usage", headers=auth(other)).status_code == 404
    )
    invoices_only, _ = make_token(ADMIN, permissions={"invoices.view"})
    response = client.get(f"/api/v1/services/{service.id}/usage", headers=auth(invoices_only))
    assert response.status_code == 403
    secret, _ = make_token(ADMIN)
    bad = client.get(f"/api/v1/services/{service.id}/usage?cursor=xyz", headers=auth(secret))
    assert bad.status_code == 400
