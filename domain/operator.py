"""The operator's own details, in one place: the layout, the invoice PDF and
(later) the back office read them from here.

Today they come from the configuration (``OPERATOR_*`` environment
variables, see app.py and the README); when the back office makes them
editable, only :func:`current` needs to learn where else to look.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app

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

    @property
    def address_lines(self) -> list[str]:
        return [part.strip() for part in self.address.split(",") if part.strip()]

    @property
    def web_host(self) -> str:
        """The web address as printed: without scheme and trailing slash."""
        return self.web.split("://", 1)[-1].rstrip("/")


def from_config(config: Mapping) -> Operator:
    return Operator(**{field: config.get(key) or "" for field, key in CONFIG_KEYS.items()})


def current() -> Operator:
    """The operator's details as configured for the running app."""
    return from_config(current_app.config)
