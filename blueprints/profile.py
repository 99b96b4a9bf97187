"""Min profil (AUTH-5): own details, password, two-factor, own permissions
(read-only, Tele2 "Behörigheter"), ending other sessions, Rapportera fel.

Changing the e-mail address, user name or mobile number, the password or
the second factor asks for the current password again (ASVS §7.5.1); each
change is audited and announced by e-mail. The password and second-factor
views are shared with the back office (``blueprints/staff/security.py``)
through ``SecurityPages``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
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
from wtforms import PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from database import write_tx
from domain import audit, sessions, themes, tokens, twofactor, usermail
from domain.numbers import mobile_number_problem, normalise_mobile
from domain.passwords import PASSWORD_HINT, hash_password, password_problems, verify_password
from domain.tickets import create_ticket
from domain.users import current_access, permission_summary, role_label, type_label
from permissions import PERMISSIONS
from tables.org import User
from web import dialogs
from web.auth import customer_required
from web.forms import FlaskForm, PhoneField, select_choices
from web.i18n import N_, force_locale, tr
from web.signin import bump_session_version, relogin, session_limits, sms_recently_sent

bp = Blueprint("profile", __name__, url_prefix="/profile")

LANGUAGES = [("sv", "Svenska"), ("en", "English"), ("da", "Dansk")]


class CurrentPasswordMixin:
    def current_ok(self, user) -> bool:
        if verify_password(user.password_hash, self.current_password.data or ""):
            return True
        self.current_password.errors = [*self.current_password.errors, _("Fel lösenord.")]
        return False


class DetailsForm(FlaskForm, CurrentPasswordMixin):
    name = StringField(
        _l("Namn"), validators=[DataRequired(_l("Ange ditt namn.")), Length(max=200)]
    )
    username = StringField(
        _l("Användarnamn"), validators=[DataRequired(_l("Ange ett användarnamn.")), Length(max=254)]
    )
    email = StringField(
        _l("E-postadress"),
        validators=[
            DataRequired(_l("Ange en e-postadress.")),
            Email(_l("Ange en giltig e-postadress."), check_deliverability=False),
            Length(max=254),
        ],
    )
    mobile = PhoneField(_l("Mobilnummer"), validators=[Length(max=30)])
    language = SelectField(_l("Språk"), choices=select_choices(LANGUAGES))
    current_password = PasswordField(_l("Nuvarande lösenord"), validators=[Length(max=1024)])


class PasswordForm(FlaskForm, CurrentPasswordMixin):
    current_password = PasswordField(
        _l("Nuvarande lösenord"), validators=[DataRequired(_l("Ange ditt nuvarande lösenord."))]
    )
    password = PasswordField(
        _l("Nytt lösenord"),
        validators=[DataRequired(_l("Ange ett nytt lösenord.")), Length(max=1024)],
    )
    confirm = PasswordField(
        _l("Upprepa nytt lösenord"),
        validators=[
            DataRequired(_l("Upprepa lösenordet.")),
            EqualTo("password", _l("Lösenorden är inte lika.")),
        ],
    )


class ConfirmPasswordForm(FlaskForm, CurrentPasswordMixin):
    current_password = PasswordField(
        _l("Nuvarande lösenord"), validators=[DataRequired(_l("Ange ditt nuvarande lösenord."))]
    )


class CodeConfirmForm(ConfirmPasswordForm):
    code = StringField(_l("Kod"), validators=[DataRequired(_l("Ange koden.")), Length(max=20)])


class ReportBugForm(FlaskForm):
    subject = StringField(
        _l("Rubrik"), validators=[DataRequired(_l("Skriv en kort beskrivning.")), Length(max=150)]
    )
    body = TextAreaField(
        _l("Beskriv felet"),
        validators=[DataRequired(_l("Beskriv vad som hände.")), Length(max=5000)],
    )
    page = StringField(_l("Sida där felet uppstod"), validators=[Length(max=500)])


class ThemeForm(FlaskForm):
    theme = RadioField(
        _l("Färgschema"),
        choices=select_choices(themes.THEMES),
        validators=[DataRequired(_l("Välj ett färgschema."))],
    )


# --------------------------------------------------------------------------- shared with staff


@dataclass(frozen=True)
class SecurityPages:
    """Endpoint names of the password and 2FA pages of one realm."""

    home: str
    password: str
    totp: str
    sms_send: str
    sms: str
    off: str
    recovery: str
    template: str


CUSTOMER_PAGES = SecurityPages(
    home="profile.index",
    password="profile.password",
    totp="profile.totp",
    sms_send="profile.sms_send",
    sms="profile.sms",
    off="profile.twofactor_off",
    recovery="profile.recovery_codes",
    template="base.html",
)


def done(target: str, message: str):
    """After a dialog: confirm, and the page refreshes itself in place
    (``profileChanged``; without htmx: back to it, the message flashed)."""
    return dialogs.done(target, message, profileChanged=True)


def _notice_and_audit(user, action: str, summary: str, notice: str, **fields) -> None:
    audit.record(action, user, summary=summary, **fields)
    usermail.security_notice(user, notice)


def theme_form(user) -> ThemeForm:
    """The Utseende panel's form, showing the stored choice."""
    return ThemeForm(theme=user.theme if user.theme in themes.LABELS else "auto")


def theme_view(pages: SecurityPages):
    """Utseende: store the colour scheme and go back to the page (a plain
    form: the whole page is drawn again in the new scheme)."""
    user = current_user._get_current_object()
    form = ThemeForm()
    if not form.validate_on_submit() or not themes.set_theme(user, form.theme.data):
        flash(_("Välj ett färgschema."), "error")
    else:
        flash(_("Färgschemat är sparat."), "success")
    return redirect(url_for(pages.home) + "#appearance", code=303)


def password_view(pages: SecurityPages):
    user = current_user._get_current_object()
    form = PasswordForm()
    back = url_for(pages.home)
    if form.validate_on_submit() and form.current_ok(user):
        problems = password_problems(
            form.password.data, username=user.username, email=user.email, name=user.name
        )
        if form.password.data == form.current_password.data:
            problems.append(N_("Det nya lösenordet måste skilja sig från det nuvarande."))
        if not problems:
            model = type(user)
            with write_tx():
                model.update(password_hash=hash_password(form.password.data)).where(
                    model.id == user.id
                ).execute()
                bump_session_version(user)  # ends every other session (ASVS §7.4.3)
                _notice_and_audit(
                    user,
                    "auth.password_changed",
                    "Lösenordet ändrat; andra sessioner avslutade",
                    N_("Ditt lösenord har ändrats"),
                )
            relogin(model.get_by_id(user.id))
            return done(back, _("Ditt lösenord är ändrat. Du har loggats ut från andra enheter."))
        form.password.errors = [*form.password.errors, *(tr(p) for p in problems)]
    return dialogs.show(
        "partials/profile/_password.html",
        back,
        form=form,
        pages=pages,
        hint=PASSWORD_HINT,
        dialog_title=_("Byt lösenord"),
    )


ENROLMENT_NOTICES = {
    "app": N_("Tvåstegsverifiering med app har aktiverats"),
    "SMS-kod": N_("Tvåstegsverifiering med SMS-kod har aktiverats"),
}


def _finish_enrolment(user, had_2fa: bool, method: str):
    """After a second factor was added: audit, notice, and first recovery codes."""
    codes = None if had_2fa else twofactor.new_recovery_codes(user)
    _notice_and_audit(
        user,
        "auth.2fa_enabled",
        f"Tvåstegsverifiering med {method} aktiverad",
        ENROLMENT_NOTICES[method],
        after={"2fa": twofactor.methods_label(user)},
    )
    return codes


def totp_view(pages: SecurityPages):
    """Set up (or move to a new phone) the authenticator app."""
    user = current_user._get_current_object()
    secret = twofactor.decrypt(session.get("totp_setup"))
    if secret is None or request.method == "GET" and request.args.get("new"):
        secret = twofactor.new_secret()
        session["totp_setup"] = twofactor.encrypt(secret)
    form = CodeConfirmForm()
    if form.validate_on_submit() and form.current_ok(user):
        step = twofactor.matching_step(secret, form.code.data)
        if step is None:
            form.code.errors = [_("Koden stämmer inte. Kontrollera klockan i telefonen.")]
        else:
            had_2fa = twofactor.has_2fa(user)
            with write_tx():
                twofactor.enable_totp(user, secret, step)
                codes = _finish_enrolment(user, had_2fa, "app")
            session.pop("totp_setup", None)
            if codes:
                return render_template(
                    "profile/recovery_codes.html", codes=codes, pages=pages, base=pages.template
                )
            flash(_("Appen för tvåstegsverifiering är aktiverad."), "success")
            return redirect(url_for(pages.home), code=303)
    uri = twofactor.provisioning_uri(secret, user.username)
    return render_template(
        "profile/totp.html",
        form=form,
        pages=pages,
        base=pages.template,
        qr=twofactor.qr_svg(uri, tr(twofactor.QR_TITLE)),
        secret=twofactor.grouped(secret),
        replacing=user.totp_enabled,
    )


def sms_send_view(pages: SecurityPages):
    user = current_user._get_current_object()
    if not twofactor.sms_available(user):
        flash(_("Lägg först in ditt mobilnummer under Personuppgifter."), "error")
        return redirect(url_for(pages.home), code=303)
    if sms_recently_sent(user, tokens.SMS_ENROL):
        flash(_("En kod skickades nyss. Vänta en minut innan du begär en ny."), "info")
    else:
        with write_tx():
            row = twofactor.send_sms_code(user, tokens.SMS_ENROL)
        session["sms_setup"] = row.id
        flash(
            _("En kod har skickats till %(mobile)s.", mobile=twofactor.masked_mobile(user.mobile)),
            "info",
        )
    return redirect(url_for(pages.sms), code=303)


def sms_view(pages: SecurityPages):
    user = current_user._get_current_object()
    form = CodeConfirmForm()
    if form.validate_on_submit() and form.current_ok(user):
        had_2fa = twofactor.has_2fa(user)
        with write_tx():
            ok = tokens.check_code(session.get("sms_setup"), user, tokens.SMS_ENROL, form.code.data)
            if ok:
                twofactor.set_sms(user, True)
                codes = _finish_enrolment(user, had_2fa, "SMS-kod")
        if ok:
            session.pop("sms_setup", None)
            if codes:
                return render_template(
                    "profile/recovery_codes.html", codes=codes, pages=pages, base=pages.template
                )
            flash(_("SMS-kod vid inloggning är aktiverad."), "success")
            return redirect(url_for(pages.home), code=303)
        form.code.errors = [_("Koden stämmer inte eller har gått ut. Begär en ny kod.")]
    return render_template(
        "profile/sms.html",
        form=form,
        pages=pages,
        base=pages.template,
        mobile=twofactor.masked_mobile(getattr(user, "mobile", "")),
        sent=bool(session.get("sms_setup")),
    )


def twofactor_off_view(pages: SecurityPages):
    user = current_user._get_current_object()
    method = request.args.get("method", "all")
    if method not in ("totp", "sms", "all"):
        method = "all"
    form = ConfirmPasswordForm()
    back = url_for(pages.home)
    error = None
    if form.validate_on_submit() and form.current_ok(user):
        remaining = {
            "totp": twofactor.sms_enabled(user),
            "sms": user.totp_enabled,
            "all": False,
        }[method]
        if not remaining and twofactor.required_for(user):
            error = _(
                "Din organisation kräver tvåstegsverifiering. Du kan byta metod men inte "
                "stänga av den."
            )
        else:
            before = twofactor.methods_label(user)
            with write_tx():
                if method == "all":
                    twofactor.reset(user)
                elif method == "totp":
                    twofactor.disable_totp(user)
                else:
                    twofactor.set_sms(user, False)
                if not twofactor.has_2fa(user):
                    twofactor.reset(user)  # recovery codes go with the last factor
                _notice_and_audit(
                    user,
                    "auth.2fa_disabled",
                    "Tvåstegsverifiering avstängd"
                    if method == "all"
                    else "Metod för tvåstegsverifiering borttagen",
                    N_("Tvåstegsverifiering har ändrats"),
                    before={"2fa": before},
                    after={"2fa": twofactor.methods_label(user)},
                )
            return done(back, _("Tvåstegsverifieringen är ändrad."))
    return dialogs.show(
        "partials/profile/_confirm_password.html",
        back,
        form=form,
        title=_("Stäng av tvåstegsverifiering") if method == "all" else _("Ta bort metod"),
        text=_("Bekräfta med ditt lösenord."),
        action_url=url_for(pages.off, method=method),
        submit=_("Stäng av") if method == "all" else _("Ta bort"),
        danger=True,
        error=error,
    )


def recovery_codes_view(pages: SecurityPages):
    user = current_user._get_current_object()
    form = ConfirmPasswordForm()
    back = url_for(pages.home)
    if not twofactor.has_2fa(user):
        return redirect(back)
    if form.validate_on_submit() and form.current_ok(user):
        with write_tx():
            codes = twofactor.new_recovery_codes(user)
            audit.record(
                "auth.recovery_codes",
                user,
                summary="Nya återställningskoder skapade; de gamla slutade gälla",
            )
        return render_template(
            "profile/recovery_codes.html", codes=codes, pages=pages, base=pages.template
        )
    return dialogs.show(
        "partials/profile/_confirm_password.html",
        back,
        form=form,
        title=_("Nya återställningskoder"),
        text=_(
            "De tio nya koderna ersätter de gamla, som slutar gälla. Bekräfta med ditt lösenord."
        ),
        action_url=url_for(pages.recovery),
        submit=_("Skapa nya koder"),
        error=None,
    )


# --------------------------------------------------------------------------- customer pages


@bp.route("")
@customer_required
def index():
    user = current_user
    access = current_access(user)
    return render_template(
        "profile/index.html",
        user=user,
        access=access,
        type_label=type_label(user.scope_account),
        role=role_label(user),
        summary=permission_summary(user),
        permissions=PERMISSIONS,
        has_2fa=twofactor.has_2fa(user),
        required=twofactor.required_for(user),
        recovery_left=twofactor.remaining_recovery_codes(user),
        languages=dict(LANGUAGES),
        pages=CUSTOMER_PAGES,
        login_sessions=_login_sessions(user),
        theme_form=theme_form(user),
        theme_action=url_for("profile.theme"),
    )


def _login_sessions(user) -> list[dict]:
    """Inloggade enheter: the user's live sessions, this browser's marked."""
    own = sessions.key_hash(session.get("sid") or "")
    return [
        {
            "row": row,
            "device": sessions.device_label(row.user_agent),
            "current": row.key_hash == own,
        }
        for row in sessions.of(user, *session_limits())
    ]


@bp.route("/details", methods=["GET", "POST"])
@customer_required
def details():
    user = current_user._get_current_object()
    form = DetailsForm(obj=user) if request.method == "GET" else DetailsForm()
    back = url_for("profile.index")
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        email = form.email.data.strip().lower()
        typed = (form.mobile.data or "").strip()
        problem = mobile_number_problem(typed) if typed else None
        mobile = normalise_mobile(typed) if typed else ""
        ok = True
        if problem:
            form.mobile.errors = [tr(problem)]
            ok = False
        if username != user.username and (
            User.select().where((User.username == username) & (User.id != user.id)).exists()
        ):
            form.username.errors = [_("Användarnamnet används redan.")]
            ok = False
        sensitive = username != user.username or email != user.email or mobile != user.mobile
        if ok and sensitive and not form.current_ok(user):
            ok = False
        if ok:
            before = {
                "namn": user.name,
                "användarnamn": user.username,
                "e-post": user.email,
                "mobil": user.mobile,
                "språk": user.language,
            }
            after = {
                "namn": form.name.data.strip(),
                "användarnamn": username,
                "e-post": email,
                "mobil": mobile,
                "språk": form.language.data,
            }
            sms_off = False
            with write_tx():
                User.update(
                    name=after["namn"],
                    username=username,
                    email=email,
                    mobile=mobile,
                    language=form.language.data,
                ).where(User.id == user.id).execute()
                if mobile != user.mobile and twofactor.sms_enabled(user):
                    twofactor.set_sms(user, False)  # the new number must be verified first
                    sms_off = True
                audit.record(
                    "profile.update",
                    user,
                    summary="Egna uppgifter ändrade",
                    before={k: v for k, v in before.items() if after[k] != v},
                    after={k: v for k, v in after.items() if before[k] != v},
                )
                if email != user.email:
                    usermail.security_notice(user, N_("Din e-postadress har ändrats"), user.email)
            # the confirmation in the language just chosen (the page follows it)
            with force_locale(form.language.data):
                message = _("Dina uppgifter är sparade.")
                if sms_off:
                    message += " " + _(
                        "SMS-koden är avstängd tills du har verifierat det nya mobilnumret."
                    )
            return done(back, message)
    return dialogs.show(
        "partials/profile/_details.html", back, form=form, dialog_title=_("Personuppgifter")
    )


@bp.route("/theme", methods=["POST"])
@customer_required
def theme():
    return theme_view(CUSTOMER_PAGES)


@bp.route("/password", methods=["GET", "POST"])
@customer_required
def password():
    return password_view(CUSTOMER_PAGES)


@bp.route("/2fa/app", methods=["GET", "POST"])
@customer_required
def totp():
    return totp_view(CUSTOMER_PAGES)


@bp.post("/2fa/sms/send")
@customer_required
def sms_send():
    return sms_send_view(CUSTOMER_PAGES)


@bp.route("/2fa/sms", methods=["GET", "POST"])
@customer_required
def sms():
    return sms_view(CUSTOMER_PAGES)


@bp.route("/2fa/off", methods=["GET", "POST"])
@customer_required
def twofactor_off():
    return twofactor_off_view(CUSTOMER_PAGES)


@bp.route("/2fa/recovery-codes", methods=["GET", "POST"])
@customer_required
def recovery_codes():
    return recovery_codes_view(CUSTOMER_PAGES)


@bp.route("/sessions", methods=["GET", "POST"])
@customer_required
def end_other_sessions():
    """Logga ut från andra enheter: every other session of this user ends."""
    user = current_user._get_current_object()
    form = ConfirmPasswordForm()
    back = url_for("profile.index")
    if form.validate_on_submit() and form.current_ok(user):
        with write_tx():
            bump_session_version(user)
            audit.record("auth.sessions_ended", user, summary="Utloggad från andra enheter")
        relogin(User.get_by_id(user.id))
        return done(back, _("Du är utloggad från alla andra enheter."))
    return dialogs.show(
        "partials/profile/_confirm_password.html",
        back,
        form=form,
        title=_("Logga ut från andra enheter"),
        text=_("Alla andra inloggningar med ditt konto avslutas. Bekräfta med ditt lösenord."),
        action_url=url_for("profile.end_other_sessions"),
        submit=_("Logga ut andra"),
        error=None,
    )


@bp.route("/report-bug", methods=["GET", "POST"])
@customer_required
def report_bug():
    """Rapportera fel: the report becomes a ticket for the operator."""
    user = current_user._get_current_object()
    form = ReportBugForm()
    if request.method == "GET":
        form.page.data = (request.referrer or "")[:500]
    back = url_for("profile.index")
    if form.validate_on_submit():
        body = (
            f"{form.body.data.strip()}\n\n---\nSida: {form.page.data or '-'}\n"
            f"Webbläsare: {request.user_agent.string[:300]}"
        )
        with write_tx():
            ticket = create_ticket(
                organisation=user.organisation,
                account=user.scope_account,
                created_by=user,
                subject=f"Felrapport: {form.subject.data.strip()}"[:200],
                body=body,
                category="other",
            )
        message = _(
            "Tack! Felrapporten är skickad som ärende %(number)s. "
            "Vi återkommer om vi behöver veta mer.",
            number=ticket.number,
        )
        target = (
            url_for("tickets.detail", ticket_id=ticket.id)
            if "tickets.detail" in _endpoints()
            else back
        )
        return dialogs.go(target, message)
    return dialogs.show(
        "partials/profile/_report_bug.html", back, form=form, dialog_title=_("Rapportera fel")
    )


def _endpoints():
    return current_app.view_functions
