# Generated from a schema diff on 2026-11-22 00:04.
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_column('service', 'caller_id', CharField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('service', 'caller_id'))
