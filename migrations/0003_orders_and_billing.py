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

    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class Product(Model):
        class Meta:
            database = db
            table_name = 'product'

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

    class ApproverChainEntry(Model):
        organisation = ForeignKeyField(Organisation)
        product_area = CharField()
        position = IntegerField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'approver_chain_entry'
            indexes = ((('organisation', 'product_area', 'position'), True),)
    db.create_tables([ApproverChainEntry])

    class ImportBatch(Model):
        kind = CharField()
        filename = CharField()
        status = CharField(default='running')
        rows_total = IntegerField(default=0)
        rows_ok = IntegerField(default=0)
        rows_failed = IntegerField(default=0)
        errors = TextField(default='[]')
        created_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        staff = ForeignKeyField(StaffUser, null=True)
        class Meta:
            database = db
            table_name = 'import_batch'
    db.create_tables([ImportBatch])

    class Invoice(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        number = CharField(unique=True)
        invoice_date = DateField()
        due_date = DateField()
        period_start = DateField(null=True)
        period_end = DateField(null=True)
        amount_ore = IntegerField()
        vat_ore = IntegerField(default=0)
        status = CharField(default='unpaid')
        paid_at = DateField(null=True)
        reference = CharField(default='')
        delivery = CharField(default='email')
        pdf_file = CharField(null=True)
        import_batch = ForeignKeyField(ImportBatch, null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invoice'
            indexes = ((('organisation', 'due_date'), False), (('organisation', 'status', 'due_date'), False), (('organisation', 'invoice_date'), False), (('account', 'due_date'), False))
    db.create_tables([Invoice])

    class CallRecord(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        service = ForeignKeyField(Service)
        started_at = DateTimeField()
        direction = CharField(default='out')
        a_number = CharField()
        b_number = CharField(default='')
        traffic_type = CharField()
        country = CharField(default='SE')
        duration_s = IntegerField(default=0)
        bytes = BigIntegerField(default=0)
        price_ore = IntegerField(default=0)
        invoiced = BooleanField(default=False)
        invoice = ForeignKeyField(Invoice, null=True)
        import_batch = ForeignKeyField(ImportBatch, null=True)
        class Meta:
            database = db
            table_name = 'call_record'
            indexes = ((('service', 'started_at'), False), (('organisation', 'started_at'), False), (('account', 'started_at'), False), (('invoice',), False))
    db.create_tables([CallRecord])

    class CreditNote(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        invoice = ForeignKeyField(Invoice)
        number = CharField(unique=True)
        issued_on = DateField()
        amount_ore = IntegerField()
        reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'credit_note'
    db.create_tables([CreditNote])

    class InvoiceLine(Model):
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        service = ForeignKeyField(Service, null=True)
        description = CharField()
        user_name = CharField(default='')
        invoice_text = CharField(default='')
        period_start = DateField(null=True)
        period_end = DateField(null=True)
        quantity = IntegerField(default=1)
        amount_ore = IntegerField()
        vat_percent = IntegerField(default=25)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'invoice_line'
            indexes = ((('invoice', 'position'), False), (('service',), False))
    db.create_tables([InvoiceLine])

    class CreditNoteLine(Model):
        credit_note = ForeignKeyField(CreditNote, on_delete='CASCADE')
        invoice_line = ForeignKeyField(InvoiceLine, null=True)
        service = ForeignKeyField(Service, null=True)
        description = CharField()
        amount_ore = IntegerField()
        class Meta:
            database = db
            table_name = 'credit_note_line'
    db.create_tables([CreditNoteLine])

    class Order(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        service = ForeignKeyField(Service, null=True)
        number = IntegerField(unique=True)
        version = IntegerField(default=0)
        type = CharField(default='new')
        status = CharField(default='draft')
        is_quote = BooleanField(default=False)
        product_area = CharField(default='mobile')
        created_by = ForeignKeyField(User, null=True)
        created_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        desired_date = DateField(null=True)
        completed_at = DateTimeField(null=True)
        end_user = CharField(default='')
        sim_choice = CharField(default='')
        mobile_number = CharField(default='')
        delivery_name = CharField(default='')
        delivery_street = CharField(default='')
        delivery_postcode = CharField(default='')
        delivery_city = CharField(default='')
        billing_address = CharField(default='')
        contact_method = CharField(default='')
        contact_phone = CharField(default='')
        extra_contact = ForeignKeyField(Contact, null=True)
        mbb_public_ip = BooleanField(default=False)
        mbb_contact_number = CharField(default='')
        payload = TextField(default='{}')
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'order'
            indexes = ((('organisation', 'status', 'created_at'), False), (('organisation', 'created_at'), False), (('account', 'created_at'), False), (('service', 'status'), False), (('created_by', 'created_at'), False))
    db.create_tables([Order])

    class OrderApproval(Model):
        order = ForeignKeyField(Order, on_delete='CASCADE')
        position = IntegerField()
        approver = ForeignKeyField(User)
        status = CharField(default='pending')
        decided_at = DateTimeField(null=True)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'order_approval'
            indexes = ((('order', 'position'), True), (('approver', 'status'), False))
    db.create_tables([OrderApproval])

    class OrderEvent(Model):
        order = ForeignKeyField(Order, on_delete='CASCADE')
        at = DateTimeField()
        from_status = CharField(null=True)
        to_status = CharField()
        user = ForeignKeyField(User, null=True)
        staff = ForeignKeyField(StaffUser, null=True)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'order_event'
            indexes = ((('order', 'at'), False),)
    db.create_tables([OrderEvent])

    class OrderLine(Model):
        order = ForeignKeyField(Order, on_delete='CASCADE')
        product = ForeignKeyField(Product, null=True)
        name = CharField()
        option_group = CharField(default='')
        quantity = IntegerField(default=1)
        monthly_ore = IntegerField(default=0)
        start_ore = IntegerField(default=0)
        binding_months = IntegerField(default=0)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'order_line'
            indexes = ((('order', 'position'), False),)
    db.create_tables([OrderLine])

    class OrderVersion(Model):
        order = ForeignKeyField(Order, on_delete='CASCADE')
        version = IntegerField()
        snapshot = TextField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True)
        class Meta:
            database = db
            table_name = 'order_version'
            indexes = ((('order', 'version'), True),)
    db.create_tables([OrderVersion])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('order_version'))
    migrator.migrate(migrator.drop_table('order_line'))
    migrator.migrate(migrator.drop_table('order_event'))
    migrator.migrate(migrator.drop_table('order_approval'))
    migrator.migrate(migrator.drop_table('order'))
    migrator.migrate(migrator.drop_table('credit_note_line'))
    migrator.migrate(migrator.drop_table('invoice_line'))
    migrator.migrate(migrator.drop_table('credit_note'))
    migrator.migrate(migrator.drop_table('call_record'))
    migrator.migrate(migrator.drop_table('invoice'))
    migrator.migrate(migrator.drop_table('import_batch'))
    migrator.migrate(migrator.drop_table('approver_chain_entry'))
