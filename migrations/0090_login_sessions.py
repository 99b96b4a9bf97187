# LoginSession: server-side record of every signed-in browser (issue 13, ASVS 7.4.1).
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class LoginSession(Model):
        key_hash = CharField(unique=True)
        user = ForeignKeyField(User, null=True, backref='login_sessions', on_delete='CASCADE')
        staff = ForeignKeyField(StaffUser, null=True, backref='login_sessions', on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        ip = CharField(default='')
        user_agent = CharField(default='')
        class Meta:
            database = db
            table_name = 'login_session'
    db.create_tables([LoginSession])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "login_session"')
