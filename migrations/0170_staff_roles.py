# Staff roles (issue 17): what an employee may do in the back office, and
# whether they must use a second factor. Existing administrators get the
# Administratör role; other existing staff keep what the back office offered
# them so far (tickets, orders and changes, billing).
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('staff_user', 'roles', CharField(default='')))
    migrator.migrate(migrator.add_column('staff_user', 'require_2fa', BooleanField(default=False)))
    db.execute_sql("UPDATE staff_user SET roles = 'admin' WHERE is_admin")
    db.execute_sql("UPDATE staff_user SET roles = 'support orders billing' WHERE NOT is_admin")


def down(migrator, db):
    migrator.migrate(migrator.drop_column('staff_user', 'require_2fa'))
    migrator.migrate(migrator.drop_column('staff_user', 'roles'))
