"""API-nycklar at /company/api (issue 19 item 1): created by users.manage,
never with more permissions or a wider account than the creator holds, the
secret shown once and stored as a hash, revoked, creation and revocation
audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from models import Account, ApiToken, AuditLog, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN

SECRET = re.compile(r"tp_[A-Za-z0-9_-]{43}")


def create(client, **fields):
    data = {
        "name": "HR-systemet",
        "permissions": ["invoices.view", "services.view"],
        "account": "",
        "expires_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        **fields,
    }
    return client.post("/company/api", data=data)


def test_the_page_lists_and_creates_a_token_shown_once(demo_client, login):
    login(demo_client, ADMIN)
    page = demo_client.get("/company/api")
    assert page.status_code == 200
    assert "API-nycklar" in page.text and "Inga API-nycklar ännu." in page.text
    response = create(demo_client)
    assert response.status_code == 200
    secret = SECRET.search(response.text).group(0)
    token = ApiToken.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix, token.token_hash, token.scopes)
    assert token.scopes == "invoices.view services.view"
    assert secret.startswith(token.prefix)
    # shown once: the list afterwards shows the prefix only
    again = demo_client.get("/company/api").text
    assert secret not in again and f"{token.prefix}…" in again
    entry = AuditLog.get(AuditLog.action == "api_token.create")
    assert entry.object_id == str(token.id) and "HR-systemet" in entry.summary


def test_a_token_never_carries_more_than_its_creator(demo_client, login):
    user = login(demo_client, ADMIN)
    held = user.permission_set
    missing = sorted({"orders.approve", "users.manage", "tickets.manage"} - held)
    login(demo_client, INVOICES_ONLY)
    response = create(demo_client, permissions=["services.view"])
    # faktura@ lacks users.manage: the page itself is refused
    assert response.status_code == 403
    login(demo_client, ADMIN)
    if missing:
        response = create(demo_client, permissions=[missing[0]])
        assert "Du kan bara ge behörigheter som du själv har." in response.text
    response = create(demo_client, permissions=["no.such"])
    assert "Du kan bara ge behörigheter som du själv har." in response.text
    response = create(demo_client, permissions=[])
    assert "Välj minst en behörighet." in response.text
    assert ApiToken.select().count() == 0


def test_the_account_must_be_one_of_the_creators(demo_client, login):
    login(demo_client, ADMIN)
    other = User.get(User.username == OTHER_ORG_ADMIN)
    foreign = Account.get(Account.id == other.scope_account_id)
    response = create(demo_client, account=foreign.customer_number)
    assert "Kontot finns inte bland dina konton." in response.text
    own = (
        Account.select()
        .where(Account.parent.is_null(False))
        .where(Account.organisation == User.get(User.username == ADMIN).organisation_id)
        .first()
    )
    response = create(demo_client, account=own.customer_number)
    assert SECRET.search(response.text)
    assert ApiToken.get().account_id == own.id


def test_a_past_expiry_and_a_missing_name_are_refused_next_to_the_field(demo_client, login):
    login(demo_client, ADMIN)
    response = create(demo_client, expires_on="2000-01-01")
    assert "Ange ett datum från och med i dag." in response.text
    response = create(demo_client, name="")
    assert "Ange ett namn." in response.text
    response = create(demo_client, expires_on="inte-ett-datum")
    assert response.status_code == 200 and ApiToken.select().count() == 0


def test_revoke_is_audited_and_scoped(demo_client, login):
    login(demo_client, ADMIN)
    create(demo_client)
    token = ApiToken.get()
    login(demo_client, OTHER_ORG_ADMIN)
    assert demo_client.post(f"/company/api/{token.id}/revoke").status_code == 404
    assert ApiToken.get_by_id(token.id).revoked_at is None
    login(demo_client, ADMIN)
    response = demo_client.post(f"/company/api/{token.id}/revoke")
    assert response.status_code == 303
    assert ApiToken.get_by_id(token.id).revoked_at is not None
    assert AuditLog.select().where(AuditLog.action == "api_token.revoke").count() == 1
    assert "Återkallad" in demo_client.get("/company/api").text


def test_an_account_admin_sees_only_tokens_of_their_sub_tree(demo_client, login):
    login(demo_client, ADMIN)
    create(demo_client, name="Hela företaget")
    login(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/company/api")
    if page.status_code == 200:
        assert "Hela företaget" not in page.text


def test_a_token_is_valid_through_its_last_day_in_swedish_time(demo_client, login):
    from domain import api_tokens

    login(demo_client, ADMIN)
    day = dt.date.today() + dt.timedelta(days=10)
    create(demo_client, expires_on=day.isoformat())
    token = ApiToken.get()
    assert api_tokens.last_day(token.expires_at) == day
    assert f"t.o.m. {day.isoformat()}" in demo_client.get("/company/api").text
    # the user menu links the page for users.manage
    assert 'href="/company/api"' in demo_client.get("/").text
