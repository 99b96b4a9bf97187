"""Genvägar (GRP-5): a user's named links to pages of this portal.

A shortcut is a path of the portal with its query string ("/services?f_kind=mobile"),
never a whole address: anything with a scheme, a host, ``//``, a backslash or a
control character is refused here, and the web layer also checks that the path
is a page (a GET route) of the portal. Shortcuts are personal: they change
nothing anyone else sees, so they are not audited.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from database import write_tx
from tables.org import Shortcut

MAX_PER_USER = 30
MAX_TITLE = 100
MAX_URL = 2000

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class ShortcutError(ValueError):
    """Why a shortcut cannot be saved; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def path_error(url: str) -> str | None:
    """Why ``url`` is not a path of this portal (by its form alone), or None."""
    if not url:
        return "Ange adressen."
    if len(url) > MAX_URL:
        return f"Adressen får vara högst {MAX_URL} tecken."
    if _CONTROL.search(url) or "\\" in url or " " in url:
        return "Adressen innehåller otillåtna tecken."
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return "En genväg kan bara gå till en sida i portalen, inte till en annan webbplats."
    return None


def for_user(user) -> list[Shortcut]:
    return list(
        Shortcut.select().where(Shortcut.user == user.id).order_by(Shortcut.position, Shortcut.id)
    )


def exists(user, url: str) -> bool:
    return Shortcut.select().where((Shortcut.user == user.id) & (Shortcut.url == url)).exists()


def get_own(user, shortcut_id: int) -> Shortcut | None:
    return Shortcut.get_or_none((Shortcut.id == shortcut_id) & (Shortcut.user == user.id))


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ShortcutError("Ange ett namn.", "title")
    if len(title) > MAX_TITLE:
        raise ShortcutError(f"Namnet får vara högst {MAX_TITLE} tecken.", "title")
    return title


def create(user, title: str, url: str) -> Shortcut:
    title = _title(title)
    error = path_error(url)
    if error:
        raise ShortcutError(error, "url")
    with write_tx():
        existing = for_user(user)
        for shortcut in existing:
            if (shortcut.title, shortcut.url) == (title, url):
                return shortcut  # the same form sent twice: saved once
        if len(existing) >= MAX_PER_USER:
            raise ShortcutError(
                f"Du har redan {MAX_PER_USER} genvägar, som är det högsta antalet. "
                "Ta bort en genväg först."
            )
        position = max((s.position for s in existing), default=0) + 1
        return Shortcut.create(user=user.id, title=title, url=url, position=position)


def rename(shortcut: Shortcut, title: str) -> None:
    title = _title(title)
    with write_tx():
        Shortcut.update(title=title).where(Shortcut.id == shortcut.id).execute()


def move(user, shortcut: Shortcut, step: int) -> bool:
    """Move one place up (step -1) or down (+1); False at either end."""
    with write_tx():
        order = for_user(user)
        index = next((i for i, s in enumerate(order) if s.id == shortcut.id), None)
        target = None if index is None else index + step
        if target is None or not 0 <= target < len(order):
            return False
        order[index], order[target] = order[target], order[index]
        for position, item in enumerate(order, start=1):
            if item.position != position:
                Shortcut.update(position=position).where(Shortcut.id == item.id).execute()
        return True


def remove(shortcut: Shortcut) -> None:
    with write_tx():
        Shortcut.delete().where(Shortcut.id == shortcut.id).execute()
