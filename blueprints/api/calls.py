"""Samtalsspecifikation over the API: call records in order of time, paged
by cursor (started_at, id), so a client reads a million records page by
page at a constant rate, each page one index walk of ``limit`` rows and
nothing held between pages."""

from __future__ import annotations

import datetime as dt

from flask import request

from blueprints.api import bp
from blueprints.api import schemas as s
from tables.billing import CallRecord
from web.api.operations import operation, page_response
from web.api.paging import bad_query, limit_arg, page_ids
from web.formatting import LOCAL_TZ

PARAMS = [
    ("cursor", {"type": "string"}, "The `next` link's cursor."),
    ("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Rows a page (50)."),
    ("service_id", {"type": "integer", "minimum": 1}, "Only this service's records."),
    ("from", {"type": "string", "format": "date"}, "From this day (Swedish time)."),
    ("to", {"type": "string", "format": "date"}, "To and including this day (Swedish time)."),
]


def _day(name: str) -> dt.datetime | None:
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise bad_query(name, "A date as YYYY-MM-DD.") from None
    if name == "to":
        day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@operation(
    bp,
    "/call-records",
    summary="List call records",
    description="In order of time; follow `next` to read them all.",
    tag="Call records",
    permission="reports.view",  # as Samtalsspecifikation in the portal
    response=s.CallRecordPage,
    paged=True,
    query=PARAMS,
)
def call_records(user):
    query = CallRecord.visible_to(user)
    service = request.args.get("service_id")
    if service is not None:
        if not service.isdigit() or not 0 < int(service) < 2**63:
            raise bad_query("service_id", "A service id.")
        query = query.where(CallRecord.service == int(service))
    start, end = _day("from"), _day("to")
    if start is not None:
        query = query.where(CallRecord.started_at >= start)
    if end is not None:
        query = query.where(CallRecord.started_at < end)
    limit = limit_arg()
    ids, cursor = page_ids(query, CallRecord.started_at, CallRecord.id, False, limit)
    rows = (
        CallRecord.select()
        .where(CallRecord.id.in_(ids))
        .order_by(CallRecord.started_at, CallRecord.id)
    )
    items = [
        {
            "id": r.id,
            "service_id": r.service_id,
            "account_id": r.account_id,
            "started_at": r.started_at,
            "direction": r.direction,
            "a_number": r.a_number,
            "b_number": r.b_number,
            "traffic_type": r.traffic_type,
            "country": r.country,
            "duration_s": r.duration_s,
            "bytes": r.bytes,
            "price": s.money(r.price_ore),
            "invoiced": r.invoiced,
        }
        for r in rows
    ]
    return page_response(s.CallRecordOut(many=True).dump(items), cursor)
