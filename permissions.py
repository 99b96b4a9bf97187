"""Permissions of portal users (SPEC §1) and the user types.

A permission key gates exactly what the SPEC table says; the UI label and
group are what "Skapa & Redigera användare" shows.
"""

from __future__ import annotations

from domain.text import N_

# (key, label, group) in the order the user form shows them.
PERMISSIONS: list[tuple[str, str, str]] = [
    ("accounts.view", N_("Se kontoöversikt"), N_("Konton")),
    ("accounts.create", N_("Skapa konton"), N_("Konton")),
    ("accounts.edit", N_("Hantera konton"), N_("Konton")),
    ("services.view", N_("Visa tjänster"), N_("Tjänster")),
    ("services.addons", N_("Hantera tilläggstjänster"), N_("Tjänster")),
    ("services.hardware", N_("Hantera hårdvara"), N_("Tjänster")),
    ("services.mex", N_("Ändra MEX-status"), N_("Tjänster")),
    ("services.move", N_("Flytta avtal"), N_("Tjänster")),
    ("services.allocate_sim", N_("Allokera SIM-kort"), N_("Tjänster")),
    ("services.external_username", N_("Hantera externa användarnamn"), N_("Tjänster")),
    ("orders.create", N_("Beställa tjänster"), N_("Beställningar")),
    ("orders.manage", N_("Hantera beställningar"), N_("Beställningar")),
    ("orders.undo", N_("Ångra beställningar"), N_("Beställningar")),
    ("orders.approve", N_("Godkänna beställningar"), N_("Beställningar")),
    ("invoices.view", N_("Visa fakturor"), N_("Fakturor")),
    ("reports.view", N_("Visa rapporter"), N_("Rapporter")),
    ("tickets.view", N_("Visa ärenden"), N_("Ärenden")),
    ("tickets.manage", N_("Hantera ärenden"), N_("Ärenden")),
    ("faults.create", N_("Skapa felanmälan"), N_("Ärenden")),
    ("users.manage", N_("Hantera användare"), N_("Användare")),
]

ALL_PERMISSIONS: frozenset[str] = frozenset(key for key, _, _ in PERMISSIONS)
PERMISSION_LABELS: dict[str, str] = {key: label for key, label, _ in PERMISSIONS}

ADMIN = "admin"  # Administratör: the organisation's top account
ACCOUNT_ADMIN = "account_admin"  # Kontoadministratör: a sub-account and below
USER_TYPE_LABELS = {ADMIN: N_("Administratör"), ACCOUNT_ADMIN: N_("Kontoadministratör")}


def parse_permissions(text: str | None) -> frozenset[str]:
    """Permissions are stored as space-separated keys; unknown keys are dropped."""
    return frozenset(text.split()) & ALL_PERMISSIONS if text else frozenset()


def format_permissions(keys) -> str:
    return " ".join(sorted(set(keys) & ALL_PERMISSIONS))


# Areas that more than one permission opens. Everyone sees their own orders
# and tickets, but only users who may work with orders or tickets see the area.
ORDER_AREA = ("orders.create", "orders.manage", "orders.undo", "orders.approve")
TICKET_AREA = ("tickets.view", "tickets.manage", "faults.create")


def holds_any(user, permissions) -> bool:
    if isinstance(permissions, str):
        return user.has(permissions)
    return any(user.has(p) for p in permissions)
