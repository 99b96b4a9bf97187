"""Reinstall the row tally's triggers and recount.

On SQLite, 0030 added service.caller_id NOT NULL by copying the table, and
a copied table has no triggers: from then on the service tally stood still.
This puts back the triggers exactly as 0007 froze them and rebuilds both
tallies from the tables. ``flask db upgrade`` now refuses to finish when a
migration leaves a tallied table without its triggers (tables/tally.py).
"""
import importlib.util
from pathlib import Path

from peewee import *

TALLIED = {
    'service': ('status', 'NOT {row}.hidden'),
    'invoice': ('status', None),
    'call_record': ('traffic_type', None),
}


def _migration_0007():
    path = Path(__file__).with_name('0007_organisation_tally.py')
    spec = importlib.util.spec_from_file_location('migration_0007', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def up(migrator, db):
    _migration_0007()._install(db, organisations=True)
    db.execute_sql('DELETE FROM row_tally')
    db.execute_sql('DELETE FROM organisation_tally')
    for table, (bucket, condition) in TALLIED.items():
        where = f'WHERE {condition.format(row=table)}' if condition else ''
        db.execute_sql(
            f"INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n) "
            f"SELECT '{table}', organisation_id, account_id, {bucket}, COUNT(*) "
            f'FROM "{table}" {where} GROUP BY organisation_id, account_id, {bucket}')
    db.execute_sql(
        'INSERT INTO organisation_tally (table_name, organisation_id, bucket, n) '
        'SELECT table_name, organisation_id, bucket, SUM(n) FROM row_tally '
        'GROUP BY table_name, organisation_id, bucket')


def down(migrator, db):
    pass  # the triggers stay: 0007's down removes them with its table
