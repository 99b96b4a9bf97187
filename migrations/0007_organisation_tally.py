"""Organisation totals next to the row tally: an Administratör's list total is
one row per bucket instead of a sum over every account of the organisation.

The table is from a schema diff on 2026-11-22 00:50. The triggers of 0006
are replaced by ones that keep both tallies (SQLite and PostgreSQL), and the
organisation totals are summed from row_tally. The SQL is frozen here.
"""
from peewee import *

# table: (bucket column, condition for a row to be counted or None)
TALLIED = {
    'service': ('status', 'NOT {row}.hidden'),
    'invoice': ('status', None),
    'call_record': ('traffic_type', None),
}


def _watched(bucket, condition):
    return ['organisation_id', 'account_id', bucket] + (['hidden'] if condition else [])


def _sqlite_triggers(table, bucket, condition, organisations):
    def when(row):
        return condition.format(row=row) if condition else '1'

    watched = _watched(bucket, condition)
    changed = ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in watched)
    add = (f"INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n) "
           f"SELECT '{table}', NEW.organisation_id, NEW.account_id, NEW.{bucket}, 1 WHERE {when('NEW')} "
           f"ON CONFLICT (table_name, account_id, bucket) DO UPDATE SET n = n + 1;")
    remove = (f"UPDATE row_tally SET n = n - 1 WHERE {when('OLD')} AND table_name = '{table}' "
              f"AND account_id = OLD.account_id AND bucket = OLD.{bucket};")
    if organisations:
        add += (f" INSERT INTO organisation_tally (table_name, organisation_id, bucket, n) "
                f"SELECT '{table}', NEW.organisation_id, NEW.{bucket}, 1 WHERE {when('NEW')} "
                f"ON CONFLICT (table_name, organisation_id, bucket) DO UPDATE SET n = n + 1;")
        remove += (f" UPDATE organisation_tally SET n = n - 1 WHERE {when('OLD')} "
                   f"AND table_name = '{table}' AND organisation_id = OLD.organisation_id "
                   f"AND bucket = OLD.{bucket};")
    return [
        f'CREATE TRIGGER row_tally_{table}_insert AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER row_tally_{table}_delete AFTER DELETE ON "{table}" BEGIN {remove} END',
        f'CREATE TRIGGER row_tally_{table}_update AFTER UPDATE OF {", ".join(watched)} '
        f'ON "{table}" WHEN {changed} BEGIN {remove} {add} END',
    ]


def _postgres_function(table, bucket, condition, organisations):
    def when(row):
        return condition.format(row=row) if condition else 'TRUE'

    remove_org = add_org = ''
    if organisations:
        remove_org = f"""
    UPDATE organisation_tally SET n = n - 1
     WHERE table_name = '{table}' AND organisation_id = OLD.organisation_id
       AND bucket = OLD.{bucket};"""
        add_org = f"""
    INSERT INTO organisation_tally (table_name, organisation_id, bucket, n)
    VALUES ('{table}', NEW.organisation_id, NEW.{bucket}, 1)
    ON CONFLICT (table_name, organisation_id, bucket) DO UPDATE SET n = organisation_tally.n + 1;"""
    # Replacing the function is enough: the triggers of 0006 call it by name.
    return f"""CREATE OR REPLACE FUNCTION row_tally_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND {when('OLD')} THEN
    UPDATE row_tally SET n = n - 1
     WHERE table_name = '{table}' AND account_id = OLD.account_id AND bucket = OLD.{bucket};{remove_org}
  END IF;
  IF TG_OP <> 'DELETE' AND {when('NEW')} THEN
    INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n)
    VALUES ('{table}', NEW.organisation_id, NEW.account_id, NEW.{bucket}, 1)
    ON CONFLICT (table_name, account_id, bucket) DO UPDATE SET n = row_tally.n + 1;{add_org}
  END IF;
  RETURN NULL;
END $$"""


def _install(db, organisations):
    for table, (bucket, condition) in TALLIED.items():
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(_postgres_function(table, bucket, condition, organisations))
            continue
        for event in ('insert', 'delete', 'update'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS row_tally_{table}_{event}')
        for statement in _sqlite_triggers(table, bucket, condition, organisations):
            db.execute_sql(statement)


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class OrganisationTally(Model):
        table_name = CharField()
        organisation = ForeignKeyField(Organisation, on_delete='CASCADE')
        bucket = CharField()
        n = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'organisation_tally'
            indexes = ((('table_name', 'organisation', 'bucket'), True),)
    db.create_tables([OrganisationTally])

    _install(db, organisations=True)
    db.execute_sql(
        'INSERT INTO organisation_tally (table_name, organisation_id, bucket, n) '
        'SELECT table_name, organisation_id, bucket, SUM(n) FROM row_tally '
        'GROUP BY table_name, organisation_id, bucket')


def down(migrator, db):
    _install(db, organisations=False)
    migrator.migrate(migrator.drop_table('organisation_tally'))
