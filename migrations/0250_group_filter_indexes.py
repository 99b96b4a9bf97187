# The lists' group filter (issue 18, GRP-4) asks, row by row, whether an
# account or a service held one of the chosen groups in a month: index
# memberships by owner and group, so SQLite does not walk every member of
# a large group for each row.
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('group_membership', ('account_id', 'group_id', 'start_month')))
    migrator.migrate(migrator.add_index('group_membership', ('service_id', 'group_id', 'start_month')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('group_membership', 'group_membership_account_id_group_id_start_month'))
    migrator.migrate(migrator.drop_index('group_membership', 'group_membership_service_id_group_id_start_month'))
