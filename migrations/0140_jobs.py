# Background jobs (issue 15, items 4 and 5): export jobs, scheduled reports'
# schedule and state, e-mail attachments.
from peewee import *


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ScheduledReport(Model):
        class Meta:
            database = db
            table_name = 'scheduled_report'

    class ExportJob(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        schedule = ForeignKeyField(ScheduledReport, null=True, on_delete='SET NULL')
        title = CharField()
        path = TextField()
        status = CharField(default='queued')
        rows_done = IntegerField(default=0)
        rows_total = IntegerField(default=0)
        file = CharField(default='')
        error = TextField(default='')
        attempts = IntegerField(default=0)
        heartbeat_at = DateTimeField(null=True)
        created_at = DateTimeField()
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'export_job'
            indexes = (
                (('user', 'created_at'), False),
                (('status', 'heartbeat_at'), False),
            )
    db.create_tables([ExportJob])
    migrator.migrate(
        migrator.add_column('scheduled_report', 'title', CharField(default='')),
        migrator.add_column('scheduled_report', 'path', TextField(default='')),
        migrator.add_column('scheduled_report', 'day', IntegerField(default=1)),
        migrator.add_column('scheduled_report', 'hour', IntegerField(default=7)),
        migrator.add_column('scheduled_report', 'last_status', CharField(default='')),
        migrator.add_column('scheduled_report', 'last_error', TextField(default='')),
        migrator.add_column('scheduled_report', 'paused_reason', TextField(default='')),
        migrator.add_column('outbox_message', 'attachments', TextField(null=True)),
    )


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "export_job"')
    migrator.migrate(
        *(
            migrator.drop_column('scheduled_report', name)
            for name in ('title', 'path', 'day', 'hour', 'last_status', 'last_error', 'paused_reason')
        ),
        migrator.drop_column('outbox_message', 'attachments'),
    )
