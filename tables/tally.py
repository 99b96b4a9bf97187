"""Row counts per account and bucket, kept exact by database triggers.

Counting the 200,000 invoices of a big customer takes milliseconds on every
list page, and more as the table grows. The tally holds, for each tallied
table, how many rows every account has per bucket (the value of one column,
such as the status), and how many the whole organisation has, so a list
counts by reading a few tally rows instead (``TallyCount`` in
web/lists/tallies.py): an Administratör's total is one row per bucket, a
Kontoadministratör's a sum over the sub-tree's accounts. Triggers written by
migrations change the tally in the same statement as the row, whoever writes
it: the ORM, a bulk UPDATE, an import or raw SQL.
"""

from __future__ import annotations

from peewee import SQL, CharField, ForeignKeyField, IntegerField, PostgresqlDatabase, fn

from database import BaseModel, db
from tables.org import Account, Organisation

# table: (bucket column, condition a row must meet to be counted, or None).
# Services hidden by the operator are in no list, so they are not counted.
TALLIED = {
    "service": ("status", "NOT {row}.hidden"),
    "invoice": ("status", None),
    "call_record": ("traffic_type", None),
}


# The triggers that copy the account's path onto its tally rows (0060).
PATH_TRIGGERS = ("row_tally_path_insert", "row_tally_account_path")


class RowTally(BaseModel):
    table_name = CharField()
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    account = ForeignKeyField(Account, on_delete="CASCADE")
    bucket = CharField()
    n = IntegerField(default=0)
    # The account's path, copied by triggers (migration 0060): a sub-tree's
    # total is one range of the index below.
    path = CharField(null=True)

    class Meta:
        indexes = (
            (("table_name", "account", "bucket"), True),
            (("table_name", "organisation", "bucket", "n"), False),
            (("table_name", "organisation", "path", "bucket", "n"), False),
        )


class OrganisationTally(BaseModel):
    """The sums of RowTally per organisation, kept by the same triggers."""

    table_name = CharField()
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    bucket = CharField()
    n = IntegerField(default=0)

    class Meta:
        indexes = ((("table_name", "organisation", "bucket"), True),)


def tally_total(table: str, user, buckets=None) -> int:
    """Rows of ``table`` in ``user``'s scope, in ``buckets`` (None: all).

    The scope is the one every scoped table uses (scope_condition: staff see
    every organisation, an Administratör the own one, others the account
    sub-tree); users limited to chosen objects are not counted here.
    """
    if getattr(user, "restricted", False):
        raise ValueError("the tally does not know object-level access")
    if buckets is not None and not buckets:
        return 0
    if user.is_staff:
        tally, scope = OrganisationTally, SQL("1 = 1")
    elif getattr(user.scope_account, "without_subtree", False):  # one account (PIN sign-in)
        tally = RowTally
        scope = (RowTally.organisation == user.organisation_id) & (
            RowTally.account == user.scope_account.id
        )
    elif user.is_admin:  # the whole organisation, as in scope_condition
        tally, scope = OrganisationTally, OrganisationTally.organisation == user.organisation_id
    else:  # the sub-tree: its accounts' paths, as in scope_condition
        tally = RowTally
        scope = (RowTally.organisation == user.organisation_id) & Account.under_path(
            user.scope_account.path, RowTally.path
        )
    query = tally.select(fn.COALESCE(fn.SUM(tally.n), 0)).where((tally.table_name == table) & scope)
    if buckets is not None:
        query = query.where(tally.bucket.in_(sorted(buckets)))
    return query.scalar()


def organisation_tally_total(table: str, organisation_id: int, buckets=None) -> int:
    """Rows of ``table`` in a whole organisation, in ``buckets`` (None: all)."""
    if buckets is not None and not buckets:
        return 0
    query = OrganisationTally.select(fn.COALESCE(fn.SUM(OrganisationTally.n), 0)).where(
        (OrganisationTally.table_name == table)
        & (OrganisationTally.organisation == organisation_id)
    )
    if buckets is not None:
        query = query.where(OrganisationTally.bucket.in_(sorted(buckets)))
    return query.scalar()


def recount() -> None:
    """Rebuild the tally from the tables (call inside ``write_tx``)."""
    RowTally.delete().execute()
    OrganisationTally.delete().execute()
    for table, (bucket, condition) in TALLIED.items():
        where = f"WHERE {condition.format(row=table)}" if condition else ""
        db.execute_sql(
            f'INSERT INTO "row_tally" (table_name, organisation_id, account_id, bucket, n) '
            f"SELECT '{table}', organisation_id, account_id, {bucket}, COUNT(*) "
            f'FROM "{table}" {where} GROUP BY organisation_id, account_id, {bucket}'
        )
    db.execute_sql(
        'INSERT INTO "organisation_tally" (table_name, organisation_id, bucket, n) '
        'SELECT table_name, organisation_id, bucket, SUM(n) FROM "row_tally" '
        "GROUP BY table_name, organisation_id, bucket"
    )


def missing_triggers() -> list[str]:
    """The tally triggers the database lacks (none once migrated).

    SQLite loses a table's triggers when a migration rebuilds the table (as
    adding a NOT NULL column or changing one does); the migrate command
    checks this after every run so such a loss cannot pass unnoticed.
    """
    if isinstance(db.obj, PostgresqlDatabase):
        expected = {f"row_tally_{t}_{e}" for t in TALLIED for e in ("insert_delete", "update")}
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        expected = {f"row_tally_{t}_{e}" for t in TALLIED for e in ("insert", "delete", "update")}
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    expected |= set(PATH_TRIGGERS)
    present = {name for (name,) in db.execute_sql(query).fetchall()}
    return sorted(expected - present)
