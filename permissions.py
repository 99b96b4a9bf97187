"""Permissions of portal users (SPEC §1) and the user types.

A permission key gates exactly what the SPEC table says; the UI label and
group are what "Skapa & Redigera användare" shows.
"""

from __future__ import annotations

# (key, label, group) in the order the user form shows them.
PERMISSIONS: list[tuple[str, str, str]] = [
    ("accounts.view", "Se kontoöversikt", "Konton"),
    ("accounts.create", "Skapa konton", "Konton"),
    ("accounts.edit", "Hantera konton", "Konton"),
    ("services.view", "Visa tjänster", "Tjänster"),
    ("services.addons", "Hantera tilläggstjänster", "Tjänster"),
    ("services.hardware", "Hantera hårdvara", "Tjänster"),
    ("services.mex", "Ändra MEX-status", "Tjänster"),
    ("services.move", "Flytta avtal", "Tjänster"),
    ("services.allocate_sim", "Allokera SIM-kort", "Tjänster"),
    ("services.external_username", "Hantera externa användarnamn", "Tjänster"),
    ("orders.create", "Beställa tjänster", "Beställningar"),
    ("orders.manage", "Hantera beställningar", "Beställningar"),
    ("orders.undo", "Ångra beställningar", "Beställningar"),
    ("orders.approve", "Godkänna beställningar", "Beställningar"),
    ("invoices.view", "Visa fakturor", "Fakturor"),
    ("reports.view", "Visa rapporter", "Rapporter"),
    ("tickets.view", "Visa ärenden", "Ärenden"),
    ("tickets.manage", "Hantera ärenden", "Ärenden"),
    ("faults.create", "Skapa felanmälan", "Ärenden"),
    ("users.manage", "Hantera användare", "Användare"),
]

ALL_PERMISSIONS: frozenset[str] = frozenset(key for key, _, _ in PERMISSIONS)
PERMISSION_LABELS: dict[str, str] = {key: label for key, label, _ in PERMISSIONS}

ADMIN = "admin"  # Administratör: the organisation's top account
ACCOUNT_ADMIN = "account_admin"  # Kontoadministratör: a sub-account and below
USER_TYPE_LABELS = {ADMIN: "Administratör", ACCOUNT_ADMIN: "Kontoadministratör"}


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
