# Operations (issue 16): the job worker's heartbeat, one row per worker host,
# read by /readyz.
from peewee import *


def up(migrator, db):
    class WorkerHeartbeat(Model):
        host = CharField(primary_key=True)
        beat_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'worker_heartbeat'

    db.create_tables([WorkerHeartbeat])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "worker_heartbeat"')
