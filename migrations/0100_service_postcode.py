"""service.postcode: the postcode of a service's installation address, which
decides whether a known outage touches it (domain/outages.py).

Added with a plain ALTER TABLE: on SQLite the migrator would add a NOT NULL
column by copying the table, and a copied table loses the row tally's
triggers (see 0050). Existing services get the first postcode in their
address text ("Gata 1, 90155 Umeå").
"""
import re

from peewee import *

POSTCODE = re.compile(r'\b(\d{3}) ?(\d{2})\b')


def up(migrator, db):
    db.execute_sql("ALTER TABLE service ADD COLUMN postcode VARCHAR(5) NOT NULL DEFAULT ''")
    migrator.migrate(migrator.add_index('service', ('postcode',)))
    rows = db.execute_sql("SELECT id, address FROM service WHERE address != ''").fetchall()
    for service_id, address in rows:
        found = POSTCODE.search(address)
        if found:
            db.execute_sql(
                'UPDATE service SET postcode = ? WHERE id = ?'.replace('?', db.param),
                (found.group(1) + found.group(2), service_id),
            )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('service', 'service_postcode'))
    db.execute_sql('ALTER TABLE service DROP COLUMN postcode')
