"""Logga in med Microsoft (AUTH-6): the login page's second way in and the
organisation's settings in Företagsinställningar (users.manage, administrators).

``/login/microsoft`` takes the e-mail address typed on the login page; when
its domain belongs to an organisation with an identity provider the browser
goes there (authorization code flow with PKCE, state and nonce kept in the
session), else the login page says so. ``/login/microsoft/callback`` finishes
through ``domain.oidc`` and signs in the same way as a password does
(``web.signin.begin``: 2FA rules included), except that the provider's MFA
counts as the second factor when the organisation says so.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from blueprints.auth import LoginForm
from database import write_tx
from domain import oidc
from web.auth import public, require, safe_next
from web.forms import FlaskForm
from web.i18n import N_, error_text, tr
from web.requestcontext import client_ip
from web.signin import CUSTOMER, begin, complete_login

bp = Blueprint("oidc", __name__)

SESSION_KEY = "oidc"


class MicrosoftForm(FlaskForm):
    email = StringField(
        _l("E-postadress"),
        validators=[
            DataRequired(_l("Ange din e-postadress.")),
            Email(_l("Ange en giltig e-postadress.")),
            Length(max=254),
        ],
    )


class ProviderForm(FlaskForm):
    issuer = StringField(
        _l("Utfärdare (issuer URL)"),
        validators=[
            Optional(),
            URL(require_tld=False, message=_l("Ange en URL.")),
            Length(max=300),
        ],
    )
    client_id = StringField(_l("Klient-id"), validators=[Length(max=200)])
    client_secret = PasswordField(_l("Klienthemlighet"), validators=[Length(max=500)])
    domains = TextAreaField(_l("Tillåtna e-postdomäner"), validators=[Length(max=1000)])
    create_users = BooleanField(_l("Skapa användare vid första inloggningen"))
    role = SelectField(_l("Roll för nya användare"), coerce=str, validate_choice=False)
    mfa_satisfies = BooleanField(_l("Microsofts MFA uppfyller kravet på tvåfaktorsautentisering"))


@bp.app_context_processor
def _microsoft_offered():
    """``microsoft_offered()`` for the login page (asked only there)."""
    return {"microsoft_offered": oidc.any_configured}


def callback_url() -> str:
    return url_for("oidc.callback", _external=True)


def _login_page(ms_form: MicrosoftForm, error: str | None = None, status: int = 200):
    form = LoginForm()
    return render_template(
        "auth/login.html",
        form=form,
        ms_form=ms_form,
        ms_error=tr(error),
        error=None,
        heading=N_("Logga in på ditt konto"),
        realm=CUSTOMER,
    ), status


@bp.post("/login/microsoft")
@public
def start():
    ms_form = MicrosoftForm()
    if not ms_form.validate_on_submit():
        return _login_page(ms_form, status=400)
    wait = oidc.throttled(client_ip())
    if wait:
        return _login_page(ms_form, wait, status=429)
    org = oidc.provider_for_email(ms_form.email.data)
    if org is None:
        # Counted: trying address after address finds which domains have a provider.
        lock = oidc.count_failure(client_ip())
        ms_form.email.errors = [
            tr(lock)
            or _("Din organisation har inte inloggning med Microsoft. Logga in med lösenord.")
        ]
        return _login_page(ms_form, status=429 if lock else 400)
    try:
        begun = oidc.start(org, callback_url(), login_hint=ms_form.email.data.strip())
    except oidc.OidcError as error:
        return _login_page(ms_form, error_text(error), status=502)
    state = dict(begun.state)
    state["next"] = safe_next(request.args.get("next"), url_for(CUSTOMER.home))
    session[SESSION_KEY] = state
    # Not a redirect: Chromium applies the login page's form-action 'self' to
    # where a form's answer redirects, so a page moves on to the provider.
    return render_template(
        "auth/microsoft_redirect.html",
        url=begun.url,
        heading=N_("Logga in med Microsoft"),
        realm=CUSTOMER,
    )


@bp.get("/login/microsoft/callback")
@public
def callback():
    saved = session.pop(SESSION_KEY, None)  # one use: a replayed state finds nothing
    wait = oidc.throttled(client_ip())
    if wait:
        return _login_page(MicrosoftForm(formdata=None), wait, status=429)
    try:
        result = oidc.finish(saved, request.args.to_dict(), callback_url())
    except oidc.OidcError as error:
        lock = oidc.count_failure(client_ip())
        flash(tr(lock) or error_text(error), "error")
        return redirect(url_for("auth.login"))
    from domain.organisations import SUSPENDED_MESSAGE, is_suspended

    if is_suspended(result.user):
        flash(tr(SUSPENDED_MESSAGE), "error")
        return redirect(url_for("auth.login"))
    next_url = (saved or {}).get("next") or url_for(CUSTOMER.home)
    if result.mfa:
        complete_login(result.user)
        return redirect(next_url)
    step = begin(CUSTOMER, result.user, next_url)
    if step == "done":
        return redirect(next_url)
    return redirect(url_for(CUSTOMER.verify if step == "verify" else CUSTOMER.setup))


# --------------------------------------------------------------------------- settings


def provider_form(org) -> ProviderForm:
    form = ProviderForm()
    form.role.choices = [("", _("Välj roll"))] + [
        (str(key), tr(name)) for key, name in oidc.role_choices(org)
    ]
    if request.method == "GET":
        form.issuer.data = org.oidc_issuer or ""
        form.client_id.data = org.oidc_client_id or ""
        form.domains.data = org.oidc_domains or ""
        form.create_users.data = org.oidc_create_users
        form.role.data = str(org.oidc_create_role_id or "")
        form.mfa_satisfies.data = org.oidc_mfa_satisfies
    return form


def save_provider_form(form: ProviderForm, org, actor) -> bool:
    """Validate and save; False with the messages next to the fields."""
    if not form.validate_on_submit():
        return False
    issuer = (form.issuer.data or "").strip()
    domains = oidc.domain_list(form.domains.data)
    ok = True
    if issuer:
        if not (form.client_id.data or "").strip():
            form.client_id.errors = [_("Ange klient-id.")]
            ok = False
        if not form.client_secret.data and not org.oidc_client_secret_enc:
            form.client_secret.errors = [_("Ange klienthemligheten.")]
            ok = False
        if not domains:
            form.domains.errors = [_("Ange minst en domän, t.ex. foretaget.se.")]
            ok = False
    bad = oidc.bad_domains(domains)
    if bad:
        form.domains.errors = [_("Ogiltig domän: %(domains)s", domains=", ".join(bad[:3]))]
        ok = False
    role_id = None
    if form.create_users.data:
        allowed = {str(key): key for key, _ in oidc.role_choices(org)}
        role_id = allowed.get(form.role.data or "")
        if role_id is None:
            form.role.errors = [_("Välj vilken roll nya användare får.")]
            ok = False
    if not ok:
        return False
    with write_tx():
        oidc.save_settings(
            org,
            actor,
            issuer=issuer,
            client_id=form.client_id.data or "",
            secret=form.client_secret.data or None,
            domains=domains,
            create_users=form.create_users.data,
            role_id=role_id,
            mfa_satisfies=form.mfa_satisfies.data,
        )
    return True


@bp.route("/company/microsoft", methods=["GET", "POST"])
@require("users.manage")
def company_settings():
    org = current_user.organisation
    if not current_user.is_admin:
        abort(403)
    form = provider_form(org)
    if request.method == "POST" and save_provider_form(form, org, current_user):
        flash(_("Inställningarna för inloggning med Microsoft är sparade."), "success")
        return redirect(url_for("oidc.company_settings"), code=303)
    return render_template(
        "oidc/settings.html",
        form=form,
        org=org,
        settings=oidc.settings_view(org),
        callback=callback_url(),
        back=url_for("company.profile"),
        heading=N_("Inloggning med Microsoft"),
    ), (400 if form.errors else 200)
