"""Feedback after every action (issue 13 §3): a dialog that succeeds ends with
a short confirmation, sent as the ``showMessage`` event for htmx (before the
events that close the dialog and refresh the page) and flashed on the page
it returns to without htmx."""

from __future__ import annotations

import json

from tests.accounts_fixtures import HTMX, SUB1, account
from tests.conftest import ADMIN


def test_a_dialog_confirms_with_a_message_before_closing(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/alias", data={"alias": "Kontoret"}, headers=HTMX
    )
    assert response.status_code == 200
    events = json.loads(response.headers["HX-Trigger"])
    assert events["showMessage"] == "Aliaset är sparat."
    assert list(events)[0] == "showMessage" and list(events)[-1] == "closeDialog"


def test_without_htmx_the_confirmation_is_flashed_on_the_page(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    response = demo_client.post(
        f"/accounts/{sub1.id}/alias", data={"alias": "Kontoret"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="flash flash-success" role="status" data-toast>Aliaset är sparat.</div>' in html
    assert 'id="toasts"' in html and 'aria-live="polite"' in html
