"""``flask backup`` and ``flask restore`` (the work is in domain/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from database import db


@click.command("backup")
@click.option(
    "--to",
    "to_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the archive (default: instance/backups).",
)
def backup_command(to_dir):
    """Back up the database and the instance's files into one
    teleportal-backup-YYYYmmdd-HHMMSS.tar.gz. Safe while the portal runs:
    SQLite is copied with the online backup API, PostgreSQL with pg_dump."""
    from domain.backup import BackupError, create_backup

    folder = Path(to_dir) if to_dir else Path(current_app.instance_path) / "backups"
    try:
        result = create_backup(current_app.config, current_app.instance_path, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    m = result.manifest
    database = m["database"]
    click.echo(f"säkerhetskopia: {result.path}")
    click.echo(f"  storlek:    {result.path.stat().st_size:,} byte".replace(",", " "))
    click.echo(
        f"  databas:    {database['kind']}, migrering {database['migration']}, "
        f"{len(database['tables'])} tabeller, {database['rows']} rader"
    )
    click.echo(f"  filer:      {m['file_count']} ({m['file_bytes']:,} byte)".replace(",", " "))
    for name, figures in m["files"].items():
        click.echo(f"    {name:16} {figures['count']}")
    click.echo(f"  secret_key: {'med' if m['secret_key'] else 'ingen fil (SECRET_KEY i miljön?)'}")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite a database and folders that hold data.")
def restore_command(archive, force):
    """Restore a backup made by ``flask backup`` into this instance.

    Stop the portal first (every gunicorn node and flask worker): on SQLite
    the database file is replaced, and a running portal would keep writing to
    the old one. PostgreSQL is restored with pg_restore --clean --if-exists
    in one transaction. Refuses a database or folders that hold data unless
    --force, an archive from a newer version, and a damaged archive; then
    checks the row counts against the archive's manifest.
    """
    from cli import MIGRATIONS
    from domain.backup import BackupError, code_migrations, restore_backup

    if not db.is_closed():
        db.close()
    try:
        manifest = restore_backup(
            archive, current_app.config, current_app.instance_path, MIGRATIONS, force=force
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    database = manifest["database"]
    click.echo(f"återställd från {archive} (skapad {manifest['created_at']})")
    click.echo(
        f"  databas: {database['kind']}, {database['rows']} rader i "
        f"{len(database['tables'])} tabeller, stämmer med manifestet"
    )
    click.echo(f"  filer:   {manifest['file_count']}")
    pending = set(code_migrations(MIGRATIONS)) - set(database["migrations"])
    if pending:
        click.echo(
            f"  {len(pending)} migreringar väntar: kör flask db upgrade innan portalen startas"
        )


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
