"""Konton (ACC-1) and the account page (ACC-2) over HTTP, per demo user type:
what each user sees, the tree and its search, the tabs and the scope selector."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from domain.numbers import number_query
from tests.accounts_fixtures import (
    HTMX,
    LA,
    NORRBYGG,
    STHLM,
    SUB1,
    SUB2,
    SUB11,
    SUB12,
    TOP,
    account,
    add_accounts,
    revoke,
    sign_in,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF

A3_ALL = {TOP, SUB1, SUB11, SUB12, SUB2, LA, STHLM}


def listed_numbers(html: str) -> set[str]:
    return set(re.findall(r'data-label="Kundnummer"><a href="/accounts/\d+">(\d{8})<', html))


def tree_numbers(html: str) -> set[str]:
    return set(re.findall(r'<span class="tree-number">(\d{8})</span>', html))


# ----------------------------------------------------------------------------- Konton


@pytest.mark.parametrize(
    "username, expected",
    [
        (ADMIN, A3_ALL),
        (ACCOUNT_ADMIN, {SUB1, SUB11, SUB12}),
        (OTHER_ORG_ADMIN, {NORRBYGG, "23086012"}),
    ],
)
def test_list_shows_exactly_the_accounts_in_scope(demo_client, login, username, expected):
    login(demo_client, username)
    response = demo_client.get("/accounts")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed_numbers(html) == expected
    for label in ("Kundnummer", "Org. nr.", "Namn", "Alias", "Referens"):
        assert f">{label}<" in html or f">{label}<span" in html


def test_list_without_permission_is_forbidden(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    assert demo_client.get("/accounts").status_code == 403
    assert demo_client.get(f"/accounts/{account(TOP).id}").status_code == 403
    assert demo_client.get("/accounts/tree").status_code == 403


def test_staff_are_sent_to_the_back_office(demo_client, login):
    login(demo_client, STAFF)
    response = demo_client.get("/accounts")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")


def test_list_default_order_is_the_tree_and_sorting_works(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get("/accounts").get_data(as_text=True)
    order = re.findall(r'data-label="Kundnummer"><a href="/accounts/\d+">(\d{8})<', html)
    assert order[:4] == [TOP, SUB1, SUB11, SUB12]
    html = demo_client.get("/accounts?sort=customer&dir=desc", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html
    order = re.findall(r'data-label="Kundnummer"><a href="/accounts/\d+">(\d{8})<', html)
    assert order == sorted(order, reverse=True)


def test_list_filter_and_export(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get("/accounts?f_name=1.2").get_data(as_text=True)
    assert listed_numbers(html) == {SUB12}
    response = demo_client.get("/accounts?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    numbers = {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {SUB1, SUB11, SUB12}


def test_nytt_konto_button_only_with_create_permission(demo_client, login):
    sign_in(demo_client, ADMIN)
    assert "Nytt konto" in demo_client.get("/accounts").get_data(as_text=True)
    sign_in(demo_client, ACCOUNT_ADMIN)
    assert "Nytt konto" not in demo_client.get("/accounts").get_data(as_text=True)


# ----------------------------------------------------------------------------- the tree


def test_tree_roots_open_one_level_with_alias_for_name(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get("/accounts/tree").get_data(as_text=True)
    assert tree_numbers(html) == {TOP, SUB1, SUB2, LA, STHLM}  # root opened, grandchildren lazy
    assert '<span class="tree-name">M2M</span>' in html  # alias instead of the name
    assert '<span class="tree-name">Stockholmskontoret</span>' in html
    # underkonto 1 has children: a closed branch that loads them when opened
    sub1 = account(SUB1)
    assert f'hx-get="/accounts/tree/{sub1.id}"' in html
    assert 'hx-trigger="toggle once"' in html


def test_tree_branch_loads_children_lazily(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get(f"/accounts/tree/{account(SUB1).id}", headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert tree_numbers(html) == {SUB11, SUB12}


def test_tree_for_an_account_administrator_starts_at_their_account(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get("/accounts/tree").get_data(as_text=True)
    assert tree_numbers(html) == {SUB1, SUB11, SUB12}
    assert demo_client.get(f"/accounts/tree/{account(TOP).id}").status_code == 404
    assert demo_client.get(f"/accounts/tree/{account(SUB2).id}/node").status_code == 404
    assert demo_client.get(f"/accounts/tree/{account(NORRBYGG).id}").status_code == 404


def test_tree_search_shows_hits_with_their_path(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get("/accounts/tree?tq=1.2", headers=HTMX).get_data(as_text=True)
    assert tree_numbers(html) == {SUB12}
    assert '<span class="tree-path">M2M › A3 Demo Connect underkonto 1</span>' in html
    # by org.nr with a dash, by alias
    html = demo_client.get("/accounts/tree?tq=556629-0549").get_data(as_text=True)
    assert tree_numbers(html) == A3_ALL
    html = demo_client.get("/accounts/tree?tq=stockholms").get_data(as_text=True)
    assert tree_numbers(html) == {STHLM}


def test_tree_search_stays_in_scope(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get("/accounts/tree?tq=1.2").get_data(as_text=True)
    assert tree_numbers(html) == {SUB12}
    assert "M2M" not in html  # the ancestor above the user's scope is not named
    html = demo_client.get("/accounts/tree?tq=underkonto 2").get_data(as_text=True)
    assert tree_numbers(html) == set()
    assert "Inga konton matchar" in html
    html = demo_client.get("/accounts/tree?tq=Norrlandsbygg").get_data(as_text=True)
    assert tree_numbers(html) == set()


def test_tree_pages_long_branches(demo_client, login):
    add_accounts(LA, 120)
    parent = account(LA)
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/tree/{parent.id}").get_data(as_text=True)
    assert len(tree_numbers(html)) == 100
    assert "Visa fler (20)" in html
    more = re.search(r'hx-get="([^"]*offset=100[^"]*)"', html).group(1).replace("&amp;", "&")
    html = demo_client.get(more).get_data(as_text=True)
    assert len(tree_numbers(html)) == 20
    assert "Visa fler" not in html


def test_account_page_opens_the_tree_down_to_the_account(demo_client, login):
    """Even when the account lies beyond the first page of its siblings."""
    last = add_accounts(LA, 110)[-1]
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{last.id}").get_data(as_text=True)
    assert f'href="/accounts/{last.id}" aria-current="page"' in html
    assert html.count(f'data-tree-node="{last.id}"') == 1
    assert "Visa fler (9)" in html


# ----------------------------------------------------------------------------- the account page


def test_account_page_title_details_and_tabs(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get(f"/accounts/{account(SUB1).id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Konto: 99500852 A3 Demo Connect underkonto 1</h1>" in html
    for tab in ("Generellt", "Tjänster", "Beställningar", "Fakturor", "Ärenden"):
        assert re.search(rf'hx-push-url="true"[^>]*>{tab}</a>', html)
    details = html.split('id="account-details"')[1].split("</section>")[0]
    labels = re.findall(r"<dt>([^<]+)</dt>", details)
    assert labels[:3] == ["Kundnummer", "Organisationsnummer", "Företagsnamn"]
    assert labels[-1] == "Alias"
    for label in ("Adress", "Fakturareferens", "Fakturaadress", "Fakturaleverans", "Status"):
        assert label in labels
    assert "Gata 1, 90155 Umeå" in details
    assert "Testreferens" in details
    assert "A3 FÖRETAG AB, Box 3124, 90304 Umeå" in details
    assert "Aktiv" in details
    assert "Kontaktuppgifter" in html and "Tommy Frost" in html
    for action in (
        "Redigera alias",
        "Redigera fakturareferens",
        "Redigera adress",
        "Redigera fakturaadress",
        "Lägg till kontaktperson",
        "Lägg till underkonto",
    ):
        assert action in html


def test_inactive_account_says_so(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/accounts/{account(STHLM).id}").get_data(as_text=True)
    assert "Inaktiv" in html.split('id="account-details"')[1]


@pytest.mark.parametrize(
    "username, number",
    [(ACCOUNT_ADMIN, TOP), (ACCOUNT_ADMIN, SUB2), (OTHER_ORG_ADMIN, SUB1), (ADMIN, NORRBYGG)],
)
@pytest.mark.parametrize(
    "suffix", ["", "/services", "/orders", "/invoices", "/tickets", "/details"]
)
def test_account_outside_scope_is_not_found(demo_client, login, username, number, suffix):
    login(demo_client, username)
    assert demo_client.get(f"/accounts/{account(number).id}{suffix}").status_code == 404


def test_unknown_account_is_not_found(demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get("/accounts/999999").status_code == 404


def test_tabs_follow_permissions(demo_client, login):
    revoke(
        ADMIN,
        "services.view",
        "invoices.view",
        "tickets.view",
        "tickets.manage",
        "faults.create",
        "accounts.edit",
        "accounts.create",
    )
    login(demo_client, ADMIN)
    sub1 = account(SUB1).id
    html = demo_client.get(f"/accounts/{sub1}").get_data(as_text=True)
    tabs = html.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert "Beställningar" in tabs
    for hidden in ("Tjänster", "Fakturor", "Ärenden"):
        assert hidden not in tabs
    assert demo_client.get(f"/accounts/{sub1}/services").status_code == 403
    assert demo_client.get(f"/accounts/{sub1}/invoices").status_code == 403
    assert demo_client.get(f"/accounts/{sub1}/tickets").status_code == 403
    assert demo_client.get(f"/accounts/{sub1}/orders").status_code == 200
    # no action permission: no actions
    assert "Redigera alias" not in html


def service_numbers(html: str) -> set[str]:
    """The numbers the services list shows, as stored."""
    shown = re.findall(r'<td data-label="Nummer"[^>]*>(?:<a[^>]*>)?([^<]+)<', html)
    return {number_query(n) or n for n in shown}


def services_of(*numbers: str) -> set[str]:
    from models import Account, Service

    return {
        s.number
        for s in Service.select(Service.number)
        .join(Account, on=(Service.account == Account.id))
        .where(
            Account.customer_number.in_(numbers)
            & Service.status.in_(("active", "barred"))  # the list's preset: live services
            & (Service.hidden == False)  # noqa: E712
        )
    }


def test_services_tab_scope_selector(demo_client, login):
    login(demo_client, ADMIN)
    sub1 = account(SUB1).id
    html = demo_client.get(f"/accounts/{sub1}/services?per_page=100").get_data(as_text=True)
    assert "Tjänster för:" in html
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', html)
    scope_options = [(v, s, label) for v, s, label in options if v in ("all", "this", "subtree")]
    assert [label for _, _, label in scope_options] == [
        "Alla konton",
        "Detta konto",
        "Detta konto och underkonton",
    ]
    assert [v for v, s, _ in scope_options if s] == ["this"]
    assert service_numbers(html) == services_of(SUB1)
    html = demo_client.get(f"/accounts/{sub1}/services?scope=subtree&per_page=100").get_data(
        as_text=True
    )
    assert service_numbers(html) == services_of(SUB1, SUB11, SUB12)
    html = demo_client.get(f"/accounts/{sub1}/services?scope=all&per_page=100").get_data(
        as_text=True
    )
    assert service_numbers(html) == services_of(*A3_ALL)


def test_account_administrator_gets_no_all_accounts_scope(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    sub1 = account(SUB1).id
    html = demo_client.get(f"/accounts/{sub1}/services?per_page=100").get_data(as_text=True)
    assert "Alla konton" not in html
    assert "Detta konto och underkonton" in html
    # asking for it anyway gives "Detta konto", never more than the branch
    html = demo_client.get(f"/accounts/{sub1}/services?scope=all&per_page=100").get_data(
        as_text=True
    )
    assert service_numbers(html) == services_of(SUB1)
    html = demo_client.get(f"/accounts/{account(SUB11).id}/services?scope=subtree").get_data(
        as_text=True
    )
    assert service_numbers(html) == services_of(SUB11)


@pytest.mark.parametrize(
    "tab, label",
    [("orders", "Beställningar för:"), ("invoices", "Fakturor för:"), ("tickets", "Ärenden för:")],
)
def test_other_list_tabs_render_with_their_selector(demo_client, login, tab, label):
    login(demo_client, ADMIN)
    response = demo_client.get(f"/accounts/{account(SUB1).id}/{tab}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert label in html
    assert f'id="list-{tab}"' in html
    # rows only of this account (the Konto column names it)
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "underkonto 2" not in rows and "A3 Demo Connect LA" not in rows


def test_invoice_tab_counts_only_this_account(demo_client, login):
    from models import Invoice

    login(demo_client, ADMIN)
    sub1 = account(SUB1)
    html = demo_client.get(f"/accounts/{sub1.id}/invoices").get_data(as_text=True)
    total = Invoice.select().where(Invoice.account == sub1.id).count()
    assert re.search(rf"av {total} poster", html)


def test_tab_switch_with_htmx_answers_the_tab_area_only(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get(f"/accounts/{account(SUB1).id}/services", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert '<nav class="tabs"' in html
    assert 'hx-select="#list-services"' in html
    assert "Kunduppgifter" not in html
    assert "HX-Request" in response.headers["Vary"]
    html = demo_client.get(f"/accounts/{account(SUB1).id}", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and "Kunduppgifter" in html and "tree-node" not in html


def test_tab_export_is_limited_to_the_scope(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get(f"/accounts/{account(SUB1).id}/services?export=xlsx&f_status=")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    konto = rows[0].index("Konto")
    accounts = {r[konto] for r in rows[1:]}
    assert accounts == {SUB1}


def test_user_limited_to_chosen_accounts_sees_just_those(demo_client, login):
    """Tele2 "Tilldela objekt": the tree's roots are the chosen accounts."""
    from database import write_tx
    from models import User, UserObjectAccess

    user = User.get(User.username == ACCOUNT_ADMIN)
    with write_tx():
        User.update(restricted=True).where(User.id == user.id).execute()
        UserObjectAccess.create(user=user, account=account(SUB11))
        UserObjectAccess.create(user=user, account=account(SUB12))
    login(demo_client, ACCOUNT_ADMIN)
    html = demo_client.get("/accounts").get_data(as_text=True)
    assert listed_numbers(html) == {SUB11, SUB12}
    assert tree_numbers(html) == {SUB11, SUB12}
    assert demo_client.get(f"/accounts/{account(SUB1).id}").status_code == 404
    assert demo_client.get(f"/accounts/tree/{account(SUB1).id}").status_code == 404
    html = demo_client.get(f"/accounts/{account(SUB12).id}").get_data(as_text=True)
    assert "Huvudkonto" not in html  # the parent is not shown to this user
