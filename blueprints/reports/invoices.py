"""The invoice reports, which need invoices.view besides reports.view (the
index hides them without it; their URLs answer 403 as the invoice pages do):
Specifikation – Faktura, Krediterade tjänster, Trafikspecifikation – alla
tjänster and Samtalsspecifikation – Faktura.

Invoices, credit notes and invoiced call records are scoped like the invoice
list (``Invoice.visible_to``, ``scope_condition`` on the credit note's
account); an account or invoice id outside the scope is a 404, an invoice
number typed in the form that is unknown or outside it is a message.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, fn

from blueprints.calls import DIRECTIONS
from blueprints.reports import bp
from blueprints.reports import groups as report_groups
from blueprints.reports.common import (
    CALL_MONTHS,
    LIST_MONTHS,
    TITLES,
    Link,
    agg,
    cells_loader,
    grouped,
    opening_form,
    page_services,
    parse_period,
    request_period,
)
from blueprints.reports.traffic import (
    amount_column,
    call_groups,
    call_list,
    calls_beyond_preview,
    count_column,
    period_condition,
    service_columns,
    to_minutes,
)
from tables.billing import (
    TRAFFIC_TYPES,
    CallRecord,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
)
from tables.group_totals import line_month
from tables.org import Account
from tables.scope import scope_condition, visible_accounts
from tables.services import Service
from web import i18n
from web.auth import parse_id, require
from web.formatting import phone
from web.i18n import N_, NC_, isodate, kr
from web.listcolumns import Column, choice_column, date_column, kronor_column, text_column
from web.lists.groups import GroupRule, row_month
from web.listview import ListView

INVOICE_CHOICES = 36  # the account's latest invoices offered in the form
ACCOUNT_CHOICES = 300  # accounts offered in a select; more: typed


def _service_link(number, service_id) -> Link:
    href = url_for("services.detail", service_id=service_id) if service_id else None
    return Link(phone(number) if number else "–", href)


def _invoice_link(number, invoice_id) -> Link:
    return Link(number, url_for("invoices.detail", invoice_id=invoice_id))


# ---------------------------------------------------------- Specifikation – Faktura

LINE_SUMS = {
    "lines": fn.COUNT(InvoiceLine.id),
    "amount": fn.SUM(InvoiceLine.amount_ore),
    "with_vat": fn.SUM(InvoiceLine.amount_ore * (100 + InvoiceLine.vat_percent) / 100.0),
}


def invoice_specification_query(user):
    """One row per service and user of the chosen invoice (lines without a
    service, e.g. fees, together per user)."""
    invoice_id = parse_id(request.args.get("invoice")) or 0
    inner = (
        InvoiceLine.select()
        .join(Invoice, on=(InvoiceLine.invoice == Invoice.id))
        .where(scope_condition(Invoice, user, Invoice.account) & (Invoice.id == invoice_id))
    )
    inner = report_groups.narrow(
        inner, user, account=Invoice.account, service=InvoiceLine.service, month=line_month()
    )
    return grouped(
        InvoiceLine, inner, [InvoiceLine.service, InvoiceLine.user_name], LINE_SUMS
    ).join_from(InvoiceLine, Service, JOIN.LEFT_OUTER, on=(InvoiceLine.service == Service.id))


def _line_cells(d: dict) -> dict:
    return {
        "number": _service_link(d["number"], d["service_id"]),
        "user": d["user"] or d["service_user"] or "",
        "description": d["description"],
        "lines": d["lines"],
        "amount": kr(d["amount"]),
        "with_vat": kr(round(d["with_vat"] or 0)),
    }


INVOICE_SPECIFICATION = ListView(
    name="report-invoice-specification",
    model=InvoiceLine,
    query=invoice_specification_query,
    row_template="reports/_cells.html",
    default_sort=("amount", "desc"),
    export_title=N_("Specifikation – Faktura"),
    bulk_actions=[],
    rows_loader=cells_loader(
        InvoiceLine,
        invoice_specification_query,
        {
            "number": Service.number,
            "service_id": Service.id,
            "user": InvoiceLine.user_name,
            "service_user": Service.user_name,
            "description": InvoiceLine.description,
            "lines": agg("lines"),
            "amount": agg("amount"),
            "with_vat": agg("with_vat"),
        },
        _line_cells,
    ),
    columns=[
        Column("number", N_("Nummer"), sort=Service.number, export=Service.number),
        text_column("user", NC_("tjänstens", "Användare"), InvoiceLine.user_name),
        Column("description", N_("Tjänst"), export=InvoiceLine.description),
        count_column("lines", N_("Rader"), "lines"),
        amount_column("amount", N_("Belopp exkl. moms"), "amount"),
        Column(
            "with_vat",
            N_("Belopp inkl. moms"),
            sort=agg("with_vat"),
            export=agg("with_vat"),
            export_format=lambda ore: round(ore or 0) / 100,
            text=False,
            align="right",
        ),
    ],
    essential=("number", "user", "amount"),
)


def _choose_account(user):
    """(account, message): the account chosen by id from the select (404
    outside the scope) or by its customer number typed (a message when no
    account of the scope has it); the top account of the user's scope first."""
    customer = (request.args.get("customer") or "").strip()
    if customer:
        found = visible_accounts(user).where(Account.customer_number == customer[:40]).first()
        if found is None:
            return user.scope_account, N_(
                "Kontot finns inte bland de konton du har behörighet till."
            )
        return found, None
    if "account" not in request.args:
        return user.scope_account, None
    account = (
        visible_accounts(user).where(Account.id == (parse_id(request.args["account"]) or 0)).first()
    )
    if account is None:
        abort(404)
    return account, None


@bp.route("/specifikation-faktura")
@require("reports.view")
@require("invoices.view")
def invoice_specification():
    """An account, then one of its invoices, then the preview."""
    title = TITLES["reports.invoice_specification"]
    user = current_user
    account, account_error = _choose_account(user)
    invoices = list(
        Invoice.visible_to(user)
        .where(Invoice.account == account.id)
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
        .limit(INVOICE_CHOICES)
    )
    error = None
    if "invoice" in request.args and not account_error:
        invoice = (
            Invoice.visible_to(user)
            .where(Invoice.id == (parse_id(request.args["invoice"]) or 0))
            .first()
        )
        if invoice is None:
            abort(404)
        if invoice.account_id == account.id:
            return INVOICE_SPECIFICATION.respond(
                user,
                "reports/preview.html",
                title=f"{_(title)} – {invoice.number}",
                lines=[
                    _(
                        "Konto: %(account)s. Fakturadatum %(date)s, att betala %(amount)s.",
                        account=account.label,
                        date=i18n.isodate(invoice.invoice_date),
                        amount=i18n.kr(invoice.amount_ore),
                    )
                ],
                form_endpoint="reports.invoice_specification",
                form_args={"account": account.id, "invoice": invoice.id},
            )
        error = N_("Välj en faktura för det valda kontot.")
    # A select up to ACCOUNT_CHOICES accounts; more (a large organisation's
    # thousands) are chosen by typing the customer number.
    accounts = list(visible_accounts(user).order_by(Account.path).limit(ACCOUNT_CHOICES + 1))
    return render_template(
        "reports/invoice_form.html",
        title=title,
        accounts=accounts if len(accounts) <= ACCOUNT_CHOICES else None,
        account=account,
        account_error=account_error,
        invoices=invoices,
        error=error,
    )


# -------------------------------------------------------------- Krediterade tjänster


def credited_query(user):
    """Credit note lines, scoped by their credit note's account (and service)."""
    return (
        CreditNoteLine.select()
        .join(CreditNote, on=(CreditNoteLine.credit_note == CreditNote.id))
        .join(Invoice, on=(CreditNote.invoice == Invoice.id))
        .join_from(CreditNote, Account, on=(CreditNote.account == Account.id))
        .join_from(
            CreditNoteLine, Service, JOIN.LEFT_OUTER, on=(CreditNoteLine.service == Service.id)
        )
        .where(scope_condition(CreditNote, user, CreditNote.account, CreditNoteLine.service))
    )


def _credited_cells(d: dict) -> dict:
    return {
        "note": d["note"],
        "issued": isodate(d["issued"]) if not isinstance(d["issued"], str) else d["issued"][:10],
        "invoice": _invoice_link(d["invoice"], d["invoice_id"]),
        "number": _service_link(d["number"], d["service_id"]),
        "user": d["user"],
        "description": d["description"],
        "amount": kr(d["amount"]),
        "account": d["account"],
    }


CREDITED = ListView(
    name="report-credited",
    model=CreditNoteLine,
    query=credited_query,
    row_template="reports/_cells.html",
    default_sort=("issued", "desc"),
    export_title=N_("Krediterade tjänster"),
    bulk_actions=[],
    # A credited line counts toward its service's (else account's) group in
    # the month the credit note was issued.
    groups=GroupRule(
        account=CreditNote.account,
        service=CreditNoteLine.service,
        month=row_month(CreditNote.issued_on),
    ),
    rows_loader=cells_loader(
        CreditNoteLine,
        credited_query,
        {
            "note": CreditNote.number,
            "issued": CreditNote.issued_on,
            "invoice": Invoice.number,
            "invoice_id": Invoice.id,
            "number": Service.number,
            "service_id": Service.id,
            "user": Service.user_name,
            "description": CreditNoteLine.description,
            "amount": CreditNoteLine.amount_ore,
            "account": Account.customer_number,
        },
        _credited_cells,
    ),
    columns=[
        text_column("note", N_("Kreditnota"), CreditNote.number),
        date_column("issued", N_("Krediterad"), CreditNote.issued_on),
        text_column("invoice", N_("Faktura"), Invoice.number),
        *service_columns(),
        text_column("description", N_("Beskrivning"), CreditNoteLine.description),
        kronor_column("amount", N_("Krediterat belopp"), CreditNoteLine.amount_ore),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("note", "issued", "number", "amount"),
)


@bp.route("/krediterade-tjanster")
@require("reports.view")
@require("invoices.view")
def credited():
    title = TITLES["reports.credited"]
    if (opening := opening_form(12)) is not None:
        return render_template("reports/period_form.html", title=title, form=opening)
    form = parse_period(request.args, LIST_MONTHS)
    if not form.ok:
        return render_template("reports/period_form.html", title=title, form=form)
    return CREDITED.respond(
        current_user,
        "reports/preview.html",
        extra=CreditNote.issued_on.between(form.start, form.end),
        title=title,
        period=(form.start, form.end),
        form_endpoint="reports.credited",
        form_args={"from": form.date_from, "to": form.date_to},
    )


# ------------------------------------------------ Trafikspecifikation – alla tjänster

INVOICED_TYPES = ("mobile", "national", "international", "sms", "mms")
INVOICED_SUMS = {
    "calls": fn.COUNT(CallRecord.id),
    "seconds": fn.SUM(CallRecord.duration_s),
    "megabytes": fn.ROUND(fn.SUM(CallRecord.bytes) / 1000000.0, 1),
    "amount": fn.SUM(CallRecord.price_ore),
}


def traffic_all_query(user, services=None):
    """Invoiced traffic of the period per service and traffic type; data
    only with the Datatrafik box ticked (only ``services``', when given)."""
    start, end = request_period(CALL_MONTHS)
    types = INVOICED_TYPES + (("data",) if request.args.get("data") else ())
    inner = CallRecord.visible_to(user).where(
        period_condition(start, end)
        & (CallRecord.invoiced == True)
        & CallRecord.traffic_type.in_(types)  # noqa: E712
    )
    inner = call_groups(inner, user)
    if services is not None:
        inner = inner.where(CallRecord.service.in_(services))
    return (
        grouped(CallRecord, inner, [CallRecord.service, CallRecord.traffic_type], INVOICED_SUMS)
        .join_from(CallRecord, Service, on=(CallRecord.service == Service.id))
        .join_from(CallRecord, Account, on=(CallRecord.account == Account.id))
    )


def _traffic_all_cells(d: dict) -> dict:
    return {
        "number": _service_link(d["number"], d["service_id"]),
        "user": d["user"],
        "traffic": _(TRAFFIC_TYPES.get(d["traffic"], d["traffic"])),
        "calls": d["calls"],
        "minutes": f"{to_minutes(d['seconds']):.1f}".replace(".", ","),
        "megabytes": f"{d['megabytes'] or 0:.1f}".replace(".", ","),
        "amount": kr(d["amount"]),
        "account": d["account"],
    }


TRAFFIC_ALL = ListView(
    name="report-traffic-all",
    model=CallRecord,
    query=traffic_all_query,
    row_template="reports/_cells.html",
    default_sort=("number", "asc"),
    export_title=N_("Trafikspecifikation – alla tjänster"),
    bulk_actions=[],
    too_large=calls_beyond_preview,
    rows_loader=cells_loader(
        CallRecord,
        traffic_all_query,
        {
            "number": Service.number,
            "service_id": Service.id,
            "user": Service.user_name,
            "traffic": CallRecord.traffic_type,
            **{k: agg(k) for k in INVOICED_SUMS},
            "account": Account.customer_number,
        },
        _traffic_all_cells,
        page_services,
    ),
    columns=[
        *service_columns(),
        choice_column(
            "traffic",
            N_("Trafiktyp"),
            CallRecord.traffic_type,
            {k: TRAFFIC_TYPES[k] for k in (*INVOICED_TYPES, "data")},
        ),
        count_column("calls", N_("Antal"), "calls"),
        count_column("minutes", N_("Minuter"), "seconds", to_minutes),
        count_column("megabytes", N_("Data (MB)"), "megabytes"),
        amount_column("amount", N_("Belopp"), "amount"),
        text_column("account", N_("Konto"), Account.customer_number),
    ],
    essential=("number", "traffic", "amount"),
)


@bp.route("/trafikspecifikation-alla")
@require("reports.view")
@require("invoices.view")
def traffic_all():
    title = TITLES["reports.traffic_all"]
    note = N_("Rapporten visar enbart redan fakturerad trafik.")
    context = {
        "title": title,
        "note": note,
        "data_box": True,
        "data": bool(request.args.get("data")),
    }
    if (opening := opening_form(1)) is not None:
        return render_template("reports/period_form.html", form=opening, **context)
    form = parse_period(request.args, CALL_MONTHS)
    if not form.ok:
        return render_template("reports/period_form.html", form=form, **context)
    form_args = {"from": form.date_from, "to": form.date_to}
    if request.args.get("data"):
        form_args["data"] = "1"
    return TRAFFIC_ALL.respond(
        current_user,
        "reports/preview.html",
        title=title,
        period=(form.start, form.end),
        note=_(note) + (" " + _("Datatrafik ingår.") if request.args.get("data") else ""),
        form_endpoint="reports.traffic_all",
        form_args=form_args,
    )


# --------------------------------------------------- Samtalsspecifikation – Faktura

INVOICE_CALLS = call_list("report-invoice-calls", N_("Samtalsspecifikation – Faktura"))


@bp.route("/samtalsspecifikation-faktura")
@require("reports.view")
@require("invoices.view")
def invoice_calls():
    """An invoice by its number (unknown or outside the scope: "Fakturan finns
    inte" next to the field), then its call records."""
    title = TITLES["reports.invoice_calls"]
    number = (request.args.get("number") or "").strip()
    if "number" not in request.args or "edit" in request.args:
        return render_template(
            "reports/invoice_number_form.html", title=title, number=number, error=None
        )
    invoice = None
    if number and len(number) <= 40:
        invoice = Invoice.visible_to(current_user).where(Invoice.number == number).first()
    if invoice is None:
        error = N_("Ange fakturanumret.") if not number else N_("Fakturan finns inte.")
        return render_template(
            "reports/invoice_number_form.html", title=title, number=number, error=error
        )
    return INVOICE_CALLS.respond(
        current_user,
        "reports/preview.html",
        extra=(CallRecord.invoice == invoice.id),
        title=f"{_(title)} – {invoice.number}",
        lines=[
            _(
                "Fakturadatum %(date)s, att betala %(amount)s.",
                date=i18n.isodate(invoice.invoice_date),
                amount=i18n.kr(invoice.amount_ore),
            )
        ],
        form_endpoint="reports.invoice_calls",
        form_args={"number": invoice.number},
        traffic_types=TRAFFIC_TYPES,
        directions=DIRECTIONS,
    )
