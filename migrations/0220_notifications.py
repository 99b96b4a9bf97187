# Notifications by preference (issue 17, item 5): the log of broadcast mail
# sent to contacts (one row per contact and event, unique, so nobody gets the
# same event twice), the technical notices the operator sends, and extra
# headers on outbox mail (List-Unsubscribe).
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('outbox_message', 'headers', TextField(null=True)))

    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class NotificationLog(Model):
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        kind = CharField()
        subject_key = CharField()
        email = CharField(default='')
        sent_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'notification_log'
            indexes = (
                (('contact', 'kind', 'subject_key'), True),
                (('subject_key',), False),
            )

    class TechnicalNotice(Model):
        subject = CharField()
        body = TextField()
        audience = TextField(default='{}')
        audience_label = TextField(default='')
        recipients = IntegerField(default=0)
        token = CharField(unique=True)
        created_by = ForeignKeyField(StaffUser, null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'technical_notice'

    db.create_tables([NotificationLog, TechnicalNotice])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS technical_notice')
    db.execute_sql('DROP TABLE IF EXISTS notification_log')
    migrator.migrate(migrator.drop_column('outbox_message', 'headers'))
