"""The approval chain (ORD-4): replaced by the approval chain.

A placeholder so that sending works on this branch: every sent order goes
straight to Mottagen. The approval chain's own module replaces this file.
"""

from __future__ import annotations

from domain.orders import flow


def start(order, user) -> None:
    """Hand a sent order to the approval chain (replaced by the approval chain)."""
    flow.set_status(order, "received", user=user, expect=("draft",))
