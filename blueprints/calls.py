"""Samtal (Trafikspecifikation, REP): every call detail record in the user's
scope, newest first, filtered and exported to Excel like the other lists."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from tables.billing import TRAFFIC_TYPES, CallRecord
from tables.org import Account
from tables.services import Service
from web import excel
from web.auth import get_visible_or_404, require
from web.i18n import N_, NC_
from web.listcolumns import (
    Column,
    choice_column,
    date_column,
    kronor_column,
    number_column,
    text_column,
)
from web.lists.groups import GroupRule, row_month
from web.listview import ListView, TallyCount

bp = Blueprint("calls", __name__, url_prefix="/calls")

DIRECTIONS = {"out": N_("Utgående"), "in": N_("Inkommande")}


CALL_RECORD_LIST = ListView(
    name="calls",
    groups=GroupRule(
        account=CallRecord.account,
        service=CallRecord.service,
        month=row_month(CallRecord.started_at),
    ),
    model=CallRecord,
    query=CallRecord.visible_to,
    joins=[(Account, CallRecord.account), (Service, CallRecord.service)],
    page_fields=(
        *(CallRecord.started_at, CallRecord.traffic_type, CallRecord.direction),
        *(CallRecord.a_number, CallRecord.b_number, CallRecord.country, CallRecord.duration_s),
        *(CallRecord.price_ore, CallRecord.invoiced, Service.user_name, Account.customer_number),
    ),
    tally=TallyCount("call_record", {"traffic": lambda types: types}),
    row_template="partials/calls/_rows.html",
    default_sort=("started", "desc"),
    export_title=N_("Samtal"),
    bulk_actions=[],
    columns=[
        date_column("started", N_("Tid"), CallRecord.started_at),
        choice_column("traffic", N_("Trafiktyp"), CallRecord.traffic_type, TRAFFIC_TYPES),
        Column(
            "direction",
            N_("Riktning"),
            export=CallRecord.direction,
            export_format=excel.labels(DIRECTIONS),
        ),
        number_column("a_number", N_("A-nummer"), CallRecord.a_number),
        number_column("b_number", N_("B-nummer"), CallRecord.b_number),
        Column("user", NC_("tjänstens", "Användare"), export=Service.user_name),
        Column("country", N_("Land"), export=CallRecord.country),
        Column(
            "duration",
            N_("Längd (s)"),
            sort=CallRecord.duration_s,
            export=CallRecord.duration_s,
            text=False,
            align="right",
        ),
        Column("bytes", N_("Data (byte)"), export=CallRecord.bytes, text=False, show=False),
        kronor_column("price", N_("Belopp"), CallRecord.price_ore),
        Column(
            "invoiced",
            N_("Fakturerad"),
            export=CallRecord.invoiced,
            export_format=excel.to_bool,
            text=False,
        ),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("started", "direction", "b_number", "duration", "price"),  # a phone's card
)


@bp.route("")
@require("reports.view")
def index():
    """Every call record in scope; ``?service=<id>`` only one service's (the
    link from the service page's Förbrukning). The parameter stays through
    sorting, filtering, paging and export like the list's own."""
    service, extra = None, None
    if "service" in request.args:
        service = get_visible_or_404(Service, request.args.get("service", 0, type=int))
        # The service named twice: without ANALYZE statistics SQLite rates
        # "organisation = ?" and "service = ?" alike and may walk all the
        # organisation's records; two terms on the service make it take the
        # (service, started_at) index (1 ms against 1 s for 300,000 records).
        extra = (CallRecord.service == service.id) & CallRecord.service.in_([service.id])
    return CALL_RECORD_LIST.respond(
        current_user,
        "calls/list.html",
        extra=extra,
        service=service,
        traffic_types=TRAFFIC_TYPES,
        directions=DIRECTIONS,
    )
