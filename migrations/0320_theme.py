# Dark mode (issue 20 item 2): each user's colour scheme, chosen in Min profil
# (portal) or Säkerhet och inloggning (back office): auto follows the system.
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('user', 'theme', CharField(default='auto')))
    migrator.migrate(migrator.add_column('staff_user', 'theme', CharField(default='auto')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'theme'))
    migrator.migrate(migrator.drop_column('staff_user', 'theme'))
