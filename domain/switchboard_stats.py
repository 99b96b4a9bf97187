"""Köstatistik (Stofa's queue report, issue 21 item 4): the built-in
switchboard backend's record of the calls to its queues, and the report's
figures per queue, hour of the day, month and agent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from peewee import Case, fn

from database import is_sqlite
from tables.switchboard import SwitchboardQueueCall

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def record_call(queue, started_at, answered, agent=None, wait_seconds=0, talk_seconds=0):
    """The built-in backend's record of one call to a queue."""
    return SwitchboardQueueCall.create(
        queue=queue.id if hasattr(queue, "id") else queue,
        started_at=started_at,
        answered=answered,
        agent=getattr(agent, "id", agent),
        wait_seconds=wait_seconds,
        talk_seconds=talk_seconds,
    )


def _totals(sums: list) -> dict:
    """Counts and averages from [calls, answered, wait seconds, talk seconds of
    the answered]."""
    calls, answered, wait, talk = sums
    return {
        "calls": calls,
        "answered": answered,
        "abandoned": calls - answered,
        "answer_rate": round(100 * answered / calls) if calls else 0,
        "avg_wait": round(wait / calls) if calls else 0,
        "avg_talk": round(talk / answered) if answered else 0,
    }


def _hour_bucket():
    """SQL: a call's start truncated to the hour (UTC, as stored)."""
    if is_sqlite():
        return fn.strftime("%Y-%m-%d %H:00:00", SwitchboardQueueCall.started_at)
    return fn.date_trunc("hour", SwitchboardQueueCall.started_at)


def statistics(queue_ids: list[int], start: dt.date, end: dt.date) -> dict:
    """Stofa's queue report for the calls of ``queue_ids`` from ``start``
    to ``end`` (inclusive, Stockholm days): per queue, per queue and hour of
    the day, per queue and month, and per agent.

    The database adds the calls up per queue and UTC hour (some 2,200 rows
    for three months of a queue, however many calls), and those hours are
    put in their Stockholm hour and month here."""
    low, high = _utc_midnight(start), _utc_midnight(end + dt.timedelta(days=1))
    call = SwitchboardQueueCall
    answered = fn.SUM(Case(None, [(call.answered == True, 1)], 0))  # noqa: E712
    talk = fn.SUM(Case(None, [(call.answered == True, call.talk_seconds)], 0))  # noqa: E712
    period = call.queue.in_(queue_ids or [0]) & (call.started_at >= low) & (call.started_at < high)
    bucket = _hour_bucket()
    by = {"queue": {}, "hour": {}, "month": {}, "agent": {}}

    def add(group: dict, key, values) -> None:
        sums = group.setdefault(key, [0, 0, 0, 0])
        for i, value in enumerate(values):
            sums[i] += int(value or 0)

    rows = (
        call.select(
            call.queue, bucket, fn.COUNT(call.id), answered, fn.SUM(call.wait_seconds), talk
        )
        .where(period)
        .group_by(call.queue, bucket)
        .tuples()
    )
    for queue_id, hour, *values in rows:
        if isinstance(hour, str):
            hour = dt.datetime.fromisoformat(hour)
        local = _local(hour)
        add(by["queue"], queue_id, values)
        add(by["hour"], (queue_id, local.hour), values)
        add(by["month"], (queue_id, local.strftime("%Y-%m")), values)
    agents = (
        call.select(call.agent, fn.COUNT(call.id), answered, fn.SUM(call.wait_seconds), talk)
        .where(period & call.agent.is_null(False))
        .group_by(call.agent)
        .tuples()
    )
    for agent_id, *values in agents:
        add(by["agent"], agent_id, values)
    return {key: {k: _totals(v) for k, v in sorted(g.items())} for key, g in by.items()}


def _local(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM)


def _utc_midnight(day: dt.date) -> dt.datetime:
    """The UTC time of ``day``'s midnight in Stockholm (stored times are UTC)."""
    return dt.datetime.combine(day, dt.time(), STOCKHOLM).astimezone(dt.UTC).replace(tzinfo=None)
