# Dark mode (issue 20 item 2): each user's colour scheme, chosen in Min profil
# (portal) or Säkerhet och inloggning (back office): auto follows the system.
from peewee import *



# Columns are added with one ALTER TABLE … NOT NULL DEFAULT: peewee's
# add_column of a NOT NULL field rebuilds the table on SQLite, which fails
# (FOREIGN KEY constraint failed) once other tables refer to its rows.


def up(migrator, db):
    for table in ('user', 'staff_user'):
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN theme VARCHAR(255) NOT NULL DEFAULT \'auto\'')


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'theme'))
    migrator.migrate(migrator.drop_column('staff_user', 'theme'))
