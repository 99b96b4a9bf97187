"""Ärenden (TIC-1): the ticket list."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from peewee import JOIN

from permissions import TICKET_AREA
from tables.org import Account
from tables.services import Service
from tables.tickets import TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES, Ticket
from web import excel
from web.auth import require
from web.listview import ChoiceFilter, Column, DateRangeFilter, ListView, TextFilter

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

PRIORITY_CHOICES = {str(k): v for k, v in TICKET_PRIORITIES.items()}


def tickets_query(user):
    return (
        Ticket.visible_to(user)
        .select(Ticket, Account, Service)
        .join(Account, on=(Ticket.account == Account.id))
        .switch(Ticket)
        .join(Service, join_type=JOIN.LEFT_OUTER, on=(Ticket.service == Service.id))
    )


TICKET_LIST = ListView(
    name="tickets",
    model=Ticket,
    query=tickets_query,
    row_template="partials/tickets/_rows.html",
    default_sort=("created", "desc"),
    export_title="Ärenden",
    columns=[
        Column(
            "status",
            "Status",
            sort=Ticket.status,
            filter=ChoiceFilter(TICKET_STATUSES),
            export=Ticket.status,
            export_format=excel.labels(TICKET_STATUSES),
        ),
        Column(
            "number",
            "Ärende #",
            sort=Ticket.number,
            filter=TextFilter(),
            filter_expr=Ticket.number.cast("TEXT"),
            export=Ticket.number,
            text=False,
        ),
        Column(
            "category",
            "Kategori",
            sort=Ticket.category,
            filter=ChoiceFilter(TICKET_CATEGORIES),
            export=Ticket.category,
            export_format=excel.labels(TICKET_CATEGORIES),
        ),
        Column(
            "priority",
            "Prioritet",
            sort=Ticket.priority,
            filter=ChoiceFilter(PRIORITY_CHOICES),
            export=Ticket.priority,
            export_format=excel.labels(TICKET_PRIORITIES),
        ),
        Column(
            "subject", "Rubrik", sort=Ticket.subject, filter=TextFilter(), export=Ticket.subject
        ),
        Column(
            "service",
            "Tjänst",
            sort=Service.number,
            filter=TextFilter(),
            filter_expr=(Service.number, Service.user_name),
            export=Service.number,
        ),
        Column(
            "account",
            "Konto",
            sort=Account.display_name_sql,  # what the row shows: the alias where set
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column(
            "created",
            "Skapat",
            sort=Ticket.created_at,
            filter=DateRangeFilter(),
            export=Ticket.created_at,
            export_format=excel.to_datetime,
            text=False,
        ),
        Column(
            "action",
            "Åtgärd",
            sort=Ticket.last_action_at,
            filter=DateRangeFilter(),
            export=Ticket.last_action_at,
            export_format=excel.to_datetime,
            text=False,
        ),
    ],
)


@bp.route("")
@require(TICKET_AREA)
def index():
    return TICKET_LIST.respond(current_user, "tickets/list.html")
