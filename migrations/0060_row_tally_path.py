"""The account's path on each row of the tally, so that a Kontoadministratör's
total reads one range of an index (the sub-tree's paths) instead of looking
up every account of the sub-tree: 0.2 ms instead of 0.7-1.2 ms for the 501
accounts of the large data set's region, on every list page.

The path is copied from the account by triggers on both sides: when a tally
row is made, and when an account's path changes (an account moved with its
sub-tree keeps its counts in its new place). SQLite and PostgreSQL; the SQL
is frozen here.
"""
from peewee import *

SQLITE = [
    'CREATE TRIGGER row_tally_path_insert AFTER INSERT ON "row_tally" BEGIN '
    'UPDATE "row_tally" SET path = (SELECT path FROM "account" WHERE id = NEW.account_id) '
    'WHERE id = NEW.id; END',
    'CREATE TRIGGER row_tally_account_path AFTER UPDATE OF path ON "account" '
    'WHEN OLD.path IS NOT NEW.path BEGIN '
    'UPDATE "row_tally" SET path = NEW.path WHERE account_id = NEW.id; END',
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION row_tally_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.path := (SELECT path FROM account WHERE id = NEW.account_id);
  RETURN NEW;
END $$""",
    'CREATE TRIGGER row_tally_path_insert BEFORE INSERT ON "row_tally" '
    'FOR EACH ROW EXECUTE FUNCTION row_tally_path()',
    """CREATE OR REPLACE FUNCTION row_tally_account_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE row_tally SET path = NEW.path WHERE account_id = NEW.id;
  RETURN NULL;
END $$""",
    'CREATE TRIGGER row_tally_account_path AFTER UPDATE OF path ON "account" '
    'FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) '
    'EXECUTE FUNCTION row_tally_account_path()',
]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('row_tally', 'path', CharField(null=True)),
        migrator.add_index('row_tally', ('table_name', 'organisation_id', 'path', 'bucket', 'n')),
    )
    db.execute_sql(
        'UPDATE "row_tally" SET path = (SELECT path FROM "account" '
        'WHERE "account".id = "row_tally".account_id)')
    for statement in POSTGRES if isinstance(db, PostgresqlDatabase) else SQLITE:
        db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS row_tally_path_insert ON "row_tally"')
        db.execute_sql('DROP TRIGGER IF EXISTS row_tally_account_path ON "account"')
        db.execute_sql('DROP FUNCTION IF EXISTS row_tally_path()')
        db.execute_sql('DROP FUNCTION IF EXISTS row_tally_account_path()')
    else:
        db.execute_sql('DROP TRIGGER IF EXISTS row_tally_path_insert')
        db.execute_sql('DROP TRIGGER IF EXISTS row_tally_account_path')
    migrator.migrate(
        migrator.drop_index('row_tally', 'rowtally_table_name_organisation_id_path_bucket_n'),
        migrator.drop_column('row_tally', 'path'),
    )
