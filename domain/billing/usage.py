"""Monthly usage per service (kind ``usage``): data, voice, messages and
cost per service and month, what Forbrugsrapport and the service page show.

Matched by service and month. Billing keeps counting until a month is
closed, so the figures of the current month and the month before (closed
and invoiced early in the current month) may be updated by a later file;
a difference in an older month is a conflict, reported and not applied.
"""

from __future__ import annotations

import datetime as dt

from domain.billing import csvfile as f
from domain.billing.engine import (
    CONFLICT,
    NEW,
    UNCHANGED,
    UPDATE,
    Context,
    Outcome,
    parsed,
    record_change,
    save_changes,
)
from domain.text import N_
from tables.services import MonthlyUsage

FIGURES = {
    "data_mb": "data_used_mb",
    "datakvot_mb": "data_quota_mb",
    "tilläggsdata_mb": "topup_mb",
    "samtalstid": "voice_seconds",
    "samtal": "calls",
    "sms": "sms",
    "mms": "mms",
}


def open_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The months whose figures may still change: the previous and this."""
    this = today.replace(day=1)
    previous = (this - dt.timedelta(days=1)).replace(day=1)
    return previous, this


class Usage:
    name = "usage"
    label = N_("Förbrukning per månad")
    required = ("kundnummer", "tjänst", "månad")
    optional = (*FIGURES, "kostnad")

    def records(self, path):
        with open(path, "rb") as stream:
            yield from f.read_rows(stream, self.required, self.optional)

    def parse(self, row: f.Row, ctx: Context) -> dict:
        v = row.values
        if "__width__" in v:
            raise f.RowError(f"fel antal fält ({v['__width__']})")
        account = ctx.account(v)
        service, _ = ctx.service(account, f.text(v, "tjänst"))
        data = {"service": service, "month": f.month(v, "månad")}
        for column, name in FIGURES.items():
            data[name] = f.integer(v, column, default=0)
        data["cost_ore"] = f.amount(v, "kostnad", required=False) or 0
        return data

    def check(self, rows: list[f.Row], ctx: Context) -> list[Outcome]:
        outcomes, valid = parsed(
            rows,
            lambda row: self.parse(row, ctx),
            lambda data: f"{data['service']}|{data['month']:%Y-%m}",
        )
        stored = {}
        if valid:
            for usage in MonthlyUsage.select().where(
                MonthlyUsage.service.in_(list({o.data["service"] for o in valid}))
                & MonthlyUsage.month.in_(list({o.data["month"] for o in valid}))
            ):
                stored[(usage.service_id, usage.month)] = usage
        first_open, _ = open_months(ctx.today)
        fields = [*FIGURES.values(), "cost_ore"]
        for outcome in valid:
            d = outcome.data
            usage = stored.get((d["service"], d["month"]))
            if usage is None:
                continue
            outcome.stored = usage
            changes = {k: (getattr(usage, k), d[k]) for k in fields if getattr(usage, k) != d[k]}
            if not changes:
                outcome.status = UNCHANGED
            elif d["month"] < first_open:
                outcome.status = CONFLICT
                outcome.message = (
                    f"förbrukningen för {d['month']:%Y-%m} är stängd och skiljer sig i "
                    f"{', '.join(_labels(changes))}; inte ändrad"
                )
            else:
                outcome.status, outcome.changes = UPDATE, changes
        return outcomes

    def write(self, outcomes: list[Outcome], ctx: Context) -> None:
        changes = []
        for o in outcomes:
            if o.status == NEW:
                usage = MonthlyUsage.create(**o.data)
                changes.append(record_change(ctx, "monthly_usage", usage.id, "create"))
            else:
                values = {k: after for k, (_before, after) in o.changes.items()}
                MonthlyUsage.update(values).where(MonthlyUsage.id == o.stored.id).execute()
                changes.append(
                    record_change(
                        ctx,
                        "monthly_usage",
                        o.stored.id,
                        "update",
                        before={k: before for k, (before, _after) in o.changes.items()},
                        after=values,
                    )
                )
        save_changes(changes)


def _labels(changes: dict) -> list[str]:
    names = {v: k for k, v in FIGURES.items()} | {"cost_ore": "kostnad"}
    return [names[k] for k in changes]
