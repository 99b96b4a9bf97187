"""The operator CLI: ``flask --app app <command>``.

flask db upgrade            apply pending migrations (idempotent)
flask db status             list migrations and when they were applied
flask db makemigration NAME write the next migration from the model diff
flask seed-demo             load demo data (``--scale large`` for benchmarks)
flask create-staff          create an operator staff user
flask create-organisation   create a customer, its top account and first Superuser (invited)
flask reset-2fa NAME        remove a user's second factors (lost phone)
flask unlock NAME           lift a sign-in lockout
flask billing import KIND PATH [--on-error skip|refuse] [--dry-run]
                            load billing output (docs/BILLING_IMPORT.md)
flask billing undo BATCH_ID undo an import
flask billing batches       list the imports
flask backup [--to DIR]     database and files into one archive (cli_backup.py)
flask restore ARCHIVE       restore such an archive into a stopped, empty instance
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
    """Apply every pending migration; returns the names applied.

    Refuses (and rolls back) a run that leaves a tallied table without the
    triggers that keep its list totals exact.
    """
    from tables.tally import missing_triggers

    with write_tx():
        applied = Runner(db.obj, MIGRATIONS).up()
        missing = missing_triggers()
        if missing:
            raise click.ClickException(
                f"the migrations left the row tally without triggers {', '.join(missing)}; "
                "a migration that rebuilds a tallied table must reinstall them"
            )
        return applied


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
@click.option("--admin", is_flag=True, help="Administratör: every role.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["support", "orders", "billing", "admin"]),
    help="A back-office role (repeatable); without --role or --admin: support, orders, billing.",
)
def create_staff_command(username, name, password, admin, roles):
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
            is_admin=admin or "admin" in roles,
            roles="admin" if admin else " ".join(roles) or "support orders billing",
            require_2fa=False,  # STAFF_REQUIRE_2FA still applies; /staff/users sets it per person
        )
    click.echo(f"staff user {username} created")


@click.command("create-organisation")
@click.option("--name", prompt="Företagsnamn")
@click.option("--org-number", prompt="Organisationsnummer")
@click.option("--admin-email", prompt="Superuserns e-postadress")
@click.option("--admin-name", prompt="Superuserns namn")
@click.option("--admin-mobile", default="", help="Mobilnummer (för SMS-koder).")
@click.option(
    "--customer-number", default=None, help="Toppkontots kundnummer (annars nästa lediga)."
)
@click.option("--street", default="")
@click.option("--postcode", default="")
@click.option("--city", default="")
@click.option("--require-2fa", is_flag=True, help="Kräv tvåstegsverifiering för alla användare.")
def create_organisation_command(
    name,
    org_number,
    admin_email,
    admin_name,
    admin_mobile,
    customer_number,
    street,
    postcode,
    city,
    require_2fa,
):
    """Create a customer organisation, its top account and its first Superuser,
    who is invited by e-mail to choose a password (AUTH-4)."""
    from domain import audit
    from domain.accounts import create_account
    from domain.numbers import normalise_org_number, normalise_phone, normalise_postcode
    from domain.users import invite
    from models import CompanyProfile, Contact, Organisation, Role, User
    from permissions import format_permissions

    migrate()
    number = normalise_org_number(org_number)
    if number is None:
        raise click.BadParameter("ogiltigt organisationsnummer (10 siffror med kontrollsiffra)")
    email = admin_email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("ogiltig e-postadress")
    if User.select().where(User.username == email).exists():
        raise click.BadParameter(f"användarnamnet {email} finns redan")
    mobile = normalise_phone(admin_mobile) if admin_mobile else ""
    if mobile is None:
        raise click.BadParameter("ogiltigt mobilnummer")
    post = normalise_postcode(postcode) if postcode else ""
    if post is None:
        raise click.BadParameter("ogiltigt postnummer")
    with write_tx():
        superuser = Role.get_or_none(Role.is_superuser == True) or Role.create(  # noqa: E712
            name="Superuser", is_superuser=True
        )
        org = Organisation.create(name=name.strip(), org_number=number)
        CompanyProfile.create(
            organisation=org,
            require_2fa=require_2fa,
            delivery_name=name.strip(),
            delivery_street=street,
            delivery_postcode=post,
            delivery_city=city,
        )
        top = create_account(
            org,
            None,
            customer_number,
            company_name=name.strip(),
            street=street,
            postcode=post,
            city=city,
        )
        contact = Contact.create(
            organisation=org,
            account=top,
            name=admin_name.strip(),
            email=email,
            mobile=mobile,
        )
        user = User.create(
            organisation=org,
            contact=contact,
            scope_account=top,
            role=superuser,
            permissions=format_permissions(superuser.permission_set),
            username=email,
            email=email,
            name=admin_name.strip(),
            mobile=mobile,
            password_hash=None,
        )
        audit.record(
            "staff.organisation_create",
            org,
            summary=f"Organisation {org.name} skapad från kommandoraden med Superuser {email}",
            organisation=org.id,
        )
        invite(user)
    from domain.mail import deliver_pending

    sent, failed = deliver_pending()
    click.echo(
        f"organisation {org.name} (kundnummer {top.customer_number}) skapad; "
        f"inbjudan till {email} {'skickad' if sent and not failed else 'ligger i utkorgen'}"
    )


def _find_login(username, staff):
    from models import StaffUser, User

    model = StaffUser if staff else User
    user = model.get_or_none(model.username == username.strip().lower())
    if user is None:
        raise click.BadParameter(f"ingen {'personal' if staff else 'användare'} {username}")
    return user


@click.command("reset-2fa")
@click.argument("username")
@click.option("--staff", is_flag=True, help="A back-office user.")
def reset_2fa_command(username, staff):
    """Remove a user's second factors (lost phone); they enrol again if required."""
    from domain import audit, sessions, twofactor

    user = _find_login(username, staff)
    model = type(user)
    with write_tx():
        twofactor.reset(user)
        # Whoever holds the lost phone may be signed in: end every session.
        model.update(session_version=model.session_version + 1).where(model.id == user.id).execute()
        sessions.end_all(user)
        audit.record(
            "auth.2fa_reset",
            user,
            summary="Tvåstegsverifiering återställd från kommandoraden",
            organisation=getattr(user, "organisation_id", None),
        )
    click.echo(f"tvåstegsverifiering för {user.username} återställd")


@click.command("unlock")
@click.argument("username")
@click.option("--staff", is_flag=True, help="A back-office user.")
def unlock_command(username, staff):
    """Lift a sign-in lockout of a user name."""
    from domain import audit, throttle

    user = _find_login(username, staff)
    with write_tx():
        throttle.lift(user)
        audit.record(
            "auth.lockout_lifted",
            user,
            summary="Inloggningsspärr hävd från kommandoraden",
            organisation=getattr(user, "organisation_id", None),
        )
    click.echo(f"spärren för {user.username} är hävd")


billing_cli = AppGroup("billing", help="Billing import (docs/BILLING_IMPORT.md).")

BILLING_KINDS = ["invoices", "credit_notes", "pdf", "cdr", "usage"]


@billing_cli.command("import")
@click.argument("kind", type=click.Choice(BILLING_KINDS))
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--on-error",
    type=click.Choice(["skip", "refuse"]),
    default="skip",
    help="skip: import the valid rows and report the rest; refuse: import nothing if any row is invalid.",
)
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
def billing_import_command(kind, path, on_error, dry_run):
    """Import a billing file; every invalid row and conflict is printed with its line."""
    from flask import current_app

    from domain.billing import import_file

    def problem(outcome):
        label = "fel" if outcome.status == "error" else "konflikt"
        click.echo(f"rad {outcome.line}: {label}: {outcome.message}", err=True)

    report = import_file(
        kind,
        path,
        on_error=on_error,
        dry_run=dry_run,
        pdf_dir=current_app.config["INVOICE_PDF_DIR"],
        on_problem=problem,
    )
    prefix = (
        "provkörning: " if dry_run else (f"import #{report.batch_id}: " if report.batch_id else "")
    )
    if report.message:
        click.echo(f"{prefix}{report.message}", err=True)
    click.echo(f"{prefix}{report.status}: {report.summary()}")
    if report.status in ("refused", "failed"):
        raise SystemExit(1)


@billing_cli.command("undo")
@click.argument("batch_id", type=int)
def billing_undo_command(batch_id):
    """Undo an import: created rows removed, updated fields restored."""
    from flask import current_app

    from domain.billing import UndoRefused, undo

    try:
        batch = undo(batch_id, pdf_dir=current_app.config["INVOICE_PDF_DIR"])
    except UndoRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"import #{batch.id} ({batch.filename}) ångrad")


@billing_cli.command("batches")
@click.option("--limit", type=int, default=50)
def billing_batches_command(limit):
    """The latest imports: id, kind, status, counts, file."""
    from domain.formats import stamp
    from tables.billing import ImportBatch

    batches = ImportBatch.select().order_by(ImportBatch.id.desc()).limit(limit)
    for b in batches:
        click.echo(
            f"#{b.id:<5} {stamp(b.created_at):16} {b.kind:12} {b.status:9} "
            f"nya {b.rows_new} oförändrade {b.rows_unchanged} uppdaterade {b.rows_updated} "
            f"konflikter {b.rows_conflict} fel {b.rows_failed}  {b.filename}"
        )


def init_app(app) -> None:
    app.cli.add_command(billing_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_staff_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(create_organisation_command)
    app.cli.add_command(reset_2fa_command)
    app.cli.add_command(unlock_command)
    import cli_backup

    cli_backup.init_app(app)
