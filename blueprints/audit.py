"""Granskningslogg: the organisation's audit log for its administrators
(users.manage), as a list view with filters and Excel export.

An Administratör sees every entry of the organisation; a
Kontoadministratör sees what users of their own sub-tree did. The back
office's list of all entries (``blueprints/staff/audit.py``) reuses the
columns defined here.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort
from flask_babel import gettext
from flask_login import current_user
from peewee import JOIN

from tables.ops import AuditLog
from tables.org import Account, Organisation, User
from web import dialogs, excel
from web.auth import require
from web.i18n import N_, tr
from web.listcolumns import ChoiceFilter, Column, TextFilter, date_column, text_column
from web.listview import ListView

bp = Blueprint("audit", __name__, url_prefix="/audit")

# What the first part of an action code means (auth.login → Inloggning och säkerhet).
AREAS = {
    "auth": N_("Inloggning och säkerhet"),
    "user": N_("Användare"),
    "profile": N_("Min profil"),
    "company": N_("Företagsprofil"),
    "contact": N_("Kontaktpersoner"),
    "account": N_("Konton"),
    "service": N_("Tjänster"),
    "order": N_("Beställningar"),
    "invoice": N_("Fakturor"),
    "report": N_("Rapporter"),
    "ticket": N_("Ärenden"),
    "staff": N_("Administration"),
}

ACTION_LABELS = {
    "auth.login": N_("Inloggning"),
    "auth.login_failed": N_("Misslyckad inloggning"),
    "auth.logout": N_("Utloggning"),
    "auth.lockout": N_("Inloggning spärrad"),
    "auth.lockout_lifted": N_("Spärr hävd"),
    "auth.2fa_failed": N_("Fel kod i tvåstegsverifiering"),
    "auth.2fa_enabled": N_("Tvåstegsverifiering aktiverad"),
    "auth.2fa_disabled": N_("Tvåstegsverifiering ändrad"),
    "auth.2fa_reset": N_("Tvåstegsverifiering återställd"),
    "auth.recovery_codes": N_("Nya återställningskoder"),
    "auth.recovery_code_used": N_("Återställningskod använd"),
    "auth.sms_code_sent": N_("SMS-kod skickad"),
    "auth.password_changed": N_("Lösenord ändrat"),
    "auth.password_reset_requested": N_("Lösenordsåterställning begärd"),
    "auth.password_reset": N_("Lösenord återställt"),
    "auth.invite_accepted": N_("Inbjudan accepterad"),
    "auth.sessions_ended": N_("Utloggad från andra enheter"),
    "user.create": N_("Användare skapad"),
    "user.create_name_elsewhere": N_("Användarnamn upptaget i annan organisation"),
    "user.update": N_("Användare ändrad"),
    "user.permissions": N_("Behörigheter ändrade"),
    "user.invite": N_("Inbjudan skickad"),
    "user.deactivate": N_("Användare inaktiverad"),
    "user.activate": N_("Användare aktiverad"),
    "user.remove": N_("Användare borttagen"),
    "profile.update": N_("Egna uppgifter ändrade"),
    "company.profile": N_("Företagsprofil ändrad"),
    "contact.create": N_("Kontaktperson skapad"),
    "ticket.create": N_("Ärende skapat"),
    "auth.login_suspended": N_("Inloggning nekad: kunden avstängd"),
    "staff.organisation_create": N_("Kund skapad"),
    "staff.organisation_update": N_("Kunduppgifter ändrade"),
    "staff.organisation_suspend": N_("Kund avstängd"),
    "staff.organisation_reactivate": N_("Kund återaktiverad"),
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _area_condition(values):
    condition = None
    for area in values:
        part = AuditLog.action.startswith(f"{area}.")
        condition = part if condition is None else (condition | part)
    return condition


def _json_text(value: str | None) -> str:
    if not value:
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in data.items())
    return _plain(data)


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is True:
        return N_("Ja")
    if value is False:
        return N_("Nej")
    return "" if value is None else str(value)


def columns(with_organisation: bool = False) -> list[Column]:
    cols = [
        date_column("at", N_("Tid"), AuditLog.at),
    ]
    if with_organisation:
        cols.append(
            Column(
                "organisation",
                N_("Organisation"),
                sort=Organisation.name,
                filter=TextFilter(),
                filter_expr=(Organisation.name, Organisation.org_number),
                export=Organisation.name,
            )
        )
    cols += [
        text_column("actor", N_("Användare"), AuditLog.actor_label),
        Column(
            "action",
            N_("Händelse"),
            sort=AuditLog.action,
            filter=ChoiceFilter(AREAS, condition=_area_condition),
            export=AuditLog.action,
            export_format=excel.labels(ACTION_LABELS),  # in the reader's language
        ),
        Column(
            "summary",
            N_("Beskrivning"),
            sort=AuditLog.summary,
            filter=TextFilter(),
            filter_expr=(AuditLog.summary, AuditLog.action, AuditLog.object_id),
            export=AuditLog.summary,
        ),
        Column("object", N_("Objekt"), export=AuditLog.object_type, show=False),
        Column("object_id", N_("Objekt-id"), export=AuditLog.object_id, show=False),
        Column("before", N_("Före"), export=AuditLog.before, export_format=_json_text, show=False),
        Column("after", N_("Efter"), export=AuditLog.after, export_format=_json_text, show=False),
        text_column("ip", N_("IP-adress"), AuditLog.ip),
        Column("details", ""),
    ]
    return cols


def customer_entries(user):
    """The entries ``user`` (users.manage) may read."""
    query = AuditLog.select().where(AuditLog.organisation == user.organisation_id)
    if not user.is_admin:
        actors = (
            User.select(User.id)
            .join(Account, on=(User.scope_account == Account.id))
            .where(
                (User.organisation == user.organisation_id)
                & Account.under_path(user.scope_account.path)
            )
        )
        query = query.where(AuditLog.actor_user.in_(actors))
    return query


AUDIT_LIST = ListView(
    name="audit",
    model=AuditLog,
    query=customer_entries,
    row_template="partials/audit/_rows.html",
    default_sort=("at", "desc"),
    export_title=N_("Granskningslogg"),
    columns=columns(),
    bulk_actions=[],
    essential=("at", "actor", "summary", "details"),  # a phone's card
)


def all_entries(user):
    return AuditLog.select(AuditLog, Organisation).join(
        Organisation, JOIN.LEFT_OUTER, on=(AuditLog.organisation == Organisation.id)
    )


@bp.app_template_filter("audit_action")
def audit_action_filter(action: str) -> str:
    return tr(action_label(action))


@bp.app_template_filter("audit_json")
def audit_json_filter(value: str | None):
    """Before/after JSON as (key, value) pairs for a table."""
    if not value:
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return [("", value)]
    if isinstance(data, dict):
        return [(k, _shown(v)) for k, v in data.items()]
    return [("", _shown(data))]


def _shown(value) -> str:
    """A value as the dialog shows it: Ja/Nej in the page's language, data as stored."""
    return tr(_plain(value)) if isinstance(value, bool) else _plain(value)


@bp.route("")
@require("users.manage")
def index():
    return AUDIT_LIST.respond(current_user, "audit/list.html", detail_endpoint="audit.detail")


@bp.route("/<int:entry_id>")
@require("users.manage")
def detail(entry_id):
    entry = customer_entries(current_user).where(AuditLog.id == entry_id).first()
    if entry is None:
        abort(404)
    return show_entry(entry, "audit.index")


def show_entry(entry, back_endpoint: str):
    from flask import url_for

    return dialogs.show(
        "partials/audit/_detail.html",
        url_for(back_endpoint),
        entry=entry,
        dialog_title=gettext("Händelse i granskningsloggen"),
    )
