"""Köstatistik (Stofa's queue statistics): for one molnväxel the user may
see, over a period of at most three months, per queue the calls,
answered and abandoned, average wait and talk time — in total, per hour of
the day, per month — and per agent (the number that answered). Excel export
with ``?export=xlsx`` (one sheet, a "Del" column naming the table).

The calls are those the switchboard backend recorded (the built-in one
keeps them in switchboard_queue_call). Scope: the molnväxel is looked up
through ``Service.visible_to`` (404 otherwise); an agent outside the user's
scope is shown without its number.

Schemalägg (domain/report_schedules.py) takes the molnväxel and, when the
page was opened with one, the period: without a period each run covers the
last three months up to its day. A run replays the export as its owner
(web/schedules.py), which writes the workbook through ``web.jobs``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, render_template, request
from flask_babel import gettext
from flask_login import current_user

from blueprints.reports import bp
from blueprints.reports.common import (
    STATISTICS_MONTHS,
    TITLES,
    default_period,
    parse_period,
)
from domain import switchboard_stats
from tables.services import Service
from tables.switchboard import SwitchboardQueue
from web import jobs
from web.auth import require
from web.excel import send_rows
from web.formatting import phone
from web.i18n import N_

HEADERS = [
    N_("Del"), N_("Kö"), N_("Period"), N_("Samtal"), N_("Besvarade"), N_("Ej besvarade"),
    N_("Svarsfrekvens (%)"), N_("Snitt väntetid (s)"), N_("Snitt samtalstid (s)"),
]  # fmt: skip
HIDDEN_AGENT = N_("Nummer utanför din behörighet")


def _duration(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _chosen_pbx(user, switchboards):
    text = request.args.get("pbx", "")
    if not text:
        return switchboards[0] if switchboards else None
    if not text.isdigit():
        abort(404)
    for pbx in switchboards:
        if pbx.id == int(text):
            return pbx
    abort(404)


def _sections(pbx, start, end, user) -> list[tuple[str, str, list]]:
    """(Del, heading, rows) with rows (queue name, period label, totals)."""
    queues = {q.id: q for q in SwitchboardQueue.select().where(SwitchboardQueue.pbx == pbx.id)}
    stats = switchboard_stats.statistics(list(queues), start, end)
    name = {qid: q.name for qid, q in queues.items()}
    agents = {s.id: s for s in Service.select().where(Service.id.in_(list(stats["agent"]) or [0]))}
    visible = {
        s.id
        for s in Service.visible_to(user)
        .select(Service.id)
        .where(Service.id.in_(list(agents) or [0]))
    }

    def agent_label(sid):
        service = agents.get(sid)
        if service is None or sid not in visible:
            return gettext(HIDDEN_AGENT)
        return f"{phone(service.number)} {service.user_name}".strip()

    return [
        ("Kö", N_("Per kö"),
         [(name[q], gettext("Hela perioden"), t) for q, t in stats["queue"].items()]),
        ("Månad", N_("Per kö och månad"),
         [(name[q], month, t) for (q, month), t in stats["month"].items()]),
        ("Timme", N_("Per kö och timme"),
         [(name[q], f"{hour:02d}–{hour + 1:02d}", t) for (q, hour), t in stats["hour"].items()]),
        ("Agent", N_("Per agent (besvarade samtal)"),
         [("", agent_label(a), t) for a, t in stats["agent"].items()]),
    ]  # fmt: skip


@bp.route("/koer")
@require("reports.view")
def queues():
    title = TITLES["reports.queues"]
    switchboards = list(
        Service.visible_to(current_user).where(Service.kind == "cloud_pbx").order_by(Service.number)
    )
    pbx = _chosen_pbx(current_user, switchboards)
    if "from" in request.args or "to" in request.args:
        form = parse_period(request.args, STATISTICS_MONTHS)
    else:
        form = default_period(STATISTICS_MONTHS)
        form = parse_period({"from": form.date_from, "to": form.date_to}, STATISTICS_MONTHS)
    sections = _sections(pbx, form.start, form.end, current_user) if pbx and form.ok else []
    if request.args.get("export") == "xlsx":
        if not form.ok or pbx is None:
            abort(400)
        rows = [
            (gettext(part), queue, label, t["calls"], t["answered"], t["abandoned"], t["answer_rate"],
             t["avg_wait"], t["avg_talk"])
            for part, _, items in sections
            for queue, label, t in items
        ]  # fmt: skip
        headers = [gettext(header) for header in HEADERS]
        sheet_title = f"{gettext(title)} {pbx.number}"
        if jobs.replaying() is not None:  # a scheduled run
            return jobs.write_file(sheet_title, headers, rows, None, None, None)
        return send_rows(sheet_title, headers, rows)
    return render_template(
        "reports/queues.html",
        title=title,
        form=form,
        switchboards=switchboards,
        pbx=pbx,
        sections=sections,
        duration=_duration,
        schedule_args=_schedule_args(pbx),
    )


def _schedule_args(pbx) -> str:
    """The query Schemalägg keeps: the molnväxel, and the period only when
    one was given (else each run takes the last months up to its day)."""
    if pbx is None:
        return ""
    args = [("pbx", pbx.id)]
    args += [(key, request.args[key]) for key in ("from", "to") if key in request.args]
    return urlencode(args)
