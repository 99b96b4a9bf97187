# JSON API (issue 19): api_token gains its account sub-tree and last address
# (the table was never written to, so it is made anew), and the tables of
# used addresses, per-minute request counts and idempotent POST answers.
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

    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    class ApiToken(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        account = ForeignKeyField(Account, null=True)
        name = CharField()
        prefix = CharField(index=True)
        token_hash = CharField(unique=True)
        scopes = TextField(default='')
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        last_used_ip = CharField(default='')
        expires_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'api_token'
            indexes = ((('organisation', 'created_at'), False),)

    class ApiTokenAddress(Model):
        token = ForeignKeyField(ApiToken, on_delete='CASCADE')
        ip = CharField()
        first_seen_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'api_token_address'
            indexes = ((('token', 'ip'), True),)

    class ApiRateWindow(Model):
        token = ForeignKeyField(ApiToken, on_delete='CASCADE')
        window = DateTimeField()
        count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'api_rate_window'
            indexes = ((('token', 'window'), True),)

    class ApiIdempotency(Model):
        token = ForeignKeyField(ApiToken, on_delete='CASCADE')
        key = CharField()
        request_hash = CharField()
        status = IntegerField()
        body = TextField(default='')
        location = CharField(default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'api_idempotency'
            indexes = ((('token', 'key'), True),)

    db.execute_sql('DROP TABLE IF EXISTS api_token')
    db.create_tables([ApiToken, ApiTokenAddress, ApiRateWindow, ApiIdempotency])


def down(migrator, db):
    for table in ('api_idempotency', 'api_rate_window', 'api_token_address'):
        db.execute_sql(f'DROP TABLE IF EXISTS {table}')
    # back to 0001's shape, made anew as up() did (SQLite cannot drop a
    # column that is a foreign key)
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ApiToken(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField()
        prefix = CharField(index=True)
        token_hash = CharField(unique=True)
        scopes = TextField(default='')
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'api_token'

    db.execute_sql('DROP TABLE IF EXISTS api_token')
    db.create_tables([ApiToken])
