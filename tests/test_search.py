"""Global search (UI-2) over HTTP: what each demo user type finds, that every
hit lies within the user's scope and permissions and leads to a page the
user may open, and the drop-down (htmx) versus the results page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from domain.numbers import format_phone
from tests.accounts_fixtures import HTMX, SUB1, SUB11, TOP, account, grant, sign_in
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF


def groups(html: str) -> dict[str, list[tuple[str | None, str]]]:
    """{group title: [(href or None, text), …]} from the search answer."""
    found = {}
    for section in re.findall(r'<section class="search-group".*?</section>', html, re.S):
        title = re.search(r"<h2[^>]*>([^<]+)</h2>", section).group(1)
        hits = []
        for item in re.findall(r"<li>(.*?)</li>", section, re.S):
            href = re.search(r'<a href="([^"]+)"[^>]*>', item)
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            hits.append((unescape(href.group(1)) if href else None, unescape(text)))
        found[title] = hits
    return found


def search(client, q: str, htmx: bool = False) -> dict[str, list[tuple[str, str]]]:
    response = client.get("/search", query_string={"q": q}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    return groups(response.get_data(as_text=True))


def visible_service_numbers(username: str) -> tuple[str, ...]:
    """The numbers of the services the user sees, as a hit shows them."""
    from models import Service, User

    return tuple(
        format_phone(s.number) for s in Service.visible_to(User.get(User.username == username))
    )


def a_service_of(number: str, kind: str = "mobile"):
    from models import Service

    return (
        Service.select()
        .where((Service.account == account(number).id) & (Service.kind == kind))
        .order_by(Service.id)
        .first()
    )


# ----------------------------------------------------------------------------- what is found


def test_accounts_by_number_name_alias_and_org_number(demo_client, login):
    login(demo_client, ADMIN)
    assert [t for _, t in search(demo_client, SUB1)["Konton"]][0].startswith(SUB1)
    titles = [t for _, t in search(demo_client, "underkonto 1")["Konton"]]
    assert {t.split()[0] for t in titles} == {SUB1, SUB11, "23080670"}
    assert search(demo_client, "Stockholmskontoret")["Konton"][0][1].startswith("23085441")
    assert len(search(demo_client, "556629-0549")["Konton"]) == 7


def test_services_by_number_user_name_and_icc(demo_client, login):
    from models import SimCard

    login(demo_client, ADMIN)
    service = a_service_of(SUB1)
    # phone number typed the international way, with spaces
    typed = "+46 " + service.number[1:3] + " " + service.number[3:6] + " " + service.number[6:]
    assert any(format_phone(service.number) in t for _, t in search(demo_client, typed)["Tjänster"])
    assert any(
        service.user_name in t for _, t in search(demo_client, service.user_name)["Tjänster"]
    )
    sim = SimCard.get(SimCard.service == service.id)
    hits = search(demo_client, sim.icc[-10:])["Tjänster"]
    assert len(hits) == 1 and format_phone(service.number) in hits[0][1]
    assert f"ICC {sim.icc}" in hits[0][1]


def test_tickets_by_number_or_title_and_invoices_by_number(demo_client, login):
    from models import Invoice, Ticket

    login(demo_client, ADMIN)
    ticket = Ticket.select().order_by(Ticket.id).first()
    assert any(
        str(ticket.number) in t for _, t in search(demo_client, str(ticket.number))["Ärenden"]
    )
    word = max(ticket.subject.split(), key=len)
    assert any(ticket.subject in t for _, t in search(demo_client, word)["Ärenden"])
    invoice = Invoice.select().where(Invoice.account == account(SUB1).id).first()
    hits = search(demo_client, invoice.number)["Fakturor"]
    assert [t.split(" ")[1] for _, t in hits] == [invoice.number]


def test_users_only_for_users_manage(demo_client, login):
    sign_in(demo_client, ADMIN)
    hits = search(demo_client, "Karl")
    assert [t for _, t in hits["Användare"]][0].startswith("Karl Berg")
    grant(ACCOUNT_ADMIN, "users.manage")
    sign_in(demo_client, ACCOUNT_ADMIN)
    users = [t for _, t in search(demo_client, "ar")["Användare"]]
    assert len(users) == 1 and users[0].startswith("Karl Berg konto@a3demo.se")
    sign_in(demo_client, INVOICES_ONLY)
    assert "Användare" not in search(demo_client, "Karl")


# ----------------------------------------------------------------------------- scope and permissions


def test_account_administrator_finds_only_their_branch(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    assert search(demo_client, TOP) == {}
    assert search(demo_client, "M2M") == {}
    numbers = {t.split()[0] for _, t in search(demo_client, "556629")["Konton"]}
    assert numbers == {SUB1, SUB11, "23080670"}
    top_service = a_service_of(TOP)
    assert "Tjänster" not in search(demo_client, top_service.number)
    for _, text in search(demo_client, "07")["Tjänster"]:
        assert text.startswith(visible_service_numbers(ACCOUNT_ADMIN))


def test_other_organisation_finds_nothing_of_a3(demo_client, login):
    login(demo_client, OTHER_ORG_ADMIN)
    assert search(demo_client, "A3 Demo") == {}
    assert search(demo_client, SUB1) == {}
    assert "Tjänster" not in search(demo_client, a_service_of(SUB1).number)


def test_invoice_only_user_finds_only_invoices(demo_client, login):
    login(demo_client, INVOICES_ONLY)
    found = search(demo_client, "6789")
    assert set(found) == {"Fakturor"}
    assert search(demo_client, "underkonto") == {}


QUERIES = ["07", "0701", "underkonto", "556629", "6789", "55", "Router", "Anna", "Berg", "89460"]


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN])
def test_every_hit_leads_to_a_page_the_user_may_open(demo_client, login, username):
    login(demo_client, username)
    followed = 0
    for q in QUERIES:
        for title, hits in search(demo_client, q).items():
            for href, _text in hits:
                if href is None:  # a page that does not exist yet (users.edit)
                    continue
                response = demo_client.get(href)
                assert response.status_code == 200, (username, q, title, href)
                followed += 1
    assert followed > 0


@pytest.mark.parametrize("username", [ADMIN, ACCOUNT_ADMIN])
def test_hits_are_exactly_what_the_models_let_the_user_see(demo_client, login, username):
    from models import Invoice, Service, User
    from tables.scope import visible_accounts

    user = User.get(User.username == username)
    login(demo_client, username)
    accounts = {a.customer_number for a in visible_accounts(user)}
    invoices = {i.number for i in Invoice.visible_to(user)}
    services = tuple(format_phone(s.number) for s in Service.visible_to(user))
    # the results page shows up to 50 per group
    found = {t.split()[0] for _, t in search(demo_client, "556629")["Konton"]}
    assert found == accounts
    found = {t.split()[1] for _, t in search(demo_client, "6789")["Fakturor"]}
    assert found and found <= invoices
    found = [t for _, t in search(demo_client, "07")["Tjänster"]]
    assert found and all(t.startswith(services) for t in found)


# ----------------------------------------------------------------------------- the answer


def test_dropdown_for_htmx_and_page_without(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.get("/search?q=underkonto", headers=HTMX)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="search-dropdown"' in html
    assert "Visa alla träffar för" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "<mark>underkonto</mark>" in html
    html = demo_client.get("/search?q=underkonto").get_data(as_text=True)
    assert "<html" in html and "<h1>Sök: ”underkonto”</h1>" in html


def test_dropdown_shows_a_few_per_group_and_the_page_more(demo_client, login):
    login(demo_client, ADMIN)
    assert len(search(demo_client, "07", htmx=True)["Tjänster"]) == 5
    assert len(search(demo_client, "07")["Tjänster"]) > 5


def test_short_or_unmatched_queries(demo_client, login):
    login(demo_client, ADMIN)
    assert demo_client.get("/search?q=a", headers=HTMX).get_data(as_text=True).strip() == ""
    assert "Skriv minst 2 tecken" in demo_client.get("/search?q=a").get_data(as_text=True)
    html = demo_client.get("/search?q=zzzzqqq", headers=HTMX).get_data(as_text=True)
    assert "Inga träffar för ”zzzzqqq”" in html


def test_query_text_is_escaped(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get("/search?q=<script>x</script>", headers=HTMX).get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_search_box_is_on_customer_pages_only(demo_client, login):
    sign_in(demo_client, ADMIN)
    html = demo_client.get("/").get_data(as_text=True)
    assert 'class="globalsearch"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    sign_in(demo_client, STAFF)
    assert demo_client.get("/search?q=underkonto").status_code == 302
    assert 'class="globalsearch"' not in demo_client.get("/staff/").get_data(as_text=True)


def test_signed_out_users_are_sent_to_login(demo_client):
    response = demo_client.get("/search?q=underkonto")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
