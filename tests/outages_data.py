"""Helpers for the outage tests: the staff form as a browser would fill it
in (Stockholm local times), and the two steps Kontrollera → Publicera."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from database import write_tx
from domain.formats import LOCAL_TZ
from domain.passwords import hash_password
from models import StaffUser

FORMAT = "%Y-%m-%dT%H:%M"


def local(delta: dt.timedelta = dt.timedelta()) -> str:
    """Now plus ``delta`` as a datetime-local field's value."""
    return (dt.datetime.now(LOCAL_TZ) + delta).strftime(FORMAT)


def form(**overrides) -> dict:
    data = {
        "kind": "fault",
        "title": "Kabelbrott Testby",
        "description": "Grävskada.",
        "area": "Testby",
        "postcodes": "901 55, 90156",
        "service_kinds": ["broadband"],
        "latitude": "63,8258",
        "longitude": "20,2630",
        "radius_km": "5",
        "starts_at": local(-dt.timedelta(hours=1)),
        "expected_end": local(dt.timedelta(hours=4)),
        "token": secrets.token_urlsafe(24),
    }
    data.update(overrides)
    return data


def preview_of(html: str) -> str:
    match = re.search(r'name="preview_of"[^>]*value="([0-9a-f]+)"', html) or re.search(
        r'value="([0-9a-f]+)"[^>]*name="preview_of"', html
    )
    assert match, "no preview in the page"
    return match.group(1)


def publish(client, **overrides):
    """Kontrollera, then Publicera with the preview's fingerprint."""
    data = form(**overrides)
    checked = client.post("/staff/outages/new", data=data)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    return client.post(
        "/staff/outages/new", data={**data, "preview_of": preview_of(html), "confirm": "1"}
    ), html


def make_staff(username: str, roles: str) -> StaffUser:
    with write_tx():
        return StaffUser.create(
            username=username,
            email=username,
            name=username.split("@")[0].title(),
            password_hash=hash_password("x" * 12),
            roles=roles,
        )
