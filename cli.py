"""The operator CLI: ``flask --app app <command>``.

flask db upgrade            apply pending migrations (idempotent)
flask db status             list migrations and when they were applied
flask db makemigration NAME write the next migration from the model diff
flask seed-demo             load demo data (``--scale large`` for benchmarks)
flask create-staff          create an operator staff user
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from playhouse.migrations import Runner, template
from playhouse.schema_diff import diff_models

from database import db, write_tx

MIGRATIONS = str(Path(__file__).parent / "migrations")

db_cli = AppGroup("db", help="Database schema: migrations.")


def migrate() -> list[str]:
    """Apply every pending migration; returns the names applied."""
    with write_tx():
        return Runner(db.obj, MIGRATIONS).up()


@db_cli.command("upgrade")
def upgrade_command():
    """Apply pending migrations; running it again changes nothing."""
    applied = migrate()
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
    else:
        click.echo("database is up to date")


@db_cli.command("status")
def status_command():
    for migration in Runner(db.obj, MIGRATIONS).status():
        state = migration.applied.isoformat(" ", "seconds") if migration.applied else "pending"
        click.echo(f"{migration.name:40} {state}")


@db_cli.command("makemigration")
@click.argument("name")
def makemigration_command(name):
    """Write the next numbered migration from the difference between the
    models and the database (review it before committing)."""
    from models import ALL_MODELS

    diff = diff_models(db.obj, ALL_MODELS)
    if not diff:
        click.echo("models and database agree: nothing to do")
        return
    path = Runner(db.obj, MIGRATIONS).create(name, body=template(diff))
    click.echo(f"wrote {path}")


def is_empty() -> bool:
    from models import Organisation

    return not Organisation.table_exists() or Organisation.select().count() == 0


@click.command("seed-demo")
@click.option("--scale", type=click.Choice(["demo", "large"]), default="demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisations.")
def seed_demo_command(scale, if_empty):
    """Load realistic demo data (A3 Demo Connect and a second customer)."""
    migrate()
    if if_empty and not is_empty():
        click.echo("database already has data: demo data not loaded")
        return
    from seed import demo, large

    if scale == "large":
        large.seed(echo=click.echo)
    else:
        demo.seed()
    click.echo(f"demo data loaded ({scale})")


outbox_cli = AppGroup("outbox", help="Outgoing e-mail and SMS.")


@outbox_cli.command("deliver")
@click.option("--loop", type=int, default=0, help="Keep delivering every N seconds.")
def outbox_deliver_command(loop):
    """Send pending e-mail/SMS that are due, retrying failed ones with back-off."""
    import time

    from domain.mail import deliver_pending

    while True:
        sent, failed = deliver_pending(limit=500)
        click.echo(f"sent {sent}, failed {failed}")
        if not loop:
            break
        time.sleep(loop)


@click.command("demo-logins")
@click.option("--url", default="http://127.0.0.1:8000")
def demo_logins_command(url):
    """Print the portal's address and the demo logins."""
    from seed.demo import DEMO_LOGINS, DEMO_PASSWORD

    click.echo("")
    click.echo(f"Teleportal körs på {url}  (back office: {url}/staff/login)")
    click.echo(f"Demoinloggningar, lösenord för alla: {DEMO_PASSWORD}")
    for username, what in DEMO_LOGINS:
        click.echo(f"  {username:22} {what}")
    click.echo("")


@click.command("create-staff")
@click.option("--username", prompt="Användarnamn (e-post)")
@click.option("--name", prompt="Namn")
@click.password_option("--password", prompt="Lösenord")
@click.option("--admin", is_flag=True)
def create_staff_command(username, name, password, admin):
    """Create an operator staff user for the back office."""
    from domain.passwords import hash_password
    from models import StaffUser

    migrate()
    with write_tx():
        StaffUser.create(
            username=username.strip().lower(),
            email=username.strip().lower(),
            name=name,
            password_hash=hash_password(password),
            is_admin=admin,
        )
    click.echo(f"staff user {username} created")


def init_app(app) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_staff_command)
    app.cli.add_command(demo_logins_command)
