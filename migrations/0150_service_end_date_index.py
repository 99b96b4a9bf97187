"""Historik – Avslutade tjänster: an organisation's terminated services
counted and paged by end date from an index, not by reading every
terminated service's row (bench: the large organisation's 10,727)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('service', ('organisation_id', 'status', 'end_date', 'hidden')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('service', 'service_organisation_id_status_end_date_hidden'),
    )
