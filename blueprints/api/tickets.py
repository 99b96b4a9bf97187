"""Ärenden over the API: read one, create one (category Övrigt, as the
portal's "Skapa ärende" with tickets.manage) and reply, through
domain/tickets.py as the portal does."""

from __future__ import annotations

from flask import url_for

from blueprints.api import bp
from blueprints.api import schemas as s
from domain import tickets as ticketing
from permissions import TICKET_AREA
from tables.org import Account
from tables.scope import visible_accounts
from tables.services import Service
from tables.tickets import Ticket
from web.api.operations import json_response, operation
from web.api.problems import ApiError


def ticket_out(ticket: Ticket) -> dict:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "account_id": ticket.account_id,
        "service_id": ticket.service_id,
        "created_at": ticket.created_at,
    }


def ticket_or_404(user, ticket_id: int) -> Ticket:
    ticket = (
        Ticket.visible_to(user)
        .where((Ticket.id == ticket_id) & (Ticket.status != "draft") & user.narrowed(Ticket))
        .get_or_none()
    )
    if ticket is None:
        raise ApiError(404, "No such ticket in the token's scope.")
    return ticket


def _field_problem(name: str, detail: str) -> ApiError:
    return ApiError(422, detail, errors=[{"name": name, "pointer": f"#/{name}", "detail": detail}])


@operation(
    bp,
    "/tickets/<int:ticket_id>",
    summary="Read a ticket",
    tag="Tickets",
    permission=TICKET_AREA,
    response=s.TicketOut,
)
def ticket_read(user, ticket_id: int):
    return json_response(s.TicketOut().dump(ticket_out(ticket_or_404(user, ticket_id))))


@operation(
    bp,
    "/tickets",
    "POST",
    summary="Create a ticket",
    description="An Övrigt ticket about an account (the token's top account by default) "
    "and optionally one of its services.",
    tag="Tickets",
    permission="tickets.manage",
    body=s.TicketCreate,
    response=s.TicketOut,
    status=201,
)
def ticket_create(user, body: dict):
    account = user.scope_account
    if "account_id" in body:
        account = visible_accounts(user).where(Account.id == body["account_id"]).get_or_none()
        if account is None:
            raise _field_problem("account_id", "No such account in the token's scope.")
    service = None
    if "service_id" in body:
        service = Service.visible_to(user).where(Service.id == body["service_id"]).get_or_none()
        if service is None:
            raise _field_problem("service_id", "No such service in the token's scope.")
        account = Account.get_by_id(service.account_id)
    subject = body["subject"].strip()
    if not subject:
        raise _field_problem("subject", "Ange en rubrik.")
    ticket = ticketing.create_ticket(
        organisation=user.organisation_id,
        account=account.id,
        created_by=user.id,
        subject=subject,
        body=body["body"].strip(),
        service=service.id if service is not None else None,
    )
    return json_response(
        s.TicketOut().dump(ticket_out(ticket)),
        status=201,
        headers={"Location": url_for("api.ticket_read", ticket_id=ticket.id)},
    )


@operation(
    bp,
    "/tickets/<int:ticket_id>/messages",
    "POST",
    summary="Reply to a ticket",
    tag="Tickets",
    permission=TICKET_AREA,
    body=s.TicketReply,
    response=s.MessageOut,
    status=201,
)
def ticket_reply(user, ticket_id: int, body: dict):
    ticket = ticket_or_404(user, ticket_id)
    if not ticketing.may_manage(user, ticket):
        raise ApiError(403, "The API token may read this ticket but not answer it.")
    if ticket.status == "done":
        raise ApiError(409, "Ärendet är slutfört. Återöppna det för att svara.")
    text = body["body"].strip()
    if not text:
        raise _field_problem("body", "Skriv ett meddelande.")
    message = ticketing.add_customer_reply(ticket, body=text, user=user)
    return json_response(
        s.MessageOut().dump(
            {"id": message.id, "ticket_id": ticket.id, "created_at": message.created_at}
        ),
        status=201,
        headers={"Location": url_for("api.ticket_read", ticket_id=ticket.id)},
    )
