"""A Kontoadministratör's API pages walked off the organisation's index in
the list's order (issue 19 item 6, ListView.cursor_arms): the same rows and
cursors as the sub-tree's own index gives, one walk per status chosen,
merged. The demo's sub-tree is too small for the walk to pay, so these tests
make it always pay or never (WALK_COST). SQLite only: PostgreSQL plans the
sub-tree's pages by itself."""

from __future__ import annotations

import pytest

from tests.api_fixtures import auth, make_token
from tests.conftest import ACCOUNT_ADMIN

WALKED = '+"t1"."account_id" IN'
CASES = [
    "/api/v1/invoices?limit=4",
    "/api/v1/invoices?limit=3&sort=due&dir=asc",
    "/api/v1/services?f_status=active&f_status=barred&sort=monthly&dir=desc&limit=3",
    "/api/v1/services?f_status=active&limit=5",
]


def every_page(client, secret, url) -> tuple[list[int], int]:
    """The ids of every page of ``url`` followed by its next links."""
    ids, pages = [], 0
    while url:
        response = client.get(url, headers=auth(secret))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        url, pages = body.get("next"), pages + 1
        assert pages < 100
    return ids, pages


@pytest.mark.sqlite_only
@pytest.mark.parametrize("url", CASES)
def test_walked_pages_hold_the_same_rows_as_sorted_ones(demo_app, monkeypatch, sql_log, url):
    import web.lists.planning

    secret, _row = make_token(ACCOUNT_ADMIN)
    client = demo_app.test_client()
    monkeypatch.setattr(web.lists.planning, "WALK_COST", 10**9)  # never pays
    sorted_ids, pages = every_page(client, secret, url)
    assert not any(WALKED in s for s in sql_log)
    assert pages > 1 and len(sorted_ids) == len(set(sorted_ids))
    monkeypatch.setattr(web.lists.planning, "WALK_COST", 0)  # always pays
    sql_log.clear()
    walked_ids, _pages = every_page(client, secret, url)
    assert any(WALKED in s for s in sql_log)
    assert walked_ids == sorted_ids


@pytest.mark.sqlite_only
def test_an_administrators_two_statuses_are_two_walks_merged(demo_app, sql_log):
    from tests.conftest import ADMIN

    secret, _row = make_token(ADMIN)
    client = demo_app.test_client()
    ids, pages = every_page(client, secret, CASES[2])
    arms = [s for s in sql_log if s.startswith("SELECT") and '"t1"."status" IN (?))' in s]
    assert arms and not any(WALKED in s for s in arms)  # split, not walked
    # the same rows as one query sorting both statuses
    from models import Service, User

    organisation = User.get(User.username == ADMIN).organisation_id
    expected = [
        s.id
        for s in Service.select(Service.id)
        .where(
            (Service.organisation == organisation)
            & (Service.hidden == False)  # noqa: E712
            & Service.status.in_(["active", "barred"])
        )
        .order_by(Service.monthly_ore.desc(), Service.id.desc())
    ]
    assert ids == expected and pages > 1


@pytest.mark.sqlite_only
def test_two_statuses_are_two_walks_merged(demo_app, monkeypatch, sql_log):
    import web.lists.planning

    monkeypatch.setattr(web.lists.planning, "WALK_COST", 0)
    secret, _row = make_token(ACCOUNT_ADMIN)
    response = demo_app.test_client().get(CASES[2], headers=auth(secret))
    assert response.status_code == 200
    walks = [s for s in sql_log if WALKED in s and s.startswith("SELECT") and 'FROM "service"' in s]
    assert len(walks) == 2
    monthly = [item["monthly"]["amount_ore"] for item in response.get_json()["items"]]
    assert monthly == sorted(monthly, reverse=True)
