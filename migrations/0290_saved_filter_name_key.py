# Saved filter names unique per list without regard to case (issue 18, item
# 6): a user's own filters by (user, list, casefolded name), and shared ones
# across the organisation by (organisation, list, casefolded name), a partial
# index (WHERE shared) on SQLite and PostgreSQL alike. Names that clash today
# are told apart first: the later ones become "Namn (2)", "Namn (3)", ….
from peewee import *


def _key(name):
    return (name or '').strip().casefold()


def _free(name, taken):
    """``name (n)`` for the lowest n from 2 whose key no set in ``taken`` holds."""
    n = 2
    while True:
        candidate = f'{name} ({n})'
        if not any(_key(candidate) in keys for keys in taken):
            return candidate
        n += 1


def up(migrator, db):
    # one ALTER TABLE: peewee's add_column of a NOT NULL field rebuilds the
    # table on SQLite, which fails once other rows refer to it
    db.execute_sql("ALTER TABLE saved_filter ADD COLUMN name_key VARCHAR(255) NOT NULL DEFAULT ''")
    rows = db.execute_sql(
        'SELECT id, organisation_id, user_id, list_name, name, shared FROM saved_filter ORDER BY id'
    ).fetchall()
    mine = {}  # (user, list) -> keys of the user's filters
    shared = {}  # (organisation, list) -> keys of the shared filters
    for row_id, organisation_id, user_id, list_name, name, is_shared in rows:
        own = mine.setdefault((user_id, list_name), set())
        org = shared.setdefault((organisation_id, list_name), set())
        taken = (own, org) if is_shared else (own,)
        if any(_key(name) in keys for keys in taken):
            # Also clear of the organisation's shared names, so the filter
            # could be shared later without a further clash.
            name = _free(name, (own, org))
        own.add(_key(name))
        if is_shared:
            org.add(_key(name))
        db.execute_sql(
            'UPDATE saved_filter SET name = ?, name_key = ? WHERE id = ?'.replace('?', db.param),
            (name, _key(name), row_id),
        )
    db.execute_sql(
        'CREATE UNIQUE INDEX saved_filter_user_id_list_name_name_key '
        'ON saved_filter (user_id, list_name, name_key)'
    )
    db.execute_sql(
        'CREATE UNIQUE INDEX saved_filter_shared_name_key '
        'ON saved_filter (organisation_id, list_name, name_key) WHERE shared'
    )


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS saved_filter_shared_name_key')
    db.execute_sql('DROP INDEX IF EXISTS saved_filter_user_id_list_name_name_key')
    migrator.migrate(migrator.drop_column('saved_filter', 'name_key'))
