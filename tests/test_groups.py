"""Grupper (GRP-1, GRP-2) over HTTP: categories and groups with their limits,
rename and remove (asked first, memberships ended, history kept), who may
do what, membership periods and overlaps, Byta grupp, a service's
effective groups, and another organisation's ids."""

from __future__ import annotations

import re

import pytest

from tests.accounts_fixtures import (
    SUB1,
    SUB2,
    SUB11,
    TOP,
    account,
    audit_count,
    grant,
    last_audit,
    sign_in,
    triggers,
)
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN
from tests.groups_fixtures import HTMX, group, memberships, mobiles, months, this_month, ym


def text(response) -> str:
    """The response's text without tags, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def field_error(response, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]+)<', response.get_data(as_text=True))
    return match[1] if match else ""


# ----------------------------------------------------------------------------- the page


def test_grupper_page_lists_categories_and_groups_and_konton_links_it(demo_client):
    sign_in(demo_client, ADMIN)
    page = text(demo_client.get("/groups"))
    for label in (
        "Avdelning:Ekonomi",
        "Avdelning:Sälj",
        "Avdelning:Teknik",
        "Kostnadsställe:KS 100",
    ):
        assert label in page
    assert "Skapa ny kategori" in page
    assert "2 av 10 kategorier, 5 av 50 grupper" in page
    assert 'href="/groups"' in demo_client.get("/accounts").get_data(as_text=True)


def test_oversikt_lists_the_groups(demo_client):
    sign_in(demo_client, ADMIN)
    page = text(demo_client.get("/"))
    assert "Kostnadsställe:KS 200" in page
    assert "Visa alla grupper" in page


def test_oversikt_shows_at_most_ten_groups(demo_client):
    from database import write_tx
    from domain import groups as domain

    category = group("Avdelning:Sälj").category
    with write_tx():
        for n in range(7):
            domain.create_group(category, f"Team {n}")
    sign_in(demo_client, ADMIN)
    html = demo_client.get("/").get_data(as_text=True)
    listed = html.split('class="overview-group-list"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 10
    assert "Visa alla grupper (12)" in text(demo_client.get("/"))


def test_eleventh_category_is_refused(demo_client):
    from models import GroupCategory

    sign_in(demo_client, ADMIN)
    for n in range(8):  # the demo has two
        response = demo_client.post(
            "/groups/categories/new", data={"name": f"Kategori {n}"}, headers=HTMX
        )
        assert triggers(response).get("groupsChanged"), n
    before = GroupCategory.select().count()
    response = demo_client.post("/groups/categories/new", data={"name": "Elfte"}, headers=HTMX)
    assert response.status_code == 200
    assert "Det finns redan 10 gruppkategorier" in text(response)
    assert GroupCategory.select().count() == before
    page = demo_client.get("/groups").get_data(as_text=True)
    assert 'href="/groups/categories/new"' not in page


def test_fifty_first_group_is_refused(demo_client):
    from database import write_tx
    from domain import groups as domain
    from models import Group

    category = group("Avdelning:Ekonomi").category
    with write_tx():
        for n in range(45):  # the demo has five
            domain.create_group(category, f"Grupp {n}")
    sign_in(demo_client, ADMIN)
    before = Group.select().count()
    response = demo_client.post(
        f"/groups/categories/{category.id}/groups/new", data={"name": "Femtioförsta"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Det finns redan 50 grupper" in text(response)
    assert Group.select().count() == before


def test_a_name_is_required_and_unique_in_its_category(demo_client):
    sign_in(demo_client, ADMIN)
    category = group("Avdelning:Sälj").category
    path = f"/groups/categories/{category.id}/groups/new"
    assert (
        field_error(demo_client.post(path, data={"name": "  "}, headers=HTMX), "name")
        == "Ange ett namn."
    )
    duplicate = demo_client.post(path, data={"name": "sälj"}, headers=HTMX)
    assert field_error(duplicate, "name") == "Det finns redan en grupp Avdelning:sälj."


def test_rename_group_and_category_are_audited(demo_client):
    sign_in(demo_client, ADMIN)
    ekonomi = group("Avdelning:Ekonomi")
    response = demo_client.post(
        f"/groups/{ekonomi.id}/edit",
        data={"name": "Finans", "description": "Ekonomi och lön"},
        headers=HTMX,
    )
    assert triggers(response)["groupsChanged"]
    assert group("Avdelning:Finans").description == "Ekonomi och lön"
    assert last_audit().action == "group.update"
    response = demo_client.post(
        f"/groups/categories/{ekonomi.category_id}/edit", data={"name": "Enhet"}, headers=HTMX
    )
    assert triggers(response)["groupsChanged"]
    assert "Enhet:Finans" in text(demo_client.get("/groups"))
    assert last_audit().action == "group_category.update"


def test_removing_a_group_asks_first_ends_memberships_and_keeps_history(demo_client):
    from models import Group

    sign_in(demo_client, ADMIN)
    ekonomi = group("Avdelning:Ekonomi")
    service = mobiles(SUB1)[0]
    asked = text(demo_client.get(f"/groups/{ekonomi.id}/remove", headers=HTMX))
    assert "0 konton och 2 tjänster är med i gruppen" in asked
    assert Group.get_by_id(ekonomi.id).removed_at is None  # asking removes nothing

    response = demo_client.post(f"/groups/{ekonomi.id}/remove", headers=HTMX)
    assert triggers(response)["groupsChanged"]
    assert last_audit().action == "group.remove"
    # The memberships end with this month and stay as history.
    (label, start, end), *_ = [m for m in memberships(service) if m[0] == "Avdelning:Ekonomi"]
    assert end == this_month() and start < end
    page = text(demo_client.get("/groups"))
    assert "Avdelning:Ekonomi" not in page
    dialog = text(demo_client.get(f"/groups/services/{service.id}/add"))
    assert "Avdelning:Ekonomi" not in dialog  # hidden from choices
    panel = text(demo_client.get(f"/services/{service.id}"))
    assert "Avdelning:Ekonomi sedan" in panel  # this month still counts
    assert "borttagen" in panel
    # Its memberships are history now: no more ending or changing them.
    from domain.groups import memberships_of

    ended = [m for m in memberships_of(service) if m.group_id == ekonomi.id][0]
    assert demo_client.get(f"/groups/memberships/{ended.id}/end").status_code == 404
    # Removed once: a second (stale) request finds nothing.
    assert demo_client.post(f"/groups/{ekonomi.id}/remove", headers=HTMX).status_code == 404


def test_removing_a_category_removes_its_groups(demo_client):
    from models import Group

    sign_in(demo_client, ADMIN)
    category = group("Kostnadsställe:KS 100").category
    asked = text(demo_client.get(f"/groups/categories/{category.id}/remove", headers=HTMX))
    assert "2 konton och 0 tjänster är med i kategorins grupper" in asked
    demo_client.post(f"/groups/categories/{category.id}/remove", headers=HTMX)
    assert all(g.removed_at for g in Group.select().where(Group.category == category))
    [(label, _, end)] = memberships(account(TOP))
    assert (label, end) == ("Kostnadsställe:KS 100", this_month())


# ----------------------------------------------------------------------------- rights


def counts(client, label: str) -> tuple[str, str]:
    """Konton and Tjänster of a group's row on the page Grupper."""
    html = client.get("/groups").get_data(as_text=True)
    row = html.split(f'id="group-{group(label).id}"', 1)[1].split("</tr>", 1)[0]
    accounts, services = re.findall(r'<td class="num">(\d+)</td>', row)
    return accounts, services


def test_the_counts_are_of_open_memberships(demo_client):
    sign_in(demo_client, ADMIN)
    assert counts(demo_client, "Avdelning:Sälj") == ("1", "1")
    assert counts(demo_client, "Avdelning:Teknik") == ("1", "0")  # the changed mobile left it
    assert counts(demo_client, "Avdelning:Ekonomi") == ("0", "2")


def test_kontoadministrator_places_own_objects_but_cannot_change_groups(demo_client):
    grant(ACCOUNT_ADMIN, "accounts.edit")
    sign_in(demo_client, ACCOUNT_ADMIN)
    page = text(demo_client.get("/groups"))
    assert "Avdelning:Sälj" in page and "Skapa ny kategori" not in page and "Ändra" not in page
    ks200 = group("Kostnadsställe:KS 200")
    assert (
        demo_client.post("/groups/categories/new", data={"name": "X"}, headers=HTMX).status_code
        == 403
    )
    assert demo_client.get(f"/groups/{ks200.id}/edit").status_code == 403
    assert demo_client.post(f"/groups/{ks200.id}/remove", headers=HTMX).status_code == 403

    own = account(SUB11)
    response = demo_client.post(
        f"/groups/accounts/{own.id}/add", data={"group": ks200.id, "start_month": ""}, headers=HTMX
    )
    assert triggers(response)["groupsChanged"]
    assert [m[0] for m in memberships(own)] == ["Kostnadsställe:KS 200"]
    # Outside the scope: 404, nothing written.
    outside = account(SUB2)
    count = audit_count()
    response = demo_client.post(
        f"/groups/accounts/{outside.id}/add",
        data={"group": ks200.id, "start_month": ""},
        headers=HTMX,
    )
    assert response.status_code == 404
    assert audit_count() == count


def test_without_accounts_edit_the_panel_only_shows(demo_client):
    sign_in(demo_client, ACCOUNT_ADMIN)  # the demo's Kontoadministratör lacks accounts.edit
    own = account(SUB1)
    page = text(demo_client.get(f"/accounts/{own.id}"))
    assert "Aktiva grupper" in page and "Avdelning:Sälj sedan" in page
    assert "Lägg till i grupp" not in page
    assert demo_client.get(f"/groups/accounts/{own.id}/add").status_code == 403


# ----------------------------------------------------------------------------- periods


@pytest.fixture
def admin(demo_client):
    sign_in(demo_client, ADMIN)
    return demo_client


def add(client, obj, group_id, start="", end=""):
    kind = "services" if obj.__class__.__name__ == "Service" else "accounts"
    return client.post(
        f"/groups/{kind}/{obj.id}/add",
        data={"group": str(group_id), "start_month": start, "end_month": end},
        headers=HTMX,
    )


def test_start_defaults_to_the_month_it_opened(admin):
    service = mobiles(SUB2)[0]
    dialog = admin.get(f"/groups/services/{service.id}/add").get_data(as_text=True)
    opened = ym(service.start_date.replace(day=1))
    assert f'value="{opened}"' in dialog
    response = add(admin, service, group("Kostnadsställe:KS 200").id)
    assert triggers(response)["groupsChanged"]
    assert ("Kostnadsställe:KS 200", service.start_date.replace(day=1), None) in memberships(
        service
    )
    assert last_audit().action == "group.member_add"


@pytest.mark.parametrize(
    "start, end, field, message",
    [
        ("2001-01", "", "start_month", "Startmånaden kan vara tidigast"),
        ("+13", "", "start_month", "Startmånaden kan vara senast"),
        ("+2", "+1", "end_month", "Slutmånaden kan inte vara före startmånaden."),
        ("2026-13", "", "start_month", "Ange månaden som ÅÅÅÅ-MM"),
        ("januari", "", "start_month", "Ange månaden som ÅÅÅÅ-MM"),
    ],
)
def test_months_outside_the_window_are_refused(admin, start, end, field, message):
    def month(value):
        return ym(months(int(value[1:]))) if value.startswith("+") else value

    service = mobiles(SUB2)[0]
    count = audit_count()
    response = add(admin, service, group("Kostnadsställe:KS 100").id, month(start), month(end))
    assert response.status_code == 200
    assert field_error(response, field).startswith(message)
    assert audit_count() == count


def test_a_year_ahead_is_allowed(admin):
    service = mobiles(SUB2)[0]
    response = add(admin, service, group("Kostnadsställe:KS 100").id, ym(months(12)))
    assert triggers(response)["groupsChanged"]


def test_an_overlapping_period_is_refused_naming_the_membership(admin):
    own = account(SUB1)  # in Avdelning:Sälj since it opened, tills vidare
    (_, start, _), *_ = memberships(own)
    count = audit_count()
    response = add(admin, own, group("Avdelning:Teknik").id, ym(months(2)))
    assert field_error(response, "start_month") == (
        f"Perioden överlappar Avdelning:Sälj {ym(start)} – tills vidare."
    )
    assert audit_count() == count
    # Another category is no overlap.
    assert triggers(add(admin, own, group("Kostnadsställe:KS 200").id))["groupsChanged"]


def test_a_bad_group_choice_is_answered_in_place(admin):
    service = mobiles(SUB2)[0]
    for value in ("", "abc", "99999999999999999999", str(group("Avdelning:Sälj").id + 1000)):
        response = add(admin, service, value)
        assert response.status_code == 200
        assert field_error(response, "group")


def test_end_a_membership(admin):
    own = account(SUB2)
    from domain.groups import memberships_of

    membership = memberships_of(own)[0]
    response = admin.post(
        f"/groups/memberships/{membership.id}/end", data={"end_month": "1999-01"}, headers=HTMX
    )
    assert field_error(response, "end_month").startswith("Slutmånaden kan inte vara före")
    response = admin.post(
        f"/groups/memberships/{membership.id}/end", data={"end_month": ym(months(3))}, headers=HTMX
    )
    assert triggers(response)["groupsChanged"]
    assert memberships(own)[0][2] == months(3)


def test_byta_grupp_ends_the_current_and_starts_the_new_in_one_step(admin):
    from domain.groups import memberships_of

    own = account(SUB1)
    current = memberships_of(own)[0]  # Avdelning:Sälj, tills vidare
    teknik = group("Avdelning:Teknik")
    count = audit_count()
    response = admin.post(
        f"/groups/memberships/{current.id}/change",
        data={"group": str(teknik.id), "start_month": ym(months(2))},
        headers=HTMX,
    )
    assert triggers(response)["groupsChanged"]
    assert memberships(own) == [
        ("Avdelning:Sälj", current.start_month, months(1)),
        ("Avdelning:Teknik", months(2), None),
    ]
    assert audit_count() == count + 2  # the end and the start, one request
    panel = text(admin.get(f"/accounts/{own.id}"))
    assert f"Avdelning:Teknik från {ym(months(2))}" in panel


def test_byta_grupp_refuses_a_month_before_the_current_began(admin):
    from domain.groups import memberships_of

    service = mobiles(TOP)[0]  # Teknik, then Sälj from six months ago
    current = [m for m in memberships_of(service) if m.end_month is None][0]
    before = memberships(service)
    response = admin.post(
        f"/groups/memberships/{current.id}/change",
        data={"group": str(group("Avdelning:Ekonomi").id), "start_month": ym(months(-6))},
        headers=HTMX,
    )
    assert "Perioden överlappar Avdelning:Sälj" in field_error(response, "start_month")
    assert memberships(service) == before


# ----------------------------------------------------------------------------- effective groups


def test_a_service_is_in_its_own_group_else_its_accounts(demo_app):
    from domain.groups import effective_groups

    own, inherited = mobiles(SUB1)[0], mobiles(SUB1)[2]
    labels = {e["group"].label: e["inherited"] for e in effective_groups(own)}
    assert labels == {"Avdelning:Ekonomi": False}  # its own, not the account's Sälj
    labels = {e["group"].label: e["inherited"] for e in effective_groups(inherited)}
    assert labels == {"Avdelning:Sälj": True}


def test_the_service_that_changed_group_mid_year(demo_app):
    from domain.groups import effective_groups

    service = mobiles(TOP)[0]

    def labels(month):
        return sorted(e["group"].label for e in effective_groups(service, month))

    assert labels(months(-8)) == ["Avdelning:Teknik", "Kostnadsställe:KS 100"]
    assert labels(months(-7)) == ["Avdelning:Teknik", "Kostnadsställe:KS 100"]
    assert labels(months(-6)) == ["Avdelning:Sälj", "Kostnadsställe:KS 100"]
    assert labels(this_month()) == ["Avdelning:Sälj", "Kostnadsställe:KS 100"]


def test_service_page_shows_aktiva_grupper(admin):
    service = mobiles(SUB1)[2]
    page = text(admin.get(f"/services/{service.id}"))
    assert "Aktiva grupper" in page
    assert "Avdelning:Sälj sedan" in page and f"via kundnummer {SUB1}" in page
    panel = admin.get(f"/groups/services/{service.id}/panel", headers=HTMX)
    assert "<html" not in panel.get_data(as_text=True)
    assert "Avdelning:Sälj" in text(panel)


# ----------------------------------------------------------------------------- other organisations


def test_another_organisations_ids_answer_404(demo_client):
    from domain.groups import memberships_of

    sign_in(demo_client, OTHER_ORG_ADMIN)
    sälj = group("Avdelning:Sälj")
    membership = memberships_of(account(SUB1))[0]
    service = mobiles(SUB1)[0]
    for path in (
        f"/groups/{sälj.id}/edit",
        f"/groups/{sälj.id}/remove",
        f"/groups/categories/{sälj.category_id}/edit",
        f"/groups/categories/{sälj.category_id}/groups/new",
        f"/groups/memberships/{membership.id}/end",
        f"/groups/memberships/{membership.id}/change",
        f"/groups/services/{service.id}/add",
    ):
        assert demo_client.get(path).status_code == 404, path
        assert demo_client.post(path, data={}, headers=HTMX).status_code == 404, path
    assert demo_client.get(f"/groups/accounts/{account(SUB1).id}/panel").status_code == 404
    assert demo_client.get(f"/groups/services/{service.id}/panel").status_code == 404
    page = text(demo_client.get("/groups"))
    assert "Avdelning:" not in page and "Det finns inga gruppkategorier ännu" in page
    # Their own service cannot be put in A3's group either.
    from models import Service, User

    norr = User.get(User.username == OTHER_ORG_ADMIN).organisation_id
    own = Service.get(Service.organisation == norr)
    response = add(demo_client, own, sälj.id)
    assert field_error(response, "group") == "Gruppen finns inte längre. Välj en annan."
