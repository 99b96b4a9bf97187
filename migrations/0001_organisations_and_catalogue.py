# Frozen schema (Python-side defaults such as utcnow live in the models).
# Generated from a schema diff on 2026-11-21 23:46.
from peewee import *


def up(migrator, db):
    class Organisation(Model):
        name = CharField()
        org_number = CharField(max_length=10)
        active = BooleanField(default=True)
        pin_login_enabled = BooleanField(default=False)
        oidc_issuer = CharField(null=True)
        oidc_client_id = CharField(null=True)
        oidc_client_secret_enc = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'organisation'
    db.create_tables([Organisation])

    class Account(Model):
        organisation = ForeignKeyField(Organisation)
        parent = ForeignKeyField('self', null=True)
        path = CharField(default='')
        depth = IntegerField(default=0)
        customer_number = CharField(unique=True, max_length=8)
        org_number = CharField(max_length=10)
        company_name = CharField()
        alias = CharField(default='')
        care_of = CharField(default='')
        street = CharField(default='')
        postcode = CharField(max_length=5, default='')
        city = CharField(default='')
        invoice_reference = CharField(default='')
        invoice_name = CharField(default='')
        invoice_street = CharField(default='')
        invoice_street_number = CharField(default='')
        invoice_postcode = CharField(max_length=5, default='')
        invoice_city = CharField(default='')
        invoice_delivery = CharField(default='email')
        invoice_email = CharField(default='')
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'account'
            indexes = ((('organisation', 'path'), False), (('organisation', 'company_name'), False), (('organisation', 'org_number'), False), (('parent', 'company_name'), False))
    db.create_tables([Account])

    class PriceList(Model):
        name = CharField()
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'price_list'
    db.create_tables([PriceList])

    class SLADefinition(Model):
        name = CharField()
        class Meta:
            database = db
            table_name = 'sla_definition'
    db.create_tables([SLADefinition])

    class Agreement(Model):
        organisation = ForeignKeyField(Organisation)
        number = CharField()
        name = CharField()
        start_date = DateField()
        end_date = DateField(null=True)
        price_list = ForeignKeyField(PriceList, null=True)
        sla = ForeignKeyField(SLADefinition, null=True)
        notice_months = IntegerField(default=3)
        class Meta:
            database = db
            table_name = 'agreement'
    db.create_tables([Agreement])

    class ProductCategory(Model):
        name = CharField()
        section = CharField()
        position = IntegerField(default=0)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'product_category'
    db.create_tables([ProductCategory])

    class Product(Model):
        category = ForeignKeyField(ProductCategory, null=True)
        code = CharField(unique=True)
        name = CharField()
        kind = CharField(index=True)
        service_kind = CharField(null=True)
        monthly_ore = IntegerField(default=0)
        start_ore = IntegerField(default=0)
        binding_months = IntegerField(default=0)
        data_mb = IntegerField(null=True)
        rank = IntegerField(default=0)
        description = TextField(default='')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'product'
    db.create_tables([Product])

    class AgreementProduct(Model):
        agreement = ForeignKeyField(Agreement, on_delete='CASCADE')
        product = ForeignKeyField(Product)
        class Meta:
            database = db
            table_name = 'agreement_product'
            indexes = ((('agreement', 'product'), True),)
    db.create_tables([AgreementProduct])

    class Contact(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        name = CharField()
        phone = CharField(default='')
        mobile = CharField(default='')
        email = CharField(default='')
        role = CharField(default='contact')
        notify_billing = BooleanField(default=False)
        notify_technical = BooleanField(default=False)
        notify_outage = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'contact'
            indexes = ((('organisation', 'name'), False),)
    db.create_tables([Contact])

    class Role(Model):
        organisation = ForeignKeyField(Organisation, null=True)
        name = CharField()
        permissions = TextField(default='')
        is_superuser = BooleanField(default=False)
        assignable_by_superuser_only = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'role'
    db.create_tables([Role])

    class User(Model):
        username = CharField(unique=True)
        email = CharField()
        name = CharField()
        password_hash = CharField(null=True)
        active = BooleanField(default=True)
        session_version = IntegerField(default=1)
        totp_secret_enc = TextField(null=True)
        totp_enabled = BooleanField(default=False)
        totp_last_step = IntegerField(default=0)
        failed_logins = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        last_login_at = DateTimeField(null=True)
        created_at = DateTimeField()
        organisation = ForeignKeyField(Organisation)
        contact = ForeignKeyField(Contact)
        scope_account = ForeignKeyField(Account)
        role = ForeignKeyField(Role, null=True)
        permissions = TextField(default='')
        mobile = CharField(default='')
        microsoft_email = CharField(default='')
        language = CharField(default='sv')
        sms_2fa_enabled = BooleanField(default=False)
        restricted = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'user'
            indexes = ((('organisation', 'name'), False), (('scope_account',), False))
    db.create_tables([User])

    class ApiToken(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField()
        prefix = CharField(index=True)
        token_hash = CharField(unique=True)
        scopes = TextField(default='')
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
    db.create_tables([ApiToken])

    class StaffUser(Model):
        username = CharField(unique=True)
        email = CharField()
        name = CharField()
        password_hash = CharField(null=True)
        active = BooleanField(default=True)
        session_version = IntegerField(default=1)
        totp_secret_enc = TextField(null=True)
        totp_enabled = BooleanField(default=False)
        totp_last_step = IntegerField(default=0)
        failed_logins = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        last_login_at = DateTimeField(null=True)
        created_at = DateTimeField()
        is_admin = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'staff_user'
    db.create_tables([StaffUser])

    class AuthToken(Model):
        user = ForeignKeyField(User, null=True, on_delete='CASCADE')
        staff = ForeignKeyField(StaffUser, null=True, on_delete='CASCADE')
        kind = CharField()
        token_hash = CharField(unique=True)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'auth_token'
    db.create_tables([AuthToken])

    class CompanyProfile(Model):
        organisation = ForeignKeyField(Organisation, unique=True)
        notify_email = BooleanField(default=True)
        require_2fa = BooleanField(default=False)
        delivery_name = CharField(default='')
        delivery_attention = CharField(default='')
        delivery_street = CharField(default='')
        delivery_postcode = CharField(default='')
        delivery_city = CharField(default='')
        class Meta:
            database = db
            table_name = 'company_profile'
    db.create_tables([CompanyProfile])

    class GroupCategory(Model):
        organisation = ForeignKeyField(Organisation)
        name = CharField()
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'group_category'
    db.create_tables([GroupCategory])

    class Group(Model):
        category = ForeignKeyField(GroupCategory, on_delete='CASCADE')
        name = CharField()
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'group'
    db.create_tables([Group])

    class LoginThrottle(Model):
        key = CharField(unique=True)
        failures = IntegerField(default=0)
        first_failure_at = DateTimeField(null=True)
        last_failure_at = DateTimeField(null=True)
        locked_until = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'login_throttle'
    db.create_tables([LoginThrottle])

    class OptionGroup(Model):
        product = ForeignKeyField(Product, on_delete='CASCADE')
        name = CharField()
        kind = CharField()
        optional = BooleanField(default=False)
        multiple = BooleanField(default=False)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'option_group'
    db.create_tables([OptionGroup])

    class OptionGroupItem(Model):
        group = ForeignKeyField(OptionGroup, on_delete='CASCADE')
        product = ForeignKeyField(Product)
        is_default = BooleanField(default=False)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'option_group_item'
    db.create_tables([OptionGroupItem])

    class PriceListItem(Model):
        price_list = ForeignKeyField(PriceList, on_delete='CASCADE')
        product = ForeignKeyField(Product)
        monthly_ore = IntegerField()
        start_ore = IntegerField(default=0)
        binding_months = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'price_list_item'
            indexes = ((('price_list', 'product'), True),)
    db.create_tables([PriceListItem])

    class RecoveryCode(Model):
        user = ForeignKeyField(User, null=True, on_delete='CASCADE')
        staff = ForeignKeyField(StaffUser, null=True, on_delete='CASCADE')
        code_hash = CharField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'recovery_code'
    db.create_tables([RecoveryCode])

    class SavedFilter(Model):
        organisation = ForeignKeyField(Organisation)
        user = ForeignKeyField(User, on_delete='CASCADE')
        list_name = CharField()
        name = CharField()
        query_string = TextField()
        shared = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'saved_filter'
            indexes = ((('organisation', 'list_name'), False),)
    db.create_tables([SavedFilter])

    class Shortcut(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        title = CharField()
        url = TextField()
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'shortcut'
    db.create_tables([Shortcut])

    class SLATarget(Model):
        sla = ForeignKeyField(SLADefinition, on_delete='CASCADE')
        priority = IntegerField()
        response_minutes = IntegerField()
        resolution_minutes = IntegerField()
        class Meta:
            database = db
            table_name = 'sla_target'
            indexes = ((('sla', 'priority'), True),)
    db.create_tables([SLATarget])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('sla_target'))
    migrator.migrate(migrator.drop_table('shortcut'))
    migrator.migrate(migrator.drop_table('saved_filter'))
    migrator.migrate(migrator.drop_table('recovery_code'))
    migrator.migrate(migrator.drop_table('price_list_item'))
    migrator.migrate(migrator.drop_table('option_group_item'))
    migrator.migrate(migrator.drop_table('option_group'))
    migrator.migrate(migrator.drop_table('login_throttle'))
    migrator.migrate(migrator.drop_table('group'))
    migrator.migrate(migrator.drop_table('group_category'))
    migrator.migrate(migrator.drop_table('company_profile'))
    migrator.migrate(migrator.drop_table('auth_token'))
    migrator.migrate(migrator.drop_table('staff_user'))
    migrator.migrate(migrator.drop_table('api_token'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('role'))
    migrator.migrate(migrator.drop_table('contact'))
    migrator.migrate(migrator.drop_table('agreement_product'))
    migrator.migrate(migrator.drop_table('product'))
    migrator.migrate(migrator.drop_table('product_category'))
    migrator.migrate(migrator.drop_table('agreement'))
    migrator.migrate(migrator.drop_table('sla_definition'))
    migrator.migrate(migrator.drop_table('price_list'))
    migrator.migrate(migrator.drop_table('account'))
    migrator.migrate(migrator.drop_table('organisation'))
