"""Scheduled reports (issue 15, item 5): the schedule, who may receive it,
when it runs next.

A schedule is a report's preview (path and query string: the report with
its parameters) that runs weekly or monthly, on a day at a local hour, as
the user who scheduled it (its owner). Each run replays the report as the
owner (web/schedules.py), so the owner's scope and permissions are checked
again every time; an owner who lost access gets the schedule paused and an
e-mail.

Recipients (:func:`may_receive`): users of the owner's organisation who
could open the same report over the same rows themselves — active, holding
reports.view and the report's own permission, and with a scope covering the
owner's (their scope account is the owner's or above it; a user limited to
chosen objects covers nobody else's scope). Recipients who no longer pass
are skipped at each run (the rule is applied at send time, not only when
the schedule is saved).

Reports with personal call data (B-numbers: :data:`LINK_ONLY_PATHS`) are
not attached to the e-mail: it carries a link that needs signing in, and
the file downloads only for the schedule's recipients who pass the rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from database import utcnow, write_tx
from domain import audit
from domain.text import N_, T_
from permissions import holds_any
from tables.ops import ScheduledReport
from tables.org import User

LOCAL_TZ = ZoneInfo("Europe/Stockholm")
FREQUENCIES = {"weekly": N_("Varje vecka"), "monthly": N_("Varje månad")}
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
# The select's names, and describe()'s sentence per weekday (whole sentences
# translate; a weekday's name alone would not fit every language's order).
WEEKDAY_NAMES = [
    N_("Måndag"), N_("Tisdag"), N_("Onsdag"), N_("Torsdag"), N_("Fredag"), N_("Lördag"),
    N_("Söndag"),
]  # fmt: skip
WEEKLY = [
    N_("Varje måndag kl. %(hour)s"),
    N_("Varje tisdag kl. %(hour)s"),
    N_("Varje onsdag kl. %(hour)s"),
    N_("Varje torsdag kl. %(hour)s"),
    N_("Varje fredag kl. %(hour)s"),
    N_("Varje lördag kl. %(hour)s"),
    N_("Varje söndag kl. %(hour)s"),
]
MONTH_DAYS = range(1, 29)  # every month has them
LINK_ONLY_PATHS = frozenset(
    ["/calls", "/reports/trafikspecifikation", "/reports/samtalsspecifikation-faktura"]
)


def carries_call_data(path: str) -> bool:
    """Whether the report shows B-numbers (sent as a link, never attached)."""
    return path.split("?", 1)[0].rstrip("/") in LINK_ONLY_PATHS


def may_receive(owner, recipient, permissions=()) -> bool:
    """Whether ``recipient`` may get ``owner``'s scheduled report: same
    organisation, active, reports.view and each of ``permissions`` (a key
    or a tuple of keys of which one suffices, as ``@require`` takes them),
    and a scope covering the owner's."""
    if recipient.organisation_id != owner.organisation_id:
        return False
    if not recipient.active or recipient.removed_at is not None:
        return False
    if not recipient.has("reports.view"):
        return False
    if not all(holds_any(recipient, permission) for permission in permissions):
        return False
    if recipient.id == owner.id:
        return True
    if recipient.restricted:
        return False
    return owner.scope_account.is_within(recipient.scope_account)


def describe(schedule: ScheduledReport) -> str:
    """ "Varje måndag kl. 07" / "Den 1:a varje månad kl. 07"."""
    if schedule.frequency == "weekly":
        return T_(WEEKLY[schedule.day - 1], hour=f"{schedule.hour:02d}")
    return T_("Den %(day)s varje månad kl. %(hour)s", day=schedule.day, hour=f"{schedule.hour:02d}")


def next_run(frequency: str, day: int, hour: int, after: dt.datetime | None = None) -> dt.datetime:
    """The first run after ``after`` (naive UTC), as naive UTC: weekly on
    weekday ``day`` (1 Monday … 7 Sunday), monthly on day ``day``, at local
    hour ``hour``."""
    after = after or utcnow()
    local_after = after.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    date = local_after.date()
    for _ in range(400):
        if frequency == "weekly":
            matches = date.isoweekday() == day
        else:
            matches = date.day == min(day, calendar.monthrange(date.year, date.month)[1])
        if matches:
            at = dt.datetime.combine(date, dt.time(hour), tzinfo=LOCAL_TZ)
            utc = at.astimezone(dt.UTC).replace(tzinfo=None)
            if utc > after:
                return utc
        date += dt.timedelta(days=1)
    raise ValueError("no next run")  # pragma: no cover - a year always has one


def recipient_ids(schedule: ScheduledReport) -> list[int]:
    return [int(part) for part in schedule.recipients.split() if part.isdigit()]


def recipients(schedule: ScheduledReport) -> list[User]:
    ids = recipient_ids(schedule)
    if not ids:
        return []
    return list(
        User.select()
        .where((User.id.in_(ids)) & (User.organisation == schedule.organisation_id))
        .order_by(User.name)
    )


def of_user(user):
    return (
        ScheduledReport.select()
        .where(ScheduledReport.user == user.id)
        .order_by(ScheduledReport.title, ScheduledReport.id)
    )


def for_user(user, schedule_id: int) -> ScheduledReport | None:
    return ScheduledReport.get_or_none(
        (ScheduledReport.id == schedule_id) & (ScheduledReport.user == user.id)
    )


def _state(schedule: ScheduledReport) -> dict:
    return {
        "title": schedule.title,
        "path": schedule.path,
        "frequency": schedule.frequency,
        "day": schedule.day,
        "hour": schedule.hour,
        "recipients": schedule.recipients,
        "active": schedule.active,
    }


def create(
    owner,
    *,
    title: str,
    path: str,
    report_key: str,
    frequency: str,
    day: int,
    hour: int,
    recipient_ids: list[int],
) -> ScheduledReport:
    """A new active schedule, audited; the caller checked the recipients."""
    with write_tx():
        schedule = ScheduledReport.create(
            organisation=owner.organisation_id,
            user=owner.id,
            report_key=report_key,
            title=title[:200],
            path=path,
            frequency=frequency,
            day=day,
            hour=hour,
            recipients=" ".join(str(i) for i in recipient_ids),
            next_run_at=next_run(frequency, day, hour),
        )
        audit.record(
            "report_schedule.create",
            schedule,
            summary=f"Schemalagd rapport: {schedule.title}, {describe(schedule)}",
            after=_state(schedule),
            actor=owner,
        )
    return schedule


def change(
    schedule: ScheduledReport, actor, *, frequency: str, day: int, hour: int, recipient_ids
) -> None:
    """Ändra: when and to whom, audited (``report_schedule.change``)."""
    before = _state(schedule)
    with write_tx():
        schedule.frequency, schedule.day, schedule.hour = frequency, day, hour
        schedule.recipients = " ".join(str(i) for i in recipient_ids)
        schedule.next_run_at = next_run(frequency, day, hour)
        schedule.save()
        audit.record(
            "report_schedule.change",
            schedule,
            summary=f"Ändrade schemalagd rapport: {schedule.title}, {describe(schedule)}",
            before=before,
            after=_state(schedule),
            actor=actor,
        )


def set_active(schedule: ScheduledReport, active: bool, actor) -> None:
    """Pausa / Återuppta; resuming plans the next run from now."""
    before = _state(schedule)
    with write_tx():
        schedule.active = active
        schedule.paused_reason = ""
        if active:
            schedule.next_run_at = next_run(schedule.frequency, schedule.day, schedule.hour)
        schedule.save()
        audit.record(
            "report_schedule.resume" if active else "report_schedule.pause",
            schedule,
            summary=f"{'Återupptog' if active else 'Pausade'} schemalagd rapport: {schedule.title}",
            before=before,
            after=_state(schedule),
            actor=actor,
        )


def remove(schedule: ScheduledReport, actor) -> None:
    with write_tx():
        audit.record(
            "report_schedule.remove",
            schedule,
            summary=f"Tog bort schemalagd rapport: {schedule.title}",
            before=_state(schedule),
            actor=actor,
        )
        schedule.delete_instance()


def pause_for(schedule: ScheduledReport, reason: str) -> None:
    """The system pauses a schedule whose owner lost access (audited)."""
    with write_tx():
        ScheduledReport.update(
            active=False, paused_reason=reason, last_status="failed", last_error=reason
        ).where(ScheduledReport.id == schedule.id).execute()
        audit.record(
            "report_schedule.pause",
            schedule,
            summary=f"Schemalagd rapport pausad: {schedule.title}. {reason}",
            organisation=schedule.organisation_id,
        )


def record_run(schedule: ScheduledReport, status: str, error: str = "") -> None:
    with write_tx():
        ScheduledReport.update(
            last_run_at=utcnow(), last_status=status, last_error=error[:1000]
        ).where(ScheduledReport.id == schedule.id).execute()


def claim_due(now: dt.datetime | None = None) -> list[int]:
    """The active schedules due now, each moved on to its next run in the
    same transaction, so that two workers never both run one."""
    now = now or utcnow()
    due = []
    with write_tx():
        for schedule in ScheduledReport.select().where(
            ScheduledReport.active & (ScheduledReport.next_run_at <= now)
        ):
            schedule.next_run_at = next_run(schedule.frequency, schedule.day, schedule.hour, now)
            schedule.save()
            due.append(schedule.id)
    return due
