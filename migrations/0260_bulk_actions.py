# Bulk actions on Tjänster (issue 18 item 7): a run of one action on many
# services and its outcome per service, kept for the result page.
from peewee import *


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class Order(Model):
        class Meta:
            database = db
            table_name = 'order'

    class BulkAction(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        action = CharField()
        params = TextField(default='{}')
        summary = CharField(default='')
        token = CharField(unique=True)
        key = CharField()
        status = CharField(default='queued')
        rows_total = IntegerField(default=0)
        rows_done = IntegerField(default=0)
        attempts = IntegerField(default=0)
        error = TextField(default='')
        heartbeat_at = DateTimeField(null=True)
        created_at = DateTimeField()
        finished_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'bulk_action'
            indexes = (
                (('user', 'key', 'status'), False),
                (('status', 'heartbeat_at'), False),
            )

    class BulkActionRow(Model):
        bulk = ForeignKeyField(BulkAction, on_delete='CASCADE')
        service = ForeignKeyField(Service, on_delete='CASCADE')
        position = IntegerField()
        status = CharField(default='pending')
        order = ForeignKeyField(Order, null=True, on_delete='SET NULL')
        message = TextField(default='')
        done_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'bulk_action_row'
            indexes = (
                (('bulk', 'position'), True),
                (('bulk', 'status'), False),
            )

    db.create_tables([BulkAction, BulkActionRow])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS bulk_action_row')
    db.execute_sql('DROP TABLE IF EXISTS bulk_action')
