# SimCard.blocked_at and blocked_status: when a card was blocked as lost and the
# service's status then, so that Häv spärr or the replacement card gives back the
# status the block took away (and not one another reason set) (issue #13).
from peewee import *

def up(migrator, db):
    migrator.migrate(
        migrator.add_column('sim_card', 'blocked_at', DateTimeField(null=True)),
        migrator.add_column('sim_card', 'blocked_status', CharField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('sim_card', 'blocked_at'),
        migrator.drop_column('sim_card', 'blocked_status'),
    )
