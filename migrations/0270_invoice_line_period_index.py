# Kostnader per grupp (issue 18, GRP-4) reads the invoice lines of a range of
# period months: index the lines by their period, so a month of a large
# organisation is found without reading every line it was ever invoiced.
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('invoice_line', ('period_start',)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('invoice_line', 'invoice_line_period_start'))
