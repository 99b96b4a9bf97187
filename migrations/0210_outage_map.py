# Outages and coverage in the back office (issue 17 item 4): an outage's kind
# (fault or planned maintenance), its radius on the map and the publishing
# form's one-time token; the updates customers see; coverage positions.
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('outage', 'kind', CharField(default='fault')),
        migrator.add_column('outage', 'radius_km', FloatField(null=True)),
        migrator.add_column('outage', 'publish_token', CharField(null=True)),
        migrator.add_index('outage', ('publish_token',), True),
        migrator.add_column('coverage', 'latitude', FloatField(null=True)),
        migrator.add_column('coverage', 'longitude', FloatField(null=True)),
    )

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class Outage(Model):
        class Meta:
            database = db
            table_name = 'outage'

    class OutageUpdate(Model):
        outage = ForeignKeyField(Outage, on_delete='CASCADE')
        at = DateTimeField()
        text = TextField()
        staff = ForeignKeyField(StaffUser, null=True)

        class Meta:
            database = db
            table_name = 'outage_update'
            indexes = ((('outage', 'at'), False),)

    db.create_tables([OutageUpdate])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "outage_update"')
    migrator.migrate(
        migrator.drop_index('outage', 'outage_publish_token'),
        migrator.drop_column('outage', 'publish_token'),
        migrator.drop_column('outage', 'radius_km'),
        migrator.drop_column('outage', 'kind'),
        migrator.drop_column('coverage', 'longitude'),
        migrator.drop_column('coverage', 'latitude'),
    )
