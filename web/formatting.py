"""Swedish formats for templates (UI-7) and what every page's layout needs.

Amounts "1 234,00 kr", dates ISO "2022-04-10", times "2021-12-03 11:35" or
"Idag kl 14:26" in Europe/Stockholm (timestamps are stored in UTC).
"""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from domain import operator as operators
from domain import themes
from domain.formats import (  # noqa: F401 (re-exported for blueprints)
    LOCAL_TZ,
    amount,
    duration,
    gigabytes,
    isodate,
    kr,
    local,
    phone,
    phone_range,
    stamp,
    when,
)
from domain.numbers import format_org_number
from permissions import ORDER_AREA, TICKET_AREA, holds_any
from web.i18n import N_

# (label, endpoint, permission(s) or None) in menu order (UI-2). An item
# shows when its area is installed and the user holds one of the permissions.
MAIN_MENU = [
    (N_("Översikt"), "dashboard.index", None),
    (N_("Konton"), "accounts.index", "accounts.view"),
    (N_("Tjänster"), "services.index", "services.view"),
    (N_("Beställningar"), "orders.index", ORDER_AREA),
    (N_("Fakturor"), "invoices.index", "invoices.view"),
    (N_("Rapporter"), "reports.index", "reports.view"),
    (N_("Ärenden"), "tickets.index", TICKET_AREA),
    (N_("Användare"), "users.index", "users.manage"),
]


# The back office menu (staff users): the day's work in the bar, the less
# used pages under "Mer" (a drop-down), so the bar fits on one row.
STAFF_MENU = [
    (N_("Översikt"), "staff.index"),
    (N_("Ärenden"), "staff.tickets"),
    (N_("Ändringar"), "staff.changes"),
    (N_("Beställningar"), "staff.orders"),
    (N_("Kunder"), "staff.organisations"),
]
STAFF_MORE_MENU = [
    (N_("Avtal"), "staff.agreements"),
    (N_("Produkter"), "staff.catalogue"),
    (N_("Driftinformation"), "staff.outages"),
    (N_("Utkorg"), "staff.outbox"),  # shows once the page exists
    (N_("Fakturaimport"), "staff.billing"),
]

# The user menu (Användarmeny) below the user's name.
USER_MENU = [
    (N_("Min profil"), "profile.index", None),
    (N_("Rapportera fel"), "profile.report_bug", None),
    (N_("Företagsprofil"), "company.profile", "users.manage"),
    (N_("Granskningslogg"), "audit.index", "users.manage"),
    (N_("API-nycklar"), "company.api_tokens_page", "users.manage"),
]

# The back office's user menu: the employee's own security, and what the
# operator's administration is about rather than the day's work (as the
# customers' Företagsprofil and Granskningslogg sit in theirs).
STAFF_USER_MENU = [
    (N_("Säkerhet och inloggning"), "staff.security"),
    (N_("Personal"), "staff.users"),
    (N_("Inställningar"), "staff.branding"),
    (N_("Granskningslogg"), "staff.audit"),
]


def visible_menu():
    """Main menu entries (label, endpoint) the signed-in user may open."""
    endpoints = current_app.view_functions
    user = current_user
    if not user.is_authenticated:
        return []
    if user.is_staff:
        return [
            (label, endpoint)
            for label, endpoint in STAFF_MENU
            if endpoint in endpoints and staff_may_open(user, endpoints[endpoint])
        ]
    return [
        (label, endpoint)
        for label, endpoint, permission in MAIN_MENU
        if endpoint in endpoints and (permission is None or holds_any(user, permission))
    ]


def visible_more_menu():
    """The back office's "Mer" entries (label, endpoint) the employee may
    open; none for customers, whose menu has no "Mer"."""
    endpoints = current_app.view_functions
    user = current_user
    if not user.is_authenticated or not user.is_staff:
        return []
    return [
        (label, endpoint)
        for label, endpoint in STAFF_MORE_MENU
        if endpoint in endpoints and staff_may_open(user, endpoints[endpoint])
    ]


def staff_may_open(staff, view) -> bool:
    """Whether the employee holds a role the view asks for (web.auth.staff_required)."""
    roles = getattr(view, "staff_roles", ())
    return not roles or staff.has_role(*roles)


# Back-office pages without a menu entry of their own, under the entry
# they are reached from (by endpoint prefix).
STAFF_SUBPAGES = {
    "staff.outages": ("staff.notices",),
    "staff.agreements": ("staff.pricelist",),
    "staff.billing": ("staff.billing_charges",),
}


def is_current(endpoint: str) -> bool:
    """Whether a menu entry is the page shown: same blueprint for the portal;
    for the back office, endpoints share the entry's name as prefix
    (``staff.tickets``, ``staff.tickets_detail``), are its singular, the
    page of one (``staff.organisation`` under ``staff.organisations``), or
    sit under it by STAFF_SUBPAGES."""
    current = request.endpoint or ""
    if endpoint.startswith("staff."):
        if endpoint.endswith("s") and current == endpoint[:-1]:
            return True
        if current.startswith(STAFF_SUBPAGES.get(endpoint, ())):
            return True
        return current == endpoint or (endpoint != "staff.index" and current.startswith(endpoint))
    return current.split(".")[0] == endpoint.split(".")[0]


def visible_user_menu():
    endpoints = current_app.view_functions
    user = current_user
    if not user.is_authenticated:
        return []
    if user.is_staff:
        return [
            (label, endpoint)
            for label, endpoint in STAFF_USER_MENU
            if endpoint in endpoints and staff_may_open(user, endpoints[endpoint])
        ]
    if getattr(user, "pin_account", None) is not None:
        return []  # kundnummer + PIN (web/pinsession.py): nothing of a user's own
    return [
        (label, endpoint)
        for label, endpoint, permission in USER_MENU
        if endpoint in endpoints and (permission is None or user.has(permission))
    ]


def url_if(endpoint: str, **values) -> str | None:
    """The URL of ``endpoint``, or None while that page does not exist yet
    or, for an employee, needs a role they do not hold (staff roles)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    user = current_user
    if user.is_authenticated and user.is_staff and not staff_may_open(user, view):
        return None
    return url_for(endpoint, **values)


def thousands(value) -> str:
    """1234 → "1 234" (a no-break space between the groups, as in Swedish)."""
    try:
        return f"{int(value):,}".replace(",", "\u00a0")
    except (TypeError, ValueError):
        return ""


def init_app(app):
    app.jinja_env.filters.update(
        thousands=thousands,
        amount=amount,
        kr=kr,
        isodate=isodate,
        stamp=stamp,
        when=when,
        gigabytes=gigabytes,
        duration=duration,
        phone=phone,
        phone_range=phone_range,
        orgnr=format_org_number,
    )
    app.jinja_env.globals.update(
        visible_menu=visible_menu,
        visible_more_menu=visible_more_menu,
        visible_user_menu=visible_user_menu,
        is_current=is_current,
        url_if=url_if,
        get_locale=get_locale,
        theme_of=themes.theme_of,
    )

    @app.context_processor
    def operator():
        return {"operator": operators.current(), "current_endpoint": request.endpoint}
