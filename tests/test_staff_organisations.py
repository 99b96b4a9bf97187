"""Kunder in the back office (/staff/organisations, issue 17 item 1):
onboarding a customer from the form to its Superuser's first sign-in, the
form's validation, edit, suspend and reactivate, the list and its export,
the organisation page, and who may open what."""

from __future__ import annotations

import pytest

from database import write_tx
from domain.passwords import hash_password
from models import (
    Account,
    AuditLog,
    CompanyProfile,
    Contact,
    LoginSession,
    Organisation,
    StaffUser,
    User,
)
from tests.auth_fixtures import fresh_login_cache, link_in, post_login  # noqa: F401
from tests.conftest import ADMIN, STAFF
from tests.listpage import read_xlsx

NEW = {
    "name": "Kustfrakt AB",
    "org_number": "556016-0680",
    "street": "Hamngatan 1",
    "postcode": "903 04",
    "city": "Umeå",
    "admin_name": "Karin Kust",
    "admin_email": "Chef@Kustfrakt.se",
}


@pytest.fixture
def admin_desk(demo_app, login):
    client = demo_app.test_client()
    login(client, STAFF)
    return client


def counts():
    return (
        Organisation.select().count(),
        Account.select().count(),
        User.select().count(),
        Contact.select().count(),
        CompanyProfile.select().count(),
    )


def test_onboarding_from_the_form_to_the_superusers_first_sign_in(
    demo_app, admin_desk, smtp_server
):
    demo_app.config.update(smtp_server.config)
    form = admin_desk.get("/staff/organisations/new")
    assert form.status_code == 200 and "Organisationsnummer" in form.get_data(as_text=True)
    response = admin_desk.post("/staff/organisations/new", data=NEW)
    assert response.status_code == 303, response.get_data(as_text=True)
    org = Organisation.get(Organisation.name == "Kustfrakt AB")
    assert response.headers["Location"].endswith(f"/staff/organisations/{org.id}")
    assert org.org_number == "5560160680" and org.active
    top = org.top_account()
    assert (top.street, top.postcode, top.city) == ("Hamngatan 1", "90304", "Umeå")
    user = User.get(User.organisation == org.id)
    assert user.username == "chef@kustfrakt.se" and user.is_superuser and user.is_admin
    assert user.password_hash is None
    entry = AuditLog.get(AuditLog.action == "staff.organisation_create")
    assert entry.organisation_id == org.id and entry.actor_staff_id is not None

    page = admin_desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kustfrakt AB" in page and "556016-0680" in page and "Karin Kust" in page
    assert "Inbjuden" in page and top.customer_number in page

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "chef@kustfrakt.se"
    path = link_in(mail.get_content(), "invite")
    customer = demo_app.test_client()
    password = "Kustfrakt seglar i natt 4"
    accepted = customer.post(path, data={"password": password, "confirm": password})
    assert accepted.status_code == 302
    signed_in = post_login(customer, "chef@kustfrakt.se", password)
    assert signed_in.status_code == 302
    overview = customer.get(signed_in.headers["Location"], follow_redirects=True)
    assert overview.status_code == 200
    assert "<h1>Översikt</h1>" in overview.get_data(as_text=True).replace("\n", "")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"org_number": "556016-0681"}, "org_number", "giltigt organisationsnummer"),
        ({"org_number": "55601606"}, "org_number", "giltigt organisationsnummer"),
        ({"org_number": ""}, "org_number", "Ange organisationsnumret."),
        ({"name": ""}, "name", "Ange företagsnamnet."),
        ({"admin_name": "  "}, "admin_name", "Ange Superuserns namn."),
        ({"admin_email": ""}, "admin_email", "Ange Superuserns e-postadress."),
        ({"admin_email": "inte-en-adress"}, "admin_email", "Ange en giltig e-postadress."),
        ({"admin_email": ADMIN}, "admin_email", "finns redan en portalanvändare"),
        ({"postcode": "9030"}, "postcode", "fem siffror"),
        ({"name": "Kust\u202efrakt"}, "name", "otillåtna tecken"),
    ],
)
def test_a_bad_new_customer_is_refused_next_to_the_field(admin_desk, changes, field, message):
    before = counts()
    response = admin_desk.post("/staff/organisations/new", data={**NEW, **changes})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error">' in html
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert counts() == before


def test_a_taken_org_number_is_refused_and_a_second_click_creates_nothing(admin_desk):
    taken = Organisation.select().first()
    response = admin_desk.post(
        "/staff/organisations/new", data={**NEW, "org_number": taken.org_number}
    )
    assert "Det finns redan en kund med organisationsnummer" in response.get_data(as_text=True)
    assert admin_desk.post("/staff/organisations/new", data=NEW).status_code == 303
    before = counts()
    again = admin_desk.post("/staff/organisations/new", data=NEW)
    assert again.status_code == 200
    assert "Det finns redan en kund" in again.get_data(as_text=True)
    assert counts() == before


def test_the_form_needs_its_csrf_token(admin_desk):
    before = counts()
    response = admin_desk.post("/staff/organisations/new", data=NEW, csrf=False)
    assert response.status_code in (200, 400)
    assert counts() == before


def test_edit_name_and_org_number_is_audited_for_the_customer(admin_desk):
    org = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    other = Organisation.select().where(Organisation.id != org.id).first()
    form = admin_desk.get(f"/staff/organisations/{org.id}/edit").get_data(as_text=True)
    assert "Norrlandsbygg AB" in form
    taken = admin_desk.post(
        f"/staff/organisations/{org.id}/edit",
        data={"name": "Norrbygg AB", "org_number": other.org_number},
    )
    assert "Det finns redan en kund" in taken.get_data(as_text=True)
    assert Organisation.get_by_id(org.id).name == "Norrlandsbygg AB"
    response = admin_desk.post(
        f"/staff/organisations/{org.id}/edit",
        data={"name": "Norrbygg AB", "org_number": "556016-0680"},
    )
    assert response.status_code == 303
    changed = Organisation.get_by_id(org.id)
    assert (changed.name, changed.org_number) == ("Norrbygg AB", "5560160680")
    assert changed.top_account().org_number == "5560160680"
    assert not Account.select().where(Account.org_number == org.org_number).exists()
    entry = AuditLog.get(AuditLog.action == "staff.organisation_update")
    assert entry.organisation_id == org.id and "Norrlandsbygg AB" in entry.before


def test_suspend_blocks_sign_in_ends_sessions_and_reactivate_lets_them_back(demo_app, admin_desk):
    user = User.get(User.username == ADMIN)
    org = user.organisation
    customer = demo_app.test_client()
    assert post_login(customer, ADMIN).status_code == 302
    assert customer.get("/services").status_code == 200
    services_before = org.accounts.count()

    asked = admin_desk.get(f"/staff/organisations/{org.id}/suspend")
    assert "Vill du stänga av A3 Demo Connect?" in asked.get_data(as_text=True)
    assert Organisation.get_by_id(org.id).active  # asking changes nothing
    response = admin_desk.post(f"/staff/organisations/{org.id}/suspend")
    assert response.status_code == 303
    assert not Organisation.get_by_id(org.id).active
    # The open session has ended …
    assert customer.get("/services").status_code == 302
    assert not LoginSession.select().where(LoginSession.user == user.id).exists()
    # … and signing in is refused with a clear message, the right password or not.
    refused = demo_app.test_client()
    page = post_login(refused, ADMIN)
    assert page.status_code == 200
    assert "tillgång till portalen är avstängd" in page.get_data(as_text=True)
    wrong = post_login(refused, ADMIN, password="fel lösenord 123")
    assert "avstängd" not in wrong.get_data(as_text=True)
    assert org.accounts.count() == services_before  # nothing deleted
    assert "Avstängd" in admin_desk.get(f"/staff/organisations/{org.id}").get_data(as_text=True)

    # A second click changes nothing.
    admin_desk.post(f"/staff/organisations/{org.id}/suspend")
    assert AuditLog.select().where(AuditLog.action == "staff.organisation_suspend").count() == 1

    assert admin_desk.post(f"/staff/organisations/{org.id}/reactivate").status_code == 303
    assert Organisation.get_by_id(org.id).active
    again = demo_app.test_client()
    assert post_login(again, ADMIN).status_code == 302
    assert again.get("/services").status_code == 200
    shown = AuditLog.select().where(
        (AuditLog.organisation == org.id)
        & AuditLog.action.in_(("staff.organisation_suspend", "staff.organisation_reactivate"))
    )
    assert shown.count() == 2
    # The customer's administrators see it in their Granskningslogg.
    log = again.get("/audit").get_data(as_text=True)
    assert "Kund avstängd" in log and "Kund återaktiverad" in log


def test_the_list_searches_filters_and_exports(admin_desk):
    org = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    page = admin_desk.get("/staff/organisations").get_data(as_text=True)
    assert "Norrlandsbygg AB" in page and "A3 Demo Connect" in page
    a3 = Organisation.get(Organisation.name == "A3 Demo Connect")
    a3_row = page.split("A3 Demo Connect</a>", 1)[1].split("</tr>", 1)[0]
    assert f'data-label="Konton" class="num">{a3.accounts.count()}<' in a3_row
    users = User.select().where((User.organisation == a3.id) & User.removed_at.is_null())
    assert f'data-label="Användare" class="num">{users.count()}<' in a3_row
    by_number = admin_desk.get(
        "/staff/organisations", query_string={"f_name": org.org_number[:6] + "-"}
    ).get_data(as_text=True)
    assert "Norrlandsbygg AB" in by_number and "A3 Demo Connect" not in by_number
    by_name = admin_desk.get("/staff/organisations?f_name=norrlands").get_data(as_text=True)
    assert "Norrlandsbygg AB" in by_name and "A3 Demo Connect" not in by_name
    with write_tx():
        Organisation.update(active=False).where(Organisation.id == org.id).execute()
    suspended = admin_desk.get("/staff/organisations?f_status=suspended").get_data(as_text=True)
    assert "Norrlandsbygg AB" in suspended and "A3 Demo Connect" not in suspended
    active = admin_desk.get("/staff/organisations?f_status=active").get_data(as_text=True)
    assert "Norrlandsbygg AB" not in active and "A3 Demo Connect" in active
    for sort in ("name", "org_number", "status", "created"):
        assert admin_desk.get(f"/staff/organisations?sort={sort}&dir=desc").status_code == 200
    fragment = admin_desk.get("/staff/organisations", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    header, rows = read_xlsx(admin_desk.get("/staff/organisations?export=xlsx&f_status="))
    assert header == ["Namn", "Org.nr", "Status", "Konton", "Användare", "Skapad"]
    exported = {row[0].value: [cell.value for cell in row] for row in rows}
    assert exported["A3 Demo Connect"][1:5] == [
        a3.org_number,
        "Aktiv",
        a3.accounts.count(),
        users.count(),
    ]
    assert exported["Norrlandsbygg AB"][2] == "Avstängd"


def test_the_organisation_page_shows_tree_agreements_and_users(admin_desk):
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    page = admin_desk.get(f"/staff/organisations/{org.id}").get_data(as_text=True)
    for account in Account.select().where(Account.organisation == org.id).limit(20):
        assert account.customer_number in page
    for agreement in org.agreements:
        assert agreement.number in page
    assert ADMIN in page and "Lägg till användare" in page and "Stäng av kund" in page
    header, rows = read_xlsx(admin_desk.get(f"/staff/organisations/{org.id}/users.xlsx"))
    assert header[:3] == ["Namn", "Användarnamn", "E-postadress"]
    current = User.select().where((User.organisation == org.id) & User.removed_at.is_null())
    assert sorted(row[1].value for row in rows) == sorted(u.username for u in current)
    assert admin_desk.get("/staff/organisations/999999").status_code == 404
    assert admin_desk.get(f"/staff/organisations/{org.id}?accounts_page=x").status_code == 200


def test_the_account_tree_is_paged_for_a_large_organisation(admin_desk, monkeypatch):
    from blueprints.staff import organisations as view

    monkeypatch.setattr(view, "ACCOUNTS_PER_PAGE", 2)
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    ordered = list(Account.select().where(Account.organisation == org.id).order_by(Account.path))
    assert len(ordered) > 3
    second = admin_desk.get(f"/staff/organisations/{org.id}?accounts_page=2").get_data(as_text=True)
    tree = second.split('id="accounts"', 1)[1]
    assert ordered[2].customer_number in tree and ordered[0].customer_number not in tree
    assert "Sida 2 av" in tree
    far = admin_desk.get(f"/staff/organisations/{org.id}?accounts_page=9999").get_data(as_text=True)
    assert ordered[-1].customer_number in far.split('id="accounts"', 1)[1]


# --------------------------------------------------------------------------- roles


def staff_with(roles: str) -> StaffUser:
    with write_tx():
        return StaffUser.create(
            username=f"{roles.replace(' ', '-')}@operator.se",
            email=f"{roles.replace(' ', '-')}@operator.se",
            name=f"Personal {roles}",
            password_hash=hash_password("x" * 12),
            roles=roles,
        )


def my_routes(org_id: int, user_id: int) -> list[tuple[str, str]]:
    base = f"/staff/organisations/{org_id}"
    reads = [
        ("GET", "/staff/organisations"),
        ("GET", "/staff/organisations?export=xlsx"),
        ("GET", base),
        ("GET", f"{base}/users.xlsx"),
        ("GET", "/staff/tickets/new"),
        ("GET", f"/staff/tickets/new?organisation={org_id}"),
    ]
    changes = [
        ("GET", "/staff/organisations/new"),
        ("POST", "/staff/organisations/new"),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("GET", f"{base}/suspend"),
        ("POST", f"{base}/suspend"),
        ("GET", f"{base}/reactivate"),
        ("POST", f"{base}/reactivate"),
        ("GET", f"{base}/users/new"),
        ("POST", f"{base}/users/new"),
        ("GET", f"{base}/users/{user_id}/remove"),
        ("POST", f"{base}/users/{user_id}/remove"),
        ("GET", f"{base}/users/{user_id}/unlock"),
        ("GET", f"{base}/users/{user_id}/reset-2fa"),
        ("POST", f"{base}/users/{user_id}/unlock"),
        ("POST", f"{base}/users/{user_id}/reset-2fa"),
    ]
    return reads, changes


def call(client, method: str, path: str):
    return client.post(path, data={}) if method == "POST" else client.get(path)


def test_roles_billing_gets_403_everywhere_support_only_reads(demo_app, login):
    org = Organisation.get(Organisation.name == "A3 Demo Connect")
    user = User.get(User.username == ADMIN)
    reads, changes = my_routes(org.id, user.id)
    billing = demo_app.test_client()
    login(billing, staff_with("billing orders").username)
    for method, path in reads + changes + [("POST", "/staff/tickets/new")]:
        assert call(billing, method, path).status_code == 403, (method, path)
    support = demo_app.test_client()
    login(support, staff_with("support").username)
    for method, path in reads:
        assert call(support, method, path).status_code == 200, (method, path)
    for method, path in changes:
        assert call(support, method, path).status_code == 403, (method, path)
    page = support.get(f"/staff/organisations/{org.id}").get_data(as_text=True)
    assert "Stäng av kund" not in page and "Lägg till användare" not in page
    assert "Ny kund" not in support.get("/staff/organisations").get_data(as_text=True)
    customer = demo_app.test_client()
    login(customer, ADMIN)
    assert customer.get("/staff/organisations").status_code in (302, 403)
    assert Organisation.get_by_id(org.id).active and User.get_by_id(user.id).removed_at is None


def test_the_cli_creates_through_the_same_domain_function(demo_app):
    taken = Organisation.get(Organisation.name == "Norrlandsbygg AB")
    args = ["create-organisation", "--name", "Kopia AB", "--admin-name", "K K"]
    runner = demo_app.test_cli_runner()
    refused = runner.invoke(
        args=[*args, "--org-number", taken.org_number, "--admin-email", "k@kopia.se"]
    )
    assert refused.exit_code != 0 and "Det finns redan en kund" in refused.output
    taken_name = runner.invoke(
        args=[*args, "--org-number", "556016-0680", "--admin-email", ADMIN.upper()]
    )
    assert taken_name.exit_code != 0 and "portalanvändare" in taken_name.output
    assert not Organisation.select().where(Organisation.name == "Kopia AB").exists()
    made = runner.invoke(args=[*args, "--org-number", "556016-0680", "--admin-email", "k@kopia.se"])
    assert made.exit_code == 0, made.output
    entry = AuditLog.get(AuditLog.action == "staff.organisation_create")
    assert "från kommandoraden" in entry.summary and entry.actor_staff_id is None
