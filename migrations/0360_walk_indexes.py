# A Kontoadministratör's first page in the list's order is found by walking
# the organisation's index and skipping other sub-trees' rows (issue 19 item
# 6, web/api/listing.py and web/lists/planning.py); with the account in the
# index the skipped rows need no table look-up. Each replaces the index it
# extends (same leading columns), so writes cost no more. The two tables are
# analysed again: without statistics for the new indexes SQLite's planner
# took the services' one for a list sorted by number and sorted 100,000 rows.


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index('invoice', 'invoice_organisation_id_due_date'),
        migrator.add_index('invoice', ('organisation_id', 'due_date', 'account_id')),
        migrator.drop_index('service', 'service_organisation_id_hidden_status_monthly_ore'),
        migrator.add_index(
            'service', ('organisation_id', 'hidden', 'status', 'monthly_ore', 'account_id')
        ),
    )
    _analyse(db)


def _analyse(db):
    for table in ('invoice', 'service'):  # ANALYZE <table>: SQLite and PostgreSQL
        db.execute_sql(f'ANALYZE "{table}"')


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('service', 'service_organisation_id_hidden_status_monthly_ore_account_id'),
        migrator.add_index('service', ('organisation_id', 'hidden', 'status', 'monthly_ore')),
        migrator.drop_index('invoice', 'invoice_organisation_id_due_date_account_id'),
        migrator.add_index('invoice', ('organisation_id', 'due_date')),
    )
    _analyse(db)
