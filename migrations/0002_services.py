# Frozen schema (Python-side defaults such as utcnow live in the models).
# Generated from a schema diff on 2026-11-21 23:46.
from peewee import *


def up(migrator, db):
    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    class Agreement(Model):
        class Meta:
            database = db
            table_name = 'agreement'

    class Group(Model):
        class Meta:
            database = db
            table_name = 'group'

    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class Product(Model):
        class Meta:
            database = db
            table_name = 'product'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Service(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        parent = ForeignKeyField('self', null=True)
        kind = CharField()
        number = CharField()
        user_name = CharField(default='')
        external_username = CharField(default='')
        product = ForeignKeyField(Product)
        price_plan = ForeignKeyField(Product, null=True)
        status = CharField(default='active')
        monthly_ore = IntegerField(default=0)
        hidden = BooleanField(default=False)
        agreement = ForeignKeyField(Agreement, null=True)
        start_date = DateField(null=True)
        binding_end = DateField(null=True)
        notice_months = IntegerField(default=0)
        end_date = DateField(null=True)
        invoice_text = CharField(default='')
        caller_id_hidden = BooleanField(default=False)
        directory_listed = BooleanField(default=False)
        roaming_voice = BooleanField(default=True)
        roaming_data = BooleanField(default=True)
        auto_upgrade = BooleanField(default=False)
        mex_status = CharField(null=True)
        profile_name = CharField(default='')
        profile_address = CharField(default='')
        profile_user_email = CharField(default='')
        profile_admin_email = CharField(default='')
        bandwidth = CharField(default='')
        address = CharField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'service'
            indexes = ((('organisation', 'hidden', 'status', 'number'), False), (('organisation', 'hidden', 'status', 'user_name'), False), (('organisation', 'hidden', 'status', 'monthly_ore'), False), (('organisation', 'hidden', 'kind', 'status'), False), (('account', 'hidden', 'status', 'number'), False), (('number',), False), (('user_name',), False), (('price_plan',), False), (('product',), False))
    db.create_tables([Service])

    class Barring(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        kind = CharField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True)
        class Meta:
            database = db
            table_name = 'barring'
            indexes = ((('service', 'kind'), True),)
    db.create_tables([Barring])

    class CallForwarding(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        kind = CharField()
        target = CharField()
        ring_seconds = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'call_forwarding'
            indexes = ((('service', 'kind'), True),)
    db.create_tables([CallForwarding])

    class Device(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        imei = CharField(max_length=16)
        model = CharField()
        seen_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'device'
    db.create_tables([Device])

    class GroupMembership(Model):
        group = ForeignKeyField(Group, on_delete='CASCADE')
        account = ForeignKeyField(Account, null=True, on_delete='CASCADE')
        service = ForeignKeyField(Service, null=True, on_delete='CASCADE')
        start_month = DateField()
        end_month = DateField(null=True)
        class Meta:
            database = db
            table_name = 'group_membership'
            indexes = ((('account', 'start_month'), False), (('service', 'start_month'), False), (('group', 'start_month'), False))
    db.create_tables([GroupMembership])

    class MonitoringSample(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        at = DateTimeField()
        rx_bps = BigIntegerField(default=0)
        tx_bps = BigIntegerField(default=0)
        class Meta:
            database = db
            table_name = 'monitoring_sample'
            indexes = ((('service', 'at'), False),)
    db.create_tables([MonitoringSample])

    class MonthlyUsage(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        month = DateField()
        data_used_mb = IntegerField(default=0)
        data_quota_mb = IntegerField(default=0)
        topup_mb = IntegerField(default=0)
        voice_seconds = IntegerField(default=0)
        calls = IntegerField(default=0)
        sms = IntegerField(default=0)
        mms = IntegerField(default=0)
        cost_ore = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'monthly_usage'
            indexes = ((('service', 'month'), True),)
    db.create_tables([MonthlyUsage])

    class PhoneNumber(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        number = CharField(index=True)
        range_end = CharField(null=True)
        number_type = CharField(default='fixed')
        is_main = BooleanField(default=False)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'phone_number'
    db.create_tables([PhoneNumber])

    class ServiceAddon(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        product = ForeignKeyField(Product)
        start_date = DateField()
        end_date = DateField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'service_addon'
    db.create_tables([ServiceAddon])

    class ServiceLine(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        section = CharField()
        product = ForeignKeyField(Product, null=True)
        name = CharField()
        monthly_ore = IntegerField(default=0)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'service_line'
            indexes = ((('service', 'position'), False),)
    db.create_tables([ServiceLine])

    class SimCard(Model):
        service = ForeignKeyField(Service, null=True)
        organisation = ForeignKeyField(Organisation, null=True)
        icc = CharField(unique=True, max_length=19)
        imsi = CharField(max_length=15)
        pin = CharField(max_length=8)
        puk = CharField(max_length=8)
        pin_changed = BooleanField(default=False)
        sim_type = CharField(default='physical')
        status = CharField(default='active')
        activated_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'sim_card'
            indexes = ((('service', 'status'), False),)
    db.create_tables([SimCard])

    class SpendingLimit(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        kind = CharField()
        amount_ore = IntegerField(null=True)
        data_mb = IntegerField(null=True)
        active = BooleanField(default=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'spending_limit'
            indexes = ((('service', 'kind'), True),)
    db.create_tables([SpendingLimit])

    class TopUp(Model):
        service = ForeignKeyField(Service, on_delete='CASCADE')
        product = ForeignKeyField(Product)
        month = DateField()
        data_mb = IntegerField(default=0)
        price_ore = IntegerField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True)
        class Meta:
            database = db
            table_name = 'top_up'
    db.create_tables([TopUp])

    class UserObjectAccess(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        account = ForeignKeyField(Account, null=True, on_delete='CASCADE')
        service = ForeignKeyField(Service, null=True, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'user_object_access'
            indexes = ((('user', 'account', 'service'), False),)
    db.create_tables([UserObjectAccess])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('user_object_access'))
    migrator.migrate(migrator.drop_table('top_up'))
    migrator.migrate(migrator.drop_table('spending_limit'))
    migrator.migrate(migrator.drop_table('sim_card'))
    migrator.migrate(migrator.drop_table('service_line'))
    migrator.migrate(migrator.drop_table('service_addon'))
    migrator.migrate(migrator.drop_table('phone_number'))
    migrator.migrate(migrator.drop_table('monthly_usage'))
    migrator.migrate(migrator.drop_table('monitoring_sample'))
    migrator.migrate(migrator.drop_table('group_membership'))
    migrator.migrate(migrator.drop_table('device'))
    migrator.migrate(migrator.drop_table('call_forwarding'))
    migrator.migrate(migrator.drop_table('barring'))
    migrator.migrate(migrator.drop_table('service'))
