"""Invoices with lines, credit notes, call detail records and import batches."""

from __future__ import annotations

import datetime as dt
import functools
import operator

from peewee import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from database import BaseModel, utcnow
from domain.text import N_
from tables.org import Account, Organisation, StaffUser
from tables.scope import scope_condition
from tables.services import Service

# Stored statuses are paid/unpaid; "overdue" is unpaid past the due date.
INVOICE_STATUSES = {"unpaid": N_("Obetald"), "paid": N_("Betald"), "overdue": N_("Förfallen")}


class ImportBatch(BaseModel):
    """One run of the billing importer (INV-2, domain/billing/).

    ``status``: preview (a staff upload checked but not yet imported),
    running, done, refused (refuse mode and the file had errors: nothing
    written), failed (an unexpected error: what it wrote was taken back),
    undone. Counts are records (an invoice with its lines is one)."""

    kind = CharField()  # invoices, credit_notes, cdr, usage, pdf
    filename = CharField()
    status = CharField(default="running")
    on_error = CharField(default="skip")  # skip: import the valid rows; refuse: none
    rows_total = IntegerField(default=0)
    rows_ok = IntegerField(default=0)
    rows_failed = IntegerField(default=0)
    rows_new = IntegerField(default=0)
    rows_unchanged = IntegerField(default=0)
    rows_updated = IntegerField(default=0)
    rows_conflict = IntegerField(default=0)
    errors = TextField(default="[]")  # JSON: [{"row": n, "error": "…"}], the first 1000
    conflicts = TextField(default="[]")  # JSON: [{"row": n, "error": "…"}], the first 1000
    message = TextField(default="")  # why it was refused or failed
    token = CharField(default="")  # a staff upload's one-time import token
    stored_path = CharField(default="")  # the staff upload, kept until imported
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    undone_at = DateTimeField(null=True)
    staff = ForeignKeyField(StaffUser, null=True)


class ImportChange(BaseModel):
    """What an import changed, for undo: the previous values of the fields
    it updated (``before``), and the rows it created in tables without an
    ``import_batch`` column (credit notes, monthly usage). Invoices and call
    records it created carry the batch in ``import_batch`` instead, so a
    million new call records need no second million rows here."""

    batch = ForeignKeyField(ImportBatch, backref="changes", on_delete="CASCADE")
    table_name = CharField()
    row_id = IntegerField()
    action = CharField()  # update, create
    before = TextField(null=True)  # JSON of the updated fields' previous values
    after = TextField(null=True)

    class Meta:
        indexes = ((("table_name", "row_id"), False),)


class Invoice(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="invoices")
    account = ForeignKeyField(Account, backref="invoices")
    number = CharField(unique=True)  # 6789-711662
    invoice_date = DateField()
    due_date = DateField()
    period_start = DateField(null=True)
    period_end = DateField(null=True)
    amount_ore = IntegerField()  # to pay, VAT included
    vat_ore = IntegerField(default=0)
    status = CharField(default="unpaid")  # unpaid, paid
    paid_at = DateField(null=True)
    reference = CharField(default="")  # the Fakturareferens printed on it
    ocr = CharField(default="")  # from billing; empty: derived from the number
    delivery = CharField(default="email")
    pdf_file = CharField(null=True)  # an imported PDF, else rendered from the lines
    import_batch = ForeignKeyField(ImportBatch, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            # the account too: a sub-tree's walk skips rows on the index alone
            (("organisation", "due_date", "account"), False),
            (("organisation", "status", "due_date"), False),
            (("organisation", "invoice_date"), False),
            (("organisation", "account", "due_date", "status"), False),  # sub-trees
        )

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(scope_condition(cls, user, cls.account))

    @classmethod
    def status_expression(cls, today: dt.date | None = None):
        """SQL for the shown status, overdue included."""
        today = today or dt.date.today()
        return Case(
            None,
            (
                (cls.status == "paid", "paid"),
                (cls.due_date < today, "overdue"),
            ),
            "unpaid",
        )

    @classmethod
    def shown_as(cls, values, today: dt.date | None = None):
        """SQL: the shown status is one of ``values`` (paid, unpaid, overdue),
        as conditions the indexes can serve."""
        today = today or dt.date.today()
        parts = {
            "paid": cls.status == "paid",
            "unpaid": (cls.status == "unpaid") & (cls.due_date >= today),
            "overdue": (cls.status == "unpaid") & (cls.due_date < today),
        }
        return functools.reduce(operator.or_, (parts[v] for v in values))

    def shown_status(self, today: dt.date | None = None) -> str:
        if self.status == "paid":
            return "paid"
        return "overdue" if self.due_date < (today or dt.date.today()) else "unpaid"

    def status_label(self, today: dt.date | None = None) -> str:
        return INVOICE_STATUSES[self.shown_status(today)]


class InvoiceLine(BaseModel):
    invoice = ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    service = ForeignKeyField(Service, null=True)
    description = CharField()
    user_name = CharField(default="")
    invoice_text = CharField(default="")
    period_start = DateField(null=True)
    period_end = DateField(null=True)
    quantity = IntegerField(default=1)
    amount_ore = IntegerField()  # excluding VAT
    vat_percent = IntegerField(default=25)
    position = IntegerField(default=0)

    class Meta:
        indexes = (
            (("invoice", "position"), False),
            (("service",), False),
            # Kostnader per grupp: the lines of a range of period months.
            (("period_start",), False),
        )


class CreditNote(BaseModel):
    organisation = ForeignKeyField(Organisation)
    account = ForeignKeyField(Account)
    invoice = ForeignKeyField(Invoice, backref="credit_notes")
    number = CharField(unique=True)
    issued_on = DateField()
    amount_ore = IntegerField()
    reason = TextField(default="")


class CreditNoteLine(BaseModel):
    credit_note = ForeignKeyField(CreditNote, backref="lines", on_delete="CASCADE")
    invoice_line = ForeignKeyField(InvoiceLine, null=True)
    service = ForeignKeyField(Service, null=True)
    description = CharField()
    amount_ore = IntegerField()


TRAFFIC_TYPES = {
    "mobile": N_("Samtal till mobil"),
    "national": N_("Nationella samtal"),
    "international": N_("Utlandssamtal"),
    "sms": N_("SMS"),
    "mms": N_("MMS"),
    "data": N_("Data"),
    "roaming": N_("Roaming"),
}


class CallRecord(BaseModel):
    """A call detail record from the operator's billing system."""

    organisation = ForeignKeyField(Organisation)
    account = ForeignKeyField(Account)
    service = ForeignKeyField(Service)
    started_at = DateTimeField()
    direction = CharField(default="out")  # out, in
    a_number = CharField()
    b_number = CharField(default="")
    traffic_type = CharField()
    country = CharField(default="SE")
    duration_s = IntegerField(default=0)
    bytes = BigIntegerField(default=0)
    price_ore = IntegerField(default=0)
    invoiced = BooleanField(default=False)
    invoice = ForeignKeyField(Invoice, null=True)
    import_batch = ForeignKeyField(ImportBatch, null=True)

    class Meta:
        indexes = (
            (("service", "started_at"), False),
            (("organisation", "started_at"), False),
            (("account", "started_at"), False),
            (("invoice",), False),
        )

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(scope_condition(cls, user, cls.account, cls.service))
