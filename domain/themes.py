"""Colour scheme (issue 20 item 2): each user chooses Automatiskt (follow
the system's ``prefers-color-scheme``), Ljust or Mörkt. The layout puts the
choice on ``<html data-theme>``; static/app.css does the rest."""

from __future__ import annotations

from database import write_tx
from domain import audit
from domain.text import N_

THEMES = [("auto", N_("Automatiskt")), ("light", N_("Ljust")), ("dark", N_("Mörkt"))]
LABELS = dict(THEMES)


def theme_of(user) -> str:
    """The scheme to draw for ``user``: staff viewing the portal as a
    customer keep their own."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "auto"
    viewer = getattr(user, "viewed_by", None) or user
    theme = getattr(viewer, "theme", "auto")
    return theme if theme in LABELS else "auto"


def set_theme(user, theme: str) -> bool:
    """Store ``user``'s choice with an audit row; False for an unknown one."""
    if theme not in LABELS:
        return False
    if theme == user.theme:
        return True
    with write_tx():
        type(user).update(theme=theme).where(type(user).id == user.id).execute()
        audit.record(
            "profile.theme",
            user,
            summary=f"Färgschema ändrat till {LABELS[theme]}",
            before={"färgschema": LABELS.get(user.theme, user.theme)},
            after={"färgschema": LABELS[theme]},
        )
    user.theme = theme
    return True
