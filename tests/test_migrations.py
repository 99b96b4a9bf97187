"""The numbered migrations build exactly the schema the models describe,
and running them again changes nothing."""

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from cli import MIGRATIONS, migrate
from database import db


def test_models_and_migrations_agree(app):
    from models import ALL_MODELS

    diff = diff_models(db.obj, ALL_MODELS)
    assert not diff, f"models differ from migrations: {diff}"


def test_upgrade_is_idempotent(app):
    assert migrate() == []
    statuses = Runner(db.obj, MIGRATIONS).status()
    assert statuses and all(m.applied for m in statuses)
