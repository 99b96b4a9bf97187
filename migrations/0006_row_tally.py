"""The row tally (tables/tally.py): its table, the triggers that keep it exact
and the first count.

The table is from a schema diff on 2026-11-22 00:05; the triggers (SQLite
and PostgreSQL) and the first count were added by hand. The trigger SQL is
frozen here: a later change to what is tallied needs a migration of its own.
"""
from peewee import *

# table: (bucket column, condition for a row to be counted or None)
TALLIED = {
    'service': ('status', 'NOT {row}.hidden'),
    'invoice': ('status', None),
    'call_record': ('traffic_type', None),
}


def _sqlite_triggers(table, bucket, condition):
    def when(row):
        return condition.format(row=row) if condition else '1'

    watched = ['organisation_id', 'account_id', bucket] + (['hidden'] if condition else [])
    changed = ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in watched)
    add = (f"INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n) "
           f"SELECT '{table}', NEW.organisation_id, NEW.account_id, NEW.{bucket}, 1 WHERE {when('NEW')} "
           f"ON CONFLICT (table_name, account_id, bucket) DO UPDATE SET n = n + 1;")
    remove = (f"UPDATE row_tally SET n = n - 1 WHERE {when('OLD')} AND table_name = '{table}' "
              f"AND account_id = OLD.account_id AND bucket = OLD.{bucket};")
    return [
        f'CREATE TRIGGER row_tally_{table}_insert AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER row_tally_{table}_delete AFTER DELETE ON "{table}" BEGIN {remove} END',
        f'CREATE TRIGGER row_tally_{table}_update AFTER UPDATE OF {", ".join(watched)} '
        f'ON "{table}" WHEN {changed} BEGIN {remove} {add} END',
    ]


def _postgres_triggers(table, bucket, condition):
    def when(row):
        return condition.format(row=row) if condition else 'TRUE'

    watched = ['organisation_id', 'account_id', bucket] + (['hidden'] if condition else [])
    changed = ' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in watched)
    return [
        f"""CREATE OR REPLACE FUNCTION row_tally_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND {when('OLD')} THEN
    UPDATE row_tally SET n = n - 1
     WHERE table_name = '{table}' AND account_id = OLD.account_id AND bucket = OLD.{bucket};
  END IF;
  IF TG_OP <> 'DELETE' AND {when('NEW')} THEN
    INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n)
    VALUES ('{table}', NEW.organisation_id, NEW.account_id, NEW.{bucket}, 1)
    ON CONFLICT (table_name, account_id, bucket) DO UPDATE SET n = row_tally.n + 1;
  END IF;
  RETURN NULL;
END $$""",
        f'CREATE TRIGGER row_tally_{table}_insert_delete AFTER INSERT OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION row_tally_{table}()',
        f'CREATE TRIGGER row_tally_{table}_update AFTER UPDATE OF {", ".join(watched)} '
        f'ON "{table}" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION row_tally_{table}()',
    ]


def _is_postgres(db):
    return isinstance(db, PostgresqlDatabase)

def up(migrator, db):
    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class RowTally(Model):
        table_name = CharField()
        organisation = ForeignKeyField(Organisation, on_delete='CASCADE')
        account = ForeignKeyField(Account, on_delete='CASCADE')
        bucket = CharField()
        n = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'row_tally'
            indexes = ((('table_name', 'account', 'bucket'), True), (('table_name', 'organisation', 'bucket', 'n'), False))
    db.create_tables([RowTally])

    triggers = _postgres_triggers if _is_postgres(db) else _sqlite_triggers
    for table, (bucket, condition) in TALLIED.items():
        for statement in triggers(table, bucket, condition):
            db.execute_sql(statement)
        where = f'WHERE {condition.format(row=table)}' if condition else ''
        db.execute_sql(
            f"INSERT INTO row_tally (table_name, organisation_id, account_id, bucket, n) "
            f"SELECT '{table}', organisation_id, account_id, {bucket}, COUNT(*) "
            f'FROM "{table}" {where} GROUP BY organisation_id, account_id, {bucket}')


def down(migrator, db):
    for table in TALLIED:
        if _is_postgres(db):
            db.execute_sql(f'DROP TRIGGER IF EXISTS row_tally_{table}_insert_delete ON "{table}"')
            db.execute_sql(f'DROP TRIGGER IF EXISTS row_tally_{table}_update ON "{table}"')
            db.execute_sql(f'DROP FUNCTION IF EXISTS row_tally_{table}()')
        else:
            for event in ('insert', 'delete', 'update'):
                db.execute_sql(f'DROP TRIGGER IF EXISTS row_tally_{table}_{event}')
    migrator.migrate(migrator.drop_table('row_tally'))
