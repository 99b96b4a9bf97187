"""Företagsprofil (SPEC §1, Tele2 "Mitt konto > Företagsprofil"), for users.manage:
e-mail notifications on/off, the default delivery address for SIM cards and
hardware, and "require two-factor authentication for all users".

The settings are organisation-wide, so only Administratörer (top account)
change them; Kontoadministratörer see them. Ordergodkännare (ORD-4, Tele2
"Välj ordergodkännare"): a chain of up to five per product area, kept by
Superusers only, each change an in-place dialog (a page of its own without
JavaScript); the rules are in domain/orders/approvals.py.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from database import utcnow, write_tx
from domain import api_tokens, audit, twofactor
from domain.numbers import format_postcode, normalise_postcode
from domain.orders import approvals
from permissions import PERMISSION_LABELS
from tables.orders import PRODUCT_AREAS
from tables.org import Account, ApiToken, CompanyProfile, User
from tables.scope import visible_accounts
from web import dialogs
from web.auth import parse_id, require
from web.forms import FlaskForm, select_choices
from web.htmx import render
from web.i18n import error_text, tr

bp = Blueprint("company", __name__, url_prefix="/company")

FIELDS = (
    "notify_email",
    "require_2fa",
    "delivery_name",
    "delivery_attention",
    "delivery_street",
    "delivery_postcode",
    "delivery_city",
)


class CompanyProfileForm(FlaskForm):
    notify_email = BooleanField(
        _l("Skicka e-post när status ändras på beställningar, ändringar och ärenden")
    )
    require_2fa = BooleanField(_l("Kräv tvåstegsverifiering för alla användare"))
    delivery_name = StringField(_l("Namn / företag"), validators=[Length(max=200)])
    delivery_attention = StringField(_l("Att."), validators=[Length(max=200)])
    delivery_street = StringField(_l("Gatuadress"), validators=[Length(max=200)])
    delivery_postcode = StringField(_l("Postnummer"), validators=[Length(max=10)])
    delivery_city = StringField(_l("Ort"), validators=[Length(max=100)])


@bp.route("", methods=["GET", "POST"])
@require("users.manage")
def profile():
    org = current_user.organisation
    company = org.profile()
    may_edit = current_user.is_admin
    if request.method == "POST" and not may_edit:
        abort(403)
    form = CompanyProfileForm(obj=company)
    if may_edit and form.validate_on_submit():
        postcode = (form.delivery_postcode.data or "").strip()
        normalised = normalise_postcode(postcode) if postcode else ""
        if normalised is None:
            form.delivery_postcode.errors = [_("Ange fem siffror, t.ex. 903 04.")]
        else:
            after = {
                "notify_email": form.notify_email.data,
                "require_2fa": form.require_2fa.data,
                "delivery_name": form.delivery_name.data.strip(),
                "delivery_attention": form.delivery_attention.data.strip(),
                "delivery_street": form.delivery_street.data.strip(),
                "delivery_postcode": normalised,
                "delivery_city": form.delivery_city.data.strip(),
            }
            before = {name: getattr(company, name) for name in FIELDS}
            changed = {k: v for k, v in after.items() if before[k] != v}
            with write_tx():
                if company.id is None:
                    company = CompanyProfile.create(organisation=org.id, **after)
                else:
                    CompanyProfile.update(after).where(CompanyProfile.id == company.id).execute()
                if changed:
                    audit.record(
                        "company.profile",
                        company,
                        summary="Företagsprofilen ändrad",
                        before={k: before[k] for k in changed},
                        after=changed,
                        organisation=org.id,
                    )
            flash(_("Företagsprofilen är sparad."), "success")
            return redirect(url_for("company.profile"), code=303)
    without = (
        User.select()
        .where(
            (User.organisation == org.id)
            & User.active
            & User.removed_at.is_null()
            & ~User.totp_enabled
            & ~User.sms_2fa_enabled
        )
        .count()
    )
    return render_template(
        "company/profile.html",
        form=form,
        may_edit=may_edit,
        org=org,
        without_2fa=without,
        own_2fa=twofactor.has_2fa(current_user),
        postcode=format_postcode(company.delivery_postcode or ""),
        **approver_context(org),
    )


# --------------------------------------------------------------------------- Ordergodkännare

APPROVER_DIALOGS = "partials/company/dialogs/"


class ApproverForm(FlaskForm):
    user = SelectField(_l("Ordergodkännare"), validate_choice=False)


def approver_context(org) -> dict:
    return {
        "chains": approvals.chains(org.id),
        "areas": PRODUCT_AREAS,
        "max_approvers": approvals.MAX_APPROVERS,
        "manages_chain": approvals.manages_chain(current_user),
    }


def approvers_url() -> str:
    return url_for("company.profile") + "#approvers"


def chain_manager(area: str):
    """Only Superusers change the chain (a refusal dialog for others); an
    unknown area is not found."""
    if area not in PRODUCT_AREAS:
        abort(404)
    if not approvals.manages_chain(current_user):
        response = dialogs.show(
            APPROVER_DIALOGS + "_refused.html",
            approvers_url(),
            message=_("Bara en Superuser kan ändra ordergodkännare."),
            dialog_title=_("Ordergodkännare"),
        )
        response.status_code = 403
        return response
    return None


def approver_dialog(name: str, area: str, **context):
    return dialogs.show(
        f"{APPROVER_DIALOGS}_{name}.html",
        approvers_url(),
        area=area,
        area_label=PRODUCT_AREAS[area],
        **context,
    )


def approver_choices(form, area: str, position: int | None = None) -> None:
    taken = {
        e.user_id
        for e in approvals.chain(current_user.organisation_id, area)
        if e.position != position
    }
    users = [
        u for u in approvals.eligible_approvers(current_user.organisation_id) if u.id not in taken
    ]
    form.user.choices = select_choices(
        [("", _("Välj ordergodkännare..."))] + [(str(u.id), f"{u.name} ({u.email})") for u in users]
    )
    return users


def approver_done(message: str):
    return dialogs.done(approvers_url(), message, approversChanged=True)


@bp.route("/approvers")
@require("users.manage")
def approvers():
    """The Ordergodkännare section (refreshed after each dialog)."""
    org = current_user.organisation
    return render("company/approvers.html", "partials/company/_approvers.html",
                  org=org, **approver_context(org))  # fmt: skip


@bp.route("/approvers/<area>/add", methods=["GET", "POST"])
@require("users.manage")
def approver_add(area: str):
    refused = chain_manager(area)
    if refused:
        return refused
    form = ApproverForm()
    users = approver_choices(form, area)
    if form.validate_on_submit():
        try:
            entry = approvals.add_approver(current_user, area, parse_id(form.user.data))
        except approvals.ApprovalError as error:
            form.user.errors = [error_text(error)]
        else:
            return approver_done(
                _(
                    "%(name)s är ordergodkännare %(position)s för %(area)s.",
                    name=entry.user.name,
                    position=entry.position,
                    area=tr(PRODUCT_AREAS[area]),
                )
            )
    title = _("Lägg till ordergodkännare – %(area)s", area=tr(PRODUCT_AREAS[area]))
    return approver_dialog("add", area, form=form, users=users, dialog_title=title)


@bp.route("/approvers/<area>/<int:position>/change", methods=["GET", "POST"])
@require("users.manage")
def approver_change(area: str, position: int):
    refused = chain_manager(area)
    if refused:
        return refused
    entry = next(
        (e for e in approvals.chain(current_user.organisation_id, area) if e.position == position),
        None,
    )
    if entry is None:
        abort(404)
    form = ApproverForm(data={"user": str(entry.user_id)})
    users = approver_choices(form, area, position)
    if form.validate_on_submit():
        try:
            changed = approvals.change_approver(
                current_user, area, position, parse_id(form.user.data)
            )
        except approvals.ApprovalError as error:
            form.user.errors = [error_text(error)]
        else:
            return approver_done(
                _(
                    "%(name)s är ordergodkännare %(position)s för %(area)s.",
                    name=changed.user.name,
                    position=position,
                    area=tr(PRODUCT_AREAS[area]),
                )
            )
    title = _(
        "Ändra ordergodkännare %(position)s – %(area)s",
        position=position,
        area=tr(PRODUCT_AREAS[area]),
    )
    return approver_dialog("change", area, form=form, users=users, entry=entry, dialog_title=title)


@bp.route("/approvers/<area>/<int:position>/remove", methods=["GET", "POST"])
@require("users.manage")
def approver_remove(area: str, position: int):
    refused = chain_manager(area)
    if refused:
        return refused
    entries = approvals.chain(current_user.organisation_id, area)
    entry = next((e for e in entries if e.position == position), None)
    if entry is None:
        abort(404)
    error = None
    if request.method == "POST":
        form = FlaskForm()
        if form.validate_on_submit():
            try:
                name = approvals.remove_approver(current_user, area, position)
            except approvals.ApprovalError as refusal:
                error = error_text(refusal)
            else:
                return approver_done(
                    _(
                        "%(name)s är inte längre ordergodkännare för %(area)s.",
                        name=name,
                        area=tr(PRODUCT_AREAS[area]),
                    )
                )
    elif entry is not entries[-1]:
        error = _("Bara den sista ordergodkännaren i listan kan tas bort.")
    title = _("Ta bort ordergodkännare – %(area)s", area=tr(PRODUCT_AREAS[area]))
    return approver_dialog("remove", area, entry=entry, error=error, dialog_title=title)


# --------------------------------------------------------------------------- API-nycklar


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Ange ett namn.")),
            Length(max=api_tokens.MAX_NAME, message=_l("Högst 100 tecken.")),
        ],
    )
    permissions = SelectMultipleField(_l("Behörigheter"), choices=[], validate_choice=False)
    account = StringField(
        _l("Begränsa till konto (kundnummer)"), validators=[Optional(), Length(max=20)]
    )
    expires_on = DateField(_l("Giltig till och med"), validators=[Optional()], format="%Y-%m-%d")


def visible_tokens(user):
    """The tokens a users.manage user sees: all of the organisation's for an
    Administratör, for a Kontoadministratör their own and those limited to
    an account of their sub-tree."""
    query = api_tokens.tokens_of(user.organisation_id)
    if not user.is_admin:
        query = query.where(
            (ApiToken.user == user.id) | Account.path.startswith(user.scope_account.path)
        )
    return query


def _check_token_form(form) -> Account | None:
    """The chosen account, with errors put next to the fields."""
    held = {key for key, _ in api_tokens.grantable(current_user)}
    chosen = set(form.permissions.data or [])
    if not chosen:
        form.permissions.errors = [_("Välj minst en behörighet.")]
    elif not chosen <= held:
        form.permissions.errors = [_("Du kan bara ge behörigheter som du själv har.")]
    account = None
    number = (form.account.data or "").strip()
    if number:
        account = (
            visible_accounts(current_user).where(Account.customer_number == number).get_or_none()
        )
        if account is None:
            form.account.errors = [_("Kontot finns inte bland dina konton.")]
    if form.expires_on.data is not None and form.expires_on.data < dt.date.today():
        form.expires_on.errors = [_("Ange ett datum från och med i dag.")]
    return account


@bp.route("/api", methods=["GET", "POST"])
@require("users.manage")
def api_tokens_page():
    """API-nycklar: the organisation's tokens and a form for a new one."""
    form = ApiTokenForm()
    form.permissions.choices = select_choices(api_tokens.grantable(current_user))
    if request.method == "GET":
        form.expires_on.data = dt.date.today() + dt.timedelta(days=365)
    secret = created = None
    if form.validate_on_submit():
        account = _check_token_form(form)
        if not (form.permissions.errors or form.account.errors or form.expires_on.errors):
            with write_tx():
                created, secret = api_tokens.create(
                    current_user,
                    form.name.data,
                    form.permissions.data,
                    account,
                    form.expires_on.data,
                )
            form = ApiTokenForm(formdata=None)
            form.permissions.choices = select_choices(api_tokens.grantable(current_user))
            form.expires_on.data = dt.date.today() + dt.timedelta(days=365)
    return render_template(
        "company/api.html",
        form=form,
        tokens=list(visible_tokens(current_user)),
        secret=secret,
        created=created,
        grantable=api_tokens.grantable(current_user),
        last_day=api_tokens.last_day,
        labels=PERMISSION_LABELS,
        now=utcnow(),
    )


@bp.route("/api/<int:token_id>/revoke", methods=["POST"])
@require("users.manage")
def api_token_revoke(token_id: int):
    token = visible_tokens(current_user).where(ApiToken.id == token_id).get_or_none()
    if token is None:
        abort(404)
    with write_tx():
        done = api_tokens.revoke(token)
    if done:
        flash(_("API-nyckeln %(name)s är återkallad.", name=token.name), "success")
    return redirect(url_for("company.api_tokens_page"), code=303)
