"""Form fields and their errors (issue 20 item 3): a field with an error is
marked invalid and points at its message (aria-describedby), and the ids on
the page are unique, even with several messages for one field."""

from __future__ import annotations

import re
from collections import Counter

from tests.conftest import ADMIN, login_as


def ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_field_error_is_tied_to_its_field(demo_client):
    login_as(demo_client, ADMIN)
    html = demo_client.post(
        "/profile/details",
        data={"name": "", "username": "", "email": "x" * 300, "language": "sv"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    for name in ("name", "username", "email"):
        tag = re.search(rf'<input[^>]*\bid="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"{name}-error" in described
        for target in described:
            assert f'id="{target}"' in html
    doubled = [key for key, n in ids(html).items() if n > 1]
    assert not doubled, doubled


def test_field_without_error_is_not_marked(demo_client):
    login_as(demo_client, ADMIN)
    html = demo_client.get("/profile/details", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "aria-invalid" not in html
    mobile = re.search(r'<input[^>]*\bid="mobile"[^>]*>', html).group(0)
    assert 'aria-describedby="mobile-hint"' in mobile
    assert 'id="mobile-hint"' in html
