"""The operator's own details, in one place: the layout, the e-mails, the
invoice PDF and the back office read them from here (UI-10).

Staff set them in the back office (/staff/branding); they are kept in the
``Setting`` table under ``operator.<field>``. A field not set there falls
back to the configuration (``OPERATOR_*`` environment variables, see app.py
and the README), so a fresh installation looks as it did before. The logo
and the primary colour are branding only (domain/branding.py checks them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from flask import current_app, has_app_context
from peewee import DatabaseError, InterfaceError

from database import db

# Configuration key of each field.
CONFIG_KEYS = {
    "name": "OPERATOR_NAME",
    "address": "OPERATOR_ADDRESS",
    "org_number": "OPERATOR_ORG_NUMBER",
    "vat_number": "OPERATOR_VAT_NUMBER",
    "bankgiro": "OPERATOR_BANKGIRO",
    "plusgiro": "OPERATOR_PLUSGIRO",
    "phone": "OPERATOR_PHONE",
    "email": "OPERATOR_EMAIL",
    "web": "OPERATOR_WEB",
    "support_url": "OPERATOR_SUPPORT_URL",
}

# Setting keys: the fields above plus the branding ones (no configuration).
SETTING_PREFIX = "operator."
BRANDING_FIELDS = ("colour", "logo_type", "logo_version")
LOGO_KEY = "operator.logo"  # base64 of the logo file (read only by its route)


@dataclass(frozen=True)
class Operator:
    name: str
    address: str = ""  # lines separated by commas: "Box 123, 901 10 Umeå"
    org_number: str = ""  # "556677-8899"
    vat_number: str = ""  # momsregistreringsnummer "SE556677889901"
    bankgiro: str = ""
    plusgiro: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""
    support_url: str = ""
    colour: str = ""  # primary colour "#rrggbb"; "" for the stylesheet's own
    logo_type: str = ""  # "image/png" or "image/svg+xml"; "" for the default logo
    logo_version: str = ""  # changes with every new logo (cache busting)

    @property
    def address_lines(self) -> list[str]:
        return [part.strip() for part in self.address.split(",") if part.strip()]

    @property
    def web_host(self) -> str:
        """The web address as printed: without scheme and trailing slash."""
        return self.web.split("://", 1)[-1].rstrip("/")

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_type)


def from_config(config: Mapping) -> Operator:
    return Operator(**{field: config.get(key) or "" for field, key in CONFIG_KEYS.items()})


def stored_settings() -> dict[str, str]:
    """The operator fields set in the back office (field → value)."""
    from tables.ops import Setting

    query = Setting.select(Setting.key, Setting.value).where(
        Setting.key.startswith(SETTING_PREFIX) & (Setting.key != LOGO_KEY)
    )
    return {key[len(SETTING_PREFIX) :]: value for key, value in query.tuples()}


def resolve(config: Mapping, stored: Mapping[str, str]) -> Operator:
    """The configured details with what staff set (non-empty) on top."""
    base = from_config(config)
    known = set(CONFIG_KEYS) | set(BRANDING_FIELDS)
    return replace(base, **{k: v for k, v in stored.items() if k in known and v})


# Where current() may keep what it read: a dict for the length of one HTTP
# request, handed over by web/requestcontext.py (domain/ never reads Flask's
# request); None elsewhere — a worker's or the CLI's app context lives long,
# so nothing is kept there.
def _no_store() -> dict | None:
    return None


_request_store: Callable[[], dict | None] = _no_store


def set_request_store(provider: Callable[[], dict | None]) -> None:
    global _request_store
    _request_store = provider


def current() -> Operator:
    """The operator's details for the running app: the back office's
    settings over the configuration, read once per request."""
    if not has_app_context():  # a script outside the app: the environment only
        return from_config(
            {**os.environ, "OPERATOR_NAME": os.environ.get("OPERATOR_NAME") or "Teleportal"}
        )
    store = _request_store()
    if store is not None and "operator" in store:
        return store["operator"]
    if store is not None and db.is_closed():
        # The request dropped its connection (the 503 page): do not reopen it.
        return from_config(current_app.config)
    try:
        stored = stored_settings()
    except (DatabaseError, InterfaceError):
        # The database is away (the 503 page still needs a name and phone).
        return from_config(current_app.config)
    operator = resolve(current_app.config, stored)
    if store is not None:
        store["operator"] = operator
    return operator


def forget() -> None:
    """Drop the cached details (after a change in the same request)."""
    store = _request_store()
    if store is not None:
        store.pop("operator", None)
