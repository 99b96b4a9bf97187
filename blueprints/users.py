"""Användare (SPEC §1, AUTH-4): the users list and Skapa/Redigera användare.

Creating and editing is two steps on one URL — *Uppgifter* (contact person,
Tillgång till konton, e-post, mobil, användarnamn, roll), then *Behörigheter
och åtkomst* (every permission box and the optional narrowing to chosen
accounts and services). Each step carries the other's values as hidden
fields; only the final save writes, after ``domain.users`` has checked
every rule on the server.
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import Case, fn
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from database import utcnow, write_tx
from domain import throttle, twofactor
from domain import users as rules
from domain.numbers import mobile_number_problem, normalise_mobile, normalise_phone
from permissions import PERMISSION_LABELS, PERMISSIONS
from tables.org import Account, Contact, Role, User
from tables.services import Service
from web import dialogs, excel
from web.auth import require
from web.forms import FlaskForm, PhoneField, select_choices
from web.i18n import N_, error_text, tr
from web.listcolumns import ChoiceFilter, Column, DateRangeFilter, TextFilter, text_column
from web.listview import ListView

bp = Blueprint("users", __name__, url_prefix="/users")

TYPE_CHOICES = {"admin": N_("Administratör"), "account_admin": N_("Kontoadministratör")}
STATUS_CHOICES = {
    "active": N_("Aktiv"),
    "invited": N_("Inbjuden"),
    "locked": N_("Spärrad"),
    "inactive": N_("Inaktiv"),
}
TWOFACTOR_CHOICES = {"yes": N_("Ja"), "no": N_("Nej")}
# The Rättigheter column's export: a role's name, or Egendefinierad without one.
_NO_ROLE = {"": N_("Egendefinierad")}
INDENT = "\u00a0\u00a0\u00a0"  # options cannot be styled: show the tree with spaces
ACCESS_CHOICES = [
    ("all", N_("Alla konton och tjänster i Tillgång till konton")),
    ("some", N_("Vissa konton och tjänster")),
    ("none", N_("Inga (bara det användaren själv har skapat)")),
]


def _status_condition(values):
    now = utcnow()
    parts = {
        "active": User.active
        & User.password_hash.is_null(False)
        & (User.locked_until.is_null() | (User.locked_until <= now)),
        "invited": User.active & User.password_hash.is_null(),
        "locked": User.active & (User.locked_until > now),
        "inactive": ~User.active,
    }
    condition = None
    for value in values:
        condition = parts[value] if condition is None else (condition | parts[value])
    return condition


def _permission_condition(values):
    condition = Role.is_superuser == True  # noqa: E712
    for key in values:
        # Keys are stored space separated; pad so "orders.manage" never matches a prefix.
        condition |= fn.INSTR(" " + User.permissions + " ", f" {key} ") > 0
    return condition


def _users_query(manager):
    return rules.manageable_users(manager)


USER_LIST = ListView(
    name="users",
    model=User,
    query=_users_query,
    row_template="partials/users/_rows.html",
    default_sort=("name", "asc"),
    export_title=N_("Användare"),
    columns=[
        Column(
            "account",
            N_("Konto"),
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column(
            "type",
            N_("Typ"),
            sort=Account.depth,
            filter=ChoiceFilter(
                TYPE_CHOICES,
                condition=lambda values: (
                    Account.parent.is_null()
                    if values == ["admin"]
                    else Account.parent.is_null(False)
                    if values == ["account_admin"]
                    else Account.id.is_null(False)
                ),
            ),
            # codes in SQL, their labels in the reader's language (excel.labels)
            export=Case(None, [(Account.parent.is_null(), "admin")], "account_admin"),
            export_format=excel.labels(TYPE_CHOICES),
        ),
        text_column("name", N_("Namn"), User.name),
        Column(
            "username",
            N_("Användarnamn"),
            sort=User.username,
            filter=TextFilter(),
            filter_expr=(User.username, User.email),
            export=User.username,
        ),
        Column("email", N_("E-post"), export=User.email, show=False),
        Column("mobile", N_("Mobilnummer"), export=User.mobile, show=False),
        Column(
            "rights",
            N_("Rättigheter"),
            sort=Role.name,
            filter=ChoiceFilter(
                {key: label for key, label, _ in PERMISSIONS}, condition=_permission_condition
            ),
            export=fn.COALESCE(Role.name, ""),  # a role's name is data
            export_format=excel.labels(_NO_ROLE),
        ),
        Column(
            "permissions",
            N_("Behörigheter"),
            export=Case(None, [(Role.is_superuser == True, "*")], User.permissions),  # noqa: E712
            export_format=lambda value: (
                "Alla"
                if value == "*"
                else ", ".join(PERMISSION_LABELS.get(k, k) for k in (value or "").split())
            ),
            show=False,
        ),
        Column(
            "twofactor",
            N_("2FA"),
            sort=User.totp_enabled,
            filter=ChoiceFilter(
                TWOFACTOR_CHOICES,
                condition=lambda values: (
                    (User.totp_enabled | User.sms_2fa_enabled)
                    if values == ["yes"]
                    else ~(User.totp_enabled | User.sms_2fa_enabled)
                    if values == ["no"]
                    else User.id.is_null(False)
                ),
            ),
            export=Case(None, [(User.totp_enabled | User.sms_2fa_enabled, 1)], 0),
            export_format=excel.to_bool,
        ),
        Column(
            "last_login",
            N_("Senast inloggad"),
            sort=User.last_login_at,
            filter=DateRangeFilter(),
            export=User.last_login_at,
            export_format=lambda v: excel.to_datetime(v) if v else None,
            text=False,
        ),
        Column(
            "status",
            N_("Status"),
            sort=User.active,
            filter=ChoiceFilter(STATUS_CHOICES, condition=_status_condition),
            export=Case(None, [(User.active == False, "inactive")], "active"),  # noqa: E712
            export_format=excel.labels(STATUS_CHOICES),
        ),
        Column("edit", ""),  # the Redigera button of each row
    ],
    essential=("name", "type", "status", "edit"),  # a phone's card
)


def user_status(user) -> str:
    if not user.active:
        return "inactive"
    if throttle.is_locked(user):
        return "locked"
    if user.password_hash is None:
        return "invited"
    return "active"


@bp.app_template_global()
def user_status_label(user) -> str:
    return STATUS_CHOICES[user_status(user)]


@bp.app_template_global()
def user_rights_summary(user) -> str:
    return rules.permission_summary(user, tr)


@bp.app_template_global()
def user_type_label(account) -> str:
    return rules.type_label(account)


@bp.app_template_global()
def user_rights_in_brief(user) -> str:
    return rules.rights_in_brief(user, tr)


@bp.app_template_global()
def twofactor_label(user) -> str:
    return twofactor.methods_label(user)


@bp.route("")
@require("users.manage")
def index():
    return USER_LIST.respond(current_user, "users/list.html")


# --------------------------------------------------------------------------- the form


STEP1 = (
    "contact",
    "name",
    "scope_account",
    "email",
    "mobile",
    "username",
    "microsoft_email",
    "role",
)
STEP2 = ("permissions", "access", "accounts", "services")


class UserForm(FlaskForm):
    step = HiddenField(default="1")
    role_was = HiddenField(default="")
    contact = SelectField(
        _l("Kontaktperson"), validators=[DataRequired(_l("Välj eller skapa en kontaktperson."))]
    )
    name = StringField(_l("Namn"), validators=[Length(max=200)])
    scope_account = SelectField(
        _l("Tillgång till konton"), coerce=int, validators=[DataRequired(_l("Välj ett konto."))]
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
    username = StringField(_l("Användarnamn"), validators=[Length(max=254)])
    microsoft_email = StringField(
        _l("Microsoft e-postadress"),
        validators=[
            Optional(),
            Email(_l("Ange en giltig e-postadress."), check_deliverability=False),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Roll"), default="")
    permissions = SelectMultipleField(
        _l("Behörigheter"), choices=select_choices((key, label) for key, label, _ in PERMISSIONS)
    )
    access = RadioField(_l("Åtkomst"), choices=select_choices(ACCESS_CHOICES), default="all")
    accounts = SelectMultipleField(_l("Konton"), coerce=int, choices=[])
    services = TextAreaField(_l("Tjänster"), validators=[Length(max=5000)])

    def setup(self, manager):
        contacts = rules.visible_contacts(manager)
        self.contact.choices = select_choices(
            [("new", _("Skapa ny kontaktperson"))]
            + [(str(c.id), f"{c.name}{' – ' + c.email if c.email else ''}") for c in contacts]
        )
        accounts = list(rules.assignable_accounts(manager))
        self.scope_account.choices = select_choices(
            (
                a.id,
                f"{INDENT * a.depth}{a.customer_number} - {a.display_name} ({tr(rules.type_label(a))})",
            )
            for a in accounts
        )
        self.accounts.choices = select_choices((a.id, a.label) for a in accounts)
        self._accounts = {a.id: a for a in accounts}
        self._roles = {str(r.id): r for r in Role.select()}
        assignable = rules.assignable_roles(manager)
        self.role.choices = select_choices(
            [("", _("Egendefinierad"))] + [(str(r.id), tr(r.name)) for r in assignable]
        )

    def step1_valid(self, target) -> bool:
        ok = all(getattr(self, name).validate(self) for name in STEP1)
        if self.contact.data == "new" and not (self.name.data or "").strip():
            self.name.errors = [*self.name.errors, _("Ange namnet på den nya kontaktpersonen.")]
            ok = False
        problem = (
            mobile_number_problem(self.mobile.data) if (self.mobile.data or "").strip() else None
        )
        if problem:
            self.mobile.errors = [*self.mobile.errors, tr(problem)]
            ok = False
        username = (self.username.data or self.email.data or "").strip().lower()
        # A new user's name is checked only within the organisation; one that
        # exists elsewhere is handled on saving (domain.users.create_user).
        organisation = current_user.organisation_id if target is None else None
        if username and rules.username_taken(username, target.id if target else None, organisation):
            self.username.errors = [*self.username.errors, _("Användarnamnet används redan.")]
            ok = False
        return ok

    def details(self, contact) -> dict:
        email = self.email.data.strip().lower()
        return {
            "name": (self.name.data or "").strip() or contact.name,
            "email": email,
            "username": (self.username.data or "").strip().lower() or email,
            "mobile": normalise_mobile(self.mobile.data or "") or "",
            "microsoft_email": (self.microsoft_email.data or "").strip().lower(),
        }

    def chosen_contact(self, manager) -> Contact | None:
        if self.contact.data == "new":
            return None
        contact = rules.visible_contacts(manager).where(Contact.id == self.contact.data).first()
        if contact is None:
            abort(400)
        return contact

    def chosen_role(self) -> Role | None:
        return self._roles.get(self.role.data or "")

    def wanted_access(self, manager) -> rules.Access | None:
        """The access asked for, or None with errors on the fields."""
        scope = self._accounts.get(self.scope_account.data)
        if scope is None:
            self.scope_account.errors = [_("Välj ett konto.")]
            return None
        restricted = self.access.data in ("some", "none")
        accounts, services = [], []
        if self.access.data == "some":
            accounts = [self._accounts[i] for i in self.accounts.data or [] if i in self._accounts]
            numbers = [n for n in re.split(r"[\s,;]+", self.services.data or "") if n]
            visible = Service.visible_to(manager)
            for number in numbers[:500]:
                service = visible.where(
                    (Service.number == number)
                    | (Service.number == (normalise_phone(number) or number))
                ).first()
                if service is None:
                    self.services.errors = [
                        *self.services.errors,
                        _(
                            "Tjänsten %(number)s finns inte bland de tjänster du ser.",
                            number=number[:30],
                        ),
                    ]
                else:
                    services.append(service)
            if self.services.errors:
                return None
            if not accounts and not services:
                self.accounts.errors = [_("Välj minst ett konto eller en tjänst, eller välj Inga.")]
                return None
        return rules.Access(
            scope_account=scope,
            role=self.chosen_role(),
            permissions=frozenset(self.permissions.data or ()),
            restricted=restricted,
            accounts=accounts,
            services=services,
        )


def _fill_from_user(form: UserForm, user: User) -> None:
    access = rules.current_access(user)
    form.contact.data = str(user.contact_id)
    form.name.data = user.name
    form.scope_account.data = user.scope_account_id
    form.email.data = user.email
    form.mobile.data = user.mobile
    form.username.data = user.username
    form.microsoft_email.data = user.microsoft_email
    form.role.data = str(user.role_id) if user.role_id else ""
    form.role_was.data = form.role.data
    form.permissions.data = sorted(user.permission_set)
    if access.restricted:
        form.access.data = "some" if (access.accounts or access.services) else "none"
    form.accounts.data = [a.id for a in access.accounts]
    form.services.data = "\n".join(s.number for s in access.services)


def _render(form, target, step, error=None):
    manager = current_user
    scope = form._accounts.get(form.scope_account.data)
    in_scope = [
        (a.id, a)
        for a in form._accounts.values()
        if scope is not None and a.path.startswith(scope.path)
    ]
    own = manager.permission_set
    groups: dict[str, list] = {}
    for key, label, group in PERMISSIONS:
        groups.setdefault(group, []).append((key, label, key in own))
    return render_template(
        "users/form.html",
        form=form,
        target=target,
        step=step,
        error=error,
        permission_groups=groups,
        in_scope=in_scope,
        scope=scope,
        step1_fields=STEP1,
        step2_fields=STEP2,
        is_self=target is not None and target.id == manager.id,
        can_manage=target is None or rules.can_manage(manager, target),
    )


def _user_form_view(target: User | None):
    manager = current_user
    form = UserForm()
    form.setup(manager)
    if request.method == "GET":
        if target is not None:
            _fill_from_user(form, target)
        else:
            form.scope_account.data = manager.scope_account_id
        return _render(form, target, 1)
    action = request.form.get("action", "next")
    if action == "back":
        return _render(form, target, 1)
    if not form.step1_valid(target):
        return _render(form, target, 1)
    if action == "next":
        if (
            (form.role.data or "") != (form.role_was.data or "")
            and form.chosen_role()
            or target is None
            and not form.permissions.data
            and form.chosen_role()
        ):
            form.permissions.data = sorted(form.chosen_role().permission_set)
        form.role_was.data = form.role.data
        return _render(form, target, 2)
    # Save.
    if not all(getattr(form, name).validate(form) for name in ("access", "accounts", "services")):
        return _render(form, target, 2)
    wanted = form.wanted_access(manager)
    if wanted is None:
        return _render(form, target, 2)
    contact = form.chosen_contact(manager)
    details = form.details(contact) if contact else form.details(Contact(name=form.name.data))
    try:
        with write_tx():
            if target is None:
                user = rules.create_user(manager, details, contact, wanted)
            else:
                user = rules.update_user(manager, target, details, contact, wanted)
    except rules.Refused as refusal:
        return _render(form, target, 2, error=error_text(refusal))
    if target is None:
        # The same answer when the name belongs to another organisation (user is None).
        flash(
            _(
                "Användaren %(name)s är inbjuden – en inbjudan har skickats till %(email)s.",
                name=details["name"],
                email=details["email"],
            ),
            "success",
        )
    else:
        flash(_("Ändringarna för %(name)s är sparade.", name=user.name), "success")
    return redirect(url_for("users.index"), code=303)


@bp.route("/new", methods=["GET", "POST"])
@require("users.manage")
def new():
    return _user_form_view(None)


def _target_or_404(user_id: int) -> User:
    target = rules.manageable_users(current_user).where(User.id == user_id).first()
    if target is None:
        abort(404)
    return target


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit(user_id):
    target = _target_or_404(user_id)
    if target.id == current_user.id and request.method == "GET":
        flash(_("Dina egna uppgifter ändrar du under Min profil."), "info")
        return redirect(url_for("profile.index"))
    return _user_form_view(target)


# --------------------------------------------------------------------------- actions (dialogs)


class ConfirmForm(FlaskForm):
    pass


ACTIONS = {
    "deactivate": (
        N_("Inaktivera användare"),
        N_("Inaktivera"),
        N_("%(name)s kan inte längre logga in och loggas ut överallt."),
    ),
    "activate": (N_("Aktivera användare"), N_("Aktivera"), N_("%(name)s kan logga in igen.")),
    "remove": (
        N_("Ta bort användare"),
        N_("Ta bort"),
        N_(
            "%(name)s tas bort från portalen. Historiken (ärenden, beställningar, logg) finns kvar."
        ),
    ),
    "reset-2fa": (
        N_("Återställ tvåstegsverifiering"),
        N_("Återställ"),
        N_(
            "Appen, SMS-koden och återställningskoderna för %(name)s tas bort. "
            "Om organisationen kräver tvåstegsverifiering får %(name)s aktivera den igen "
            "vid nästa inloggning."
        ),
    ),
    "unlock": (
        N_("Häv inloggningsspärr"),
        N_("Häv spärr"),
        N_("%(name)s kan logga in igen direkt."),
    ),
    "invite": (
        N_("Skicka inbjudan igen"),
        N_("Skicka"),
        N_("En ny inbjudan skickas till %(email)s; tidigare länkar slutar gälla."),
    ),
}

# The confirmation each action ends with, and the actions that take
# something away (their button looks destructive).
DONE_MESSAGES = {
    "deactivate": N_("Användaren %(name)s är inaktiverad och utloggad."),
    "activate": N_("Användaren %(name)s är aktiverad och kan logga in igen."),
    "remove": N_("Användaren %(name)s är borttagen."),
    "reset-2fa": N_("Tvåstegsverifieringen för %(name)s är återställd."),
    "unlock": N_("Inloggningsspärren för %(name)s är hävd."),
    "invite": N_("En ny inbjudan har skickats till %(email)s."),
}
DESTRUCTIVE = {"deactivate", "remove", "reset-2fa"}


@bp.route(
    "/<int:user_id>/<any(deactivate, activate, remove, 'reset-2fa', unlock, invite):action>",
    methods=["GET", "POST"],
)
@require("users.manage")
def user_action(user_id, action):
    target = _target_or_404(user_id)
    title, submit, text = ACTIONS[action]
    back = url_for("users.edit", user_id=target.id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            with write_tx():
                _perform(action, target)
        except rules.Refused as refusal:
            error = error_text(refusal)
        else:
            to = url_for("users.index") if action == "remove" else back
            return dialogs.go(to, _(DONE_MESSAGES[action], name=target.name, email=target.email))
    elif request.method == "POST":
        abort(400)
    return dialogs.show(
        "partials/users/_confirm.html",
        back,
        form=form,
        dialog_title=_(title),
        title=_(title),
        submit=_(submit),
        danger=action in DESTRUCTIVE,
        text=_(text, name=target.name, email=target.email),
        action_url=url_for("users.user_action", user_id=target.id, action=action),
        error=error,
    )


def _perform(action: str, target: User) -> None:
    manager = current_user._get_current_object()
    if action == "deactivate":
        rules.set_active(manager, target, False)
    elif action == "activate":
        rules.set_active(manager, target, True)
    elif action == "remove":
        rules.remove(manager, target)
    elif action == "reset-2fa":
        rules.reset_2fa(manager, target)
    elif action == "unlock":
        rules.lift_lockout(target)
    elif action == "invite":
        if target.password_hash is not None:
            raise rules.Refused(N_("Användaren har redan valt ett lösenord."))
        if not rules.can_manage(manager, target):
            raise rules.Refused(
                N_("Du kan inte ändra en användare som har fler behörigheter än du.")
            )
        rules.invite(target, manager)
