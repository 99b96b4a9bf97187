"""Användare: the screen and the rules against privilege escalation. Every
refused attempt leaves the user exactly as it was."""

from __future__ import annotations

import pytest

from database import write_tx
from domain import users as rules
from models import Account, Role, User, UserObjectAccess
from permissions import format_permissions
from tests.auth_fixtures import (  # noqa: F401
    actions,
    add_user,
    fresh_login_cache,
    reload,
    user_by_name,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN


def form_data(user=None, **overrides):
    """The final POST of the user form (both steps' fields)."""
    data = {
        "contact": str(user.contact_id) if user else "new",
        "name": user.name if user else "Nils Ny",
        "scope_account": str(user.scope_account_id) if user else "",
        "email": user.email if user else "nils@a3demo.se",
        "mobile": user.mobile if user else "",
        "username": user.username if user else "",
        "microsoft_email": "",
        "role": str(user.role_id) if user and user.role_id else "",
        "role_was": str(user.role_id) if user and user.role_id else "",
        "permissions": sorted(user.permission_set) if user else [],
        "access": "all",
        "action": "save",
    }
    data.update(overrides)
    return data


def snapshot(user):
    user = reload(user)
    objects = sorted(
        (r.account_id, r.service_id)
        for r in UserObjectAccess.select().where(UserObjectAccess.user == user.id)
    )
    return (
        user.name,
        user.email,
        user.username,
        user.scope_account_id,
        user.role_id,
        user.permissions,
        user.restricted,
        user.active,
        user.removed_at,
        objects,
    )


def grant(username, *permissions):
    user = user_by_name(username)
    with write_tx():
        User.update(permissions=format_permissions(user.permission_set | set(permissions))).where(
            User.id == user.id
        ).execute()
    return reload(user)


@pytest.fixture
def kontoadmin(demo_app):
    """Karl Berg, Kontoadministratör on 99500852, now also with users.manage."""
    return grant(ACCOUNT_ADMIN, "users.manage")


def test_users_screen_needs_users_manage(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    assert demo_client.get("/users").status_code == 403
    assert demo_client.get("/users/new").status_code == 403


def test_users_list_shows_the_organisation(demo_client, login):
    login(demo_client, ADMIN)
    page = demo_client.get("/users").get_data(as_text=True)
    for name in ("Anna Lind", "Karl Berg", "Eva Ek"):
        assert name in page
    assert "Nils Norr" not in page
    assert page.index("Anna Lind") < page.index("Eva Ek") < page.index("Karl Berg")
    assert "Kontoadministratör" in page and "Superuser: alla rättigheter" in page
    export = demo_client.get("/users?export=xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_admin_creates_a_user_in_two_steps(demo_client, login):
    login(demo_client, ADMIN)
    top = user_by_name(ADMIN).scope_account
    ekonomi = Role.get(Role.name == "Ekonomi")
    step1 = form_data(scope_account=str(top.id), role=str(ekonomi.id), role_was="", action="next")
    del step1["permissions"]
    page = demo_client.post("/users/new", data=step1).get_data(as_text=True)
    assert "2. Behörigheter och åtkomst" in page and 'aria-current="step">2.' in page
    assert 'value="invoices.view" checked' in page  # the role's boxes are ticked
    # Untick one of the role's boxes: the role becomes Egendefinierad.
    final = form_data(
        scope_account=str(top.id),
        role=str(ekonomi.id),
        role_was=str(ekonomi.id),
        permissions=["accounts.view", "invoices.view"],
    )
    assert demo_client.post("/users/new", data=final).status_code == 303
    new = user_by_name("nils@a3demo.se")
    assert new.role_id is None
    assert new.permission_set == {"accounts.view", "invoices.view"}
    assert new.contact.name == "Nils Ny" and new.password_hash is None
    assert "user.create" in actions() and "user.invite" in actions()


def test_role_kept_when_boxes_match(demo_client, login):
    login(demo_client, ADMIN)
    eva = user_by_name(INVOICES_ONLY)
    ekonomi = Role.get(Role.name == "Ekonomi")
    data = form_data(eva, role=str(ekonomi.id), permissions=sorted(ekonomi.permission_set))
    assert demo_client.post(f"/users/{eva.id}/edit", data=data).status_code == 303
    eva = reload(eva)
    assert eva.role_id == ekonomi.id and eva.permission_set == ekonomi.permission_set
    assert "user.permissions" in actions()


def test_cannot_grant_a_permission_you_lack(demo_client, login, kontoadmin):
    login(demo_client, ACCOUNT_ADMIN)
    data = form_data(
        scope_account=str(kontoadmin.scope_account_id),
        permissions=["services.view", "faults.create"],
    )
    response = demo_client.post("/users/new", data=data)
    assert response.status_code == 200
    assert "inte ge behörigheter som du inte själv har" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "nils@a3demo.se").exists()


def test_cannot_add_a_permission_you_lack_to_an_existing_user(demo_client, login, kontoadmin):
    colleague = add_user(
        kontoadmin.organisation, kontoadmin.scope_account, permissions={"services.view"}
    )
    before = snapshot(colleague)
    login(demo_client, ACCOUNT_ADMIN)
    data = form_data(colleague, permissions=["services.view", "users.manage", "faults.create"])
    response = demo_client.post(f"/users/{colleague.id}/edit", data=data)
    assert "inte ge behörigheter" in response.get_data(as_text=True)
    assert snapshot(colleague) == before


def test_permissions_you_lack_stay_untouched(demo_client, login, kontoadmin):
    """A box you cannot tick you cannot untick either (Tele2)."""
    colleague = add_user(
        kontoadmin.organisation,
        kontoadmin.scope_account,
        permissions={"services.view", "faults.create"},
    )
    login(demo_client, ACCOUNT_ADMIN)
    # Karl lacks faults.create; the colleague holds more than Karl, so he
    # may not change the colleague at all.
    data = form_data(colleague, permissions=["services.view"])
    response = demo_client.post(f"/users/{colleague.id}/edit", data=data)
    assert "fler behörigheter" in response.get_data(as_text=True)
    assert reload(colleague).permission_set == {"services.view", "faults.create"}


def test_cannot_widen_account_access(demo_client, login, kontoadmin):
    top = user_by_name(ADMIN).scope_account
    login(demo_client, ACCOUNT_ADMIN)
    # The top account is not among the choices: the form refuses it.
    data = form_data(scope_account=str(top.id), permissions=["services.view"])
    response = demo_client.post("/users/new", data=data)
    assert response.status_code == 200
    assert not User.select().where(User.username == "nils@a3demo.se").exists()
    # The rule itself, without the form.
    with pytest.raises(rules.Refused), write_tx():
        rules.resolve_access(
            kontoadmin,
            None,
            rules.Access(scope_account=top, role=None, permissions=frozenset()),
        )


def test_cannot_narrow_to_objects_outside_the_scope(demo_client, login, kontoadmin):
    other_branch = Account.get(Account.customer_number == "23080671")
    login(demo_client, ACCOUNT_ADMIN)
    data = form_data(
        scope_account=str(kontoadmin.scope_account_id),
        permissions=["services.view"],
        access="some",
        accounts=[str(other_branch.id)],
    )
    demo_client.post("/users/new", data=data)
    assert not User.select().where(User.username == "nils@a3demo.se").exists()


def test_kontoadministrator_manages_only_their_sub_tree(demo_client, login, kontoadmin):
    anna, eva = user_by_name(ADMIN), user_by_name(INVOICES_ONLY)
    before = snapshot(eva)
    login(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/users").get_data(as_text=True)
    assert "Karl Berg" in page and "Eva Ek" not in page and "Anna Lind" not in page
    assert demo_client.get(f"/users/{eva.id}/edit").status_code == 404
    data = form_data(eva, scope_account=str(kontoadmin.scope_account_id), permissions=[])
    assert demo_client.post(f"/users/{eva.id}/edit", data=data).status_code == 404
    for action in ("deactivate", "remove", "reset-2fa", "unlock"):
        assert demo_client.post(f"/users/{anna.id}/{action}").status_code == 404
    assert snapshot(eva) == before


def test_cannot_touch_users_of_another_organisation(demo_client, login):
    eva = user_by_name(INVOICES_ONLY)
    before = snapshot(eva)
    login(demo_client, OTHER_ORG_ADMIN)
    assert demo_client.get(f"/users/{eva.id}/edit").status_code == 404
    assert demo_client.post(f"/users/{eva.id}/edit", data=form_data(eva)).status_code == 404
    for action in ("deactivate", "activate", "remove", "reset-2fa", "unlock", "invite"):
        assert demo_client.post(f"/users/{eva.id}/{action}").status_code == 404
    assert "Eva Ek" not in demo_client.get("/users").get_data(as_text=True)
    assert snapshot(eva) == before


def test_only_a_superuser_makes_or_changes_a_superuser(demo_client, login):
    eva = grant(INVOICES_ONLY, "users.manage")
    anna = user_by_name(ADMIN)
    superuser = Role.get(Role.is_superuser == True)  # noqa: E712
    login(demo_client, INVOICES_ONLY)
    target_before = snapshot(anna)
    response = demo_client.post(
        f"/users/{anna.id}/edit", data=form_data(anna, permissions=["invoices.view"], role="")
    )
    assert "fler behörigheter" in response.get_data(as_text=True)
    assert snapshot(anna) == target_before
    data = form_data(
        scope_account=str(eva.scope_account_id),
        role=str(superuser.id),
        permissions=["invoices.view", "users.manage"],
    )
    demo_client.post("/users/new", data=data)
    assert not User.select().where(User.username == "nils@a3demo.se").exists()
    for action in ("deactivate", "remove", "reset-2fa"):
        response = demo_client.post(f"/users/{anna.id}/{action}")
        assert "fler behörigheter" in response.get_data(as_text=True)
    assert snapshot(anna) == target_before


def test_nobody_deactivates_removes_or_promotes_themselves(demo_client, login):
    eva = grant(INVOICES_ONLY, "users.manage")
    before = snapshot(eva)
    login(demo_client, INVOICES_ONLY)
    for action in ("deactivate", "remove"):
        response = demo_client.post(f"/users/{eva.id}/{action}")
        assert "dig själv" in response.get_data(as_text=True)
    response = demo_client.post(
        f"/users/{eva.id}/edit", data=form_data(eva, permissions=["invoices.view"])
    )
    assert "egna behörigheter" in response.get_data(as_text=True)
    assert snapshot(eva) == before


def test_the_last_superuser_is_not_removed_or_demoted(demo_app):
    anna = user_by_name(ADMIN)
    before = snapshot(anna)
    # Another Superuser of the organisation whose own account is inactive
    # does not count: Anna is the last active one.
    other = add_user(anna.organisation, anna.scope_account, superuser=True, active=False)
    for attempt in (
        lambda: rules.set_active(other, anna, False),
        lambda: rules.remove(other, anna),
        lambda: rules.update_user(
            other,
            anna,
            {
                "name": anna.name,
                "email": anna.email,
                "username": anna.username,
                "mobile": anna.mobile,
                "microsoft_email": "",
            },
            anna.contact,
            rules.Access(
                scope_account=anna.scope_account, role=None, permissions=anna.permission_set
            ),
        ),
    ):
        with pytest.raises(rules.Refused, match="minst en Superuser"), write_tx():
            attempt()
    assert snapshot(anna) == before


def test_superuser_demotes_another_superuser_when_one_remains(demo_client, login):
    anna = user_by_name(ADMIN)
    bo = add_user(anna.organisation, anna.scope_account, superuser=True)
    login(demo_client, ADMIN)
    response = demo_client.post(
        f"/users/{bo.id}/edit", data=form_data(bo, role="", permissions=["invoices.view"])
    )
    assert response.status_code == 303
    bo = reload(bo)
    assert not bo.is_superuser and bo.permission_set == {"invoices.view"}


def test_deactivate_and_remove(demo_client, login):
    eva = user_by_name(INVOICES_ONLY)
    login(demo_client, ADMIN)
    assert demo_client.get(f"/users/{eva.id}/deactivate").status_code == 200  # the dialog
    assert demo_client.post(f"/users/{eva.id}/deactivate").status_code == 303
    assert not reload(eva).active
    assert demo_client.post(f"/users/{eva.id}/remove").status_code == 303
    removed = reload(eva)
    assert removed.removed_at is not None and removed.username != INVOICES_ONLY
    assert '<td data-label="Namn">Eva Ek' not in demo_client.get("/users").get_data(as_text=True)
    assert demo_client.get(f"/users/{eva.id}/edit").status_code == 404
    assert {"user.deactivate", "user.remove"} <= set(actions())


def test_a_new_user_starts_in_the_language_of_the_inviting_admin(demo_client, login):
    from models import OutboxMessage

    with write_tx():
        User.update(language="en").where(User.username == ADMIN).execute()
    login(demo_client, ADMIN)
    top = user_by_name(ADMIN).scope_account
    data = form_data(scope_account=str(top.id), permissions=["accounts.view"])
    assert demo_client.post("/users/new", data=data).status_code == 303
    new = user_by_name("nils@a3demo.se")
    assert new.language == "en"
    invitation = (
        OutboxMessage.select()
        .where(OutboxMessage.recipient == new.email)
        .order_by(OutboxMessage.id.desc())
        .get()
    )
    assert invitation.subject.startswith("Invitation to ")
