"""SLA: per ticket the agreed and the actual response and resolution times
and whether each was met. Offered (on the index and at its URL, else 404)
only when the organisation's agreement in force has an SLA.

The tickets are ``Ticket.visible_to``'s: all sent tickets in scope with
tickets.view, fault reports with faults.create, else one's own. The agreed
times are the ones the ticket got when it entered the queue (``queued_at`` (or,
where that is empty, ``created_at``) to ``response_due_at`` /
``resolution_due_at``, set by domain/tickets.py from the SLA's target for
its priority); the actual times run from the same start to
``first_response_at`` / ``resolved_at``. "Uppfylld" is Ja when the time
came by the due time, Nej when it came later or the due time has passed
without it, and Pågår while it is still running.
"""

from __future__ import annotations

import datetime as dt

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from peewee import Case, ColumnBase, fn

from blueprints.reports import bp
from blueprints.reports.common import (
    LIST_MONTHS,
    TITLES,
    Link,
    cells_loader,
    check_offered,
    datetime_bounds,
    opening_form,
    parse_period,
)
from database import is_sqlite, utcnow
from tables.org import Account
from tables.tickets import TICKET_PRIORITIES, Ticket
from web import excel
from web.auth import require
from web.i18n import N_, stamp
from web.listcolumns import Column, choice_column, date_column, text_column
from web.lists.groups import GroupRule, row_month
from web.listview import ListView

MET = {1: N_("Ja"), 0: N_("Nej"), 2: N_("Pågår")}


class minutes_between(ColumnBase):  # noqa: N801 - reads as the SQL function it stands for
    """SQL: whole minutes from ``first`` to ``last`` (NULL if either is),
    written for the database in use when the query is built: the columns
    below are made at import, which may come before the database is set."""

    def __init__(self, first, last):
        super().__init__()
        self.first, self.last = first, last

    def __sql__(self, ctx):
        if is_sqlite():
            days = fn.julianday(self.last) - fn.julianday(self.first)
            return ctx.sql(fn.ROUND(days * 1440).cast("INTEGER"))
        seconds = fn.date_part("epoch", self.last - self.first)
        return ctx.sql(fn.ROUND(seconds / 60).cast("INTEGER"))


def met(done, due):
    """SQL: 1 met, 0 not met (late, or overdue and not done), 2 running,
    NULL without that clock."""
    return lambda: Case(
        None,
        (
            (due.is_null(), None),
            (done.is_null() & (due < utcnow()), 0),
            (done.is_null(), 2),
            (done <= due, 1),
        ),
        0,
    )


def sla_query(user):
    return (
        Ticket.visible_to(user)
        .where(Ticket.status != "draft")
        .where(Ticket.response_due_at.is_null(False) | Ticket.resolution_due_at.is_null(False))
        .join_from(Ticket, Account, on=(Ticket.account == Account.id))
    )


# The SLA clock starts when the ticket entered the queue; tickets from before
# that was recorded (queued_at empty) count from their creation.
CLOCK_START = fn.COALESCE(Ticket.queued_at, Ticket.created_at)

FIELDS = {
    "number": Ticket.number,
    "ticket_id": Ticket.id,
    "priority": Ticket.priority,
    "subject": Ticket.subject,
    "created": Ticket.created_at,
    "response_agreed": minutes_between(CLOCK_START, Ticket.response_due_at),
    "response_actual": minutes_between(CLOCK_START, Ticket.first_response_at),
    "resolution_agreed": minutes_between(CLOCK_START, Ticket.resolution_due_at),
    "resolution_actual": minutes_between(CLOCK_START, Ticket.resolved_at),
    "account": Account.customer_number,
}
CLOCKS = {
    "response_due": Ticket.response_due_at,
    "responded": Ticket.first_response_at,
    "resolution_due": Ticket.resolution_due_at,
    "resolved": Ticket.resolved_at,
}


def _when(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _minutes_text(minutes) -> str:
    """Whole minutes, as the headings and the export say (– when not yet)."""
    return "–" if minutes is None else str(minutes)


def _cells(d: dict) -> dict:
    now = utcnow()

    def state(done, due):
        if due is None:
            return "–"
        if done is None:
            return gettext(MET[0] if now > due else MET[2])
        return gettext(MET[1] if done <= due else MET[0])

    created = _when(d["created"])
    w = {k: _when(d[k]) for k in CLOCKS}
    return {
        "number": Link(str(d["number"]), url_for("tickets.detail", ticket_id=d["ticket_id"])),
        "priority": gettext(TICKET_PRIORITIES.get(d["priority"], "")),
        "subject": d["subject"],
        "created": stamp(created),
        "response_agreed": _minutes_text(d["response_agreed"]),
        "response_actual": _minutes_text(d["response_actual"]),
        "response_met": state(w["responded"], w["response_due"]),
        "resolution_agreed": _minutes_text(d["resolution_agreed"]),
        "resolution_actual": _minutes_text(d["resolution_actual"]),
        "resolution_met": state(w["resolved"], w["resolution_due"]),
        "account": d["account"],
    }


def _minutes_column(key: str, label: str) -> Column:
    return Column(key, label, sort=FIELDS[key], export=FIELDS[key], text=False, align="right")


def _met_column(key: str, label: str, done, due) -> Column:
    return Column(key, label, export=met(done, due), export_format=excel.labels(MET))


SLA = ListView(
    name="report-sla",
    model=Ticket,
    query=sla_query,
    row_template="reports/_cells.html",
    default_sort=("created", "desc"),
    export_title=N_("SLA"),
    bulk_actions=[],
    groups=GroupRule(
        account=Ticket.account, service=Ticket.service, month=row_month(Ticket.created_at)
    ),
    rows_loader=cells_loader(Ticket, sla_query, {**FIELDS, **CLOCKS}, _cells),
    columns=[
        Column("number", N_("Ärende #"), sort=Ticket.number, export=Ticket.number, text=False),
        choice_column("priority", N_("Prioritet"), Ticket.priority, TICKET_PRIORITIES),
        text_column("subject", N_("Rubrik"), Ticket.subject),
        date_column("created", N_("Skapat"), Ticket.created_at),
        _minutes_column("response_agreed", N_("Avtalad svarstid (min)")),
        _minutes_column("response_actual", N_("Faktisk svarstid (min)")),
        _met_column(
            "response_met", N_("Svar i tid"), Ticket.first_response_at, Ticket.response_due_at
        ),
        _minutes_column("resolution_agreed", N_("Avtalad åtgärdstid (min)")),
        _minutes_column("resolution_actual", N_("Faktisk åtgärdstid (min)")),
        _met_column(
            "resolution_met", N_("Åtgärdat i tid"), Ticket.resolved_at, Ticket.resolution_due_at
        ),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("number", "subject", "response_met", "resolution_met"),
)


@bp.route("/sla")
@require("reports.view")
def sla():
    """A period of the tickets' creation, then the tickets with SLA times."""
    check_offered("reports.sla")
    title = TITLES["reports.sla"]
    if (opening := opening_form(3)) is not None:
        return render_template("reports/period_form.html", title=title, form=opening)
    form = parse_period(request.args, LIST_MONTHS)
    if not form.ok:
        return render_template("reports/period_form.html", title=title, form=form)
    low, high = datetime_bounds(form.start, form.end)
    return SLA.respond(
        current_user,
        "reports/preview.html",
        extra=(Ticket.created_at >= low) & (Ticket.created_at < high),
        title=title,
        period=(form.start, form.end),
        lines=[
            N_(
                "Tiderna räknas från att ärendet kom in i kön. Svar i tid / Åtgärdat i tid: Ja om"
                " det skedde före avtalad tid, Nej om det skedde senare eller tiden har passerat,"
                " Pågår medan tiden löper."
            )
        ],
        form_endpoint="reports.sla",
        form_args={"from": form.date_from, "to": form.date_to},
    )
