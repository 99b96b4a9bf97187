"""Staff publish, update and resolve outages and planned maintenance
(SPEC UI-6). Each write is one audited transaction; the listeners of
domain/outages.py (e-mail to opted-in contacts) hear of it after it commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from database import utcnow, write_tx
from domain import audit
from domain.outages import notify_hook
from tables.ops import OUTAGE_KINDS, Outage, OutageUpdate

_POSTCODE = re.compile(r"^(\d{3}) ?(\d{2})$")
_SEPARATORS = re.compile(r"[,;\n]+")


def parse_postcodes(text: str) -> tuple[list[str], list[str]]:
    """Postcodes written as "901 55, 90156" (commas, semicolons or new lines
    between them; "901 55 90156" too): the five-digit postcodes, and the parts
    that are not one."""
    good, bad = [], []
    for part in _SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        # "901 55 90156": without commas, pair up what reads as postcodes.
        pieces = re.findall(r"\d{3} \d{2}(?!\d)|\S+", part)
        for piece in pieces:
            match = _POSTCODE.match(piece)
            if match:
                code = match.group(1) + match.group(2)
                if code not in good:
                    good.append(code)
            else:
                bad.append(piece)
    return good, bad


@dataclass
class OutageData:
    """What the publishing form collected, checked."""

    kind: str
    title: str
    description: str
    area: str
    postcodes: list[str]
    service_kinds: list[str]
    latitude: float | None
    longitude: float | None
    radius_km: float | None
    starts_at: dt.datetime  # UTC
    expected_end: dt.datetime | None  # UTC

    def draft(self) -> Outage:
        """An unsaved Outage, for the rule's preview of what it touches."""
        return Outage(
            kind=self.kind,
            title=self.title,
            description=self.description,
            area=self.area,
            postcodes=" ".join(self.postcodes),
            service_kinds=" ".join(self.service_kinds),
            latitude=self.latitude,
            longitude=self.longitude,
            radius_km=self.radius_km,
            starts_at=self.starts_at,
            expected_end=self.expected_end,
        )


def publish(data: OutageData, staff, token: str) -> tuple[Outage, bool]:
    """Publish once per form ``token``: (the outage, whether it is new). A
    double submit finds the outage the first one made and tells no one."""
    with write_tx():
        existing = Outage.get_or_none(Outage.publish_token == token)
        if existing is not None:
            return existing, False
        outage = data.draft()
        outage.created_by = staff.id
        outage.publish_token = token
        outage.save()
        audit.record(
            "outage.publish",
            outage,
            summary=f"{OUTAGE_KINDS[outage.kind]} publicerad: {outage.title}",
            after=snapshot(outage),
            organisation=audit.STAFF_ONLY,
        )
    notify_hook(outage, "published")
    return outage, True


def add_update(outage: Outage, text: str, expected_end: dt.datetime | None, staff) -> OutageUpdate:
    """Uppdatering: a news item customers see, and a new expected end if given."""
    with write_tx():
        before = snapshot(outage)
        update = OutageUpdate.create(outage=outage, text=text, staff=staff.id, at=utcnow())
        if expected_end is not None:
            outage.expected_end = expected_end
            outage.save()
        audit.record(
            "outage.update",
            outage,
            summary=f"Uppdatering av {outage.title}: {text}",
            before=before,
            after=snapshot(outage),
            organisation=audit.STAFF_ONLY,
        )
    notify_hook(outage, "updated")
    return update


def resolve(outage: Outage, text: str, staff) -> bool:
    """Åtgärdad: the outage ends now. False, and nothing written, when it
    already was resolved (a second click, another employee)."""
    now = utcnow()
    with write_tx():
        changed = (
            Outage.update(resolved_at=now)
            .where((Outage.id == outage.id) & Outage.resolved_at.is_null())
            .execute()
        )
        if not changed:
            return False
        outage.resolved_at = now
        if text:
            OutageUpdate.create(outage=outage, text=text, staff=staff.id, at=now)
        audit.record(
            "outage.resolve",
            outage,
            summary=f"Åtgärdad: {outage.title}" + (f" – {text}" if text else ""),
            organisation=audit.STAFF_ONLY,
        )
    notify_hook(outage, "resolved")
    return True


def snapshot(outage: Outage) -> dict:
    return {
        "kind": outage.kind,
        "title": outage.title,
        "area": outage.area,
        "postcodes": outage.postcodes,
        "service_kinds": outage.service_kinds,
        "position": [outage.latitude, outage.longitude, outage.radius_km],
        "starts_at": outage.starts_at.isoformat(timespec="minutes") if outage.starts_at else None,
        "expected_end": outage.expected_end.isoformat(timespec="minutes")
        if outage.expected_end
        else None,
    }
