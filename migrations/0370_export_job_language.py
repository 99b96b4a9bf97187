# Languages (issue 20): an export job keeps the language of the user who
# asked for it, and the worker writes the file in it.
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('export_job', 'language', CharField(default='sv')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('export_job', 'language'))
