"""Tekniska meddelanden (/staff/notices, issue 17 item 5): staff write a
technical notice and send it to the contact persons who ticked *Tekniska
meddelanden* (domain/notifications.py).

* Audience: all organisations or chosen ones, optionally only contacts
  whose account (or one below it) has running services of chosen kinds.
* The number of recipients is previewed as the audience is chosen (htmx
  posts the form to ``notices_preview`` on every change; without
  JavaScript the Förhandsgranska button does the same).
* Skicka saves the notice and queues its mail in one transaction, audited.
  The form carries a one-time token made when it was shown: a second submit
  (double click, reload, a second tab with the same form) finds the notice
  with that token already sent and sends nothing.
"""

from __future__ import annotations

import json
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.staff import bp
from database import write_tx
from domain import audit, notifications
from tables.ops import TechnicalNotice
from tables.org import Organisation, StaffUser
from tables.services import SERVICE_KINDS
from web.auth import staff_required
from web.forms import FlaskForm, select_choices
from web.htmx import is_htmx
from web.i18n import N_
from web.listcolumns import Column, date_column, number_column, text_column
from web.listview import ListView


def addresses(count: int) -> str:
    return f"{count} e-postadress" if count == 1 else f"{count} e-postadresser"


AUDIENCES = [("all", _l("Alla organisationer")), ("chosen", _l("Valda organisationer"))]


class NoticeForm(FlaskForm):
    subject = StringField(
        _l("Rubrik"),
        validators=[
            InputRequired(_l("Skriv en rubrik.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    body = TextAreaField(
        _l("Meddelande"),
        validators=[
            InputRequired(_l("Skriv meddelandet.")),
            Length(max=10000, message=_l("Högst 10 000 tecken.")),
        ],
    )
    audience = RadioField(_l("Mottagare"), choices=select_choices(AUDIENCES), default="all")
    organisations = SelectMultipleField(
        _l("Organisationer"),
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    kinds = SelectMultipleField(
        _l("Endast kontaktpersoner med tjänster av typen"),
        choices=select_choices((key, _l(label)) for key, label in SERVICE_KINDS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations.choices = [
            (o.id, o.name)
            for o in Organisation.select(Organisation.id, Organisation.name)
            .where(Organisation.active)
            .order_by(Organisation.name)
        ]
        if not self.is_submitted():  # a new form: its one-time token
            self.token.data = secrets.token_urlsafe(16)

    def validate_organisations(self, field):
        if self.audience.data == "chosen" and not field.data:
            raise ValidationError(_("Välj minst en organisation."))

    def validate_token(self, field):
        if not field.data or len(field.data) > 64:
            field.data = secrets.token_urlsafe(16)  # the form shown again works
            raise ValidationError(_("Formuläret hade gått ut. Kontrollera och skicka igen."))

    def chosen(self) -> tuple[list[int] | None, list[str]]:
        """(organisation ids or None for all, service kinds)."""
        organisations = (
            list(self.organisations.data or []) if self.audience.data == "chosen" else None
        )
        return organisations, list(self.kinds.data or [])

    def audience_label(self) -> str:
        organisations, kinds = self.chosen()
        if organisations is None:
            who = "Alla organisationer"
        else:
            names = dict(self.organisations.choices)
            who = ", ".join(names[i] for i in organisations if i in names)
        if kinds:
            who += " – tjänster: " + ", ".join(SERVICE_KINDS[k] for k in kinds)
        return who


def _preview(form: NoticeForm) -> dict:
    """What the audience comes to: addresses, contacts and organisations."""
    organisations, kinds = form.chosen()
    recipients = notifications.notice_recipients(organisations, kinds)
    contacts = [c for r in recipients for c in r.contacts]
    return {
        "addresses": len(recipients),
        "contacts": len(contacts),
        "organisations": len({c.organisation_id for c in contacts}),
    }


def notices_query(user):
    return TechnicalNotice.select(TechnicalNotice, StaffUser).join(
        StaffUser, on=(TechnicalNotice.created_by == StaffUser.id), join_type=JOIN.LEFT_OUTER
    )


NOTICE_LIST = ListView(
    name="notices",
    model=TechnicalNotice,
    query=notices_query,
    row_template="partials/staff/_notices_rows.html",
    default_sort=("created", "desc"),
    export_title="Tekniska meddelanden",
    empty_text=N_("Inga meddelanden har skickats"),
    bulk_actions=[],
    columns=[
        date_column("created", N_("Skickat"), TechnicalNotice.created_at),
        text_column("subject", N_("Rubrik"), TechnicalNotice.subject),
        text_column("audience", N_("Mottagare"), TechnicalNotice.audience_label),
        number_column("recipients", N_("E-postadresser"), TechnicalNotice.recipients),
        Column("staff", N_("Av")),
    ],
    essential=("created", "subject", "recipients"),
)


@bp.route("/notices", methods=["GET", "POST"], endpoint="notices")
@staff_required("support")
def notices():
    form = NoticeForm()
    preview = None
    if request.method == "GET":
        preview = _preview(form)  # the default audience: everyone
    elif form.validate_on_submit():
        if request.form.get("action") == "send":
            return _send(form)
        preview = _preview(form)
    return NOTICE_LIST.respond(current_user, "staff/notices.html", form=form, preview=preview)


@bp.post("/notices/preview")
@staff_required("support")
def notices_preview():
    """The recipients' count for the audience chosen so far (htmx, on change)."""
    form = NoticeForm()
    form.validate()  # only the audience matters here; its errors are shown on send
    preview = None if form.organisations.errors else _preview(form)
    html = render_template("partials/staff/_notice_preview.html", preview=preview, form=form)
    return html, 200, {"Vary": "HX-Request"}


def _send(form: NoticeForm):
    organisations, kinds = form.chosen()
    with write_tx():
        existing = TechnicalNotice.get_or_none(TechnicalNotice.token == form.token.data)
        if existing is None:
            notice = TechnicalNotice.create(
                subject=form.subject.data.strip(),
                body=form.body.data.strip(),
                audience=json.dumps({"organisations": organisations or "all", "kinds": kinds}),
                audience_label=form.audience_label(),
                token=form.token.data,
                created_by=current_user.id,
            )
            count = notifications.send_notice(notice, organisations, kinds)
            audit.record(
                "notice.send",
                notice,
                summary=f"Tekniskt meddelande ”{notice.subject}” skickat till "
                f"{addresses(count)} ({notice.audience_label})",
                after={"subject": notice.subject, "audience": notice.audience, "sent": count},
                organisation=audit.STAFF_ONLY,
            )
    if existing is not None:
        flash(
            _(
                "Meddelandet ”%(subject)s” är redan skickat och skickades inte igen.",
                subject=existing.subject,
            ),
            "info",
        )
    else:
        flash(
            _("Meddelandet skickades till %(count)s e-postadress.", count=count)
            if count == 1
            else _("Meddelandet skickades till %(count)s e-postadresser.", count=count),
            "success",
        )
    target = url_for("staff.notices")
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)
