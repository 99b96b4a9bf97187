# Sign in with Microsoft (issue 21 item 1, AUTH-6): the rest of an
# organisation's identity-provider settings (issuer, client id and the
# encrypted secret exist since 0001).
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('organisation', 'oidc_domains', CharField(default='')))
    migrator.migrate(
        migrator.add_column('organisation', 'oidc_create_users', BooleanField(default=False))
    )
    migrator.migrate(
        migrator.add_column('organisation', 'oidc_create_role_id', IntegerField(null=True))
    )
    migrator.migrate(
        migrator.add_column('organisation', 'oidc_mfa_satisfies', BooleanField(default=False))
    )


def down(migrator, db):
    for column in ('oidc_domains', 'oidc_create_users', 'oidc_create_role_id', 'oidc_mfa_satisfies'):
        migrator.migrate(migrator.drop_column('organisation', column))
