"""SLA clocks of tickets (SPEC §9, §10c): the response and resolution times
the organisation's agreement promises per priority, and how a ticket stands
against them (met, breached, overdue, soon, running)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from database import utcnow
from domain.text import N_, T_
from tables.org import SLATarget
from tables.tickets import Ticket


def sla_due_times(organisation, priority: int, start: dt.datetime):
    """(response due, resolution due) from the organisation's agreement SLA, or (None, None)."""
    agreement = organisation.current_agreement()
    if agreement is None or agreement.sla_id is None:
        return None, None
    target = SLATarget.get_or_none(
        (SLATarget.sla == agreement.sla_id) & (SLATarget.priority == priority)
    )
    if target is None:
        return None, None
    return (
        start + dt.timedelta(minutes=target.response_minutes),
        start + dt.timedelta(minutes=target.resolution_minutes),
    )


SOON = dt.timedelta(hours=2)


@dataclass
class SlaClock:
    """One SLA clock of a ticket: respond by / resolve by."""

    key: str  # response, resolution
    label: str
    due: dt.datetime
    met_at: dt.datetime | None  # when answered / resolved
    now: dt.datetime

    @property
    def state(self) -> str:
        """met, breached (both final), overdue, soon, running."""
        if self.met_at is not None:
            return "met" if self.met_at <= self.due else "breached"
        if self.now > self.due:
            return "overdue"
        return "soon" if self.due - self.now <= SOON else "running"

    @property
    def is_breach(self) -> bool:
        return self.state in ("breached", "overdue")

    @property
    def text(self) -> str:
        state = self.state
        if state == "met":
            return N_("Uppfylld")
        if state == "breached":
            return T_("Överskreds med %(time)s", time=span(self.met_at - self.due))
        if state == "overdue":
            return T_("Överskriden med %(time)s", time=span(self.now - self.due))
        return T_("%(time)s kvar", time=span(self.due - self.now))

    @property
    def short(self) -> str:
        """For a list cell: "2 h 59 min", "−1 d 2 h" (late), "Uppfylld"."""
        state = self.state
        if state == "met":
            return N_("Uppfylld")
        if state == "breached":
            return N_("Överskreds")
        if state == "overdue":
            return f"−{span(self.now - self.due)}"
        return span(self.due - self.now)


def span(delta: dt.timedelta) -> str:
    """A duration as "2 d 3 h", "3 h 20 min" or "12 min"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def sla_clocks(ticket: Ticket, now: dt.datetime | None = None) -> list[SlaClock]:
    now = now or utcnow()
    clocks = []
    if ticket.response_due_at:
        clocks.append(
            SlaClock(
                "response", N_("Svarstid"), ticket.response_due_at, ticket.first_response_at, now
            )
        )
    if ticket.resolution_due_at:
        clocks.append(
            SlaClock(
                "resolution", N_("Åtgärdstid"), ticket.resolution_due_at, ticket.resolved_at, now
            )
        )
    return clocks


def current_clock(ticket: Ticket, now: dt.datetime | None = None) -> SlaClock | None:
    """The clock a list shows: the response clock until answered, then resolution."""
    clocks = {c.key: c for c in sla_clocks(ticket, now)}
    response = clocks.get("response")
    if response and response.met_at is None and ticket.status != "done":
        return response
    return clocks.get("resolution") or response


def start_sla(ticket: Ticket, now: dt.datetime) -> None:
    ticket.queued_at = now
    ticket.response_due_at, ticket.resolution_due_at = sla_due_times(
        ticket.organisation, ticket.priority, now
    )
