"""The SLA report's SQL is written for the database in use when a query is
built, not when the module was imported (which may come first: imported
with no database set, it once baked PostgreSQL's date_part into SQLite)."""

from __future__ import annotations

from peewee import PostgresqlDatabase, SqliteDatabase

from blueprints.reports.sla import minutes_between
from database import db
from tables.tickets import Ticket


def test_minutes_between_follows_the_database_it_is_built_for(app):
    expr = minutes_between(Ticket.created_at, Ticket.resolved_at)
    sqlite = isinstance(db.obj, SqliteDatabase)
    here, there = ("julianday", "date_part") if sqlite else ("date_part", "julianday")
    assert here in Ticket.select(expr.alias("m")).sql()[0]
    list(Ticket.select(expr.alias("m")))  # and the database takes it
    saved = db.obj
    try:
        db.initialize(PostgresqlDatabase("nowhere") if sqlite else SqliteDatabase(":memory:"))
        assert there in Ticket.select(expr.alias("m")).sql()[0]
    finally:
        db.initialize(saved)
