"""Sign in with Microsoft (AUTH-6, issue 21 item 1): OpenID Connect per organisation.

An organisation's administrator (or staff) stores its identity provider:
issuer URL, client id, client secret (encrypted, never shown again), the
e-mail domains it answers for, whether unknown people get a user on their
first sign-in (off by default; then with the role named) and whether the
provider's MFA satisfies the organisation's require-2FA rule (off by default).

The flow is the authorization code flow with PKCE (S256), ``state`` and
``nonce``: ``start`` returns the provider's URL and the values the caller
keeps (in the session); ``finish`` checks the state, exchanges the code,
verifies the ID token (signature against the provider's JWKS, issuer,
audience, expiry, nonce) and finds the user by the stored "Microsoft
e-postadress". Discovery, token and JWKS come from the provider over HTTPS
with a short timeout; any failure is an ``OidcError`` with a message for the
login page.

Authlib provides PKCE and the random values; its successor ``joserfc`` (by
the same author, what ``authlib.jose`` now defers to) verifies the token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from database import utcnow
from domain import audit, throttle, twofactor
from domain.text import N_, T_
from tables.org import Contact, Organisation, Role, User

HTTP_TIMEOUT = 8  # seconds for each call to the provider
FLOW_SECONDS = 600  # time to finish the sign-in at the provider
UNREACHABLE = N_(
    "Det gick inte att nå inloggningstjänsten hos Microsoft. "
    "Försök igen senare eller logga in med lösenord."
)
MISCONFIGURED = N_(
    "Inloggning med Microsoft är felaktigt inställd för din organisation. "
    "Kontakta din administratör eller logga in med lösenord."
)
FAILED = N_("Inloggningen med Microsoft kunde inte slutföras. Försök igen.")
NO_USER = N_(
    "Det finns ingen användare kopplad till ditt Microsoft-konto. "
    "Be din administratör ange din Microsoft e-postadress."
)
NOT_ALLOWED = N_("Ditt Microsoft-konto hör inte till en domän som får logga in här.")


class OidcError(Exception):
    """A sign-in that cannot go on; ``str()`` is the message for the user."""


# --------------------------------------------------------------------------- settings


def throttled(address: str) -> str | None:
    """The message when Microsoft sign-in from this address must wait, else None.

    Asked before the address step and the callback: failed Microsoft steps
    (``ip:oidc:``) and failed passwords (``ip:``) from the address both count.
    """
    refusal = throttle.check(throttle.ip_key(address), throttle.oidc_key(address))
    if refusal is None:
        return None
    minutes = max(1, -(-(refusal.seconds - 1) // 60))  # check() adds a second
    if minutes == 1:
        return T_(
            "För många misslyckade inloggningsförsök från din adress. Inloggning med Microsoft "
            "är tillfälligt spärrad i 1 minut. Försök igen senare."
        )
    return T_(
        "För många misslyckade inloggningsförsök från din adress. Inloggning med Microsoft "
        "är tillfälligt spärrad i %(minutes)s minuter. Försök igen senare.",
        minutes=minutes,
    )


def count_failure(address: str) -> str | None:
    """Count a failed Microsoft step from this address (own transaction);
    the lockout message when this failure started one."""
    from database import write_tx

    with write_tx():
        lock = throttle.record_address_failure(
            throttle.oidc_key(address), address, "OIDC_IP_LOCK_AFTER", "Inloggning med Microsoft"
        )
    return throttled(address) if lock else None


def domain_list(text: str) -> list[str]:
    """Domains from free text (spaces, commas, new lines), lower case, no '@'."""
    parts = (text or "").replace(",", " ").replace(";", " ").split()
    seen: list[str] = []
    for part in parts:
        part = part.strip().lstrip("@").lower().rstrip(".")
        if part and part not in seen:
            seen.append(part)
    return seen


def bad_domains(domains: list[str]) -> list[str]:
    import re

    pattern = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
    return [d for d in domains if not pattern.match(d)]


def configured(org: Organisation) -> bool:
    return bool(org.oidc_issuer and org.oidc_client_id and org.oidc_domains)


def settings_view(org: Organisation) -> dict:
    """What the settings pages show (never the secret)."""
    role = Role.get_or_none(Role.id == org.oidc_create_role_id) if org.oidc_create_role_id else None
    return {
        "issuer": org.oidc_issuer or "",
        "client_id": org.oidc_client_id or "",
        "has_secret": bool(org.oidc_client_secret_enc),
        "domains": org.oidc_domains or "",
        "create_users": org.oidc_create_users,
        "role": role.name if role else "",
        "mfa_satisfies": org.oidc_mfa_satisfies,
        "configured": configured(org),
    }


def role_choices(org: Organisation) -> list[tuple[int, str]]:
    """Roles a user created on first sign-in may get (never Superuser)."""
    query = (
        Role.select()
        .where(
            (Role.organisation.is_null() | (Role.organisation == org.id))
            & (Role.is_superuser == False)  # noqa: E712
        )
        .order_by(Role.name)
    )
    return [(role.id, role.name) for role in query]


def save_settings(
    org: Organisation,
    actor,
    *,
    issuer: str,
    client_id: str,
    secret: str | None,
    domains: list[str],
    create_users: bool,
    role_id: int | None,
    mfa_satisfies: bool,
) -> None:
    """Store the settings and audit them; inside ``write_tx``. ``secret``
    None or empty keeps the stored one. Empty issuer turns the sign-in off."""
    before = settings_view(org)
    issuer = (issuer or "").strip().rstrip("/")
    fields = {
        "oidc_issuer": issuer or None,
        "oidc_client_id": (client_id or "").strip() or None,
        "oidc_domains": " ".join(domains),
        "oidc_create_users": bool(create_users),
        "oidc_create_role_id": role_id if create_users else None,
        "oidc_mfa_satisfies": bool(mfa_satisfies),
    }
    if not issuer:
        fields["oidc_client_secret_enc"] = None
    elif secret:
        fields["oidc_client_secret_enc"] = twofactor.encrypt(secret)
    Organisation.update(**fields).where(Organisation.id == org.id).execute()
    for name, value in fields.items():
        setattr(org, name, value)
    after = settings_view(org)
    if secret:
        after["secret_changed"] = True
    audit.record(
        "organisation.oidc_changed",
        org,
        summary="Inloggning med Microsoft ändrad"
        if issuer
        else "Inloggning med Microsoft avstängd",
        before=before,
        after=after,
        organisation=org.id,
        actor=actor,
    )


def any_configured() -> bool:
    """Whether any active organisation signs in with Microsoft (the login page
    offers the button only then)."""
    return (
        Organisation.select()
        .where(
            Organisation.active
            & Organisation.oidc_issuer.is_null(False)
            & Organisation.oidc_client_id.is_null(False)
            & (Organisation.oidc_domains != "")
        )
        .exists()
    )


def provider_for_email(email: str) -> Organisation | None:
    """The active organisation whose provider answers for ``email``'s domain."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1]
    if not domain:
        return None
    candidates = Organisation.select().where(
        Organisation.active
        & Organisation.oidc_issuer.is_null(False)
        & Organisation.oidc_client_id.is_null(False)
        & Organisation.oidc_domains.contains(domain)
    )
    for org in candidates:
        if domain in org.oidc_domains.split():
            return org
    return None


# --------------------------------------------------------------------------- provider calls


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise OidcError(UNREACHABLE) from exc
    if response.status_code != 200:
        raise OidcError(UNREACHABLE if response.status_code >= 500 else MISCONFIGURED)
    try:
        data = response.json()
    except ValueError as exc:
        raise OidcError(MISCONFIGURED) from exc
    if not isinstance(data, dict):
        raise OidcError(MISCONFIGURED)
    return data


def _local_http(url: str) -> bool:
    """Plain HTTP only to this machine (a provider started by the tests)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def discover(org: Organisation) -> dict:
    """The provider's metadata, checked against the configured issuer."""
    issuer = (org.oidc_issuer or "").rstrip("/")
    if not (issuer.startswith("https://") or _local_http(issuer)):
        raise OidcError(MISCONFIGURED)
    meta = _get_json(issuer + "/.well-known/openid-configuration")
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if any(not isinstance(meta.get(key), str) for key in needed):
        raise OidcError(MISCONFIGURED)
    if meta["issuer"].rstrip("/") != issuer:
        raise OidcError(MISCONFIGURED)
    return meta


@dataclass(frozen=True)
class Start:
    url: str
    state: dict  # kept by the caller until the provider sends the browser back


def start(org: Organisation, redirect_uri: str, login_hint: str = "") -> Start:
    meta = discover(org)
    state = generate_token(32)
    nonce = generate_token(32)
    verifier = generate_token(64)
    params = {
        "response_type": "code",
        "client_id": org.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    endpoint = meta["authorization_endpoint"]
    joiner = "&" if "?" in endpoint else "?"
    return Start(
        url=endpoint + joiner + urlencode(params),
        state={
            "org": org.id,
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "exp": int(time.time()) + FLOW_SECONDS,
        },
    )


def _exchange(org: Organisation, meta: dict, code: str, verifier: str, redirect_uri: str) -> str:
    secret = twofactor.decrypt(org.oidc_client_secret_enc) or ""
    try:
        response = requests.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": org.oidc_client_id,
                "client_secret": secret,
                "code_verifier": verifier,
            },
            headers={"Accept": "application/json"},
            timeout=HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise OidcError(UNREACHABLE) from exc
    if response.status_code != 200:
        raise OidcError(FAILED)
    try:
        token = response.json().get("id_token")
    except (ValueError, AttributeError) as exc:
        raise OidcError(FAILED) from exc
    if not isinstance(token, str):
        raise OidcError(FAILED)
    return token


def verify_id_token(org: Organisation, meta: dict, id_token: str, nonce: str) -> dict:
    """The claims of ``id_token`` after checking signature, issuer, audience,
    expiry and nonce; ``OidcError(FAILED)`` otherwise."""
    jwks = _get_json(meta["jwks_uri"])
    try:
        keys = KeySet.import_key_set(jwks)
        token = jwt.decode(id_token, keys, algorithms=["RS256", "RS384", "RS512", "ES256"])
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": org.oidc_client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise OidcError(FAILED) from exc
    claims = token.claims
    azp = claims.get("azp")
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and azp != org.oidc_client_id:
        raise OidcError(FAILED)
    return claims


def claimed_email(claims: dict) -> str:
    """The address the provider vouches for: ``email``, else Entra's
    ``preferred_username`` / ``upn``."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return ""


def provider_mfa(claims: dict) -> bool:
    """Whether the provider says a second factor was used (``amr`` has ``mfa``)."""
    amr = claims.get("amr")
    return isinstance(amr, list) and "mfa" in amr


@dataclass(frozen=True)
class Result:
    user: User
    mfa: bool  # the provider's MFA counts for the organisation's require-2FA


def finish(saved: dict | None, args: dict, redirect_uri: str) -> Result:
    """Check the answer from the provider; inside no transaction (HTTP first),
    the writes (a user created on first sign-in, audit) in their own."""
    from database import write_tx

    if not saved or saved.get("exp", 0) < time.time():
        raise OidcError(N_("Inloggningen tog för lång tid eller avbröts. Försök igen."))
    if not args.get("state") or args.get("state") != saved.get("state"):
        raise OidcError(FAILED)
    if args.get("error"):
        raise OidcError(FAILED)
    code = args.get("code")
    if not code:
        raise OidcError(FAILED)
    org = Organisation.get_or_none(Organisation.id == saved.get("org"))
    if org is None or not configured(org) or not org.active:
        raise OidcError(MISCONFIGURED)
    meta = discover(org)
    id_token = _exchange(org, meta, code, saved.get("verifier", ""), redirect_uri)
    try:
        claims = verify_id_token(org, meta, id_token, saved.get("nonce", ""))
    except OidcError:
        with write_tx():
            audit.record(
                "auth.oidc_failed",
                org,
                summary="Inloggning med Microsoft nekad: ID-token kunde inte verifieras",
                organisation=org.id,
            )
        raise
    email = claimed_email(claims)
    domain = email.rsplit("@", 1)[1] if email else ""
    if not domain or domain not in org.oidc_domains.split():
        _refuse(org, f"domänen {domain or '(ingen)'} är inte tillåten")
        raise OidcError(NOT_ALLOWED)
    user = (
        User.select()
        .where(
            (User.organisation == org.id)
            & (User.microsoft_email == email)
            & User.removed_at.is_null()
        )
        .first()
    )
    if user is None:
        if org.oidc_create_users and org.oidc_create_role_id:
            with write_tx():
                user = _create_user(org, email, claims)
        else:
            _refuse(org, f"ingen användare med Microsoft e-postadress {email}")
            raise OidcError(NO_USER)
    if not user.active:
        _refuse(org, f"användaren {user.username} är inaktiverad")
        raise OidcError(NO_USER)
    with write_tx():
        audit.record(
            "auth.oidc_login",
            user,
            summary=f"Inloggning med Microsoft ({email})"
            + (", MFA hos Microsoft" if provider_mfa(claims) else ""),
            organisation=org.id,
            actor=user,
        )
    return Result(user=user, mfa=org.oidc_mfa_satisfies and provider_mfa(claims))


def _refuse(org: Organisation, why: str) -> None:
    from database import write_tx

    with write_tx():
        audit.record(
            "auth.oidc_failed",
            org,
            summary=f"Inloggning med Microsoft nekad: {why}"[:250],
            organisation=org.id,
        )


def _create_user(org: Organisation, email: str, claims: dict) -> User:
    """A user created on first sign-in (only when the organisation allows it)."""
    role = Role.get_by_id(org.oidc_create_role_id)
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    name = (name or email.split("@")[0])[:120]
    username = email
    if User.select().where(User.username == username).exists():
        raise OidcError(NO_USER)  # the name belongs to someone else
    top = org.top_account()
    contact = Contact.create(organisation=org.id, account=top.id, name=name, email=email)
    user = User.create(
        organisation=org.id,
        contact=contact,
        scope_account=top.id,
        role=role,
        username=username,
        email=email,
        name=name,
        microsoft_email=email,
        password_hash=None,
        permissions=role.permissions,
        created_at=utcnow(),
    )
    audit.record(
        "user.created_oidc",
        user,
        summary=f"Användare {email} skapad vid första inloggningen med Microsoft (roll {role.name})",
        after={"username": email, "role": role.name},
        organisation=org.id,
        actor=user,
    )
    return user
