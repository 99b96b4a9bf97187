"""Översikt's Driftinformation panel (SPEC UI-6, the manual's Lista, Karta
and Mobilnätet): what each tab shows, chosen by the query string so that a
reload, back/forward and a shared link show the same tab.

``?drift=lista`` (the default), ``?drift=karta``, and ``?drift=mobil`` with
``vy=tackning`` (``nat=2G…5G``, ``plats=<address or postcode>``) or
``vy=status``. The maps are the shipped outline of Sweden
(static/map/sweden.svg) with the server's markers drawn over it in the same
projection (domain/geo.py): no tiles, no script needed to see them.
"""

from __future__ import annotations

import datetime as dt
import re

from database import utcnow
from domain import coverage, geo
from domain import outages as outage_rule
from tables.ops import OUTAGE_KINDS, Outage, OutageUpdate
from tables.services import Service
from web.i18n import N_

RESOLVED_SHOWN_DAYS = 30
TABS = {"lista": N_("Lista"), "karta": N_("Karta"), "mobil": N_("Mobilnätet")}
MOBILE_VIEWS = {"tackning": N_("Täckning"), "status": N_("Nätverksstatus")}
DEFAULT_NETWORK = "4G"
PIN_RADIUS = 14  # map units (km): a marker stays visible whatever the outage's radius
COVERAGE_RADIUS = 20
STATUS_LABELS = {
    "green": N_("Inga kända störningar"),
    "yellow": N_("Planerat arbete"),
    "red": N_("Driftstörning"),
}


def outage_groups(user) -> dict[str, list]:
    """Current, planned and recently resolved outages, those touching the
    user's own services marked (domain/outages.py), each with its updates."""
    now = utcnow()
    since = now - dt.timedelta(days=RESOLVED_SHOWN_DAYS)
    rows = list(
        Outage.select()
        .where(Outage.resolved_at.is_null() | (Outage.resolved_at >= since))
        .order_by(Outage.starts_at.desc())
    )
    mine = (
        outage_rule.touched(rows, Service.visible_to(user)) if user.has("services.view") else set()
    )
    news: dict[int, list] = {}
    if rows:
        for update in (
            OutageUpdate.select()
            .where(OutageUpdate.outage.in_([o.id for o in rows]))
            .order_by(OutageUpdate.at.desc(), OutageUpdate.id.desc())
        ):
            news.setdefault(update.outage_id, []).append(update)
    groups = {"current": [], "planned": [], "resolved": []}
    for outage in rows:
        outage.touches_me = outage.id in mine
        outage.news = news.get(outage.id, [])
        outage.kind_label = OUTAGE_KINDS.get(outage.kind, outage.kind)
        groups[outage.state(now)].append(outage)
    return groups


def outage_markers(groups: dict[str, list]) -> list[dict]:
    """The outages with a position, as circles on the map: resolved first so
    that current ones are drawn on top, the newest over older ones, and the
    user's own last of all."""
    markers = []
    for state in ("resolved", "planned", "current"):
        for outage in reversed(groups[state]):  # the groups list the newest first
            if outage.latitude is None or outage.longitude is None:
                continue
            x, y = geo.project(outage.latitude, outage.longitude)
            markers.append(
                {
                    "outage": outage,
                    "state": state,
                    "x": x,
                    "y": y,
                    "r": max(outage.radius_km or 0, 0),
                    "pin": PIN_RADIUS,
                    "mine": outage.touches_me,
                }
            )
    markers.sort(key=lambda m: m["mine"])
    return markers


def coverage_dots(network: str) -> list[dict]:
    dots = []
    for row in coverage.points(network):
        x, y = geo.project(row.latitude, row.longitude)
        dots.append({"x": x, "y": y, "r": COVERAGE_RADIUS, "row": row})
    return dots


def found_places(places: list[dict]) -> list[dict]:
    """The looked-up places that have a position, to mark on the map."""
    found = []
    for place in places:
        row = next((r for r in place["networks"] if r.latitude is not None), None)
        if row is not None:
            x, y = geo.project(row.latitude, row.longitude)
            found.append({"x": x, "y": y, "place": place["place"]})
    return found


def panel(user, args) -> dict:
    """The context of the panel for the tab the query string asks for."""
    tab = args.get("drift", "lista")
    tab = tab if tab in TABS else "lista"
    groups = outage_groups(user)
    context = {
        "tab": tab,
        "tabs": TABS,
        "outages": groups,
        "map": {"width": geo.WIDTH, "height": geo.HEIGHT},
    }
    if tab == "karta":
        context["markers"] = outage_markers(groups)
    elif tab == "mobil":
        view = args.get("vy", "tackning")
        view = view if view in MOBILE_VIEWS else "tackning"
        context.update(view=view, views=MOBILE_VIEWS)
        if view == "tackning":
            network = args.get("nat", DEFAULT_NETWORK)
            network = network if network in coverage.NETWORKS else DEFAULT_NETWORK
            # No control characters: a NUL would end SQLite's LIKE pattern.
            place = re.sub(r"[\x00-\x1f\x7f]", "", args.get("plats") or "").strip()[:100]
            places = coverage.lookup(place) if place else None
            context.update(
                network=network,
                networks=coverage.NETWORKS,
                dots=coverage_dots(network),
                place=place,
                places=places,
                found=found_places(places or []),
                strengths=coverage.STRENGTHS,
            )
        else:
            context.update(regions=coverage.network_status(), status_labels=STATUS_LABELS)
    return context
