# Frozen schema (Python-side defaults such as utcnow live in the models).
# Generated from a schema diff on 2026-11-21 23:46.
from peewee import *


def up(migrator, db):
    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    class Invoice(Model):
        class Meta:
            database = db
            table_name = 'invoice'

    class Order(Model):
        class Meta:
            database = db
            table_name = 'order'

    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class AuditLog(Model):
        at = DateTimeField()
        organisation = ForeignKeyField(Organisation, null=True)
        actor_user = ForeignKeyField(User, null=True)
        actor_staff = ForeignKeyField(StaffUser, null=True)
        actor_label = CharField(default='')
        action = CharField()
        object_type = CharField(default='')
        object_id = CharField(default='')
        summary = TextField(default='')
        before = TextField(null=True)
        after = TextField(null=True)
        ip = CharField(default='')
        class Meta:
            database = db
            table_name = 'audit_log'
            indexes = ((('organisation', 'at'), False), (('organisation', 'action', 'at'), False), (('actor_user', 'at'), False), (('at',), False))
    db.create_tables([AuditLog])

    class Coverage(Model):
        place = CharField()
        postcode = CharField(index=True, default='')
        network = CharField()
        voice = BooleanField(default=True)
        data = BooleanField(default=True)
        strength = IntegerField(default=2)
        class Meta:
            database = db
            table_name = 'coverage'
    db.create_tables([Coverage])

    class RequestType(Model):
        key = CharField(unique=True)
        label = CharField()
        enabled = BooleanField(default=True)
        fields = TextField(default='[]')
        price_ore = IntegerField(default=0)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'request_type'
    db.create_tables([RequestType])

    class Ticket(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        service = ForeignKeyField(Service, null=True)
        invoice = ForeignKeyField(Invoice, null=True)
        order = ForeignKeyField(Order, null=True)
        number = IntegerField(unique=True)
        category = CharField(default='other')
        request_type = ForeignKeyField(RequestType, null=True)
        product_area = CharField(null=True)
        priority = IntegerField(default=3)
        subject = CharField()
        status = CharField(default='waiting')
        extra_fields = TextField(default='{}')
        created_by = ForeignKeyField(User, null=True)
        created_at = DateTimeField()
        last_action_at = DateTimeField(null=True)
        scheduled_for = DateField(null=True)
        assigned_to = ForeignKeyField(StaffUser, null=True)
        response_due_at = DateTimeField(null=True)
        resolution_due_at = DateTimeField(null=True)
        first_response_at = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)
        reply_token = CharField(unique=True)
        class Meta:
            database = db
            table_name = 'ticket'
            indexes = ((('organisation', 'status', 'created_at'), False), (('organisation', 'created_at'), False), (('account', 'created_at'), False), (('created_by', 'created_at'), False), (('service',), False), (('status', 'resolution_due_at'), False))
    db.create_tables([Ticket])

    class InboundMail(Model):
        received_at = DateTimeField()
        sender = CharField()
        recipient = CharField(default='')
        subject = CharField(default='')
        raw = TextField()
        status = CharField(default='accepted')
        reason = CharField(default='')
        ticket = ForeignKeyField(Ticket, null=True)
        class Meta:
            database = db
            table_name = 'inbound_mail'
    db.create_tables([InboundMail])

    class Outage(Model):
        title = CharField()
        description = TextField(default='')
        area = CharField(default='')
        postcodes = TextField(default='')
        latitude = FloatField(null=True)
        longitude = FloatField(null=True)
        starts_at = DateTimeField()
        expected_end = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)
        service_kinds = CharField(default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(StaffUser, null=True)
        class Meta:
            database = db
            table_name = 'outage'
            indexes = ((('resolved_at', 'starts_at'), False),)
    db.create_tables([Outage])

    class OutboxMessage(Model):
        channel = CharField()
        organisation = ForeignKeyField(Organisation, null=True)
        recipient = CharField()
        subject = CharField(default='')
        body = TextField()
        html = TextField(null=True)
        reply_to = CharField(default='')
        status = CharField(default='pending')
        attempts = IntegerField(default=0)
        last_error = TextField(default='')
        next_attempt_at = DateTimeField()
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_message'
            indexes = ((('status', 'next_attempt_at'), False),)
    db.create_tables([OutboxMessage])

    class ScheduledReport(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        report_key = CharField()
        params = TextField(default='{}')
        frequency = CharField(default='monthly')
        recipients = TextField(default='')
        next_run_at = DateTimeField()
        last_run_at = DateTimeField(null=True)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'scheduled_report'
    db.create_tables([ScheduledReport])

    class Sequence(Model):
        name = CharField(primary_key=True)
        value = IntegerField()
        class Meta:
            database = db
            table_name = 'sequence'
    db.create_tables([Sequence])

    class Setting(Model):
        key = CharField(primary_key=True)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([Setting])

    class TicketMessage(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        author_user = ForeignKeyField(User, null=True)
        author_staff = ForeignKeyField(StaffUser, null=True)
        author_email = CharField(default='')
        body = TextField()
        internal = BooleanField(default=False)
        via = CharField(default='web')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ticket_message'
            indexes = ((('ticket', 'created_at'), False),)
    db.create_tables([TicketMessage])

    class TicketAttachment(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        message = ForeignKeyField(TicketMessage, null=True)
        filename = CharField()
        content_type = CharField()
        size = IntegerField()
        sha256 = CharField(max_length=64)
        storage_name = CharField(unique=True)
        uploaded_by_user = ForeignKeyField(User, null=True)
        uploaded_by_staff = ForeignKeyField(StaffUser, null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ticket_attachment'
    db.create_tables([TicketAttachment])

    class TicketContact(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'ticket_contact'
            indexes = ((('ticket', 'contact'), True),)
    db.create_tables([TicketContact])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('ticket_contact'))
    migrator.migrate(migrator.drop_table('ticket_attachment'))
    migrator.migrate(migrator.drop_table('ticket_message'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('sequence'))
    migrator.migrate(migrator.drop_table('scheduled_report'))
    migrator.migrate(migrator.drop_table('outbox_message'))
    migrator.migrate(migrator.drop_table('outage'))
    migrator.migrate(migrator.drop_table('inbound_mail'))
    migrator.migrate(migrator.drop_table('ticket'))
    migrator.migrate(migrator.drop_table('request_type'))
    migrator.migrate(migrator.drop_table('coverage'))
    migrator.migrate(migrator.drop_table('audit_log'))
