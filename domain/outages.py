"""Known outages and the services they touch (SPEC UI-6): one rule for
Översikt's "Berör era tjänster", the notice on a service's page and the
notice in Skapa ärende (Felanmälan).

An outage touches a service when

* the service is running: Aktiv, Spärrad, or Uppsagd but not yet ended;
* the service's kind is among the outage's kinds; and
* the service's place is among the outage's postcodes. The place is the
  postcode of the service's installation address (``Service.postcode``:
  broadband, capacity …) or, for a service without one (mobile, mobile_pbx,
  mbb, molnväxel …), the postcode of the account it belongs to.

An outage without postcodes covers the whole network (e.g. a fault in the
switchboard platform, "Hela Sverige"): it touches every running service of
its kinds. An outage without kinds is general information and touches no
service.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

from database import unindexed, utcnow
from tables.ops import Outage
from tables.org import Account
from tables.services import Service

log = logging.getLogger(__name__)

# Called with (outage, event) after the outage is published, updated or
# resolved and the write has committed; event is "published", "updated" or
# "resolved". The e-mail to opted-in contacts registers itself here
# (domain/notifications.py).
OUTAGE_LISTENERS: list[Callable[[Outage, str], None]] = []
EVENTS = ("published", "updated", "resolved")


def notify_hook(outage: Outage, event: str) -> None:
    """Tell every listener; call after the transaction has committed. The
    outage is published whatever a listener does: one that fails is logged
    and the others still hear of it."""
    if event not in EVENTS:
        raise ValueError(f"unknown outage event {event!r}")
    for listener in list(OUTAGE_LISTENERS):
        try:
            listener(outage, event)
        except Exception:
            log.exception(
                "outage listener %r failed on %s of outage %s", listener, event, outage.id
            )


RUNNING = ("active", "barred", "terminating")

_POSTCODE = re.compile(r"\b(\d{3}) ?(\d{2})\b")


def postcodes_of(outage: Outage) -> list[str]:
    """The outage's postcodes as five digits ("901 55" and "90155" alike)."""
    return [a + b for a, b in _POSTCODE.findall(outage.postcodes or "")]


def touching(outage: Outage) -> list:
    """The rule as conditions on Service rows, any of which touches; none
    when the outage touches nothing.

    Two conditions rather than one with OR, each shaped so SQLite starts from
    the few rows it needs: services installed at the postcodes through the
    postcode index, and services without an installation address through the
    accounts at the postcodes (the unary pluses keep the kind and postcode
    indexes, which would walk every mobile, out of that one)."""
    if not outage.kinds:
        return []
    kinds, postcodes = outage.kinds, postcodes_of(outage)
    running = Service.status.in_(RUNNING)
    if not postcodes:
        return [running & Service.kind.in_(kinds)]
    installed = Service.alias()
    installed_there = Service.id.in_(
        installed.select(installed.id).where(installed.postcode.in_(postcodes))
    )
    billed_there = (
        Service.account.in_(Account.select(Account.id).where(Account.postcode.in_(postcodes)))
        & (unindexed(Service.postcode) == "")
        & unindexed(Service.kind).in_(kinds)
    )
    return [running & Service.kind.in_(kinds) & installed_there, running & billed_there]


def touched_services(outage: Outage):
    """The running services ``outage`` touches, as one query."""
    conditions = touching(outage)
    if not conditions:
        return Service.select().where(Service.id.is_null())
    condition = conditions[0]
    for other in conditions[1:]:
        condition = condition | other
    return Service.select().where(condition)


def impact(outage: Outage) -> tuple[int, int]:
    """How many services and organisations ``outage`` touches (shown to
    staff before they publish)."""
    services = touched_services(outage)
    return (
        services.count(),
        services.select(Service.organisation).distinct().count(),
    )


def touched(outages, services) -> set[int]:
    """Ids of those ``outages`` that touch any service of the ``services`` query."""
    return {
        outage.id
        for outage in outages
        if any(services.where(condition).exists() for condition in touching(outage))
    }


def current(now: dt.datetime | None = None) -> list[Outage]:
    """Outages going on now (started, not resolved), the latest first."""
    now = now or utcnow()
    return list(
        Outage.select()
        .where(
            (Outage.starts_at <= now) & (Outage.resolved_at.is_null() | (Outage.resolved_at > now))
        )
        .order_by(Outage.starts_at.desc())
    )


def current_for(service: Service, now: dt.datetime | None = None) -> list[Outage]:
    """The current outages that touch ``service``."""
    outages = current(now)
    hit = touched(outages, Service.select().where(Service.id == service.id))
    return [outage for outage in outages if outage.id in hit]
