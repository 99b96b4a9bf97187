# Generated from a schema diff on 2026-11-22 00:04.
from peewee import *

def up(migrator, db):
    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    migrator.migrate(migrator.add_column('ticket', 'queued_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('inbound_mail', 'message_id', CharField(default='')))
    migrator.migrate(migrator.add_column('inbound_mail', 'raw_charset', CharField(default='utf-8')))
    migrator.migrate(migrator.add_column('inbound_mail', 'handled_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('inbound_mail', 'handled_by_id', ForeignKeyField(StaffUser, field=StaffUser.id, null=True)))
    migrator.migrate(migrator.add_column('ticket_message', 'kind', CharField(default='message')))
    migrator.migrate(migrator.add_index('inbound_mail', ('message_id',)))
    migrator.migrate(migrator.add_index('inbound_mail', ('status', 'received_at')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('inbound_mail', 'inbound_mail_status_received_at'))
    migrator.migrate(migrator.drop_index('inbound_mail', 'inbound_mail_message_id'))
    migrator.migrate(migrator.drop_index('inbound_mail', 'inbound_mail_handled_by_id'))
    migrator.migrate(migrator.drop_column('ticket_message', 'kind'))
    migrator.migrate(migrator.drop_column('inbound_mail', 'handled_by_id'))
    migrator.migrate(migrator.drop_column('inbound_mail', 'handled_at'))
    migrator.migrate(migrator.drop_column('inbound_mail', 'raw_charset'))
    migrator.migrate(migrator.drop_column('inbound_mail', 'message_id'))
    migrator.migrate(migrator.drop_column('ticket', 'queued_at'))
