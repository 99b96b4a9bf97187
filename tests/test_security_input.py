"""Text input (ASVS 1.2.10, 2.2.1): control characters are refused next to
the field in every form, multi-line text keeps its tabs and line breaks, a
failed sign-in with such a name records nothing, and a form posted with
fields left out gets messages, never a 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm as FlaskWTFForm

import blueprints
from models import Account, AuditLog, LoginThrottle, Ticket, TicketMessage, User
from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, DEMO_PASSWORD
from web.forms import CONTROL_MESSAGE, FlaskForm

# Tab and U+0085 (NEL) count as white space, which some fields normalise
# away before checking; they are tested on a field that keeps it as typed.
BAD = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\u202e", "\u2066"]


def top() -> Account:
    return Account.get(Account.parent.is_null() & (Account.organisation == 1))


def message_ticket() -> Ticket:
    return Ticket.get(Ticket.subject == "Message Delivery Failure")


# (name, signed in as, url, form data with {} where the bad character goes, stored value)
FORMS = [
    (
        "account alias",
        ADMIN,
        lambda: f"/accounts/{top().id}/alias",
        {"alias": "Kont{}oret"},
        lambda: Account.get_by_id(top().id).alias,
    ),
    (
        "profile name",
        ADMIN,
        lambda: "/profile/details",
        {
            "name": "Anna{}Lind",
            "username": ADMIN,
            "email": ADMIN,
            "mobile": "",
            "language": "sv",
        },
        lambda: User.get(User.username == ADMIN).name,
    ),
    (
        "ticket subject",
        ADMIN,
        lambda: "/tickets/new",
        {"category": "support", "subject": "Hjälp{}", "body": "Text", "action": "send"},
        lambda: Ticket.select().where(Ticket.subject.startswith("Hjälp")).count(),
    ),
    (
        "reply text",
        ADMIN,
        lambda: f"/tickets/{message_ticket().id}/reply",
        {"body": "Svar{}text"},
        lambda: TicketMessage.select().count(),
    ),
    (
        "new user name",
        ADMIN,
        lambda: "/users/new",
        {
            "step": "1",
            "contact": "new",
            "name": "Nina{}Ny",
            "scope_account": "1",
            "email": "nina@a3demo.se",
            "username": "nina@a3demo.se",
        },
        lambda: User.select().where(User.username == "nina@a3demo.se").count(),
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize(("name", "who", "url", "data", "stored"), FORMS, ids=[f[0] for f in FORMS])
def test_control_characters_are_refused_next_to_the_field(
    demo_client, login, bad, name, who, url, data, stored
):
    login(demo_client, who)
    before = stored()
    response = demo_client.post(
        url(),
        data={key: value.replace("{}", bad) for key, value in data.items()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert stored() == before


def test_multi_line_text_keeps_tabs_and_line_breaks(demo_client, login):
    login(demo_client, ADMIN)
    t = message_ticket()
    body = "Rad ett\r\nRad två\n\tindraget"
    response = demo_client.post(f"/tickets/{t.id}/reply", data={"body": body})
    assert response.status_code in (200, 303)
    assert CONTROL_MESSAGE not in response.get_data(as_text=True)
    latest = TicketMessage.get(TicketMessage.body.startswith("Rad ett"))
    assert "Rad två" in latest.body and "\tindraget" in latest.body


@pytest.mark.parametrize("bad", ["\t", "\x85", "\r\n"], ids=repr)
def test_single_line_text_refuses_tabs_and_line_breaks(demo_client, login, bad):
    login(demo_client, ADMIN)
    response = demo_client.post(f"/accounts/{top().id}/alias", data={"alias": f"A{bad}B"})
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert Account.get_by_id(top().id).alias != f"A{bad}B"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\u202e"], ids=repr)
def test_a_sign_in_with_a_control_character_records_nothing(demo_client, bad):
    audit_before = AuditLog.select().count()
    response = demo_client.post(
        "/login", data={"username": f"admin{bad}@a3demo.se", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert AuditLog.select().count() == audit_before
    assert not LoginThrottle.select().where(LoginThrottle.key.contains(bad)).exists()
    staff = demo_client.post(
        "/staff/login", data={"username": f"staff{bad}", "password": DEMO_PASSWORD}
    )
    assert staff.status_code == 200 and CONTROL_MESSAGE in staff.get_data(as_text=True)
    assert AuditLog.select().count() == audit_before


def test_every_form_derives_from_the_checking_base():
    """A form declared with Flask-WTF's class directly would skip the rules."""
    for info in pkgutil.walk_packages(blueprints.__path__, "blueprints."):
        importlib.import_module(info.name)
    unchecked = []
    pending = list(FlaskWTFForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        ours = form.__module__.startswith(("blueprints", "web", "domain"))
        if ours and not issubclass(form, FlaskForm):
            unchecked.append(f"{form.__module__}.{form.__name__}")
    assert unchecked == []
