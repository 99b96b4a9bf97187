"""Ärenden over the API: the list (the Ärenden list's filters and sorts,
blueprints/tickets/listing.py), read one, create one (category Övrigt, as the
portal's "Skapa ärende" with tickets.manage) and reply, through
domain/tickets.py as the portal does."""

from __future__ import annotations

import base64
import binascii

from flask import url_for

from blueprints.api import bp
from blueprints.api import schemas as s
from blueprints.tickets.listing import TICKET_LIST
from domain import attachments as files
from domain import tickets as ticketing
from permissions import TICKET_AREA
from tables.org import Account
from tables.scope import visible_accounts
from tables.services import Service
from tables.tickets import Ticket
from web.api.listing import filter_params, in_order, list_ids, paging_params
from web.api.operations import json_response, operation, page_response
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


def _checked_files(body: dict) -> list:
    """The body's attachments checked by the portal's rules, or a 422 naming
    the file (``attachments/0/content_base64``)."""
    checked = []
    limit = files.max_bytes()
    for i, item in enumerate(body.get("attachments") or ()):
        name = f"attachments/{i}/content_base64"
        text = item["content_base64"]
        if len(text) > (limit // 3 + 2) * 4 + 8:  # longer than the limit in base64: not decoded
            data = b"x" * (limit + 1)
        else:
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise _field_problem(name, "Not valid base64.") from None
        try:
            checked.append(files.check(item["filename"], data))
        except files.AttachmentRejected as error:
            raise _field_problem(name, str(error)) from None
    return checked


def _field_problem(name: str, detail: str) -> ApiError:
    return ApiError(422, detail, errors=[{"name": name, "pointer": f"#/{name}", "detail": detail}])


SORTS = ("number", "created", "status")
LIST_FIELDS = (
    *(Ticket.id, Ticket.number, Ticket.subject, Ticket.status),
    *(Ticket.account, Ticket.service, Ticket.created_at),
)


@operation(
    bp,
    "/tickets",
    summary="List tickets",
    description="The Ärenden list: the tickets in the token's scope (drafts are never "
    "listed), with the list's filters (`f_status`, `f_category`, `f_number` …) and sorts.",
    tag="Tickets",
    permission=TICKET_AREA,
    response=s.TicketPage,
    paged=True,
    query=[*paging_params(SORTS, "created"), *filter_params(TICKET_LIST)],
)
def tickets_list(user):
    sent = (Ticket.status != "draft") & user.narrowed(Ticket)
    ids, cursor = list_ids(TICKET_LIST, user, SORTS, extra=sent)
    rows = in_order(Ticket.select(*LIST_FIELDS).where(Ticket.id.in_(ids)), ids)
    return page_response(s.TicketOut(many=True).dump([ticket_out(t) for t in rows]), cursor)


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
    "and optionally one of its services. `attachments`: files as base64 in the JSON body, "
    "checked by the portal's rules (types by content and extension, ATTACHMENT_MAX_MB each, "
    f"at most {files.MAX_FILES}); a refused file is a 422 naming it.",
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
    checked = _checked_files(body)
    with files.staged(checked) as stored:
        ticket = ticketing.create_ticket(
            organisation=user.organisation_id,
            account=account.id,
            created_by=user.id,
            subject=subject,
            body=body["body"].strip(),
            service=service.id if service is not None else None,
            attachments=stored,
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
    checked = _checked_files(body)
    with files.staged(checked) as stored:
        message = ticketing.add_customer_reply(ticket, body=text, user=user, attachments=stored)
    return json_response(
        s.MessageOut().dump(
            {"id": message.id, "ticket_id": ticket.id, "created_at": message.created_at}
        ),
        status=201,
        headers={"Location": url_for("api.ticket_read", ticket_id=ticket.id)},
    )
