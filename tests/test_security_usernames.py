"""Skapa användare tells nothing about other organisations' user names
(ASVS 6.3.8): a name taken elsewhere gets the same answer as a new one, its
owner gets a notice, and nothing is created in either organisation."""

from __future__ import annotations

from models import AuditLog, Contact, OutboxMessage, User
from tests.auth_fixtures import fresh_login_cache  # noqa: F401
from tests.conftest import ADMIN, OTHER_ORG_ADMIN


def new_user(client, username: str, email: str, step: str = "2"):
    top = User.get(User.username == ADMIN).scope_account
    data = {
        "step": step,
        "contact": "new",
        "name": "Nina Ny",
        "scope_account": str(top.id),
        "email": email,
        "mobile": "",
        "username": username,
        "microsoft_email": "",
        "role": "",
        "permissions": ["invoices.view"],
        "access": "all",
        "action": "save" if step == "2" else "next",
    }
    return client.post("/users/new", data=data)


def answer(client, response) -> tuple:
    """What the administrator sees: status, where to, and the message there."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    start = page.index('class="flash')
    return (
        response.status_code,
        response.headers["Location"],
        page[start : page.index("</div>", start)],
    )


def test_a_name_taken_in_another_organisation_gets_the_same_answer(demo_app, login):
    admin = demo_app.test_client()
    login(admin, ADMIN)
    other = User.get(User.username == OTHER_ORG_ADMIN)
    users_before = User.select().count()
    # Step one (Nästa) does not refuse it either.
    step_one = new_user(admin, OTHER_ORG_ADMIN, "nina@a3demo.se", step="1")
    assert "används redan" not in step_one.get_data(as_text=True)
    assert 'name="permissions"' in step_one.get_data(as_text=True)  # on to step two

    taken_answer = answer(admin, new_user(admin, OTHER_ORG_ADMIN, "nina@a3demo.se"))
    free_answer = answer(admin, new_user(admin, "nina.fri@a3demo.se", "nina.fri@a3demo.se"))
    assert taken_answer[:2] == free_answer[:2]
    assert taken_answer[2].replace("nina@a3demo.se", "X") == free_answer[2].replace(
        "nina.fri@a3demo.se", "X"
    )
    assert "en inbjudan har skickats" in taken_answer[2]

    # Only the free name became a user; the other organisation's user is untouched.
    assert User.select().count() == users_before + 1
    assert User.get(User.username == OTHER_ORG_ADMIN).organisation_id == other.organisation_id
    # The owner of the name is told; nothing reaches the address the form named.
    notice = OutboxMessage.get(OutboxMessage.recipient == other.email)
    assert other.username in notice.body and "Inget konto har skapats" in notice.body
    assert not OutboxMessage.select().where(OutboxMessage.recipient == "nina@a3demo.se").exists()
    # Neither organisation's Granskningslogg has it; staff see it.
    row = AuditLog.get(AuditLog.action == "user.create_name_elsewhere")
    assert row.organisation_id is None
    own_log = admin.get("/audit").get_data(as_text=True)
    assert OTHER_ORG_ADMIN not in own_log
    # The contact person the administrator asked for exists as with a real invitation.
    assert Contact.select().where(Contact.email == "nina@a3demo.se").count() == 1


def test_a_name_taken_in_the_own_organisation_is_refused_clearly(demo_app, login):
    admin = demo_app.test_client()
    login(admin, ADMIN)
    users_before = User.select().count()
    response = new_user(admin, "konto@a3demo.se", "nina@a3demo.se", step="1")
    assert response.status_code == 200
    assert "Användarnamnet används redan." in response.get_data(as_text=True)
    saved = new_user(admin, "konto@a3demo.se", "nina@a3demo.se")
    assert "Användarnamnet används redan." in saved.get_data(as_text=True)
    assert User.select().count() == users_before
    assert not AuditLog.select().where(AuditLog.action == "user.create_name_elsewhere").exists()
