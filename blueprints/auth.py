"""Sign in and out (AUTH-1/2/3/4): password, second factor, enrolment when the
organisation requires it, "Glömt lösenordet?", invitations.

The views are written once for both realms (customer portal and back office,
``web.signin.CUSTOMER`` / ``STAFF``); ``blueprints/staff`` routes the back
office's URLs to them.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from database import write_tx
from domain import audit, throttle, tokens, twofactor, usermail
from domain.passwords import PASSWORD_HINT, hash_password, password_problems
from web.auth import public, safe_next
from web.deferred import after_response
from web.forms import FlaskForm
from web.i18n import N_, tr
from web.requestcontext import client_ip
from web.signin import (
    CUSTOMER,
    STAFF,
    Realm,
    begin,
    bump_session_version,
    complete_login,
    complete_pin_login,
    drop_pending,
    end_session,
    password_step,
    pending,
    pending_state,
    pin_step,
    second_factor,
    send_login_sms,
    session_expired,
    set_pending,
    sms_recently_sent,
)

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(
        N_("Användarnamn"),
        validators=[DataRequired(N_("Ange ditt användarnamn.")), Length(max=254)],
    )
    password = PasswordField(
        N_("Lösenord"), validators=[DataRequired(N_("Ange ditt lösenord.")), Length(max=1024)]
    )


class PinLoginForm(FlaskForm):
    customer_number = StringField(
        _l("Kundnummer"),
        validators=[DataRequired(_l("Ange ditt kundnummer.")), Length(max=40)],
    )
    pin = PasswordField(
        _l("PIN-kod"), validators=[DataRequired(_l("Ange din PIN-kod.")), Length(max=40)]
    )


class CodeForm(FlaskForm):
    method = HiddenField(default="totp")
    code = StringField(_l("Kod"), validators=[DataRequired(_l("Ange koden.")), Length(max=40)])


class ForgotForm(FlaskForm):
    username = StringField(
        N_("Användarnamn eller e-postadress"),
        validators=[
            DataRequired(N_("Ange ditt användarnamn eller din e-postadress.")),
            Length(max=254),
        ],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt lösenord"), validators=[DataRequired(_l("Ange ett lösenord.")), Length(max=1024)]
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[
            DataRequired(_l("Upprepa lösenordet.")),
            EqualTo("password", _l("Lösenorden är inte lika.")),
        ],
    )

    def check_rules(self, user) -> bool:
        problems = password_problems(
            self.password.data or "", username=user.username, email=user.email, name=user.name
        )
        self.password.errors = list(self.password.errors) + [tr(p) for p in problems]
        return not problems


# --------------------------------------------------------------------------- session limits


@bp.before_app_request
def _session_limits():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    reason = session_expired()
    if reason is None:
        return None
    staff = current_user.is_staff or current_user.viewed_by is not None
    end_session(current_user)
    flash(tr(reason), "info")
    return redirect(url_for("staff.login" if staff else "auth.login"))


# --------------------------------------------------------------------------- views for both realms


def _home(realm: Realm) -> str:
    return url_for(realm.home)


def _after_password(realm: Realm, user, next_url: str):
    step = begin(realm, user, next_url)
    if step == "done":
        return redirect(next_url)
    return redirect(url_for(realm.verify if step == "verify" else realm.setup))


def login_view(realm: Realm, heading: str):
    if current_user.is_authenticated and current_user.is_staff == (realm is STAFF):
        return redirect(_home(realm))
    form = LoginForm()
    error = None
    if request.method == "GET" and session.get("login_name"):
        form.username.data = session.pop("login_name")
    if form.validate_on_submit():
        user, error = password_step(realm, form.username.data, form.password.data)
        if user is not None:
            next_url = safe_next(request.args.get("next"), _home(realm))
            return _after_password(realm, user, next_url)
    return render_template("auth/login.html", form=form, error=error, heading=heading, realm=realm)


RESTART = N_("Inloggningen tog för lång tid eller avbröts. Logga in igen.")


def _restart(realm: Realm, message=RESTART):
    flash(tr(message), "info")
    return redirect(url_for(realm.login))


def verify_view(realm: Realm):
    """Second step: the code from the app, an SMS code or a recovery code."""
    user = pending(realm, "verify")
    if user is None:
        return _restart(realm)
    state = pending_state()
    default = "totp" if user.totp_enabled else "sms"
    method = request.args.get("method") or default
    form = CodeForm(method=method)
    error = None
    if form.validate_on_submit():
        method = form.method.data if form.method.data in ("totp", "sms", "recovery") else default
        error = second_factor(realm, user, form.code.data, method)
        if error is None:
            next_url = state.get("next") or _home(realm)
            complete_login(user)
            return redirect(next_url)
        if pending(realm, "verify") is None:
            return _restart(realm, error)
    if method not in ("totp", "sms", "recovery"):
        method = default
    return render_template(
        "auth/verify.html",
        form=form,
        error=error,
        method=method,
        user=user,
        realm=realm,
        sms_enabled=twofactor.sms_enabled(user),
        sms_sent=bool(state.get("sms")),
        mobile=twofactor.masked_mobile(getattr(user, "mobile", "")),
    )


def verify_sms_view(realm: Realm):
    user = pending(realm, "verify")
    if user is None:
        return _restart(realm)
    if not twofactor.sms_enabled(user):
        abort(400)
    if sms_recently_sent(user, "sms_login"):
        flash(_("En kod skickades nyss. Vänta en minut innan du begär en ny."), "info")
    else:
        send_login_sms(user)
        flash(
            _("En kod har skickats till %(mobile)s.", mobile=twofactor.masked_mobile(user.mobile)),
            "info",
        )
    return redirect(url_for(realm.verify, method="sms"))


def setup_view(realm: Realm):
    """Enrolment during sign-in when 2FA is required and the user has none."""
    user = pending(realm, "setup")
    if user is None:
        return _restart(realm)
    state = pending_state()
    secret = twofactor.decrypt(state.get("secret"))
    if secret is None:
        secret = twofactor.new_secret()
        set_pending(secret=twofactor.encrypt(secret))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        method = form.method.data
        refusal = throttle.check(
            throttle.name_key(realm.model, user.username), throttle.ip_key(client_ip())
        )
        if refusal is not None:
            error = refusal.message
        else:
            with write_tx():
                ok = False
                if method == "sms" and twofactor.sms_available(user):
                    ok = tokens.check_code(state.get("sms"), user, "sms_enrol", form.code.data)
                    if ok:
                        twofactor.set_sms(user, True)
                elif method == "totp":
                    step = twofactor.matching_step(secret, form.code.data)
                    if step is not None:
                        twofactor.enable_totp(user, secret, step)
                        ok = True
                if ok:
                    codes = twofactor.new_recovery_codes(user)
                    audit.record(
                        "auth.2fa_enabled",
                        user,
                        summary=f"Tvåfaktorsautentisering aktiverad vid inloggning ({twofactor.methods_label(user)})",
                        after={"2fa": twofactor.methods_label(user)},
                        actor=user,
                    )
                    usermail.security_notice(user, N_("Tvåfaktorsautentisering har aktiverats"))
                else:
                    throttle.record_failure(realm.model, user.username, client_ip(), user)
            if ok:
                next_url = state.get("next") or _home(realm)
                complete_login(user)
                return render_template(
                    "auth/recovery_codes.html", codes=codes, next_url=next_url, realm=realm
                )
            error = _("Koden stämmer inte. Kontrollera klockan i telefonen och försök igen.")
    uri = twofactor.provisioning_uri(secret, user.username)
    return render_template(
        "auth/setup.html",
        form=form,
        error=error,
        user=user,
        realm=realm,
        qr=twofactor.qr_svg(uri, tr(twofactor.QR_TITLE)),
        secret=twofactor.grouped(secret),
        sms_available=twofactor.sms_available(user),
        sms_sent=bool(state.get("sms")),
        mobile=twofactor.masked_mobile(getattr(user, "mobile", "")),
    )


def setup_sms_view(realm: Realm):
    user = pending(realm, "setup")
    if user is None:
        return _restart(realm)
    if not twofactor.sms_available(user):
        abort(400)
    if sms_recently_sent(user, "sms_enrol"):
        flash(_("En kod skickades nyss. Vänta en minut innan du begär en ny."), "info")
    else:
        with write_tx():
            row = twofactor.send_sms_code(user, "sms_enrol")
        set_pending(sms=row.id)
        flash(
            _("En kod har skickats till %(mobile)s.", mobile=twofactor.masked_mobile(user.mobile)),
            "info",
        )
    return redirect(url_for(realm.setup, method="sms"))


def forgot_view(realm: Realm):
    """Glömt lösenordet?: the same answer, in the same time, whether or not
    the name exists — the look-up and the mail happen after the response."""
    form = ForgotForm()
    if form.validate_on_submit():
        given = form.username.data.strip().lower()
        after_response(lambda: send_reset_links(realm, given))
        return render_template(
            "auth/message.html",
            heading=N_("Kolla din e-post"),
            text=_(
                "Om uppgiften hör till ett konto hos oss har vi skickat en länk för att välja "
                "ett nytt lösenord till kontots e-postadress. Länken gäller i 60 minuter."
            ),
            realm=realm,
        )
    return render_template("auth/forgot.html", form=form, realm=realm)


def send_reset_links(realm: Realm, given: str) -> None:
    """A reset link to each active user whose name or address is ``given``."""
    model = realm.model
    query = model.select().where(
        ((model.username == given) | (model.email == given)) & (model.active == True)  # noqa: E712
    )
    if model is CUSTOMER.model:
        query = query.where(model.removed_at.is_null())
    for user in query.limit(5):
        # At most three reset mails an hour per user (no mail bombing).
        if tokens.recent_count(user, tokens.RESET, dt.timedelta(hours=1)) >= 3:
            continue
        with write_tx():
            token = tokens.issue_link(user, tokens.RESET)
            usermail.password_reset(user, token)
            audit.record(
                "auth.password_reset_requested",
                user,
                summary="Länk för lösenordsåterställning skickad",
                actor=user,
            )


def token_view(realm: Realm, token: str, kind: str):
    """Choose a password from an invitation or reset link (single use, expiring)."""
    row = tokens.find_link(token, kind)
    owner_id = None if row is None else (row.staff_id if realm is STAFF else row.user_id)
    user = realm.model.get_or_none(realm.model.id == owner_id) if owner_id else None
    if user is None or not user.active or getattr(user, "removed_at", None):
        return render_template(
            "auth/message.html",
            heading=N_("Länken är ogiltig"),
            text=_(
                "Länken har redan använts eller har gått ut. Begär en ny länk under "
                "Glömt lösenordet? eller be din administratör skicka en ny inbjudan."
            ),
            realm=realm,
            status=410,
        ), 410
    invite = kind == tokens.INVITE
    form = NewPasswordForm()
    if form.validate_on_submit() and form.check_rules(user):
        model = realm.model
        with write_tx():
            if not tokens.consume(row):
                abort(410)
            model.update(password_hash=hash_password(form.password.data)).where(
                model.id == user.id
            ).execute()
            bump_session_version(user)
            throttle.clear_name(model, user.username, user)
            audit.record(
                "auth.invite_accepted" if invite else "auth.password_reset",
                user,
                summary="Inbjudan accepterad, lösenord valt"
                if invite
                else "Lösenordet återställt med e-postlänk",
                actor=user,
            )
            if not invite:
                usermail.security_notice(user, N_("Ditt lösenord har ändrats"))
        drop_pending()
        if current_user.is_authenticated:
            end_session(current_user)
        # The login page opens with the name filled in (kept in the session,
        # not the URL, so it stays out of logs and the browser history).
        session["login_name"] = user.username
        flash(
            _("Ditt lösenord är sparat. Logga in med ditt användarnamn och det nya lösenordet."),
            "success",
        )
        return redirect(url_for(realm.login))
    return render_template(
        "auth/new_password.html",
        form=form,
        user=user,
        realm=realm,
        heading=N_("Välj ditt lösenord") if invite else N_("Välj ett nytt lösenord"),
        hint=PASSWORD_HINT,
    )


# --------------------------------------------------------------------------- customer routes


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return login_view(CUSTOMER, N_("Logga in på ditt konto"))


@bp.route("/login/pin", methods=["GET", "POST"])
@public
def login_pin():
    """Kundnummer + PIN (AUTH-7): a read-only view of one account, when the
    operator has turned it on (``PIN_LOGIN_ENABLED``)."""
    if not current_app.config.get("PIN_LOGIN_ENABLED"):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = PinLoginForm()
    error = None
    if form.validate_on_submit():
        account, error = pin_step(form.customer_number.data, form.pin.data)
        if account is not None:
            complete_pin_login(account)
            return redirect(url_for("dashboard.index"))
    return render_template("auth/login_pin.html", form=form, error=error, realm=CUSTOMER)


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def verify():
    return verify_view(CUSTOMER)


@bp.post("/login/verify/sms")
@public
def verify_sms():
    return verify_sms_view(CUSTOMER)


@bp.route("/login/setup", methods=["GET", "POST"])
@public
def setup():
    return setup_view(CUSTOMER)


@bp.post("/login/setup/sms")
@public
def setup_sms():
    return setup_sms_view(CUSTOMER)


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot():
    return forgot_view(CUSTOMER)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token):
    return token_view(CUSTOMER, token, tokens.RESET)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def invite(token):
    return token_view(CUSTOMER, token, tokens.INVITE)


@bp.post("/logout")
@public
def logout():
    staff = current_user.is_authenticated and (
        current_user.is_staff or current_user.viewed_by is not None
    )
    end_session(current_user)
    return redirect(url_for("staff.login" if staff else "auth.login"))
