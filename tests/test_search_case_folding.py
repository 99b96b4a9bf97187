"""Case-insensitive filtering and search fold å, ä, ö, é on both databases
(SQLite's own LIKE folds ASCII only; database.icontains adds the rest)."""

from __future__ import annotations

import pytest

from database import icontains, write_tx
from models import Account, Service
from tests.conftest import ADMIN, OTHER_ORG_ADMIN
from tests.services_fixtures import HX, a3, demo_service
from tests.test_search import search
from tests.test_services_list import numbers


@pytest.fixture
def named(demo_app):
    """A service whose user is ÅSA ÖSTERLUND-ÉKLUND, an account named Ärlig Åkeri AB."""
    service = demo_service("mobile")
    top = a3().top_account()
    with write_tx():
        Service.update(user_name="ÅSA ÖSTERLUND-ÉKLUND").where(Service.id == service.id).execute()
        Account.update(alias="Ärlig Åkeri AB").where(Account.id == top.id).execute()
    return service


@pytest.mark.parametrize("typed", ["åsa", "Åsa", "österlund", "éklund", "ÖSTERLUND-É"])
def test_the_list_filter_folds_swedish_and_accented_letters(demo_client, login, named, typed):
    login(demo_client, ADMIN)
    assert named.number in numbers(demo_client, f"f_user={typed}")


def test_the_filter_still_tells_letters_apart(demo_client, login, named):
    login(demo_client, ADMIN)
    assert named.number not in numbers(demo_client, "f_user=asa österlund")
    assert named.number not in numbers(demo_client, "f_user=osterlund")


def test_global_search_folds_them(demo_client, login, named):
    login(demo_client, ADMIN)
    services = search(demo_client, "österlund")["Tjänster"]
    assert any("ÅSA ÖSTERLUND-ÉKLUND" in text for _, text in services)
    accounts = search(demo_client, "ärlig åkeri")["Konton"]
    assert any("Ärlig Åkeri AB" in text for _, text in accounts)


def test_another_organisation_finds_none_of_it(demo_client, login, named):
    login(demo_client, OTHER_ORG_ADMIN)
    found = search(demo_client, "österlund")
    assert not any("ÖSTERLUND" in text for hits in found.values() for _, text in hits)


def test_the_account_tree_search_folds_them(demo_client, login, named):
    from tests.test_accounts_pages import tree_numbers

    login(demo_client, ADMIN)
    html = demo_client.get("/accounts/tree?tq=ärlig åkeri", headers=HX).get_data(as_text=True)
    assert tree_numbers(html) == {a3().top_account().customer_number}
    html = demo_client.get("/accounts/tree?tq=arlig akeri", headers=HX).get_data(as_text=True)
    assert tree_numbers(html) == set()


def test_icontains_at_the_query_level(demo_app, named):
    def users(text):
        return [s.id for s in Service.select().where(icontains(Service.user_name, text))]

    assert users("åsa österlund") == [named.id]
    assert users("ÉKLUND") == [named.id]
    assert users("eklund") == []
    assert users("ÅSA") == [named.id]
    # Wildcards typed by the user are text, not patterns.
    assert users("Å%D") == []
    assert users("Å_A") == []
