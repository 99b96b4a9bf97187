"""Tjänster (SRV): the list, the detail page of every kind of service and its
actions.

* ``listing.py`` — the list (SRV-1) with Verktyg: find a SIM card by ICC
* ``views.py``   — the detail page per kind (SRV-2)
* ``actions.py`` — every action as an in-place dialog (SRV-3, SRV-4)
* ``lost_sim.py`` — Spärra förlorat SIM-kort and Häv spärr, never refused
* ``forms.py``, ``charts.py`` — their forms and the server-rendered charts

What the actions may do lives in domain/service_actions.py, what carrying
them out changes in domain/service_changes.py, and who carries them out
(at once, staff, an operator's network backend) in domain/provisioning.py.
"""

from __future__ import annotations

import click
from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")


@bp.cli.command("apply-due")
@click.option("--date", "on", default=None, help="Run as of this date (ÅÅÅÅ-MM-DD).")
def apply_due_command(on):
    """Carry out changes whose date has come; end services whose notice ran out;
    make ordered services Aktiv on their activation date.

    Run daily (cron/systemd timer): ``flask --app app services apply-due``.
    """
    import datetime as dt

    from domain.provisioning import apply_due

    done = apply_due(dt.date.fromisoformat(on) if on else None)
    click.echo(
        f"carried out {done['orders']} scheduled changes, ended {done['terminated']} services, "
        f"activated {done['activated']} ordered services"
    )


from blueprints.services import (  # noqa: E402,F401
    actions,
    bulk,
    listing,
    lost_sim,
    switchboard,
    views,
)
from blueprints.services.listing import SERVICE_LIST  # noqa: E402,F401
