# Agreements, price lists and billable requests (issue 17, item 2): agreement
# numbers become unique (a duplicate gets its id appended first), price lists
# price the operator's request types, and a completed billable request is a
# charge until billing collects it.
from peewee import *


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class Account(Model):
        class Meta:
            database = db
            table_name = 'account'

    class PriceList(Model):
        class Meta:
            database = db
            table_name = 'price_list'

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class RequestType(Model):
        class Meta:
            database = db
            table_name = 'request_type'

    class Ticket(Model):
        class Meta:
            database = db
            table_name = 'ticket'

    class PriceListRequestPrice(Model):
        price_list = ForeignKeyField(PriceList, on_delete='CASCADE')
        request_type = ForeignKeyField(RequestType, on_delete='CASCADE')
        price_ore = IntegerField()

        class Meta:
            database = db
            table_name = 'price_list_request_price'
            indexes = ((('price_list', 'request_type'), True),)

    class Charge(Model):
        organisation = ForeignKeyField(Organisation)
        account = ForeignKeyField(Account)
        ticket = ForeignKeyField(Ticket, unique=True)
        request_type = ForeignKeyField(RequestType)
        agreement_number = CharField(default='')
        description = CharField()
        amount_ore = IntegerField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(StaffUser, null=True)
        collected_at = DateTimeField(null=True)
        collected_by = ForeignKeyField(StaffUser, null=True)

        class Meta:
            database = db
            table_name = 'charge'
            indexes = (
                (('collected_at', 'created_at'), False),
                (('organisation', 'created_at'), False),
            )

    db.execute_sql(
        "UPDATE agreement SET number = number || '-' || id"
        " WHERE id NOT IN (SELECT MIN(id) FROM agreement GROUP BY number)"
    )
    migrator.migrate(migrator.add_index('agreement', ('number',), True))
    db.create_tables([PriceListRequestPrice, Charge])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS charge')
    db.execute_sql('DROP TABLE IF EXISTS price_list_request_price')
    migrator.migrate(migrator.drop_index('agreement', 'agreement_number'))
