"""Billable requests (BBGRUPPEN, issue 17): what a price list charges for
the operator's request types, and the charges that completed requests make
for the next invoice until billing collects them."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from database import BaseModel, utcnow
from tables.org import Account, Organisation, PriceList, StaffUser
from tables.tickets import RequestType, Ticket

CHARGE_STATUSES = {"open": "Ej hämtad", "collected": "Hämtad"}


class PriceListRequestPrice(BaseModel):
    """The price of one request type under a price list (per request)."""

    price_list = ForeignKeyField(PriceList, backref="request_prices", on_delete="CASCADE")
    request_type = ForeignKeyField(RequestType, on_delete="CASCADE")
    price_ore = IntegerField()

    class Meta:
        indexes = ((("price_list", "request_type"), True),)


class Charge(BaseModel):
    """A completed billable request, waiting for the next invoice.

    One per ticket (``ticket`` is unique): completing a ticket again never
    charges twice. ``collected_at`` is set when billing marks it as taken
    into the billing system (Markera som hämtade)."""

    organisation = ForeignKeyField(Organisation, backref="charges")
    account = ForeignKeyField(Account, backref="charges")
    ticket = ForeignKeyField(Ticket, unique=True, backref="charges")
    request_type = ForeignKeyField(RequestType, backref="+")
    agreement_number = CharField(default="")
    description = CharField()
    amount_ore = IntegerField()
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(StaffUser, null=True, backref="+")
    collected_at = DateTimeField(null=True)
    collected_by = ForeignKeyField(StaffUser, null=True, backref="+")

    class Meta:
        indexes = (
            (("collected_at", "created_at"), False),
            (("organisation", "created_at"), False),
        )

    @property
    def status(self) -> str:
        return "collected" if self.collected_at else "open"
