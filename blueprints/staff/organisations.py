"""Kunder (/staff/organisations, issue 17): the operator's customers — the
list, Ny kund, the organisation page (summary, account tree, agreements,
portal users), Ändra and Stäng av kund / Återaktivera.

Support reads; only Administratör changes. The organisation's portal users
are managed in organisation_users.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN, fn
from wtforms import StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.staff import bp
from database import write_tx
from domain import organisations as customers
from domain.numbers import normalise_postcode
from tables.org import Account, Agreement, Organisation, PriceList, Role, User
from web.auth import parse_id, staff_required
from web.forms import FlaskForm, OrgNumberField
from web.i18n import N_, NC_, error_text, tr
from web.listcolumns import ChoiceFilter, Column, NumberFilter, date_column
from web.listview import ListView

ACCOUNTS_PER_PAGE = 200
USERS_SHOWN = 500
STATUS_LABELS = {"active": N_("Aktiv"), "suspended": N_("Avstängd")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# --------------------------------------------------------------------------- the list


def _account_count():
    return Account.select(fn.COUNT(Account.id)).where(Account.organisation == Organisation.id)


def _user_count():
    return User.select(fn.COUNT(User.id)).where(
        (User.organisation == Organisation.id) & User.removed_at.is_null()
    )


def organisations_query(user):
    return Organisation.select()


def load_counts(rows) -> None:
    """Konton and Användare for a page's organisations: two grouped counts."""
    ids = [row.id for row in rows]
    accounts = dict(
        Account.select(Account.organisation, fn.COUNT(Account.id))
        .where(Account.organisation.in_(ids))
        .group_by(Account.organisation)
        .tuples()
    )
    users = dict(
        User.select(User.organisation, fn.COUNT(User.id))
        .where(User.organisation.in_(ids) & User.removed_at.is_null())
        .group_by(User.organisation)
        .tuples()
    )
    for row in rows:
        row.account_count = accounts.get(row.id, 0)
        row.user_count = users.get(row.id, 0)


def _status_condition(values):
    wanted = set(values)
    if wanted == {"active"}:
        return Organisation.active == True  # noqa: E712
    if wanted == {"suspended"}:
        return Organisation.active == False  # noqa: E712
    return Organisation.id.is_null(False)


ORGANISATION_LIST = ListView(
    name="staff-organisations",
    model=Organisation,
    query=organisations_query,
    row_template="partials/staff/_organisations_rows.html",
    default_sort=("name", "asc"),
    export_title="Kunder",
    bulk_actions=[],
    rows_loader=load_counts,
    columns=[
        Column(
            "name",
            N_("Namn"),
            sort=Organisation.name,
            filter=NumberFilter(),
            filter_expr=(Organisation.name, Organisation.org_number),
            export=Organisation.name,
        ),
        Column(
            "org_number",
            N_("Org.nr"),
            sort=Organisation.org_number,
            export=Organisation.org_number,
        ),
        Column(
            "status",
            N_("Status"),
            sort=Organisation.active,
            filter=ChoiceFilter(STATUS_LABELS, condition=_status_condition),
            export=Organisation.active,
            export_format=lambda active: "Aktiv" if active else "Avstängd",
        ),
        Column("accounts", N_("Konton"), export=_account_count(), text=False, align="right"),
        Column(
            "users",
            NC_("organisationens", "Användare"),
            export=_user_count(),
            text=False,
            align="right",
        ),
        date_column("created", N_("Skapad"), Organisation.created_at),
    ],
    essential=("name", "org_number", "status"),
)


@bp.route("/organisations", endpoint="organisations")
@staff_required("support")
def organisations_index():
    return ORGANISATION_LIST.respond(current_user, "staff/organisations/list.html")


# --------------------------------------------------------------------------- Ny kund


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Företagsnamn"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Ange företagsnamnet.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    org_number = OrgNumberField(
        _l("Organisationsnummer"),
        filters=[_strip],
        validators=[DataRequired(_l("Ange organisationsnumret."))],
    )

    def org_number_ok(self, except_id=None) -> bool:
        problem = customers.org_number_problem(self.org_number.data or "", except_id)
        if problem:
            self.org_number.errors = [*self.org_number.errors, tr(problem)]
        return problem is None


class NewCustomerForm(OrganisationForm):
    street = StringField(
        _l("Gatuadress"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Högst 200 tecken."))],
    )
    postcode = StringField(_l("Postnummer"), filters=[_strip])
    city = StringField(
        _l("Ort"), filters=[_strip], validators=[Length(max=100, message=_l("Högst 100 tecken."))]
    )
    admin_name = StringField(
        _l("Namn"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Ange Superuserns namn.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    admin_email = StringField(
        _l("E-postadress"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Ange Superuserns e-postadress.")),
            Email(_l("Ange en giltig e-postadress."), check_deliverability=False),
            Length(max=254, message=_l("Högst 254 tecken.")),
        ],
    )

    def validate_postcode(self, field):
        if field.data and normalise_postcode(field.data) is None:
            field.errors.append(_("Ange postnumret som fem siffror, t.ex. 903 04."))

    def extra_checks(self) -> bool:
        ok = self.org_number_ok()
        if self.admin_email.data and not self.admin_email.errors:
            problem = customers.username_problem(self.admin_email.data)
            if problem:
                self.admin_email.errors = [*self.admin_email.errors, tr(problem)]
                ok = False
        return ok


@bp.route("/organisations/new", methods=["GET", "POST"])
@staff_required("admin")
def organisations_new():
    form = NewCustomerForm()
    if request.method == "POST":
        valid = form.validate_on_submit()
        if not form.org_number.errors and form.org_number.data:
            valid = form.extra_checks() and valid
        if valid:
            new = customers.NewCustomer(
                name=form.name.data,
                org_number=form.org_number.data,
                admin_name=form.admin_name.data,
                admin_email=form.admin_email.data.lower(),
                street=form.street.data,
                postcode=normalise_postcode(form.postcode.data) if form.postcode.data else "",
                city=form.city.data,
            )
            try:
                with write_tx():
                    org, _top, user = customers.create_organisation(new)
            except customers.Refused as refused:  # a second click, or someone else first
                getattr(form, refused.field or "name").errors = [error_text(refused)]
            else:
                flash(
                    _(
                        "Kunden %(name)s är skapad. En inbjudan har skickats till %(email)s.",
                        name=org.name,
                        email=user.email,
                    ),
                    "success",
                )
                return redirect(url_for("staff.organisation", org_id=org.id), code=303)
    return render_template("staff/organisations/new.html", form=form)


# --------------------------------------------------------------------------- the organisation page


def load_organisation(org_id: int) -> Organisation:
    org = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        abort(404)
    return org


def account_page(org: Organisation):
    """One page of the account tree in tree order (a parent before its children)."""
    total = Account.select().where(Account.organisation == org.id).count()
    pages = max(1, -(-total // ACCOUNTS_PER_PAGE))
    page = min(max(parse_id(request.args.get("accounts_page")) or 1, 1), pages)
    rows = (
        Account.select(
            Account.id,
            Account.customer_number,
            Account.company_name,
            Account.alias,
            Account.depth,
            Account.active,
            Account.city,
            Account.path,
            Account.pin_hash,
        )
        .where(Account.organisation == org.id)
        .order_by(Account.path)
        .paginate(page, ACCOUNTS_PER_PAGE)
    )
    return {"rows": list(rows), "total": total, "page": page, "pages": pages}


def portal_users(org: Organisation, limit: int | None = USERS_SHOWN):
    """The organisation's users (not removed ones) by name, each with what the
    list shows: type, rights, 2FA, invited, locked."""
    from domain import throttle, twofactor
    from domain import users as rules

    query = (
        User.select(User, Account, Role)
        .join(Account, on=(User.scope_account == Account.id))
        .switch(User)
        .join(Role, join_type=JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .where((User.organisation == org.id) & User.removed_at.is_null())
        .order_by(User.name, User.id)
    )
    if limit is not None:
        query = query.limit(limit)
    for user in query:
        user.type_label = rules.type_label(user.scope_account)
        user.rights = rules.rights_in_brief(user)
        user.two_factor = twofactor.methods_label(user)
        user.locked = throttle.is_locked(user)
        user.invited = user.password_hash is None
        yield user


def organisation_context(org: Organisation) -> dict:
    users = list(portal_users(org))
    agreements = (
        Agreement.select(Agreement, PriceList)
        .join(PriceList, join_type=JOIN.LEFT_OUTER, on=(Agreement.price_list == PriceList.id))
        .where(Agreement.organisation == org.id)
        .order_by(Agreement.start_date.desc())
    )
    return {
        "org": org,
        "top": org.top_account(),
        "accounts": account_page(org),
        "agreements": list(agreements),
        "users": users,
        "user_count": User.select()
        .where((User.organisation == org.id) & User.removed_at.is_null())
        .count(),
        "users_shown": USERS_SHOWN,
        "may_change": current_user.has_role("admin"),
    }


@bp.route("/organisations/<int:org_id>", endpoint="organisation")
@staff_required("support")
def organisation_detail(org_id: int):
    org = load_organisation(org_id)
    return render_template("staff/organisations/detail.html", **organisation_context(org))


# --------------------------------------------------------------------------- Ändra, Stäng av


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def organisations_edit(org_id: int):
    org = load_organisation(org_id)
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.org_number.data and not form.org_number.errors:
            valid = form.org_number_ok(except_id=org.id) and valid
        if valid:
            try:
                with write_tx():
                    changed = customers.update_organisation(
                        org, form.name.data, form.org_number.data
                    )
            except customers.Refused as refused:
                form.org_number.errors = [error_text(refused)]
            else:
                flash(
                    _("Kunduppgifterna är sparade.") if changed else _("Inget ändrades."), "success"
                )
                return redirect(url_for("staff.organisation", org_id=org.id), code=303)
    return render_template("staff/organisations/edit.html", form=form, org=org)


class ConfirmForm(FlaskForm):
    """A button's form: only the CSRF token."""


@bp.route("/organisations/<int:org_id>/suspend", methods=["GET", "POST"])
@staff_required("admin")
def organisations_suspend(org_id: int):
    return _set_suspended(org_id, True)


@bp.route("/organisations/<int:org_id>/reactivate", methods=["GET", "POST"])
@staff_required("admin")
def organisations_reactivate(org_id: int):
    return _set_suspended(org_id, False)


def confirm_page(heading: str, question: str, submit: str, back: str, **context):
    """The confirmation a change asks for before it is made (GET of its URL)."""
    return render_template(
        "staff/organisations/confirm.html",
        heading=heading,
        question=question,
        submit=submit,
        back=back,
        action=request.path,
        **context,
    )


def _set_suspended(org_id: int, suspended: bool):
    org = load_organisation(org_id)
    if request.method == "GET":
        return confirm_page(
            _("Stäng av kund") if suspended else _("Återaktivera kund"),
            _("Vill du stänga av %(name)s?", name=org.name)
            if suspended
            else _("Vill du återaktivera %(name)s?", name=org.name),
            _("Stäng av kund") if suspended else _("Återaktivera"),
            url_for("staff.organisation", org_id=org.id),
            detail=(
                _(
                    "Alla kundens användare loggas ut och kan inte logga in förrän kunden "
                    "återaktiveras. Inga uppgifter tas bort."
                )
                if suspended
                else _("Kundens användare kan logga in igen.")
            ),
            danger=suspended,
        )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with write_tx():
        changed = customers.set_suspended(org, suspended)
    if not changed:
        flash(_("Kunden är redan avstängd.") if suspended else _("Kunden är redan aktiv."), "info")
    elif suspended:
        flash(
            _(
                "%(name)s är avstängd. Användarna är utloggade och kan inte logga in.",
                name=org.name,
            ),
            "success",
        )
    else:
        flash(
            _("%(name)s är återaktiverad. Användarna kan logga in igen.", name=org.name), "success"
        )
    return redirect(url_for("staff.organisation", org_id=org.id), code=303)
