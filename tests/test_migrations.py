"""The numbered migrations build exactly the schema the models describe,
and running them again changes nothing."""

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from cli import MIGRATIONS, migrate
from database import db, write_tx


def test_models_and_migrations_agree(app):
    from models import ALL_MODELS

    diff = diff_models(db.obj, ALL_MODELS)
    assert not diff, f"models differ from migrations: {diff}"


def test_upgrade_is_idempotent(app):
    assert migrate() == []
    statuses = Runner(db.obj, MIGRATIONS).status()
    assert statuses and all(m.applied for m in statuses)


def test_recent_migrations_apply_to_a_database_holding_data(demo_app):
    """Taken back to before this session's migrations and brought up again
    on the demo data: a migration that adds a NOT NULL column to a table
    others refer to must not rebuild it on SQLite (FOREIGN KEY constraint
    failed) — an operator upgrades a database with customers in it."""
    from models import ALL_MODELS, Organisation, User

    users, organisations = User.select().count(), Organisation.select().count()
    with write_tx():
        Runner(db.obj, MIGRATIONS).down(target="0260_bulk_actions")
    pending = [m.name for m in Runner(db.obj, MIGRATIONS).status() if not m.applied]
    assert "0320_theme" in pending and "0330_oidc_settings" in pending
    applied = migrate()
    assert "0290_saved_filter_name_key" in applied and "0320_theme" in applied
    assert not diff_models(db.obj, ALL_MODELS)
    assert (User.select().count(), Organisation.select().count()) == (users, organisations)
    assert {u.theme for u in User.select()} == {"auto"}
