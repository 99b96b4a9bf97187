# Kundnummer + PIN sign-in (issue 21 item 2, AUTH-7): an account's hashed PIN,
# and the sign-in sessions that belong to an account's PIN instead of a user.
from peewee import *


def up(migrator, db):
    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    migrator.migrate(migrator.add_column('account', 'pin_hash', CharField(null=True)))
    migrator.migrate(
        migrator.add_column(
            'login_session',
            'pin_account_id',
            ForeignKeyField(Account, field=Account.id, null=True, on_delete='CASCADE'),
        )
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('login_session', 'login_session_pin_account_id'))
    migrator.migrate(migrator.drop_column('login_session', 'pin_account_id'))
    migrator.migrate(migrator.drop_column('account', 'pin_hash'))
