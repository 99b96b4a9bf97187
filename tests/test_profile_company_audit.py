"""Min profil, Rapportera fel, Företagsprofil, the audit log and the CLI."""

from __future__ import annotations

from database import write_tx
from models import AuditLog, CompanyProfile, Organisation, Ticket, User
from tests.auth_fixtures import (  # noqa: F401
    actions,
    fresh_login_cache,
    last_mail,
    link_in,
    reload,
    user_by_name,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, DEMO_PASSWORD, INVOICES_ONLY, OTHER_ORG_ADMIN


def details(user, **changes):
    data = {
        "name": user.name,
        "username": user.username,
        "email": user.email,
        "mobile": user.mobile,
        "language": user.language,
        "current_password": "",
    }
    data.update(changes)
    return data


def test_profile_shows_own_permissions_read_only(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/profile").get_data(as_text=True)
    assert "Kontoadministratör" in page and "99500852" in page
    assert '<li class="">Visa tjänster</li>' in page
    assert '<li class="no">Hantera användare</li>' in page


def test_name_changes_without_password_but_email_needs_it(demo_client, login):
    user = login(demo_client, ADMIN)
    response = demo_client.post("/profile/details", data=details(user, name="Anna Lind-Ek"))
    assert response.status_code == 303 and reload(user).name == "Anna Lind-Ek"
    response = demo_client.post(
        "/profile/details", data=details(reload(user), email="anna@a3demo.se")
    )
    assert response.status_code == 200 and "Fel lösenord" in response.get_data(as_text=True)
    assert reload(user).email == ADMIN
    response = demo_client.post(
        "/profile/details",
        data=details(reload(user), email="anna@a3demo.se", current_password=DEMO_PASSWORD),
    )
    assert response.status_code == 303 and reload(user).email == "anna@a3demo.se"
    assert last_mail(ADMIN).subject.startswith("Säkerhetsmeddelande")  # the old address is told
    assert "profile.update" in actions()


def test_report_bug_creates_a_ticket(demo_client, login):
    user = login(demo_client, INVOICES_ONLY)
    assert demo_client.get("/profile/report-bug").status_code == 200
    response = demo_client.post(
        "/profile/report-bug",
        data={
            "subject": "Exporten hänger",
            "body": "Excel-exporten laddar aldrig klart.",
            "page": "/invoices",
        },
    )
    assert response.status_code == 303
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert ticket.subject == "Felrapport: Exporten hänger"
    assert ticket.category == "other" and ticket.created_by_id == user.id


def test_company_profile_requires_2fa_and_is_audited(demo_client, login):
    user = login(demo_client, ADMIN)
    page = demo_client.get("/company").get_data(as_text=True)
    assert "Kräv tvåstegsverifiering" in page
    response = demo_client.post(
        "/company",
        data={
            "notify_email": "y",
            "require_2fa": "y",
            "delivery_name": "A3 Demo Connect",
            "delivery_attention": "Godsmottagningen",
            "delivery_street": "Gata 1",
            "delivery_postcode": "901 55",
            "delivery_city": "Umeå",
        },
    )
    assert response.status_code == 303
    profile = CompanyProfile.get(CompanyProfile.organisation == user.organisation_id)
    assert profile.require_2fa and profile.delivery_postcode == "90155"
    assert "company.profile" in actions()


def test_kontoadministrator_cannot_change_the_company_profile(demo_client, login):
    karl = user_by_name(ACCOUNT_ADMIN)
    with write_tx():
        User.update(permissions=karl.permissions + " users.manage").where(
            User.id == karl.id
        ).execute()
    login(demo_client, ACCOUNT_ADMIN)
    assert demo_client.get("/company").status_code == 200
    assert demo_client.post("/company", data={"require_2fa": "y"}).status_code == 403


def test_audit_log_is_scoped_to_the_organisation(demo_client, login):
    login(demo_client, ADMIN)
    demo_client.post("/profile/details", data=details(user_by_name(ADMIN), name="Anna L"))
    other = demo_client.application.test_client()
    login(other, OTHER_ORG_ADMIN)
    other.post("/profile/details", data=details(user_by_name(OTHER_ORG_ADMIN), name="Nils N"))
    page = demo_client.get("/audit").get_data(as_text=True)
    assert "Egna uppgifter ändrade" in page and "Nils Norr" not in page
    filtered = demo_client.get("/audit?f_action=company").get_data(as_text=True)
    assert "Egna uppgifter ändrade" not in filtered
    anna, nils = user_by_name(ADMIN), user_by_name(OTHER_ORG_ADMIN)
    entry = AuditLog.get(AuditLog.action == "profile.update", AuditLog.actor_user == anna.id)
    detail = demo_client.get(f"/audit/{entry.id}").get_data(as_text=True)
    assert "Anna Lind" in detail and "Anna L" in detail  # before and after
    other_entry = AuditLog.get(AuditLog.action == "profile.update", AuditLog.actor_user == nils.id)
    assert demo_client.get(f"/audit/{other_entry.id}").status_code == 404
    export = demo_client.get("/audit?export=xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_staff_see_the_whole_audit_log(demo_client, login):
    login(demo_client, OTHER_ORG_ADMIN)
    demo_client.post("/profile/details", data=details(user_by_name(OTHER_ORG_ADMIN), name="Nils N"))
    staff = demo_client.application.test_client()
    login(staff, "staff@teleportal.se")
    page = staff.get("/staff/audit").get_data(as_text=True)
    assert "Nils Norr" in page and "Norrlandsbygg AB" in page


def test_cli_creates_an_organisation_and_invites_its_superuser(demo_app, smtp_server):
    demo_app.config.update(smtp_server.config)
    result = demo_app.test_cli_runner().invoke(
        args=[
            "create-organisation",
            "--name",
            "Kustfrakt AB",
            "--org-number",
            "556016-0680",
            "--admin-email",
            "Chef@Kustfrakt.se",
            "--admin-name",
            "Karin Kust",
        ]
    )
    assert result.exit_code == 0, result.output
    org = Organisation.get(Organisation.name == "Kustfrakt AB")
    user = User.get(User.organisation == org.id)
    assert user.username == "chef@kustfrakt.se" and user.is_superuser and user.is_admin
    assert user.password_hash is None
    assert len(smtp_server.messages) == 1
    path = link_in(smtp_server.messages[0].get_content(), "invite")
    client = demo_app.test_client()
    password = "Kustfrakt seglar i natt 4"
    assert client.post(path, data={"password": password, "confirm": password}).status_code == 302
    assert (
        client.post(
            "/login", data={"username": "chef@kustfrakt.se", "password": password}
        ).status_code
        == 302
    )
