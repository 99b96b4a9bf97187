"""web/excel.py: the converters and the cursor reading behind every export."""

from __future__ import annotations

import datetime as dt

import pytest

from database import db
from models import CallRecord
from web import excel
from web.formatting import local


@pytest.mark.parametrize(
    "start",
    [dt.datetime(2026, 3, 28), dt.datetime(2026, 10, 24), dt.datetime(2025, 12, 31, 12)],
)
def test_to_datetime_is_the_local_time_across_summer_time_changes(start):
    moment = start
    while moment < start + dt.timedelta(days=2):
        for value in (moment, moment + dt.timedelta(seconds=59, microseconds=999999)):
            expected = local(value).replace(tzinfo=None)
            assert excel.to_datetime(value) == expected
            assert excel.to_datetime(value.isoformat(" ")) == expected
        moment += dt.timedelta(minutes=7)


def test_export_reads_with_a_small_page_cache_and_restores_it(demo_app):
    def cache_size():
        return db.obj.execute_sql("PRAGMA cache_size").fetchone()[0]

    before = cache_size()
    rows = excel.iterate(CallRecord.select(CallRecord.id).tuples())
    next(rows)
    assert cache_size() == -excel.EXPORT_CACHE_KIB
    assert sum(1 for _ in rows) + 1 == CallRecord.select().count()
    assert cache_size() == before
