"""Indexes for the lists of a Kontoadministratör: the organisation and the
sub-tree's accounts first, then what the lists filter and sort on, so that
counting and sorting a sub-tree reads no table rows.

Generated from a schema diff on 2026-11-22 00:05.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.drop_index('service', 'service_account_id_hidden_status_number'))
    migrator.migrate(migrator.drop_index('invoice', 'invoice_account_id_due_date'))
    migrator.migrate(migrator.add_index('service', ('organisation_id', 'account_id', 'hidden', 'status', 'number', 'user_name', 'monthly_ore')))
    migrator.migrate(migrator.add_index('invoice', ('organisation_id', 'account_id', 'due_date', 'status')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('invoice', 'invoice_organisation_id_account_id_due_date_status'))
    migrator.migrate(migrator.drop_index('service', 'service_organisation_id_account_id_hidden_status_number__a96b1d8'))
    migrator.migrate(migrator.add_index('invoice', ('account_id', 'due_date')))
    migrator.migrate(migrator.add_index('service', ('account_id', 'hidden', 'status', 'number')))
