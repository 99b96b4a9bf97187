"""The billing importer (issue 15, INV-2): ImportBatch gains the counts of
new / unchanged / updated / conflicting records, the conflicts, the
operator's choice on errors, the staff upload's one-time token and the time
it was undone; ImportChange records the previous values an import replaced
(and the credit notes and usage rows it created) so that it can be undone.

Columns are added with plain ALTER TABLE (see 0100: on SQLite the migrator
would copy the table to add a NOT NULL column). Natural keys: invoice and
credit note numbers and (service, month) of monthly usage are unique
already; call records are matched on the existing (service, started_at)
index (see domain/billing/cdr.py for why that key has no unique index)."""

from peewee import *


def _add(db, table, column, ddl):
    db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')


COUNTS = ("rows_new", "rows_unchanged", "rows_updated", "rows_conflict")


def up(migrator, db):
    for column in COUNTS:
        _add(db, "import_batch", column, "INTEGER NOT NULL DEFAULT 0")
    _add(db, "import_batch", "on_error", "VARCHAR(255) NOT NULL DEFAULT 'skip'")
    _add(db, "import_batch", "conflicts", "TEXT NOT NULL DEFAULT '[]'")
    _add(db, "import_batch", "message", "TEXT NOT NULL DEFAULT ''")
    _add(db, "import_batch", "token", "VARCHAR(255) NOT NULL DEFAULT ''")
    _add(db, "import_batch", "stored_path", "VARCHAR(255) NOT NULL DEFAULT ''")
    _add(db, "import_batch", "undone_at", "TIMESTAMP")

    class ImportBatch(Model):
        class Meta:
            database = db
            table_name = "import_batch"

    class ImportChange(Model):
        batch = ForeignKeyField(ImportBatch, on_delete="CASCADE")
        table_name = CharField()
        row_id = IntegerField()
        action = CharField()
        before = TextField(null=True)
        after = TextField(null=True)

        class Meta:
            database = db
            table_name = "import_change"
            indexes = ((("table_name", "row_id"), False),)

    db.create_tables([ImportChange])


def down(migrator, db):
    db.execute_sql('DROP TABLE "import_change"')
    for column in (*COUNTS, "on_error", "conflicts", "message", "token", "stored_path",
                   "undone_at"):
        db.execute_sql(f'ALTER TABLE "import_batch" DROP COLUMN "{column}"')
