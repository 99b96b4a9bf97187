"""The API's representations as marshmallow schemas: what the views dump,
what bodies are loaded through (unknown fields refused), and what the
OpenAPI document describes (web/api/spec.py). Amounts are öre with their
currency, dates ISO 8601, timestamps UTC with ``Z``."""

from __future__ import annotations

import datetime as dt

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from domain.attachments import MAX_FILES
from domain.numbers import normalise_postcode
from tables.billing import INVOICE_STATUSES, TRAFFIC_TYPES
from tables.orders import ORDER_STATUSES, ORDER_TYPES
from tables.services import BARRING_KINDS, SERVICE_KINDS, SERVICE_STATUSES
from web.forms import CONTROL_MESSAGE, MULTI_LINE_FORBIDDEN, SINGLE_LINE_FORBIDDEN

CURRENCY = "SEK"


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) timestamp as ``2026-05-04T09:30:00Z``."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat().replace("+00:00", "Z")


class Money(Schema):
    amount_ore = fields.Integer(required=True, metadata={"description": "Öre (1/100 krona)."})
    currency = fields.String(required=True, metadata={"example": CURRENCY})


def money(ore: int | None) -> dict | None:
    return None if ore is None else {"amount_ore": int(ore), "currency": CURRENCY}


def _no_control(pattern):
    def check(value):
        if pattern.search(value):
            raise ValidationError(CONTROL_MESSAGE)

    return check


def line_text(max_length: int, min_length: int = 0, **kwargs):
    """A single-line text field of a body: no control characters."""
    return fields.String(
        validate=[
            validate.Length(min=min_length, max=max_length),
            _no_control(SINGLE_LINE_FORBIDDEN),
        ],
        **kwargs,
    )


def long_text(max_length: int, **kwargs):
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), _no_control(MULTI_LINE_FORBIDDEN)],
        **kwargs,
    )


class Body(Schema):
    """A request body: unknown fields are errors (422), never ignored."""

    class Meta:
        unknown = RAISE


# ----------------------------------------------------------------- accounts


class Address(Schema):
    care_of = fields.String()
    street = fields.String()
    postcode = fields.String()
    city = fields.String()


class AccountOut(Schema):
    id = fields.Integer(required=True)
    customer_number = fields.String(required=True)
    company_name = fields.String(required=True)
    alias = fields.String(required=True)
    org_number = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    depth = fields.Integer(required=True)
    invoice_reference = fields.String(required=True)
    address = fields.Nested(Address, required=True)
    active = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


def account_out(account) -> dict:
    return {
        "id": account.id,
        "customer_number": account.customer_number,
        "company_name": account.company_name,
        "alias": account.alias,
        "org_number": account.org_number,
        "parent_id": account.parent_id,
        "depth": account.depth,
        "invoice_reference": account.invoice_reference,
        "address": {
            "care_of": account.care_of,
            "street": account.street,
            "postcode": account.postcode,
            "city": account.city,
        },
        "active": account.active,
        "created_at": account.created_at,
    }


class AccountPage(Schema):
    items = fields.List(fields.Nested(AccountOut), required=True)
    next = fields.String(allow_none=True, required=True)


class TreeNode(Schema):
    id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    depth = fields.Integer(required=True)
    customer_number = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "Alias, else company name."})


class AccountTree(Schema):
    items = fields.List(
        fields.Nested(TreeNode),
        required=True,
        metadata={"description": "Every account in reach, each after its parent."},
    )


def _postcode(value):
    if normalise_postcode(value) is None:
        raise ValidationError("Ange postnumret med fem siffror, t.ex. 903 04.")


class AddressEdit(Body):
    """Adress as the portal's dialog edits it: the whole address at once."""

    street = line_text(100, 1, required=True)
    care_of = line_text(100, load_default="")
    postcode = fields.String(required=True, validate=[validate.Length(max=6), _postcode])
    city = line_text(60, 1, required=True)


class AccountEdit(Body):
    alias = line_text(60)
    invoice_reference = line_text(60)
    address = fields.Nested(AddressEdit)


# ----------------------------------------------------------------- services


class Ref(Schema):
    id = fields.Integer(required=True)
    customer_number = fields.String(required=True)


class ProductRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class ServiceOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(SERVICE_KINDS)))
    status = fields.String(required=True, validate=validate.OneOf(list(SERVICE_STATUSES)))
    user_name = fields.String(required=True)
    account = fields.Nested(Ref, required=True)
    product = fields.Nested(ProductRef, required=True)
    price_plan = fields.Nested(ProductRef, allow_none=True, required=True)
    monthly = fields.Nested(Money, required=True)
    start_date = fields.Date(allow_none=True, required=True)
    binding_end = fields.Date(allow_none=True, required=True)
    end_date = fields.Date(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)


class UsageMonth(Schema):
    month = fields.Date(required=True, metadata={"description": "First day of the month."})
    data_used_mb = fields.Integer(required=True)
    data_quota_mb = fields.Integer(required=True, metadata={"description": "The plan's quota."})
    topup_mb = fields.Integer(required=True, metadata={"description": "Påfyllning bought."})
    quota_mb = fields.Integer(required=True, metadata={"description": "Quota and top-ups."})
    remaining_mb = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Null without a quota."}
    )
    voice_seconds = fields.Integer(required=True)
    calls = fields.Integer(required=True)
    sms = fields.Integer(required=True)
    mms = fields.Integer(required=True)


class UsagePage(Schema):
    items = fields.List(fields.Nested(UsageMonth), required=True)
    next = fields.String(allow_none=True, required=True)


class ServicePage(Schema):
    items = fields.List(fields.Nested(ServiceOut), required=True)
    next = fields.String(allow_none=True, required=True)


class Barring(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(BARRING_KINDS)))


class ServiceDetail(ServiceOut):
    barrings = fields.List(fields.Nested(Barring), required=True)


class BarringAdd(Body):
    kind = fields.String(required=True, validate=validate.OneOf(list(BARRING_KINDS)))


class BarringRemove(Body):
    barring_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ServiceChange(Body):
    """Ändra tjänst (Byt prisplan): the new price plan and/or data package by
    product code, and the date it is to take effect."""

    price_plan = line_text(40, allow_none=True, load_default=None)
    data_package = line_text(40, allow_none=True, load_default=None)
    desired_date = fields.Date(required=True)


class Forwardings(Body):
    """Vidarekopplingar: the whole set wanted — a kind left out (or null) is
    removed, as an empty field in the portal's dialog."""

    direct_target = line_text(40, allow_none=True, load_default=None)
    unavailable_target = line_text(40, allow_none=True, load_default=None)
    busy_target = line_text(40, allow_none=True, load_default=None)
    no_answer_target = line_text(40, allow_none=True, load_default=None)
    no_answer_seconds = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=5, max=60)
    )


class SimSwap(Body):
    """Ersätt SIM-kort: ``send`` a new card (physical to an address, or an
    eSIM to an e-mail) or activate a ``customer``-placed card by ICC."""

    method = fields.String(required=True, validate=validate.OneOf(["send", "customer"]))
    sim_type = fields.String(load_default=None, validate=validate.OneOf(["physical", "esim"]))
    delivery_name = line_text(100, load_default="")
    delivery_street = line_text(100, load_default="")
    delivery_postcode = line_text(6, load_default="")
    delivery_city = line_text(60, load_default="")
    email = line_text(254, load_default="")
    msisdn = line_text(20, load_default="")
    icc = line_text(30, load_default="")


# ----------------------------------------------------------------- orders


class OrderOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    version = fields.Integer(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(list(ORDER_TYPES)))
    status = fields.String(required=True, validate=validate.OneOf(list(ORDER_STATUSES)))
    account_id = fields.Integer(required=True)
    service_id = fields.Integer(allow_none=True, required=True)
    summary = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    submitted_at = UtcDateTime(allow_none=True, required=True)
    desired_date = fields.Date(allow_none=True, required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)


class OrderLineDetails(Body):
    """Slutför beställningen's fields of a product, as the wizard names them."""

    end_user = line_text(100)
    sim = fields.String(validate=validate.OneOf(["new", "esim", "own"]))
    icc = line_text(30)
    esim_email = line_text(100)
    number_choice = fields.String(validate=validate.OneOf(["new", "port"]))
    number = line_text(
        20, metadata={"description": "A free number; the first free one if left out."}
    )
    port_number = line_text(20)
    port_org_number = line_text(20)
    port_date = fields.Date()
    mbb_public_ip = fields.Boolean()
    mbb_contact_number = line_text(20)
    street = line_text(100)
    postcode = line_text(10)
    city = line_text(100)
    technology = line_text(40)


class OrderLineIn(Body):
    product = line_text(
        40, min_length=1, required=True, metadata={"description": "Product code, e.g. MOB-FAST."}
    )
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000), load_default=1)
    options = fields.List(
        line_text(40),
        validate=validate.Length(max=50),
        metadata={"description": "Option products' codes; the defaults when left out."},
    )
    details = fields.Nested(OrderLineDetails, load_default=dict)


class OrderCreate(Body):
    account_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    kind = fields.String(validate=validate.OneOf(["order", "quote"]), load_default="order")
    lines = fields.List(
        fields.Nested(OrderLineIn), required=True, validate=validate.Length(min=1, max=20)
    )
    billing_account_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    delivery_choice = fields.String(validate=validate.OneOf(["profile", "other"]))
    delivery_name = line_text(100)
    delivery_street = line_text(100)
    delivery_postcode = line_text(10)
    delivery_city = line_text(100)
    contact_method = fields.String(validate=validate.OneOf(["email", "phone"]))
    contact_phone = line_text(20)
    contact_email = line_text(100)
    extra_contact_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    desired_date = fields.Date()


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut), required=True)
    next = fields.String(allow_none=True, required=True)


# ----------------------------------------------------------------- invoices


class InvoiceOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    account = fields.Nested(Ref, required=True)
    invoice_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    period_start = fields.Date(allow_none=True, required=True)
    period_end = fields.Date(allow_none=True, required=True)
    amount = fields.Nested(Money, required=True, metadata={"description": "To pay, VAT included."})
    vat = fields.Nested(Money, required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(INVOICE_STATUSES)))
    paid_at = fields.Date(allow_none=True, required=True)
    reference = fields.String(required=True)
    pdf = fields.String(required=True, metadata={"description": "Path of the invoice's PDF."})


class InvoicePage(Schema):
    items = fields.List(fields.Nested(InvoiceOut), required=True)
    next = fields.String(allow_none=True, required=True)


class InvoiceLineOut(Schema):
    description = fields.String(required=True)
    service_id = fields.Integer(allow_none=True, required=True)
    user_name = fields.String(required=True)
    period_start = fields.Date(allow_none=True, required=True)
    period_end = fields.Date(allow_none=True, required=True)
    quantity = fields.Integer(required=True)
    amount = fields.Nested(Money, required=True, metadata={"description": "Excluding VAT."})
    vat_percent = fields.Integer(required=True)


class InvoiceDetail(InvoiceOut):
    lines = fields.List(fields.Nested(InvoiceLineOut), required=True)


# ----------------------------------------------------------------- call records


class CallRecordOut(Schema):
    id = fields.Integer(required=True)
    service_id = fields.Integer(required=True)
    account_id = fields.Integer(required=True)
    started_at = UtcDateTime(required=True)
    direction = fields.String(required=True)
    a_number = fields.String(required=True)
    b_number = fields.String(required=True)
    traffic_type = fields.String(required=True, validate=validate.OneOf(list(TRAFFIC_TYPES)))
    country = fields.String(required=True)
    duration_s = fields.Integer(required=True)
    bytes = fields.Integer(required=True)
    price = fields.Nested(Money, required=True)
    invoiced = fields.Boolean(required=True)


class CallRecordPage(Schema):
    items = fields.List(fields.Nested(CallRecordOut), required=True)
    next = fields.String(allow_none=True, required=True)


# ----------------------------------------------------------------- tickets


class TicketOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True)
    account_id = fields.Integer(required=True)
    service_id = fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)


class TicketPage(Schema):
    items = fields.List(fields.Nested(TicketOut), required=True)
    next = fields.String(allow_none=True, required=True)


class AttachmentIn(Body):
    """A file attached to a ticket message: its name and its bytes in
    base64 (RFC 4648). The portal's rules apply (domain/attachments.py):
    the allowed types checked by content and extension, at most
    ATTACHMENT_MAX_MB each."""

    filename = line_text(255, 1, required=True)
    content_base64 = fields.String(required=True)


def _attachments():
    return fields.List(
        fields.Nested(AttachmentIn),
        validate=validate.Length(max=MAX_FILES),
        metadata={"description": f"At most {MAX_FILES} files."},
    )


class TicketCreate(Body):
    subject = line_text(200, min_length=1, required=True)
    body = long_text(20000, required=True)
    account_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    service_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    attachments = _attachments()


class TicketReply(Body):
    body = long_text(20000, required=True)
    attachments = _attachments()


class MessageOut(Schema):
    id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
