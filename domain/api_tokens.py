"""API-nycklar (issue 19): creating, revoking and authenticating the Bearer
tokens of the JSON API, and counting their requests.

A secret is ``tp_`` and 32 random bytes (URL-safe base64); only its SHA-256
is stored, which is enough for 256 random bits (as for link tokens in
domain/tokens.py). A token acts as its creator narrowed to the permissions it
carries and, when set, to its account's sub-tree: :class:`TokenUser` is that
narrowed user, and it goes through the same scope code as a signed-in one
(tables/scope.py), so the API can never see more than its creator can now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from peewee import JOIN

from database import utcnow, write_tx
from domain import audit
from domain.formats import LOCAL_TZ
from permissions import PERMISSION_LABELS, format_permissions, parse_permissions
from tables.api import ApiRateWindow, ApiTokenAddress
from tables.org import Account, ApiToken, Role, User

PREFIX = "tp_"
SHOWN_PREFIX = 10  # characters of the secret kept to tell keys apart
MAX_NAME = 100


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenUser(User):
    """The token's creator as the API sees them: the token's permissions
    (of those the creator still holds) and the token's sub-tree (when it
    still lies within the creator's). It is a User (of the creator's row,
    never saved), so domain code that records "by whom" takes it as the
    user, and scope code treats it like a signed-in one; its name says
    which key acted, for the audit log."""

    class Meta:
        table_name = "user"

    token = None

    @classmethod
    def of(cls, token: ApiToken, user: User, scope_account: Account) -> TokenUser:
        principal = cls(**user.__data__)
        principal._creator = user
        principal.token = token
        principal.scope_account = scope_account  # the sub-tree scope code reads
        principal.role = None
        principal.name = f"{user.name} (API-nyckel {token.name})"
        principal._permissions = parse_permissions(token.scopes) & user.permission_set
        principal._dirty.clear()
        return principal

    @property
    def creator(self) -> User:
        return self._creator

    @property
    def permission_set(self) -> frozenset[str]:
        return self._permissions

    @property
    def is_superuser(self) -> bool:
        return False

    def has(self, permission: str) -> bool:
        return permission in self._permissions

    def get_id(self) -> str:
        return f"t:{self.token.id}"

    def narrowed(self, model, account_field=None):
        """SQL keeping ``model``'s rows to the token's sub-tree: the portal
        lets a user see their own orders and tickets wherever they lie, but
        a token limited to a sub-tree sees nothing outside it."""
        from peewee import SQL

        from tables.scope import scope_condition

        if self.token.account_id is None:
            return SQL("1 = 1")
        return scope_condition(model, self, account_field or model.account)

    def save(self, *args, **kwargs):
        raise RuntimeError("a token's user is never saved")


def grantable(creator: User) -> list[tuple[str, str]]:
    """(key, label) of the permissions ``creator`` may put on a token."""
    return [(key, label) for key, label in PERMISSION_LABELS.items() if creator.has(key)]


def end_of_day(day: dt.date) -> dt.datetime:
    """The UTC moment a token valid "till och med" ``day`` (Swedish time) expires."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def last_day(expires_at: dt.datetime) -> dt.date:
    """The last day (Swedish time) a token expiring at ``expires_at`` is valid."""
    local = expires_at.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    return (local - dt.timedelta(seconds=1)).date()


def create(creator: User, name: str, permissions, account: Account | None, expires_on):
    """A new token of ``creator``; returns (row, secret). The secret is not
    stored: show it once. Raises ValueError naming the field when a
    permission exceeds the creator's or the account lies outside their
    scope. Call inside ``write_tx``."""
    wanted = set(permissions)
    if not wanted:
        raise ValueError("permissions")
    if any(not creator.has(p) for p in wanted) or not parse_permissions(" ".join(wanted)) >= wanted:
        raise ValueError("permissions")
    if account is not None and (
        account.organisation_id != creator.organisation_id
        or not account.is_within(creator.scope_account)
    ):
        raise ValueError("account")
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = end_of_day(expires_on) if expires_on is not None else None
    row = ApiToken.create(
        organisation=creator.organisation_id,
        user=creator.id,
        account=account.id if account is not None else None,
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        token_hash=_hash(secret),
        scopes=format_permissions(wanted),
        expires_at=expires_at,
    )
    audit.record(
        "api_token.create",
        row,
        summary=f"API-nyckel skapad: {name}",
        after={
            "name": name,
            "permissions": row.scopes,
            "account": account.customer_number if account is not None else None,
            "expires_at": expires_at,
        },
        organisation=creator.organisation_id,
    )
    return row, secret


def revoke(token: ApiToken) -> bool:
    """Revoke ``token``; False when it already was. Inside ``write_tx``."""
    done = (
        ApiToken.update(revoked_at=utcnow())
        .where((ApiToken.id == token.id) & ApiToken.revoked_at.is_null())
        .execute()
    )
    if done:
        audit.record(
            "api_token.revoke",
            token,
            summary=f"API-nyckel återkallad: {token.name}",
            organisation=token.organisation_id,
        )
    return bool(done)


def tokens_of(organisation_id: int):
    """The organisation's tokens, newest first, with creator and account."""
    return (
        ApiToken.select(ApiToken, User, Account)
        .join(User, on=(ApiToken.user == User.id))
        .switch(ApiToken)
        .join(Account, JOIN.LEFT_OUTER, on=(ApiToken.account == Account.id))
        .where(ApiToken.organisation == organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


# Why a Bearer secret opens nothing, for the 401's detail.
MISSING = "missing"
UNKNOWN = "unknown"
EXPIRED = "expired"
REVOKED = "revoked"
INACTIVE = "inactive"


def authenticate(secret: str | None) -> tuple[TokenUser | None, str | None]:
    """(the token's user, None), or (None, why not)."""
    if not secret:
        return None, MISSING
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None, UNKNOWN
    token = ApiToken.get_or_none(ApiToken.token_hash == _hash(secret))
    if token is None:
        return None, UNKNOWN
    if token.revoked_at is not None:
        return None, REVOKED
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None, EXPIRED
    user = (
        User.select(User, Account, Role)
        .join(Account, on=(User.scope_account == Account.id))
        .switch(User)
        .join(Role, JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .where(User.id == token.user_id)
        .get_or_none()
    )
    if user is None or not user.active or user.removed_at is not None:
        return None, INACTIVE
    scope = user.scope_account
    if token.account_id is not None:
        account = Account.get_or_none(Account.id == token.account_id)
        if account is None or not account.is_within(scope):
            return None, INACTIVE  # the creator no longer reaches the sub-tree
        scope = account
    return TokenUser.of(token, user, scope), None


def minute(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def count_request(token: ApiToken, ip: str, now: dt.datetime | None = None) -> int:
    """Count one request of ``token`` in this minute and note its use
    (time, address; a new address is audited). Returns the minute's count,
    this request included. One write transaction, shared by all workers."""
    now = now or utcnow()
    window = minute(now)
    with write_tx():
        ApiRateWindow.insert(token=token.id, window=window, count=1).on_conflict(
            conflict_target=[ApiRateWindow.token, ApiRateWindow.window],
            update={ApiRateWindow.count: ApiRateWindow.count + 1},
        ).execute()
        count = (
            ApiRateWindow.select(ApiRateWindow.count)
            .where((ApiRateWindow.token == token.id) & (ApiRateWindow.window == window))
            .scalar()
        )
        if count == 1:  # the minute's first request clears the earlier minutes
            ApiRateWindow.delete().where(
                (ApiRateWindow.token == token.id) & (ApiRateWindow.window < window)
            ).execute()
        ApiToken.update(last_used_at=now, last_used_ip=ip).where(ApiToken.id == token.id).execute()
        if ip and token.last_used_ip != ip:
            known = (
                ApiTokenAddress.select()
                .where((ApiTokenAddress.token == token.id) & (ApiTokenAddress.ip == ip))
                .exists()
            )
            if not known:  # write_tx serialises writers: no second insert races this
                ApiTokenAddress.create(token=token.id, ip=ip, first_seen_at=now)
                audit.record(
                    "api_token.new_address",
                    token,
                    summary=f"API-nyckel {token.name} använd från ny adress {ip}",
                    after={"ip": ip},
                    organisation=token.organisation_id,
                )
    return count
