"""tables/prepared.py: a query built once gives, run with other values, the
rows that building it with those values gives (joined rows included)."""

from __future__ import annotations

import pytest

from tables.org import Account, User
from tables.prepared import Prepared


def _users_in(ids, organisation_id):
    return (
        User.select(User, Account)
        .join(Account, on=(User.scope_account == Account.id))
        .where(User.id.in_(ids) & (User.organisation == organisation_id))
        .order_by(User.id)
    )


def test_prepared_rows_are_the_querys_rows_for_any_values(demo_app):
    prepared = Prepared(_users_in)
    users = list(User.select().order_by(User.id))
    assert len(users) >= 4
    for chosen in (users[:3], users[1:4], users[-3:]):
        ids = [u.id for u in chosen]
        org = chosen[0].organisation_id
        got = list(prepared.rows(ids, org))
        expected = list(_users_in(ids, org))
        assert [u.id for u in got] == [u.id for u in expected] and got
        # the joined account came with each row, as peewee builds it
        assert [u.scope_account.customer_number for u in got] == [
            u.scope_account.customer_number for u in expected
        ]
    assert len(prepared._plans) == 1  # one shape: three ids and a value


def test_each_length_of_a_list_is_a_shape_of_its_own(demo_app):
    prepared = Prepared(_users_in)
    user = User.select().order_by(User.id).first()
    assert [u.id for u in prepared.rows([user.id], user.organisation_id)] == [user.id]
    assert list(prepared.rows([user.id, 0], user.organisation_id))[0].id == user.id
    assert len(prepared._plans) == 2


def test_strings_and_no_row(demo_app):
    prepared = Prepared(lambda name: User.select().where(User.username == name))
    assert prepared.first("admin@a3demo.se").username == "admin@a3demo.se"
    assert prepared.first("nobody@example.com") is None


def test_a_value_the_query_does_not_use_is_refused(demo_app):
    prepared = Prepared(lambda unused: User.select().where(User.id == 1))
    with pytest.raises(ValueError):
        prepared.first(5)
