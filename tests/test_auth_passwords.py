"""Passwords (AUTH-1, AUTH-4): rules, hashing, "Glömt lösenordet?" links that
work once and expire, invitations received on a real SMTP server, and a
password change that ends the user's other sessions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from database import utcnow, write_tx
from domain import passwords
from models import AuditLog, AuthToken, OutboxMessage
from tests.auth_fixtures import (
    actions,
    fresh_login_cache,  # noqa: F401
    last_mail,
    link_in,
    post_login,
    reload,
    signed_in,
    user_by_name,
)
from tests.conftest import ADMIN, DEMO_PASSWORD, STAFF

NEW_PASSWORD = "Blåbärssylt på tisdagar 7"


@pytest.mark.parametrize(
    "password, message",
    [
        ("kort1", "minst 8 tecken"),
        ("x" * 129, "högst 128 tecken"),
        ("password123", "vanligaste"),
        ("Sommar2024", "vanligaste"),
        ("admin@a3demo.se!!", "användarnamn"),
    ],
)
def test_password_rules(password, message):
    problems = passwords.password_problems(password, username="admin@a3demo.se", name="Anna Lind")
    assert problems and message in problems[0]


def test_good_long_passwords_pass():
    assert passwords.password_problems("x7" * 32) == []  # 64 characters
    assert passwords.password_problems("correct horse battery staple " * 4) == []
    assert len(passwords.common_passwords()) > 10_000


def test_production_hashing_is_argon2id_at_asvs_strength():
    hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
    assert hasher.type.name == "ID"
    source = Path(passwords.__file__).read_text(encoding="utf-8")
    assert "PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)" in source
    assert passwords.hash_password("x").startswith("$argon2id$")


def visible_answer(response) -> tuple[int, str]:
    """The status and the words a person reads on the card, without the page's
    CSRF token (which embeds the second it was made, so two whole pages made a
    second apart differ)."""
    html = response.get_data(as_text=True)
    card = html[html.index('<section class="login-card') : html.index("</section>")]
    return response.status_code, " ".join(re.sub(r"<[^>]+>", " ", card).split())


def test_forgot_answers_the_same_whether_or_not_the_name_exists(demo_client):
    known = visible_answer(demo_client.post("/forgot", data={"username": ADMIN}))
    unknown = visible_answer(demo_client.post("/forgot", data={"username": "ingen@example.se"}))
    assert known == unknown
    assert known[0] == 200 and "Kolla din e-post" in known[1]
    assert OutboxMessage.select().where(OutboxMessage.recipient == "ingen@example.se").count() == 0
    assert last_mail(ADMIN).subject == "Återställ ditt lösenord"


def row_counts() -> tuple[int, int, int]:
    return AuthToken.select().count(), OutboxMessage.select().count(), AuditLog.select().count()


@pytest.mark.parametrize(("path", "known"), [("/forgot", ADMIN), ("/staff/forgot", STAFF)])
def test_forgot_does_the_same_work_before_answering_whether_or_not_the_name_exists(
    demo_client, path, known
):
    """The answer leaves before the name is even looked up: until the server
    closes the response, neither request has written anything, so the time
    to the answer cannot tell the two apart. The mail follows after."""
    tokens_before = AuthToken.select().count()
    answers = {}
    for name in ("ingen@example.se", known):
        before = row_counts()
        response = demo_client.post(path, data={"username": name}, buffered=False)
        answers[name] = visible_answer(response)
        assert row_counts() == before  # nothing done yet, for either name
        response.close()  # what the WSGI server does once the answer is sent
    assert answers[known] == answers["ingen@example.se"]
    assert OutboxMessage.select().where(OutboxMessage.recipient == known).count() == 1
    assert not OutboxMessage.select().where(OutboxMessage.recipient == "ingen@example.se").exists()
    assert AuthToken.select().count() == tokens_before + 1


def test_reset_link_works_once(demo_client, smtp_server):
    demo_client.application.config.update(smtp_server.config)
    user = user_by_name(ADMIN)
    # A session that is signed in elsewhere ends with the reset.
    elsewhere = demo_client.application.test_client()
    post_login(elsewhere, ADMIN)
    assert elsewhere.get("/profile").status_code == 200

    demo_client.post("/forgot", data={"username": ADMIN})
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == ADMIN
    path = link_in(received.get_content(), "reset")
    token = path.rsplit("/", 1)[1]
    assert not AuthToken.select().where(AuthToken.token_hash.contains(token)).exists()

    assert demo_client.get(path).status_code == 200
    weak = demo_client.post(path, data={"password": "password1", "confirm": "password1"})
    assert "vanligaste" in weak.get_data(as_text=True)
    response = demo_client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "auth.password_reset" in actions()

    # Used once: the link is dead, the old password too, the other session ended.
    assert demo_client.get(path).status_code == 410
    again = demo_client.post(
        path, data={"password": "Ett annat lösenord 9", "confirm": "Ett annat lösenord 9"}
    )
    assert again.status_code == 410
    assert elsewhere.get("/profile").status_code == 302  # its session version is stale
    assert post_login(demo_client, ADMIN, DEMO_PASSWORD).status_code == 200
    assert post_login(demo_client, ADMIN, NEW_PASSWORD).status_code == 302
    assert reload(user).session_version > user.session_version


def test_reset_link_expires(demo_client):
    demo_client.post("/forgot", data={"username": ADMIN})
    path = link_in(last_mail(ADMIN).body, "reset")
    with write_tx():
        AuthToken.update(expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert demo_client.get(path).status_code == 410
    response = demo_client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert post_login(demo_client, ADMIN, DEMO_PASSWORD).status_code == 302


def test_a_newer_reset_link_replaces_the_older(demo_client):
    demo_client.post("/forgot", data={"username": ADMIN})
    first = link_in(last_mail(ADMIN).body, "reset")
    demo_client.post("/forgot", data={"username": ADMIN})
    second = link_in(last_mail(ADMIN).body, "reset")
    assert first != second
    assert demo_client.get(first).status_code == 410
    assert demo_client.get(second).status_code == 200


def test_reset_mails_are_limited(demo_client):
    for _ in range(5):
        demo_client.post("/forgot", data={"username": ADMIN})
    assert OutboxMessage.select().where(OutboxMessage.recipient == ADMIN).count() == 3


def test_invitation_is_received_and_sets_the_password(demo_client, login, smtp_server):
    demo_client.application.config.update(smtp_server.config)
    login(demo_client, ADMIN)
    top = user_by_name(ADMIN).scope_account
    data = {
        "step": "2",
        "contact": "new",
        "name": "Nina Ny",
        "scope_account": str(top.id),
        "email": "nina@a3demo.se",
        "mobile": "070-111 22 33",
        "username": "",
        "microsoft_email": "",
        "role": "",
        "permissions": ["invoices.view", "tickets.view"],
        "access": "all",
        "action": "save",
    }
    response = demo_client.post("/users/new", data=data)
    assert response.status_code == 303
    new = user_by_name("nina@a3demo.se")
    assert new.password_hash is None and new.mobile == "0701112233"
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "nina@a3demo.se" and "Inbjudan" in mail["Subject"]
    path = link_in(mail.get_content(), "invite")

    invited = demo_client.application.test_client()
    page = invited.get(path).get_data(as_text=True)
    assert "Välj ditt lösenord" in page and "nina@a3demo.se" in page
    response = invited.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert invited.get(path).status_code == 410
    assert post_login(invited, "nina@a3demo.se", NEW_PASSWORD).status_code == 302
    assert signed_in(invited)
    assert "auth.invite_accepted" in actions()


def test_changing_the_password_ends_other_sessions(demo_client):
    post_login(demo_client, ADMIN)
    other = demo_client.application.test_client()
    post_login(other, ADMIN)
    assert other.get("/profile").status_code == 200
    wrong = demo_client.post(
        "/profile/password",
        data={"current_password": "fel", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Fel lösenord" in wrong.get_data(as_text=True)
    response = demo_client.post(
        "/profile/password",
        data={
            "current_password": DEMO_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert demo_client.get("/profile").status_code == 200  # this browser stays in
    assert other.get("/profile").status_code == 302  # the other one is out
    assert "auth.password_changed" in actions()
    assert last_mail(ADMIN).subject.startswith("Säkerhetsmeddelande")


def test_session_fixation_prevented(demo_client):
    with demo_client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_login(demo_client, ADMIN)
    with demo_client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_idle_sessions_end(demo_client):
    post_login(demo_client, ADMIN)
    with demo_client.session_transaction() as session:
        session["seen_at"] -= 61 * 60
    response = demo_client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not signed_in(demo_client)
