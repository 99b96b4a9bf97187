"""web/excel.py: the converters and the cursor reading behind every export."""

from __future__ import annotations

import datetime as dt

import pytest

from database import SQLITE_PRAGMAS, db
from models import CallRecord
from tests.conftest import ADMIN
from web import excel
from web.formatting import local
from web.listview import ListView


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


@pytest.mark.sqlite_only
def test_export_reads_with_a_small_page_cache_and_restores_it(demo_app):
    def cache_size():
        return db.obj.execute_sql("PRAGMA cache_size").fetchone()[0]

    before = cache_size()
    rows = excel.iterate(CallRecord.select(CallRecord.id).tuples())
    next(rows)
    assert cache_size() == -excel.EXPORT_CACHE_KIB
    assert sum(1 for _ in rows) + 1 == CallRecord.select().count()
    assert cache_size() == before


def test_formula_text_is_escaped_in_text_and_mixed_columns(tmp_path):
    from openpyxl import load_workbook

    rows = [("=1+1", "+46701234567", 7), ("Anna", 12, "-3"), (None, None, "x")]
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        written = excel.write_rows(
            out, "T", ["a", "b", "c"], rows, escape=[excel.TEXT, True, False]
        )
    assert written == 3
    sheet = load_workbook(path).active
    cells = [
        [(c.value, c.data_type, c.quotePrefix) for c in row] for row in sheet.iter_rows(min_row=2)
    ]
    assert cells[0][0] == ("=1+1", "s", True)
    assert cells[0][1] == ("+46701234567", "s", True)
    assert cells[1][0] == ("Anna", "s", False)
    assert cells[1][1] == (12, "n", False)
    assert cells[1][2][2] is False  # a column that is not text is written as it is
    assert cells[2][:2] == [(None, "n", False), (None, "n", False)]


@pytest.mark.parametrize("count", [0, 1, excel.BATCH, 2 * excel.BATCH + 7])
def test_every_row_is_written_in_order_across_batches(tmp_path, count):
    from openpyxl import load_workbook

    def rows():  # a generator, as a cursor gives them: each row taken once
        for i in range(count):
            yield (i, f"rad {i}", i * 100)

    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        written = excel.write_rows(
            out, "T", ["n", "text", "kr"], rows(), [None, None, excel.to_kronor]
        )
    assert written == count
    sheet = load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values == [(i, f"rad {i}", float(i)) for i in range(count)]


def test_text_a_workbook_cannot_hold_is_written_cleaned(tmp_path):
    from openpyxl import load_workbook

    rows = [
        ("a\x00b", "\x1b[31m", 1),
        ("rad 1\nrad 2\tflik\r", "\x01=1+1", 2),
        ("\xa0Anna\u200b", 3, None),
    ]
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        excel.write_rows(out, "T", ["a", "b", "c"], rows, escape=[excel.TEXT, True, False])
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == ["a\ufffdb", "\ufffd[31m", 1]
    assert values[1][0] == "rad 1\nrad 2\tflik\r", "tab, LF and CR are kept"
    assert values[1][1] == "\ufffd=1+1"
    assert values[2][:2] == ["\xa0Anna\u200b", 3], "other unprintable text is left as it is"


@pytest.mark.sqlite_only
def test_an_export_counts_its_rows_with_the_small_page_cache(demo_client, login, monkeypatch):
    """Counting a million rows through the connection's 32 MB cache grew the
    process by 31 MB before the export began; a list page keeps that cache."""
    seen = []
    counted = ListView.count

    def count(self, *args, **kwargs):
        seen.append(db.obj.execute_sql("PRAGMA cache_size").fetchone()[0])
        return counted(self, *args, **kwargs)

    monkeypatch.setattr(ListView, "count", count)
    login(demo_client, ADMIN)
    assert demo_client.get("/calls?export=xlsx").status_code == 200
    assert demo_client.get("/calls").status_code == 200
    assert seen[0] == -excel.EXPORT_CACHE_KIB
    assert seen[1] == SQLITE_PRAGMAS["cache_size"]
