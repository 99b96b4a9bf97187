"""A customer's portal users as the operator manages them (issue 17, what
BBGRUPPEN's "Hantering av portalanvändare" asks the operator to do):
Lägg till användare (invited by e-mail), Ta bort, Lås upp and Återställ
tvåstegsverifiering. The list itself is on the organisation page.

Every change is Administratör's, goes through domain/organisations.py (the
customers' own rules in domain/users.py) and is audited in the customer's
Granskningslogg.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.staff import bp
from blueprints.staff.organisations import (
    ConfirmForm,
    confirm_page,
    load_organisation,
    portal_users,
)
from database import write_tx
from domain import organisations as customers
from domain.numbers import mobile_number_problem, normalise_mobile
from tables.org import Account, Role, User
from web import excel
from web.auth import staff_required
from web.forms import FlaskForm, PhoneField, select_choices
from web.i18n import N_, error_text, tr

SUPERUSER = "superuser"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices(org) -> list[tuple[str, str]]:
    """Superuser first, then the operator's and the organisation's own roles."""
    roles = (
        Role.select()
        .where(
            (Role.is_superuser == False)  # noqa: E712
            & (Role.organisation.is_null() | (Role.organisation == org.id))
        )
        .order_by(Role.name)
    )
    return [(SUPERUSER, _("Superuser (alla rättigheter)"))] + [(str(r.id), r.name) for r in roles]


class AddUserForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Ange namnet.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    email = StringField(
        _l("E-postadress (blir användarnamn)"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Ange en e-postadress.")),
            Email(_l("Ange en giltig e-postadress."), check_deliverability=False),
            Length(max=254, message=_l("Högst 254 tecken.")),
        ],
    )
    mobile = PhoneField(_l("Mobilnummer"), filters=[_strip], validators=[Length(max=30)])
    account = StringField(
        _l("Tillgång till konto (kundnummer)"),
        filters=[_strip],
        validators=[DataRequired(_l("Ange kundnumret."))],
    )
    role = SelectField(_l("Roll"), validate_choice=True)

    def setup(self, org):
        self.role.choices = select_choices(role_choices(org))
        if not self.account.data and request.method == "GET":
            top = org.top_account()
            self.account.data = top.customer_number if top else ""

    def validate_mobile(self, field):
        problem = mobile_number_problem(field.data) if field.data else None
        if problem:
            field.errors.append(tr(problem))

    def chosen_account(self, org) -> Account | None:
        account = Account.get_or_none(
            (Account.organisation == org.id) & (Account.customer_number == self.account.data)
        )
        if account is None:
            self.account.errors = [
                *self.account.errors,
                _("Kunden har inget konto med det numret."),
            ]
        return account

    def chosen_role(self, org) -> Role | None:
        if self.role.data == SUPERUSER:
            return customers.superuser_role()
        return Role.get_or_none(Role.id == int(self.role.data))


def _user_of(org, user_id: int) -> User:
    user = User.get_or_none(
        (User.id == user_id) & (User.organisation == org.id) & User.removed_at.is_null()
    )
    if user is None:
        abort(404)
    return user


def _back(org):
    return redirect(url_for("staff.organisation", org_id=org.id, _anchor="users"), code=303)


@bp.route("/organisations/<int:org_id>/users/new", methods=["GET", "POST"])
@staff_required("admin")
def organisations_user_new(org_id: int):
    org = load_organisation(org_id)
    form = AddUserForm()
    form.setup(org)
    if request.method == "POST":
        valid = form.validate_on_submit()
        account = form.chosen_account(org) if form.account.data else None
        if form.email.data and not form.email.errors:
            problem = customers.username_problem(form.email.data)
            if problem:
                form.email.errors = [*form.email.errors, tr(problem)]
                valid = False
        if valid and account is not None:
            try:
                with write_tx():
                    user = customers.add_user(
                        org,
                        name=form.name.data,
                        email=form.email.data,
                        mobile=normalise_mobile(form.mobile.data or "") or "",
                        account=account,
                        role=form.chosen_role(org),
                    )
            except customers.Refused as refused:
                getattr(form, refused.field or "role").errors = [error_text(refused)]
            else:
                flash(
                    _(
                        "%(name)s är tillagd och inbjuden – en inbjudan har skickats till "
                        "%(email)s.",
                        name=user.name,
                        email=user.email,
                    ),
                    "success",
                )
                return _back(org)
    return render_template(
        "staff/organisations/user_new.html", form=form, org=org, top=org.top_account()
    )


def _user_action(org_id: int, user_id: int, action, message: str, confirm: tuple):
    """A change to one user: GET asks (``confirm``: heading, question, submit,
    detail), POST does it. The texts are marked with N_ and translated here
    (placeholders %(name)s and %(username)s)."""
    org = load_organisation(org_id)
    user = _user_of(org, user_id)
    if request.method == "GET":
        heading, question, submit, detail = confirm
        return confirm_page(
            _(heading),
            _(question, name=user.name, username=user.username),
            _(submit),
            url_for("staff.organisation", org_id=org.id, _anchor="users"),
            detail=_(detail) if detail else None,
            danger=True,
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with write_tx():
            action(org, user)
    except customers.Refused as refused:
        flash(error_text(refused), "error")
    else:
        flash(_(message, name=user.name), "success")
    return _back(org)


@bp.route("/organisations/<int:org_id>/users/<int:user_id>/remove", methods=["GET", "POST"])
@staff_required("admin")
def organisations_user_remove(org_id: int, user_id: int):
    return _user_action(
        org_id,
        user_id,
        customers.remove_user,
        N_("%(name)s är borttagen ur portalen."),
        (
            N_("Ta bort användare"),
            N_("Vill du ta bort %(name)s (%(username)s) ur portalen?"),
            N_("Ta bort"),
            N_(
                "Användaren loggas ut och kan inte längre logga in. Uppgifterna sparas för "
                "historiken (granskningsloggen, ärenden och beställningar)."
            ),
        ),
    )


@bp.route("/organisations/<int:org_id>/users/<int:user_id>/unlock", methods=["GET", "POST"])
@staff_required("admin")
def organisations_user_unlock(org_id: int, user_id: int):
    return _user_action(
        org_id,
        user_id,
        lambda org, user: customers.unlock_user(user),
        N_("Inloggningsspärren för %(name)s är hävd."),
        (N_("Lås upp"), N_("Vill du häva inloggningsspärren för %(name)s?"), N_("Lås upp"), None),
    )


@bp.route("/organisations/<int:org_id>/users/<int:user_id>/reset-2fa", methods=["GET", "POST"])
@staff_required("admin")
def organisations_user_reset_2fa(org_id: int, user_id: int):
    return _user_action(
        org_id,
        user_id,
        customers.reset_user_2fa,
        N_(
            "Tvåstegsverifieringen för %(name)s är återställd; hen registrerar den igen vid "
            "nästa inloggning."
        ),
        (
            N_("Återställ tvåstegsverifiering"),
            N_("Vill du återställa tvåstegsverifieringen för %(name)s?"),
            N_("Återställ"),
            N_(
                "Användarens app, SMS-koder och reservkoder tas bort och hen loggas ut. "
                "Krävs tvåstegsverifiering registrerar hen den igen vid nästa inloggning."
            ),
        ),
    )


@bp.route("/organisations/<int:org_id>/users.xlsx")
@staff_required("support")
def organisations_users_export(org_id: int):
    """The list of the customer's current portal users (what BBGRUPPEN's
    customers ask for), as Excel."""
    org = load_organisation(org_id)

    def status(user) -> str:
        return _("Inbjuden") if user.invited else _("Aktiv") if user.active else _("Inaktiv")

    rows = (
        (
            u.name,
            u.username,
            u.email,
            u.scope_account.customer_number,
            tr(u.type_label),
            tr(u.rights),
            tr(u.two_factor),
            status(u),
            u.last_login_at,
            _("Ja") if u.locked else _("Nej"),
        )
        for u in portal_users(org, limit=None)
    )
    headers = [
        _("Namn"),
        _("Användarnamn"),
        _("E-postadress"),
        _("Konto"),
        _("Typ"),
        _("Roll"),
        _("Tvåstegsverifiering"),
        _("Status"),
        _("Senast inloggad"),
        _("Spärrad"),
    ]
    formats = [None] * 8 + [excel.to_datetime, None]
    number_formats = [None] * 8 + [excel.DATETIME_FORMAT, None]
    return excel.send_rows(
        _("Portalanvändare"), headers, rows, formats, number_formats=number_formats
    )
