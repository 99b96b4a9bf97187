"""Ny beställning (issue 14): what the catalogue tells the wizard about each
product, order lines under a subscription with their Slutför details, the
order's agreement number and batch, the operator's number pool and the
fixed-network availability table.

Columns are added with plain ALTER TABLE (see 0100: on SQLite the migrator
would copy the table to add a NOT NULL column)."""

from peewee import *


def _add(db, table, column, ddl):
    db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')


def up(migrator, db):
    text = "TEXT NOT NULL DEFAULT ''"
    chars = "VARCHAR(255) NOT NULL DEFAULT ''"
    _add(db, "product", "product_area", chars)
    _add(db, "product", "max_quantity", "INTEGER NOT NULL DEFAULT 1")
    _add(db, "product", "instructions", text)
    _add(db, "product", "finish_fields", chars)
    _add(db, "product", "permission", chars)

    _add(db, "order", "agreement_number", chars)
    _add(db, "order", "batch", chars)
    _add(db, "order", "billing_account_id", 'INTEGER REFERENCES "account" ("id")')
    _add(db, "order", "contact_email", chars)
    _add(db, "order", "changed_at", "TIMESTAMP")
    _add(db, "order", "answer", text)
    migrator.migrate(
        migrator.add_index("order", ("batch",)),
        migrator.add_index("order", ("billing_account_id",)),
    )

    _add(db, "order_line", "parent_id", 'INTEGER REFERENCES "order_line" ("id") ON DELETE CASCADE')
    _add(db, "order_line", "details", "TEXT NOT NULL DEFAULT '{}'")
    _add(db, "order_line", "service_id", 'INTEGER REFERENCES "service" ("id")')
    migrator.migrate(
        migrator.add_index("order_line", ("parent_id",)),
        migrator.add_index("order_line", ("service_id",)),
    )

    class Order(Model):
        class Meta:
            database = db
            table_name = "order"

    class PoolNumber(Model):
        number = CharField(unique=True)
        kind = CharField(default="mobile")
        status = CharField(default="free")
        order = ForeignKeyField(Order, null=True, on_delete="SET NULL")
        changed_at = DateTimeField()

        class Meta:
            database = db
            table_name = "pool_number"
            indexes = ((("kind", "status", "number"), False),)

    class Availability(Model):
        postcode = CharField(max_length=5)
        technology = CharField()
        down_mbit = IntegerField()
        up_mbit = IntegerField()

        class Meta:
            database = db
            table_name = "availability"
            indexes = ((("postcode", "technology"), True),)

    db.create_tables([PoolNumber, Availability])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "availability"')
    db.execute_sql('DROP TABLE IF EXISTS "pool_number"')
    for table, columns in {
        "order_line": ("service_id", "details", "parent_id"),
        "order": (
            "answer",
            "changed_at",
            "contact_email",
            "billing_account_id",
            "batch",
            "agreement_number",
        ),
        "product": ("permission", "finish_fields", "instructions", "max_quantity", "product_area"),
    }.items():
        for column in columns:
            migrator.migrate(migrator.drop_column(table, column))
