# User.removed_at: "Ta bort användare" keeps the row for history (issue #3).
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('user', 'removed_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'removed_at'))
