# Groups (issue 18, GRP-1): a category gets a description, and categories and
# groups are removed by marking them, so memberships of past months keep
# naming them.
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('group_category', 'description', TextField(default='')))
    migrator.migrate(migrator.add_column('group_category', 'removed_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('group', 'removed_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('group', 'removed_at'))
    migrator.migrate(migrator.drop_column('group_category', 'removed_at'))
    migrator.migrate(migrator.drop_column('group_category', 'description'))
