"""Genvägar (GRP-5): a user's named links to pages of this portal.

A shortcut is a path of the portal with its query string ("/services?f_kind=mobile"),
never a whole address: anything with a scheme, a host, ``//``, a backslash or a
control character is refused here, and the web layer also checks that the path
is a page (a GET route) of the portal. Shortcuts are personal: they change
nothing anyone else sees, so they are not audited.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from database import write_tx
from domain.text import N_, T_
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


class StaleShortcuts(Exception):
    """The shortcuts changed after the page that asked was shown (another tab)."""


class GoneShortcut(LookupError):
    """The shortcut was removed (in another tab) before the change reached it."""


STALE = N_("Genvägarna har ändrats på en annan sida. Ladda om sidan och försök igen.")


def version(shortcuts: list[Shortcut]) -> str:
    """What Hantera genvägar showed: the shortcuts in order with their names
    and addresses, as a short digest. A rename, reorder or removal posts it
    back; if the shortcuts changed meanwhile (another tab) it no longer
    matches and the change is refused rather than applied to what the user
    did not see."""
    text = "\n".join(f"{s.id}\t{s.title}\t{s.url}" for s in shortcuts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_shown(user, shortcut_id: int, shown: str) -> list[Shortcut]:
    """The user's shortcuts now, inside the write: GoneShortcut when the one
    acted on is no longer there, StaleShortcuts when they differ from what
    the page showed."""
    order = for_user(user)
    if not any(s.id == shortcut_id for s in order):
        raise GoneShortcut(shortcut_id)
    if shown != version(order):
        raise StaleShortcuts(STALE)
    return order


def path_error(url: str) -> str | None:
    """Why ``url`` is not a path of this portal (by its form alone), or None."""
    if not url:
        return N_("Ange adressen.")
    if len(url) > MAX_URL:
        return T_("Adressen får vara högst %(count)s tecken.", count=MAX_URL)
    if _CONTROL.search(url) or "\\" in url or " " in url:
        return N_("Adressen innehåller otillåtna tecken.")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return N_("En genväg kan bara gå till en sida i portalen, inte till en annan webbplats.")
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
        raise ShortcutError(N_("Ange ett namn."), "title")
    if len(title) > MAX_TITLE:
        raise ShortcutError(T_("Namnet får vara högst %(count)s tecken.", count=MAX_TITLE), "title")
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
                T_(
                    "Du har redan %(count)s genvägar, som är det högsta antalet. "
                    "Ta bort en genväg först.",
                    count=MAX_PER_USER,
                )
            )
        position = max((s.position for s in existing), default=0) + 1
        return Shortcut.create(user=user.id, title=title, url=url, position=position)


def rename(user, shortcut: Shortcut, title: str, shown: str) -> None:
    title = _title(title)
    with write_tx():
        _check_shown(user, shortcut.id, shown)
        Shortcut.update(title=title).where(Shortcut.id == shortcut.id).execute()


def move(user, shortcut: Shortcut, step: int, shown: str) -> bool:
    """Move one place up (step -1) or down (+1); False at either end."""
    with write_tx():
        order = _check_shown(user, shortcut.id, shown)
        index = next(i for i, s in enumerate(order) if s.id == shortcut.id)
        target = index + step
        if not 0 <= target < len(order):
            return False
        order[index], order[target] = order[target], order[index]
        for position, item in enumerate(order, start=1):
            if item.position != position:
                Shortcut.update(position=position).where(Shortcut.id == item.id).execute()
        return True


def remove(user, shortcut: Shortcut, shown: str) -> None:
    with write_tx():
        _check_shown(user, shortcut.id, shown)
        Shortcut.delete().where(Shortcut.id == shortcut.id).execute()
