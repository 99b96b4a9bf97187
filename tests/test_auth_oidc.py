"""Logga in med Microsoft (AUTH-6, issue 21 item 1) against a real OpenID
Connect provider started by the test (tests/oidc_provider.py): the code
flow with PKCE, state and nonce, ID token signature, issuer, audience and
expiry, matching by "Microsoft e-postadress", the 2FA rules and the settings."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from database import write_tx
from domain import oidc, twofactor
from models import AuditLog, CompanyProfile, Organisation, Role, User
from tests.conftest import DEMO_PASSWORD
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="module")
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh(provider):
    provider.reset()


def configure(org, provider, domains="kund.se", **extra):
    with write_tx():
        oidc.save_settings(
            org,
            None,
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            secret=CLIENT_SECRET,
            domains=oidc.domain_list(domains),
            create_users=extra.get("create_users", False),
            role_id=extra.get("role_id"),
            mfa_satisfies=extra.get("mfa_satisfies", False),
        )
    return Organisation.get_by_id(org.id)


@pytest.fixture
def org(make_org, provider):
    return configure(make_org("Kund AB"), provider)


@pytest.fixture
def anna(org, make_user):
    return make_user(org, username="anna.a@kund.se", microsoft_email="anna@kund.se")


def signed_in(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def flashes(client):
    with client.session_transaction() as session:
        return [text for _, text in session.get("_flashes", [])]


def to_provider(client, email="anna@kund.se"):
    """Type the address on the login page: the browser is sent to the provider."""
    response = client.post("/login/microsoft", data={"email": email})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = re.search(r'id="to-provider"[^>]* href="([^"]+)"', response.get_data(as_text=True))
    return html.unescape(found.group(1))


def through_provider(url):
    """The provider signs the person in and sends the browser back: the callback URL."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/microsoft/callback"
    return back.path + "?" + back.query


def sign_in(client, email="anna@kund.se"):
    return client.get(through_provider(to_provider(client, email)))


def test_success_signs_in_with_the_same_kind_of_session(client, anna, provider):
    url = to_provider(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(provider.issuer + "/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0]
    assert "code_verifier" not in query  # only its hash leaves the portal
    response = client.get(through_provider(url))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client) == anna.get_id()
    with client.session_transaction() as session:
        assert session.get("sid") and session.get("auth_at")  # as complete_login makes it
    assert client.get("/").status_code == 200
    sent = provider.token_requests[-1]
    assert sent["code_verifier"] and sent["client_secret"] == CLIENT_SECRET
    actions = [row.action for row in AuditLog.select()]
    assert "auth.oidc_login" in actions and "auth.login" in actions


def test_forged_token_is_refused(client, anna, provider):
    provider.forge = True
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert signed_in(client) is None
    assert oidc.FAILED in flashes(client)
    assert AuditLog.select().where(AuditLog.action == "auth.oidc_failed").exists()


def test_wrong_audience_is_refused(client, anna, provider):
    provider.audience = "some-other-app"
    sign_in(client)
    assert signed_in(client) is None
    assert oidc.FAILED in flashes(client)


def test_expired_token_is_refused(client, anna, provider):
    provider.exp_offset = -600  # expired ten minutes ago, beyond the leeway
    sign_in(client)
    assert signed_in(client) is None
    assert oidc.FAILED in flashes(client)


def test_wrong_nonce_is_refused(client, anna, provider):
    provider.nonce_override = "not-the-one-sent"
    sign_in(client)
    assert signed_in(client) is None


def test_replayed_state_is_refused(client, anna, provider):
    first = through_provider(to_provider(client))
    second = through_provider(to_provider(client))  # a newer sign-in replaces the state
    client.get(first)
    assert signed_in(client) is None
    assert oidc.FAILED in flashes(client)
    # The same answer twice: the state is used up after the first.
    third = through_provider(to_provider(client))
    client.get(third)
    assert signed_in(client) == anna.get_id()
    client.post("/logout")
    client.get(third)
    assert signed_in(client) is None
    assert client.get(second).headers["Location"] == "/login"
    assert signed_in(client) is None


def test_unknown_user_is_refused(client, anna, provider):
    provider.login_email = "okand@kund.se"
    sign_in(client, "okand@kund.se")
    assert signed_in(client) is None
    assert oidc.NO_USER in flashes(client)
    assert not User.select().where(User.microsoft_email == "okand@kund.se").exists()


def test_user_of_another_organisation_is_refused(client, org, make_org, make_user, provider):
    other = make_org("Annan AB")
    make_user(other, username="bo@annan.se", microsoft_email="bo@kund.se")
    provider.login_email = "bo@kund.se"
    sign_in(client, "bo@kund.se")
    assert signed_in(client) is None
    assert oidc.NO_USER in flashes(client)


def test_domain_not_allowed_is_refused(client, org, make_user, provider):
    # The provider vouches for an address outside the organisation's domains.
    make_user(org, username="eve@kund.se", microsoft_email="eve@elsewhere.se")
    provider.login_email = "eve@elsewhere.se"
    sign_in(client, "anna@kund.se")
    assert signed_in(client) is None
    assert oidc.NOT_ALLOWED in flashes(client)


def test_address_without_provider_gets_a_message_next_to_the_field(client, org):
    response = client.post("/login/microsoft", data={"email": "someone@utan.se"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "inte inloggning med Microsoft" in text and 'class="field-error"' in text
    response = client.post("/login/microsoft", data={"email": "inte en adress"})
    assert response.status_code == 400
    assert "Ange en giltig e-postadress." in response.get_data(as_text=True)


def test_unreachable_provider_gives_a_message_and_password_still_works(client, org, anna):
    with write_tx():
        Organisation.update(oidc_issuer="http://127.0.0.1:9").where(
            Organisation.id == org.id
        ).execute()
    response = client.post("/login/microsoft", data={"email": "anna@kund.se"})
    assert response.status_code == 502
    assert "Det gick inte att nå inloggningstjänsten" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "anna.a@kund.se", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and signed_in(client) == anna.get_id()


def test_misconfigured_issuer_gives_a_message(client, org, anna, provider):
    with write_tx():  # discovery answers for another issuer than the one stored
        Organisation.update(oidc_issuer=provider.issuer + "/tenant").where(
            Organisation.id == org.id
        ).execute()
    response = client.post("/login/microsoft", data={"email": "anna@kund.se"})
    assert response.status_code == 502
    assert "felaktigt inställd" in response.get_data(as_text=True)


def test_require_2fa_asks_for_enrolment_unless_provider_mfa_counts(client, org, anna, provider):
    with write_tx():
        CompanyProfile.update(require_2fa=True).where(
            CompanyProfile.organisation == org.id
        ).execute()
    provider.amr = ["pwd", "mfa"]
    response = sign_in(client)
    assert response.headers["Location"] == "/login/setup"
    assert signed_in(client) is None
    configure(org, provider, mfa_satisfies=True)
    provider.amr = ["pwd"]  # no MFA at the provider: still the portal's 2FA
    assert sign_in(client).headers["Location"] == "/login/setup"
    assert signed_in(client) is None
    provider.amr = ["pwd", "mfa"]
    assert sign_in(client).headers["Location"] == "/"
    assert signed_in(client) == anna.get_id()


def test_user_with_own_2fa_gets_the_second_step(client, anna):
    with write_tx():
        twofactor.enable_totp(anna, twofactor.new_secret(), 0)
    response = sign_in(client)
    assert response.headers["Location"] == "/login/verify"
    assert signed_in(client) is None


def test_users_created_on_first_sign_in_only_when_turned_on(client, org, provider):
    provider.login_email = "ny@kund.se"
    sign_in(client, "ny@kund.se")
    assert signed_in(client) is None
    with write_tx():
        role = Role.create(name="Läsare", permissions="services.view")
    configure(org, provider, create_users=True, role_id=role.id)
    sign_in(client, "ny@kund.se")
    user = User.get(User.microsoft_email == "ny@kund.se")
    assert user.organisation_id == org.id and user.role_id == role.id
    assert signed_in(client) == user.get_id()
    assert AuditLog.select().where(AuditLog.action == "user.created_oidc").exists()


# --------------------------------------------------------------------------- settings


def test_company_admin_edits_the_settings_and_the_secret_is_never_shown(
    client, login, make_org, make_user
):
    org = make_org("Inställning AB")
    admin = make_user(org, superuser=True)
    login(client, admin.username)
    page = client.get("/company/microsoft")
    assert page.status_code == 200 and "Klienthemlighet" in page.get_data(as_text=True)
    data = {
        "issuer": "https://login.microsoftonline.com/abc/v2.0",
        "client_id": "app-1",
        "client_secret": "topphemligt-värde",
        "domains": "Kund.se, @kund.com",
    }
    response = client.post("/company/microsoft", data=data)
    assert response.status_code == 303
    org = Organisation.get_by_id(org.id)
    assert org.oidc_domains == "kund.se kund.com" and org.oidc_client_id == "app-1"
    assert org.oidc_client_secret_enc and "topphemligt" not in org.oidc_client_secret_enc
    assert twofactor.decrypt(org.oidc_client_secret_enc) == "topphemligt-värde"
    text = client.get("/company/microsoft").get_data(as_text=True)
    assert "topphemligt" not in text and "En hemlighet är sparad" in text
    row = AuditLog.get(AuditLog.action == "organisation.oidc_changed")
    assert "topphemligt" not in (row.summary + str(row.before) + str(row.after))
    # Empty secret keeps the stored one; a bad domain is refused next to the field.
    client.post("/company/microsoft", data={**data, "client_secret": ""})
    assert twofactor.decrypt(Organisation.get_by_id(org.id).oidc_client_secret_enc)
    bad = client.post("/company/microsoft", data={**data, "domains": "inte_en domän!"})
    assert bad.status_code == 400 and "Ogiltig domän" in bad.get_data(as_text=True)
    noro = client.post("/company/microsoft", data={**data, "create_users": "y"})
    assert noro.status_code == 400 and "Välj vilken roll" in noro.get_data(as_text=True)


def test_settings_need_an_administrator(client, login, make_org, make_user):
    org = make_org("Behörighet AB")
    user = make_user(org, permissions=("services.view",))
    login(client, user.username)
    assert client.get("/company/microsoft").status_code == 403


def test_staff_edit_an_organisations_settings(client, login, make_org):
    from models import StaffUser

    org = make_org("Personal AB")
    with write_tx():
        StaffUser.create(
            username="adm@operator.se", email="adm@operator.se", name="Adm", roles="admin"
        )
    login(client, "adm@operator.se")
    assert client.get(f"/staff/organisations/{org.id}/microsoft").status_code == 200
    response = client.post(
        f"/staff/organisations/{org.id}/microsoft",
        data={
            "issuer": "https://idp.example.com",
            "client_id": "c",
            "client_secret": "s",
            "domains": "personal.se",
        },
    )
    assert response.status_code == 303
    assert oidc.provider_for_email("x@personal.se").id == org.id
    assert client.get("/staff/organisations/999999/microsoft").status_code == 404


def test_wrong_client_secret_at_the_token_endpoint_is_refused(client, org, anna):
    with write_tx():
        Organisation.update(oidc_client_secret_enc=twofactor.encrypt("fel")).where(
            Organisation.id == org.id
        ).execute()
    sign_in(client)
    assert signed_in(client) is None
    assert oidc.FAILED in flashes(client)


def test_entra_preferred_username_and_mfa_claims():
    assert oidc.claimed_email({"preferred_username": "Anna@Kund.se"}) == "anna@kund.se"
    assert oidc.claimed_email({"email": "a@b.se", "upn": "c@d.se"}) == "a@b.se"
    assert oidc.claimed_email({"sub": "x"}) == ""
    assert oidc.provider_mfa({"amr": ["pwd", "mfa"]}) and not oidc.provider_mfa({"amr": "mfa"})


def test_company_profile_links_to_the_settings(client, login, org, make_user):
    admin = make_user(org, superuser=True)
    login(client, admin.username)
    text = client.get("/company").get_data(as_text=True)
    assert "Påslagen för kund.se" in text and "/company/microsoft" in text


def test_login_page_offers_microsoft_only_when_an_organisation_uses_it(client, make_org, provider):
    assert "Logga in med Microsoft" not in client.get("/login").get_data(as_text=True)
    configure(make_org("Kund AB"), provider)
    text = client.get("/login").get_data(as_text=True)
    assert "Logga in med Microsoft" in text and 'action="/login/microsoft"' in text
    assert "Logga in med Microsoft" not in client.get("/staff/login").get_data(as_text=True)


# --------------------------------------------------------------------------- throttling


def test_address_step_is_throttled_per_client_address(client, org, anna, app, monkeypatch):
    from domain import throttle
    from tests.test_auth_lockout import Clock

    clock = Clock(monkeypatch)
    app.config["OIDC_IP_LOCK_AFTER"] = 3
    for _ in range(2):
        response = client.post("/login/microsoft", data={"email": "someone@utan.se"})
        assert response.status_code == 400
    response = client.post("/login/microsoft", data={"email": "someone@utan.se"})
    assert response.status_code == 429
    assert "tillfälligt spärrad" in response.get_data(as_text=True)
    lockouts = AuditLog.select().where(AuditLog.action == "auth.lockout")
    assert lockouts.count() == 1 and "Microsoft" in lockouts.get().summary
    # While locked even a right address is refused, with the page (not a 500).
    response = client.post("/login/microsoft", data={"email": "anna@kund.se"})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "tillfälligt spärrad i 15 minuter" in text and 'id="to-provider"' not in text
    # Another client address is not affected; passwords still work from here.
    other = client.post(
        "/login/microsoft",
        data={"email": "anna@kund.se"},
        environ_overrides={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other.status_code == 200 and 'id="to-provider"' in other.get_data(as_text=True)
    response = client.post("/login", data={"username": "anna.a@kund.se", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and signed_in(client) == anna.get_id()
    assert throttle.check(throttle.oidc_key("127.0.0.1")) is not None
    clock.advance(minutes=16)
    client.get("/logout")
    assert to_provider(client)  # the lock has expired


def test_failed_callbacks_are_counted_and_lock_the_callback(client, anna, app, provider):
    app.config["OIDC_IP_LOCK_AFTER"] = 2
    provider.forge = True
    assert sign_in(client).status_code == 302
    assert oidc.FAILED in flashes(client)
    response = sign_in(client)  # the second failure starts the lock
    assert response.status_code == 302
    assert any("tillfälligt spärrad" in text for text in flashes(client))
    provider.forge = False
    # The address step is open from another address; the answer comes back to this one.
    url = through_provider(to_provider_from(client, "10.1.1.1"))
    response = client.get(url)  # a good answer, but from the locked address
    assert response.status_code == 429 and "tillfälligt spärrad" in response.get_data(as_text=True)
    assert signed_in(client) is None
    assert AuditLog.select().where(AuditLog.action == "auth.lockout").exists()


def to_provider_from(client, address):
    response = client.post(
        "/login/microsoft",
        data={"email": "anna@kund.se"},
        environ_overrides={"REMOTE_ADDR": address},
    )
    assert response.status_code == 200
    found = re.search(r'id="to-provider"[^>]* href="([^"]+)"', response.get_data(as_text=True))
    return html.unescape(found.group(1))
