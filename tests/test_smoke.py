"""The four lists and the start page render for the demo administrator."""

import pytest

from tests.conftest import ADMIN


@pytest.mark.parametrize("path", ["/", "/services", "/invoices", "/orders", "/tickets"])
def test_pages_render(demo_client, login, path):
    login(demo_client, ADMIN)
    response = demo_client.get(path)
    assert response.status_code == 200
    assert b"<html" in response.data
