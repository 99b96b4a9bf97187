"""Sparade filter (SPEC §10): a list's filter and sort saved under a name,
private or shared with the organisation; a shared one shows for every user of
the organisation and, applied, runs the list in the viewer's own scope."""

from __future__ import annotations

import re
from html import unescape

import pytest
from lxml import html as lxml_html

from database import write_tx
from domain import saved_filters as rules
from models import AuditLog, SavedFilter, Service, User
from tables.services import LIVE_STATUSES
from tests.conftest import ACCOUNT_ADMIN, ADMIN, INVOICES_ONLY, OTHER_ORG_ADMIN, STAFF
from tests.listpage import get_url

HX = {"HX-Request": "true"}
MOBILES = "f_kind=mobile&sort=number&dir=desc"


def user(username: str) -> User:
    return User.get(User.username == username)


def menu(client, path: str = "/services") -> dict[str, str]:
    """The Sparade filter menu of the list at ``path``: name -> link."""
    doc = lxml_html.fromstring(client.get(path).get_data(as_text=True))
    entries = doc.xpath('//details[contains(@class, "saved-filters")]//li')
    return {li.xpath("./a")[0].text_content(): li.xpath("./a/@href")[0] for li in entries}


def save(client, name: str, query: str = MOBILES, shared: bool = False, list_name="services"):
    data = {"name": name, "query": query, "back": f"/{list_name}"}
    if shared:
        data["shared"] = "y"
    return client.post(f"/filters/{list_name}/new", data=data, headers=HX)


def stored(username: str, list_name: str = "services") -> dict[str, SavedFilter]:
    return {
        f.name: f
        for f in SavedFilter.select().where(
            (SavedFilter.user == user(username).id) & (SavedFilter.list_name == list_name)
        )
    }


def shared_filter(owner: str, name: str = "Delat", query: str = MOBILES) -> SavedFilter:
    owner = user(owner)
    with write_tx():
        return SavedFilter.create(
            organisation=owner.organisation_id,
            user=owner.id,
            list_name="services",
            name=name,
            query_string=query,
            shared=True,
        )


def test_the_list_offers_to_save_its_filter_and_sort_without_the_page(demo_client, login):
    login(demo_client, ADMIN)
    html = demo_client.get(f"/services?{MOBILES}&page=2&per_page=50").get_data(as_text=True)
    assert "Sparade filter" in html
    save_url = unescape(re.search(r'href="(/filters/services/new[^"]+)"', html).group(1))
    dialog = demo_client.get(save_url, headers=HX).get_data(as_text=True)
    assert "Spara filter" in dialog and "Dela med organisationen" in dialog
    query = unescape(re.search(r'name="query"[^>]*value="([^"]*)"', dialog).group(1))
    assert query == MOBILES


def test_a_private_filter_is_saved_and_applied_from_the_menu(demo_client, login):
    login(demo_client, ADMIN)
    response = save(demo_client, "Mobiler", f"{MOBILES}&page=3&per_page=100&export=xlsx")
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/services"
    saved = stored(ADMIN)["Mobiler"]
    assert (saved.query_string, saved.shared) == (MOBILES, False)
    link = menu(demo_client)["Mobiler"]
    assert link == f"/services?{MOBILES}"
    applied = get_url(demo_client, link, headers=HX)
    assert applied.status == 200 and applied.is_fragment
    assert applied.rows and all(row["Typ"] == "Mobiltelefoni" for row in applied.rows)
    # private: no one else sees it
    login(demo_client, ACCOUNT_ADMIN)
    assert "Mobiler" not in menu(demo_client)
    assert demo_client.get(f"/filters/{saved.id}/edit").status_code == 404
    # and it belongs to its list only
    login(demo_client, ADMIN)
    assert "Mobiler" not in menu(demo_client, "/invoices")


def test_a_shared_filter_shows_for_a_colleague_in_their_own_scope(demo_client, login):
    login(demo_client, ADMIN)
    save(demo_client, "Alla mobiler", MOBILES, shared=True)
    saved = stored(ADMIN)["Alla mobiler"]
    assert saved.shared
    audit = AuditLog.get(AuditLog.action == "saved_filter.create")
    assert audit.organisation_id == saved.organisation_id
    admin_rows = get_url(demo_client, f"/services?{MOBILES}&per_page=100")

    login(demo_client, ACCOUNT_ADMIN)
    page = demo_client.get("/services").get_data(as_text=True)
    assert "Delat av Anna Lind" in page
    link = menu(demo_client)["Alla mobiler"]
    applied = get_url(demo_client, f"{link}&per_page=100")
    konto = user(ACCOUNT_ADMIN)
    expected = {
        s.id
        for s in Service.select().where(
            (Service.organisation == konto.organisation_id)
            & Service.account.in_(konto.scope_account.subtree())
            & (Service.kind == "mobile")
            & Service.status.in_(LIVE_STATUSES)
            & (Service.hidden == False)  # noqa: E712
        )
    }
    assert applied.total == len(expected) > 0
    assert set(applied.ids) <= expected
    assert applied.total < admin_rows.total  # the shared filter does not widen the scope
    # a colleague may neither rename nor remove it
    assert demo_client.get(f"/filters/{saved.id}/edit").status_code == 404
    assert (
        demo_client.post(f"/filters/{saved.id}/delete", data={"back": "/services"}).status_code
        == 403
    )
    assert SavedFilter.get_or_none(SavedFilter.id == saved.id) is not None


def test_another_organisation_never_sees_a_shared_filter(demo_client, login):
    saved = shared_filter(ADMIN, "Våra mobiler")
    login(demo_client, OTHER_ORG_ADMIN)
    assert "Våra mobiler" not in demo_client.get("/services").get_data(as_text=True)
    assert demo_client.get(f"/filters/{saved.id}/edit").status_code == 404
    assert demo_client.post(f"/filters/{saved.id}/edit", data={"name": "x"}).status_code == 404
    assert demo_client.post(f"/filters/{saved.id}/delete").status_code == 404
    assert SavedFilter.get_by_id(saved.id).name == "Våra mobiler"


def test_only_users_who_manage_users_may_share(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    dialog = demo_client.get("/filters/services/new?q=f_kind=mobile", headers=HX)
    assert "Dela med organisationen" not in dialog.get_data(as_text=True)
    html = save(demo_client, "Mina", shared=True).get_data(as_text=True)
    assert "Du får inte dela filter" in html
    assert stored(ACCOUNT_ADMIN) == {}
    assert save(demo_client, "Mina").status_code == 200
    assert stored(ACCOUNT_ADMIN)["Mina"].shared is False


def test_delete_rules(demo_client, login):
    login(demo_client, ACCOUNT_ADMIN)
    save(demo_client, "Egna")
    own = stored(ACCOUNT_ADMIN)["Egna"]
    # a shared filter of a colleague (shared while they held users.manage)
    colleagues = shared_filter(ACCOUNT_ADMIN, "Kollegans delade")

    login(demo_client, ADMIN)
    # another user's private filter: not there at all
    assert demo_client.post(f"/filters/{own.id}/delete").status_code == 404
    # an administrator removes a shared one of the organisation
    response = demo_client.post(f"/filters/{colleagues.id}/delete", data={"back": "/services"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/services")
    assert SavedFilter.get_or_none(SavedFilter.id == colleagues.id) is None
    assert AuditLog.select().where(AuditLog.action == "saved_filter.delete").count() == 1
    # but may not rename it
    again = shared_filter(ACCOUNT_ADMIN, "Kollegans andra")
    assert demo_client.get(f"/filters/{again.id}/edit").status_code == 404

    login(demo_client, ACCOUNT_ADMIN)
    assert demo_client.post(f"/filters/{own.id}/delete").status_code == 303
    assert SavedFilter.get_or_none(SavedFilter.id == own.id) is None
    # private filters are not audited
    assert AuditLog.select().where(AuditLog.action == "saved_filter.delete").count() == 1


def test_rename_own_filter(demo_client, login):
    login(demo_client, ADMIN)
    save(demo_client, "Ett")
    save(demo_client, "Två")
    first = stored(ADMIN)["Ett"]
    html = demo_client.post(
        f"/filters/{first.id}/edit", data={"name": "Två", "back": "/services"}, headers=HX
    ).get_data(as_text=True)
    assert 'id="name-error"' in html and "redan" in html
    response = demo_client.post(
        f"/filters/{first.id}/edit", data={"name": "Mobiler nu", "back": "/services"}
    )
    assert response.status_code == 303
    assert set(stored(ADMIN)) == {"Mobiler nu", "Två"}
    assert "Mobiler nu" in menu(demo_client)


@pytest.mark.parametrize(
    "name, message", [("", "Ange ett namn."), ("   ", "Ange ett namn."), ("x" * 101, "högst 100")]
)
def test_names_empty_or_too_long_are_refused_next_to_the_field(demo_client, login, name, message):
    login(demo_client, ADMIN)
    html = save(demo_client, name).get_data(as_text=True)
    assert 'id="name-error"' in html and message in html
    assert stored(ADMIN) == {}


def test_a_name_is_unique_per_user_and_list(demo_client, login):
    login(demo_client, ADMIN)
    assert "HX-Redirect" in save(demo_client, "Mobiler").headers
    html = save(demo_client, "Mobiler", "f_kind=broadband").get_data(as_text=True)
    assert 'id="name-error"' in html
    assert stored(ADMIN)["Mobiler"].query_string == MOBILES
    # the same name on another list, and for another user, is fine
    assert "HX-Redirect" in save(demo_client, "Mobiler", "", list_name="invoices").headers
    login(demo_client, ACCOUNT_ADMIN)
    assert "HX-Redirect" in save(demo_client, "Mobiler").headers


def test_at_most_50_per_user_and_list(demo_client, login):
    admin = user(ADMIN)
    for n in range(50):
        rules.create(admin, "services", f"Filter {n}", f"f_kind=mobile&sort={n}", False)
    login(demo_client, ADMIN)
    html = save(demo_client, "Ett till").get_data(as_text=True)
    assert "50 sparade filter" in html
    assert len(stored(ADMIN)) == 50
    assert "HX-Redirect" in save(demo_client, "Ett till", "", list_name="invoices").headers


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_list_answers_404(demo_client, login, method):
    login(demo_client, ADMIN)
    for name in ("no-such-list", "staff-tickets"):
        response = getattr(demo_client, method)(f"/filters/{name}/new", data={"name": "x"})
        assert response.status_code == 404
    assert SavedFilter.select().count() == 0


def test_the_back_address_stays_in_the_portal(demo_client, login):
    login(demo_client, ADMIN)
    response = demo_client.post(
        "/filters/services/new",
        data={"name": "Ut", "query": MOBILES, "back": "https://evil.example/"},
    )
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize(
    "username, path",
    [
        (ADMIN, "/invoices"),
        (ADMIN, "/accounts"),
        (ADMIN, "/orders"),
        (ADMIN, "/tickets"),
        (ADMIN, "/users"),
        (ADMIN, "/calls"),
        (ADMIN, "/reports/abonnemang"),
        (ADMIN, "/audit"),
        (INVOICES_ONLY, "/invoices"),
    ],
)
def test_every_customer_list_has_the_menu(demo_client, login, username, path):
    login(demo_client, username)
    response = demo_client.get(path)
    assert response.status_code == 200
    assert 'class="saved-filters"' in response.get_data(as_text=True)


def test_back_office_lists_have_no_menu(demo_client, login):
    login(demo_client, STAFF)
    assert "saved-filters" not in demo_client.get("/staff/tickets").get_data(as_text=True)


def test_viewing_as_a_customer_shows_the_filters_but_offers_no_changes(demo_app, login):
    """Staff viewing the portal as a user (read-only, issue 17) see that user's
    menu, apply filters, and are offered neither saving, renaming nor removing;
    the star is not shown either."""
    saved = shared_filter(ADMIN, "Delat för alla")
    desk = demo_app.test_client()
    login(desk, STAFF)
    konto = user(ACCOUNT_ADMIN)
    desk.post(f"/staff/view-as/{konto.id}", data={"reason": "Ärende 1", "next": "/staff/"})
    page = desk.get("/services").get_data(as_text=True)
    assert "Delat för alla" in menu(desk)
    assert "/filters/services/new" not in page and "Ta bort" not in page
    assert "shortcut-star" not in page
    assert desk.post(f"/filters/{saved.id}/delete").status_code == 403
    assert SavedFilter.get_or_none(SavedFilter.id == saved.id) is not None


def test_the_same_form_sent_twice_saves_once(demo_client, login):
    login(demo_client, ADMIN)
    for _ in range(2):
        assert "HX-Redirect" in save(demo_client, "Mobiler", shared=True).headers
    assert list(stored(ADMIN)) == ["Mobiler"]
    assert AuditLog.select().where(AuditLog.action == "saved_filter.create").count() == 1


def test_a_list_shown_in_an_account_tab_offers_the_same_filters_there(demo_client, login):
    """The list is the ListView: Tjänster's filters show in an account's
    Tjänster tab and apply to that tab."""
    from models import Account

    shared_filter(ADMIN, "Mobiler")
    top = Account.get(
        (Account.organisation == user(ADMIN).organisation_id) & Account.parent.is_null()
    )
    login(demo_client, ADMIN)
    link = menu(demo_client, f"/accounts/{top.id}/services")["Mobiler"]
    assert link == f"/accounts/{top.id}/services?{MOBILES}"
    applied = get_url(demo_client, link)
    assert applied.status == 200 and applied.rows
    assert all(row["Typ"] == "Mobiltelefoni" for row in applied.rows)
