"""Nytt ärende by staff (issue 17 item 8): a ticket created for a customer,
on behalf of one of its portal users (the creator), who gets the receipt
e-mail as if they had written it (domain.tickets.create_ticket). An internal
note says who at the operator wrote it; the creation is audited with the
staff member as actor in the customer's Granskningslogg.

Two steps on one URL: without ``?organisation=`` the customer is chosen,
with it the ticket itself.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from blueprints.staff import bp
from blueprints.tickets import PRIORITY_CHOICES, strip
from database import write_tx
from domain import tickets as ticketing
from domain.numbers import normalise_phone
from tables.org import Organisation, User
from tables.services import Service
from tables.tickets import TICKET_CATEGORIES, TicketMessage
from web.auth import parse_id, staff_required
from web.forms import FlaskForm, select_choices

CATEGORIES = {k: v for k, v in TICKET_CATEGORIES.items() if k != "request"}
MADE_KEY = "staff_tickets_made"  # the session's {form token: ticket id}, the last few
MADE_KEPT = 20


class StaffTicketForm(FlaskForm):
    # One per form shown: a second submit of the same form (a double click,
    # the browser's resend) finds its ticket made and creates no other.
    once = HiddenField()
    creator = SelectField(
        _l("För användare"), validators=[InputRequired(_l("Välj användaren ärendet gäller."))]
    )
    category = SelectField(
        _l("Ärendet avser"),
        choices=select_choices((key, _l(label)) for key, label in CATEGORIES.items()),
        default="support",
        validators=[InputRequired(_l("Välj vad ärendet avser."))],
    )
    priority = SelectField(
        _l("Prioritet"),
        choices=select_choices((key, _l(label)) for key, label in PRIORITY_CHOICES.items()),
        default="3",
    )
    service = StringField(_l("Tjänst som ärendet gäller"), filters=[strip])
    subject = StringField(
        _l("Rubrik"),
        filters=[strip],
        validators=[
            DataRequired(_l("Ange en rubrik.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    body = TextAreaField(
        _l("Meddelande"),
        filters=[strip],
        validators=[
            DataRequired(_l("Skriv ett meddelande.")),
            Length(max=20000, message=_l("Högst 20 000 tecken.")),
        ],
    )

    def setup(self, org: Organisation):
        users = (
            User.select()
            .where((User.organisation == org.id) & User.active & User.removed_at.is_null())
            .order_by(User.name)
        )
        self._users = {str(u.id): u for u in users}
        self.creator.choices = select_choices(
            [("", _("Välj användare"))]
            + [(k, f"{u.name} ({u.username})") for k, u in self._users.items()]
        )

    def validate_creator(self, field):
        if field.data not in self._users:
            field.errors.append(_("Välj en av kundens användare."))

    def chosen_service(self, org) -> Service | None:
        """The service by number within the organisation; an error when not found."""
        text = self.service.data
        if not text:
            return None
        numbers = {text, normalise_phone(text) or text}
        found = (
            Service.select()
            .where((Service.organisation == org.id) & Service.number.in_(list(numbers)))
            .first()
        )
        if found is None:
            self.service.errors = [
                *self.service.errors,
                _("Kunden har ingen tjänst med det numret."),
            ]
        return found


def _organisation_arg() -> Organisation | None:
    org_id = parse_id(request.args.get("organisation"))
    return Organisation.get_or_none(Organisation.id == org_id) if org_id else None


@bp.route("/tickets/new", methods=["GET", "POST"])
@staff_required("support")
def tickets_new():
    org = _organisation_arg()
    if org is None:
        return render_template(
            "staff/tickets/new.html",
            org=None,
            organisations=Organisation.select().order_by(Organisation.name),
            unknown=bool(request.args.get("organisation")),
        )
    form = StaffTicketForm()
    form.setup(org)
    if not form.once.data:
        form.once.data = secrets.token_urlsafe(16)
    if request.method == "POST":
        made = session.get(MADE_KEY, {}).get(form.once.data)
        if made is not None:
            flash(_("Ärendet är redan skapat."), "info")
            return redirect(url_for("staff.tickets_detail", ticket_id=made), code=303)
        valid = form.validate_on_submit()
        service = form.chosen_service(org)
        if valid and not form.service.errors:
            ticket = _create(org, form, service)
            remembered = list(session.get(MADE_KEY, {}).items())[-(MADE_KEPT - 1) :]
            session[MADE_KEY] = {**dict(remembered), form.once.data: ticket.id}
            flash(
                _(
                    "Ärende %(number)s är skapat för %(name)s, "
                    "som har fått en bekräftelse per e-post.",
                    number=ticket.number,
                    name=ticket.created_by.name,
                ),
                "success",
            )
            return redirect(url_for("staff.tickets_detail", ticket_id=ticket.id), code=303)
    return render_template("staff/tickets/new.html", org=org, form=form)


def _create(org, form: StaffTicketForm, service):
    creator = form._users[form.creator.data]
    account = service.account_id if service else creator.scope_account_id
    with write_tx():
        ticket = ticketing.create_ticket(
            organisation=org.id,
            account=account,
            created_by=creator,
            subject=form.subject.data,
            body=form.body.data,
            category=form.category.data,
            priority=int(form.priority.data),
            service=service,
        )
        TicketMessage.create(
            ticket=ticket,
            author_staff=current_user.id,
            body=f"Ärendet skapades av {current_user.name} hos operatören för "
            f"{creator.name}s räkning.",
            internal=True,
        )
    return ticket
