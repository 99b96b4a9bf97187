"""Rapporter (REP): the eleven Bredband2 reports and Stofa's two, each a
parameter form (where the manual has parameters), then a paginated preview
through the list view, then "Exportera till Excel" (``?export=xlsx`` through
``ListView.respond``). Every report is scoped in its query by the model's
``visible_to`` (or ``scope_condition``), never by filtering rows afterwards.

    common.py    the index's registry, period parsing, grouped rows, cells
    overview.py  Översikt – Abonnemang, Historik – Avslutade tjänster,
                 Översikt – Beställningar, Ärenden
    invoices.py  Specifikation – Faktura, Krediterade tjänster,
                 Trafikspecifikation – alla tjänster, Samtalsspecifikation – Faktura
                 (these also need invoices.view)
    traffic.py   Specifikation – Samtal, Trafikspecifikation, Samtalsstatistik
    sla.py       SLA (offered only with an SLA in the organisation's agreement)
    usage.py     Förbrukningsrapport (Stofa's Forbrugsrapport)
    queues.py    Köstatistik (Stofa's queue statistics of the molnväxel)
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from web.auth import require

bp = Blueprint("reports", __name__, url_prefix="/reports")

from blueprints.reports import (  # noqa: E402,F401
    group_costs,
    invoices,
    overview,
    queues,
    sla,
    traffic,
    usage,
)
from blueprints.reports import groups as report_groups  # noqa: E402
from blueprints.reports.common import offered  # noqa: E402

# The parameter forms' group picker and the preview's "Grupper:" line.
bp.add_app_template_global(report_groups.picker, "report_group_picker")
bp.add_app_template_global(report_groups.applied, "report_groups_applied")


@bp.route("")
@require("reports.view")
def index():
    return render_template("reports/index.html", reports=offered(current_user))
