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
from flask_login import current_user
from peewee import JOIN

from tables.ops import AuditLog
from tables.org import Account, Organisation, User
from web import dialogs
from web.auth import require
from web.listcolumns import ChoiceFilter, Column, TextFilter, date_column, text_column
from web.listview import ListView

bp = Blueprint("audit", __name__, url_prefix="/audit")

# What the first part of an action code means (auth.login → Inloggning och säkerhet).
AREAS = {
    "auth": "Inloggning och säkerhet",
    "user": "Användare",
    "profile": "Min profil",
    "company": "Företagsprofil",
    "contact": "Kontaktpersoner",
    "account": "Konton",
    "service": "Tjänster",
    "order": "Beställningar",
    "invoice": "Fakturor",
    "report": "Rapporter",
    "ticket": "Ärenden",
    "staff": "Administration",
}

ACTION_LABELS = {
    "auth.login": "Inloggning",
    "auth.login_failed": "Misslyckad inloggning",
    "auth.logout": "Utloggning",
    "auth.lockout": "Inloggning spärrad",
    "auth.lockout_lifted": "Spärr hävd",
    "auth.2fa_failed": "Fel kod i tvåstegsverifiering",
    "auth.2fa_enabled": "Tvåstegsverifiering aktiverad",
    "auth.2fa_disabled": "Tvåstegsverifiering ändrad",
    "auth.2fa_reset": "Tvåstegsverifiering återställd",
    "auth.recovery_codes": "Nya återställningskoder",
    "auth.recovery_code_used": "Återställningskod använd",
    "auth.sms_code_sent": "SMS-kod skickad",
    "auth.password_changed": "Lösenord ändrat",
    "auth.password_reset_requested": "Lösenordsåterställning begärd",
    "auth.password_reset": "Lösenord återställt",
    "auth.invite_accepted": "Inbjudan accepterad",
    "auth.sessions_ended": "Utloggad från andra enheter",
    "user.create": "Användare skapad",
    "user.create_name_elsewhere": "Användarnamn upptaget i annan organisation",
    "user.update": "Användare ändrad",
    "user.permissions": "Behörigheter ändrade",
    "user.invite": "Inbjudan skickad",
    "user.deactivate": "Användare inaktiverad",
    "user.activate": "Användare aktiverad",
    "user.remove": "Användare borttagen",
    "profile.update": "Egna uppgifter ändrade",
    "company.profile": "Företagsprofil ändrad",
    "contact.create": "Kontaktperson skapad",
    "ticket.create": "Ärende skapat",
    "auth.login_suspended": "Inloggning nekad: kunden avstängd",
    "staff.organisation_create": "Kund skapad",
    "staff.organisation_update": "Kunduppgifter ändrade",
    "staff.organisation_suspend": "Kund avstängd",
    "staff.organisation_reactivate": "Kund återaktiverad",
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
        return "Ja"
    if value is False:
        return "Nej"
    return "" if value is None else str(value)


def columns(with_organisation: bool = False) -> list[Column]:
    cols = [
        date_column("at", "Tid", AuditLog.at),
    ]
    if with_organisation:
        cols.append(
            Column(
                "organisation",
                "Organisation",
                sort=Organisation.name,
                filter=TextFilter(),
                filter_expr=(Organisation.name, Organisation.org_number),
                export=Organisation.name,
            )
        )
    cols += [
        text_column("actor", "Användare", AuditLog.actor_label),
        Column(
            "action",
            "Händelse",
            sort=AuditLog.action,
            filter=ChoiceFilter(AREAS, condition=_area_condition),
            export=AuditLog.action,
            export_format=action_label,
        ),
        Column(
            "summary",
            "Beskrivning",
            sort=AuditLog.summary,
            filter=TextFilter(),
            filter_expr=(AuditLog.summary, AuditLog.action, AuditLog.object_id),
            export=AuditLog.summary,
        ),
        Column("object", "Objekt", export=AuditLog.object_type, show=False),
        Column("object_id", "Objekt-id", export=AuditLog.object_id, show=False),
        Column("before", "Före", export=AuditLog.before, export_format=_json_text, show=False),
        Column("after", "Efter", export=AuditLog.after, export_format=_json_text, show=False),
        text_column("ip", "IP-adress", AuditLog.ip),
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
    export_title="Granskningslogg",
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
    return action_label(action)


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
        return [(k, _plain(v)) for k, v in data.items()]
    return [("", _plain(data))]


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
        dialog_title="Händelse i granskningsloggen",
    )
