# Molnväxel administration (issue 21 items 3-4): the built-in switchboard
# backend's employees, queues, queue members and the calls to the queues.
from peewee import *


def up(migrator, db):
    class Organisation(Model):
        class Meta:
            database = db
            table_name = 'organisation'

    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class SwitchboardEmployee(Model):
        organisation = ForeignKeyField(Organisation)
        pbx = ForeignKeyField(Service, on_delete='CASCADE')
        name = CharField()
        extension = CharField()
        mobile = ForeignKeyField(Service, null=True, on_delete='SET NULL')
        fixed_number = CharField(default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'switchboard_employee'
            indexes = ((('pbx', 'extension'), True),)

    class SwitchboardQueue(Model):
        organisation = ForeignKeyField(Organisation)
        pbx = ForeignKeyField(Service, on_delete='CASCADE')
        name = CharField()
        number = CharField()
        strategy = CharField(default='ringall')
        opening_hours = TextField(default='')
        overflow = CharField(default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'switchboard_queue'
            indexes = ((('pbx', 'number'), True),)

    class SwitchboardQueueMember(Model):
        queue = ForeignKeyField(SwitchboardQueue, on_delete='CASCADE')
        service = ForeignKeyField(Service, on_delete='CASCADE')
        position = IntegerField(default=0)
        paused = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'switchboard_queue_member'
            indexes = ((('queue', 'service'), True), (('service',), False))

    class SwitchboardQueueCall(Model):
        queue = ForeignKeyField(SwitchboardQueue, on_delete='CASCADE')
        started_at = DateTimeField()
        answered = BooleanField(default=False)
        agent = ForeignKeyField(Service, null=True, on_delete='SET NULL')
        wait_seconds = IntegerField(default=0)
        talk_seconds = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'switchboard_queue_call'
            indexes = ((('queue', 'started_at'), False),)

    db.create_tables(
        [SwitchboardEmployee, SwitchboardQueue, SwitchboardQueueMember, SwitchboardQueueCall],
        safe=True,
    )


def down(migrator, db):
    for table in ('switchboard_queue_call', 'switchboard_queue_member', 'switchboard_queue',
                  'switchboard_employee'):
        db.execute_sql(f'DROP TABLE IF EXISTS {table}')
