"""Beställningar (ORD, issue 14): the list, Ny beställning, the order page,
approvals.

* ``listing.py`` — the list (ORD-1)
* ``wizard.py``  — Ny beställning (ORD-2), every step a page and an htmx partial
* ``page.py``    — the order page: copy of the form, approvals, history,
  versions, Ändra, Ångra beställning, an offert accepted or declined
* ``approvals.py`` — Att godkänna: Godkänn / Avslå (ORD-4)

The rules live in domain/orders/.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from blueprints.orders import approvals, listing, page, wizard  # noqa: E402,F401
from blueprints.orders.listing import (  # noqa: E402,F401
    ORDER_LIST,
    order_number_column,
    order_type_column,
)
