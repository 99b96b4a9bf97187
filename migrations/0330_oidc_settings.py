# Sign in with Microsoft (issue 21 item 1, AUTH-6): the rest of an
# organisation's identity-provider settings (issuer, client id and the
# encrypted secret exist since 0001).
from peewee import *



# Columns are added with one ALTER TABLE … NOT NULL DEFAULT: peewee's
# add_column of a NOT NULL field rebuilds the table on SQLite, which fails
# (FOREIGN KEY constraint failed) once other tables refer to its rows.


def up(migrator, db):
    flag = 'INTEGER NOT NULL DEFAULT 0' if isinstance(db, SqliteDatabase) else 'BOOLEAN NOT NULL DEFAULT false'
    db.execute_sql("ALTER TABLE organisation ADD COLUMN oidc_domains VARCHAR(255) NOT NULL DEFAULT ''")
    db.execute_sql(f'ALTER TABLE organisation ADD COLUMN oidc_create_users {flag}')
    migrator.migrate(
        migrator.add_column('organisation', 'oidc_create_role_id', IntegerField(null=True))
    )
    db.execute_sql(f'ALTER TABLE organisation ADD COLUMN oidc_mfa_satisfies {flag}')


def down(migrator, db):
    for column in ('oidc_domains', 'oidc_create_users', 'oidc_create_role_id', 'oidc_mfa_satisfies'):
        migrator.migrate(migrator.drop_column('organisation', column))
