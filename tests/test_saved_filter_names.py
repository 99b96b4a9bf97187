"""Saved filter names are unique per list without regard to case: per user
among their own filters, and per organisation among the shared ones (issue
18, item 6). The database holds the rule too (migration 0290), so two saves
at once end in the message, never a 500."""

from __future__ import annotations

import importlib

import pytest
from lxml import html as lxml_html
from peewee import IntegrityError, fn
from playhouse.migrate import SchemaMigrator

from database import db, write_tx
from domain import saved_filters as rules
from models import SavedFilter, User
from tests.conftest import ACCOUNT_ADMIN, ADMIN, OTHER_ORG_ADMIN

HX = {"HX-Request": "true"}
MOBILES = "f_kind=mobile&sort=number&dir=desc"
MINE = "Du har redan ett filter med det namnet i listan."
SHARED = "Det finns redan ett delat filter med det namnet i listan."


def user(username: str) -> User:
    return User.get(User.username == username)


def save(client, name, query=MOBILES, shared=False, list_name="services"):
    data = {"name": name, "query": query, "back": f"/{list_name}"}
    if shared:
        data["shared"] = "y"
    return client.post(f"/filters/{list_name}/new", data=data, headers=HX)


def rename(client, saved: SavedFilter, name: str):
    return client.post(
        f"/filters/{saved.id}/edit", data={"name": name, "back": "/services"}, headers=HX
    )


def field_error(response) -> str | None:
    """The message shown next to the name field of the dialog, if any."""
    assert response.status_code == 200
    if not response.get_data(as_text=True).strip():
        assert "HX-Redirect" in response.headers  # saved: the dialog closes
        return None
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    errors = doc.xpath('//p[@id="name-error"]')
    if not errors:
        return None
    described = doc.xpath('//input[@name="name"]/@aria-describedby')
    assert described and "name-error" in described[0]
    return errors[0].text_content().strip()


def names(username: str, list_name: str = "services") -> list[str]:
    return sorted(
        f.name
        for f in SavedFilter.select().where(
            (SavedFilter.user == user(username).id) & (SavedFilter.list_name == list_name)
        )
    )


def stored(owner: str, name: str, shared: bool = False, list_name="services") -> SavedFilter:
    owner = user(owner)
    with write_tx():
        return SavedFilter.create(
            organisation=owner.organisation_id,
            user=owner.id,
            list_name=list_name,
            name=name,
            query_string=MOBILES,
            shared=shared,
        )


def test_a_second_private_filter_of_the_same_name_in_another_case_is_refused(demo_client, login):
    login(demo_client, ADMIN)
    assert field_error(save(demo_client, "Mobiler")) is None
    response = save(demo_client, "  MOBILER ", "f_kind=broadband")
    assert field_error(response) == MINE
    assert names(ADMIN) == ["Mobiler"]
    # the same name on another list, and the same form sent twice, are fine
    assert field_error(save(demo_client, "mobiler", list_name="invoices")) is None
    assert field_error(save(demo_client, "Mobiler")) is None
    assert names(ADMIN) == ["Mobiler"] and names(ADMIN, "invoices") == ["mobiler"]


def test_a_shared_name_is_unique_in_the_organisation(demo_client, login):
    colleague = stored(ACCOUNT_ADMIN, "Alla mobiler", shared=True)
    login(demo_client, ADMIN)
    assert field_error(save(demo_client, "alla MOBILER", shared=True)) == SHARED
    assert names(ADMIN) == []
    # privately the name is free: the rule for private ones is per user
    assert field_error(save(demo_client, "alla mobiler")) is None
    assert names(ADMIN) == ["alla mobiler"]
    # and the colleague's own private filter does not block sharing a name
    stored(ACCOUNT_ADMIN, "Fasta")
    assert field_error(save(demo_client, "FASTA", shared=True)) is None
    # another organisation has its own names
    login(demo_client, OTHER_ORG_ADMIN)
    assert field_error(save(demo_client, "Alla mobiler", shared=True)) is None
    assert SavedFilter.get_by_id(colleague.id).name == "Alla mobiler"


def test_sharing_a_name_one_already_uses_privately_names_ones_own(demo_client, login):
    login(demo_client, ADMIN)
    save(demo_client, "Mina")
    assert field_error(save(demo_client, "MINA", "f_kind=broadband", shared=True)) == MINE


def test_rename_follows_the_same_rule(demo_client, login):
    stored(ACCOUNT_ADMIN, "Kollegans", shared=True)
    mine = stored(ADMIN, "Ett", shared=True)
    stored(ADMIN, "Två")
    login(demo_client, ADMIN)
    assert field_error(rename(demo_client, mine, "TVÅ")) == MINE
    assert field_error(rename(demo_client, mine, "kollegans")) == SHARED
    assert SavedFilter.get_by_id(mine.id).name == "Ett"
    # its own name in another case is no clash
    response = rename(demo_client, mine, "ETT")
    assert response.status_code == 200 and "HX-Redirect" in response.headers
    renamed = SavedFilter.get_by_id(mine.id)
    assert (renamed.name, renamed.name_key) == ("ETT", "ett")


def test_a_private_filter_may_take_a_shared_name_of_a_colleague_when_renamed(demo_client, login):
    stored(ACCOUNT_ADMIN, "Kollegans", shared=True)
    mine = stored(ADMIN, "Ett")
    login(demo_client, ADMIN)
    response = rename(demo_client, mine, "Kollegans")
    assert field_error(response) is None and "HX-Redirect" in response.headers
    assert SavedFilter.get_by_id(mine.id).name == "Kollegans"


@pytest.mark.parametrize("shared", [False, True])
def test_two_saves_at_once_end_in_the_message_not_a_500(demo_client, login, monkeypatch, shared):
    """The other save commits between this one's check and its insert: the
    unique index refuses the insert and the form says why."""
    login(demo_client, ADMIN)
    other = stored(ADMIN if not shared else ACCOUNT_ADMIN, "Mobiler", shared=shared)
    real = rules._clash
    calls = []

    def stale_then_real(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(rules, "_clash", stale_then_real)
    response = save(demo_client, "MOBILER", "f_kind=broadband", shared=shared)
    assert len(calls) == 2  # the check missed it; the IntegrityError was caught
    assert field_error(response) == (SHARED if shared else MINE)
    same_key = SavedFilter.select().where(SavedFilter.name_key == "mobiler")
    assert [f.id for f in same_key] == [other.id]


def test_the_twin_of_a_double_click_is_returned_when_it_won_the_race(
    demo_client, login, monkeypatch
):
    login(demo_client, ADMIN)
    twin = stored(ADMIN, "Mobiler")
    real = rules._clash
    calls = []

    def stale_then_real(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(rules, "_clash", stale_then_real)
    response = save(demo_client, "Mobiler", MOBILES)
    assert response.status_code == 200 and "HX-Redirect" in response.headers
    assert len(calls) == 2
    assert [f.id for f in SavedFilter.select()] == [twin.id]


def test_a_rename_racing_a_save_ends_in_the_message(demo_client, login, monkeypatch):
    login(demo_client, ADMIN)
    mine = stored(ADMIN, "Ett")
    stored(ADMIN, "Två")
    real = rules._clash
    calls = []

    def stale_then_real(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(rules, "_clash", stale_then_real)
    assert field_error(rename(demo_client, mine, "två")) == MINE
    assert len(calls) == 2
    assert SavedFilter.get_by_id(mine.id).name == "Ett"


def test_the_database_holds_the_rule(demo_app):
    admin, colleague = user(ADMIN), user(ACCOUNT_ADMIN)

    def insert(owner, name, shared):
        with write_tx():
            SavedFilter.insert(
                organisation=owner.organisation_id,
                user=owner.id,
                list_name="services",
                name=name,
                name_key=name.casefold(),
                query_string="",
                shared=shared,
            ).execute()

    insert(admin, "Delat", True)
    insert(colleague, "delat", False)  # a colleague's private one: allowed
    insert(admin, "Privat", False)
    insert(colleague, "PRIVAT", False)  # another user's private one: allowed
    with pytest.raises(IntegrityError):
        insert(colleague, "DELAT", True)  # a second shared one in the organisation
    with pytest.raises(IntegrityError):
        insert(admin, "privat", False)  # a second of one's own


def test_the_model_keeps_the_key_on_save(demo_app):
    saved = stored(ADMIN, "  Ärenden ÖPPNA ")
    assert SavedFilter.get_by_id(saved.id).name_key == "ärenden öppna"


def test_the_migration_renames_the_clashes_it_finds(demo_app):
    """Clashes from before the rule become "Namn (2)", "Namn (3)": the
    later filters are renamed, the first keeps its name."""
    migration = importlib.import_module("migrations.0290_saved_filter_name_key")
    migrator = SchemaMigrator.from_database(db.obj)
    admin, colleague = user(ADMIN), user(ACCOUNT_ADMIN)
    with write_tx():
        migration.down(migrator, db.obj)
    rows = [
        (admin, "Mobiler", False),
        (admin, "MOBILER", False),  # → MOBILER (2)
        (admin, "mobiler", True),  # → mobiler (3), (2) being taken just above
        (admin, "Mobiler (2)", False),  # taken by the rename above → Mobiler (2) (2)
        (colleague, "Mobiler", False),  # another user's private one: kept
        (colleague, "MOBILER", True),  # clashes with the colleague's own → MOBILER (2)
        (colleague, "Delat", True),
        (admin, "delat", True),  # a second shared one in the organisation → delat (2)
    ]
    before = SavedFilter.select(fn.MAX(SavedFilter.id)).scalar() or 0
    with write_tx():
        for owner, name, shared in rows:
            db.obj.execute_sql(
                "INSERT INTO saved_filter (organisation_id, user_id, list_name, name, "
                "query_string, shared, created_at) VALUES (?, ?, 'services', ?, '', ?, ?)".replace(
                    "?", db.obj.param
                ),
                (owner.organisation_id, owner.id, name, shared, "2026-01-01 00:00:00"),
            )
        migration.up(migrator, db.obj)
    ids = [
        f.id for f in SavedFilter.select().where(SavedFilter.id > before).order_by(SavedFilter.id)
    ]
    after = {row.id: row for row in SavedFilter.select().where(SavedFilter.id.in_(ids))}
    result = [(after[i].name, after[i].name_key) for i in ids]
    assert [name for name, _ in result] == [
        "Mobiler",
        "MOBILER (2)",
        "mobiler (3)",
        "Mobiler (2) (2)",
        "Mobiler",
        "MOBILER (2)",
        "Delat",
        "delat (2)",
    ]
    assert all(key == name.casefold() for name, key in result)
