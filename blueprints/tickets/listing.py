"""Ärenden: the list (TIC-1) and the columns the staff queue shares."""

from __future__ import annotations

from flask import (
    request,
)
from flask_login import current_user
from peewee import Case, fn

from blueprints.tickets import PRIORITY_CHOICES, bp
from database import utcnow
from domain import ticket_sla
from permissions import TICKET_AREA
from tables.org import Account
from tables.services import Service
from tables.tickets import (
    OPEN_TICKET_STATUSES,
    TICKET_CATEGORIES,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    RequestType,
    Ticket,
)
from web import excel
from web.auth import require
from web.htmx import is_htmx
from web.i18n import N_
from web.listcolumns import (
    ChoiceFilter,
    Column,
    DateRangeFilter,
    NumberFilter,
    TextFilter,
    text_column,
)
from web.lists.groups import GroupRule, row_month
from web.listview import ListView, status_views

# --------------------------------------------------------------------------- the list (TIC-1)


def tickets_query(user):
    return Ticket.visible_to(user)


# What a row shows besides the ticket: joined for the page's rows and where a
# filter or the sort needs them (the service and request type may be empty).
TICKET_JOINS = [
    (Account, Ticket.account),
    (Service, Ticket.service),
    (RequestType, Ticket.request_type),
]


def sla_due_expr():
    """The due time a list shows: respond-by until answered, then resolve-by."""
    return Case(
        None,
        (
            (
                Ticket.first_response_at.is_null()
                & Ticket.response_due_at.is_null(False)
                & (Ticket.status != "done"),
                Ticket.response_due_at,
            ),
        ),
        Ticket.resolution_due_at,
    )


SLA_CHOICES = {
    "breached": N_("Överskriden"),
    "soon": N_("Går ut inom 2 timmar"),
    "running": N_("Inom SLA"),
    "none": N_("Utan SLA"),
}


def sla_condition(values):
    """SQL for the SLA filter's choices, evaluated against now."""
    now = utcnow()
    due = sla_due_expr()
    running = Ticket.status.in_(OPEN_TICKET_STATUSES) & due.is_null(False)
    parts = {
        "breached": (running & (due < now))
        | (Ticket.first_response_at > Ticket.response_due_at)
        | (Ticket.resolved_at > Ticket.resolution_due_at),
        "soon": running & (due >= now) & (due < now + ticket_sla.SOON),
        "running": running & (due >= now),
        "none": Ticket.response_due_at.is_null() & Ticket.resolution_due_at.is_null(),
    }
    condition = None
    for value in values:
        condition = parts[value] if condition is None else (condition | parts[value])
    return condition


def sla_column() -> Column:
    return Column(
        "sla",
        N_("SLA"),
        sort=sla_due_expr,
        filter=ChoiceFilter(SLA_CHOICES, condition=sla_condition),
        text=False,
    )


def shared_columns() -> dict[str, Column]:
    """The columns the customer list and the staff queue share, by key."""
    return {
        "number": Column(
            "number",
            N_("Ärende #"),
            sort=Ticket.number,
            filter=TextFilter(),
            filter_expr=Ticket.number.cast("TEXT"),
            export=Ticket.number,
            text=False,
        ),
        "category": Column(
            "category",
            N_("Kategori"),
            sort=Ticket.category,
            filter=ChoiceFilter(TICKET_CATEGORIES),
            export=fn.COALESCE(RequestType.label, Ticket.category),
            export_format=lambda value: TICKET_CATEGORIES.get(value, value),
        ),
        "priority": Column(
            "priority",
            N_("Prioritet"),
            sort=Ticket.priority,
            filter=ChoiceFilter(PRIORITY_CHOICES),
            export=Ticket.priority,
            export_format=excel.labels(TICKET_PRIORITIES),
        ),
        "created": Column(
            "created",
            N_("Skapat"),
            sort=Ticket.created_at,
            filter=DateRangeFilter(),
            export=Ticket.created_at,
            export_format=excel.to_datetime,
            text=False,
        ),
        "action": Column(
            "action",
            N_("Åtgärd"),
            sort=Ticket.last_action_at,
            filter=DateRangeFilter(),
            export=Ticket.last_action_at,
            export_format=excel.to_datetime,
            text=False,
        ),
    }


def status_column(choices: dict, default=None) -> Column:
    return Column(
        "status",
        N_("Status"),
        sort=Ticket.status,
        filter=ChoiceFilter(choices, default=default),
        export=Ticket.status,
        export_format=excel.labels(TICKET_STATUSES),
    )


_shared = shared_columns()
TICKET_LIST = ListView(
    name="tickets",
    groups=GroupRule(
        account=Ticket.account, service=Ticket.service, month=row_month(Ticket.created_at)
    ),
    model=Ticket,
    query=tickets_query,
    joins=TICKET_JOINS,
    row_template="partials/tickets/_rows.html",
    default_sort=("created", "desc"),
    export_title=N_("Ärenden"),
    columns=[
        status_column(TICKET_STATUSES),
        _shared["number"],
        _shared["category"],
        _shared["priority"],
        text_column("subject", N_("Rubrik"), Ticket.subject),
        Column(
            "service",
            N_("Tjänst"),
            sort=Service.number,
            filter=NumberFilter(),
            filter_expr=(Service.number, Service.user_name),
            export=Service.number,
        ),
        Column(
            "account",
            N_("Konto"),
            sort=Account.display_name_sql,  # what the row shows: the alias where set
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        _shared["created"],
        _shared["action"],
        sla_column(),
    ],
    essential=("status", "number", "subject", "created"),  # a phone's card
)

# "Visa öppna / Visa historik / Väntar på mig" (Tele2) as status filters,
# so the links are ordinary list states.
QUICK_VIEWS = [
    ("all", N_("Alla"), None),
    ("open", N_("Visa öppna"), list(OPEN_TICKET_STATUSES)),
    ("history", N_("Visa historik"), ["done"]),
    ("mine", N_("Väntar på mig"), ["waiting_customer"]),
]


def _quick_views(user):
    """The status views, "Väntar på mig" with how many wait for the customer."""
    views = status_views("tickets.index", QUICK_VIEWS)
    waiting = Ticket.visible_to(user).where(Ticket.status == "waiting_customer").count()
    for view in views:
        view["count"] = waiting if view["key"] == "mine" else None
    return views


@bp.route("")
@require(TICKET_AREA)
def index():
    return TICKET_LIST.respond(
        current_user,
        "tickets/list.html",
        quick_views=_quick_views(current_user) if not is_htmx() else None,
        period_from=request.args.get("f_created_from", ""),
        period_to=request.args.get("f_created_to", ""),
    )
