# View as customer (issue 17): staff viewing the portal as a customer's user,
# read-only; one row per viewing, shown in the customer's Granskningslogg.
from peewee import *


def up(migrator, db):
    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class ViewAsSession(Model):
        staff = ForeignKeyField(StaffUser, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        organisation = ForeignKeyField(Organisation)
        reason = CharField(default='')
        ip = CharField(default='')
        started_at = DateTimeField()
        ended_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'view_as_session'

    db.create_tables([ViewAsSession])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "view_as_session"')
