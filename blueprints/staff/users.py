"""Back office: the operator's staff at /staff/users (issue 17, item 6).

An Administratör invites employees (name, e-mail, roles, whether they must
use a second factor — on by default), changes their roles and deactivates
them. The rules are in domain/staff_users.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.staff import bp
from database import write_tx
from domain import staff_users, twofactor
from tables.org import STAFF_ROLES, StaffUser
from web import dialogs
from web.auth import staff_required
from web.forms import FlaskForm, select_choices
from web.i18n import N_, error_text, tr

ROLE_HINTS = {
    "support": N_("Ärenden, driftinformation och täckning, visa som kund"),
    "orders": N_("Beställningar och tjänsteändringar"),
    "billing": N_("Fakturaimport, fakturor och debiteringar"),
    "admin": N_("Allt ovan samt kunder, avtal, produkter, personal och inställningar"),
}
# The labels of tables.org.STAFF_ROLES, marked for translation here (the
# tables stay Swedish); shown with tr().
ROLE_LABELS = (N_("Support"), N_("Orderdesk"), N_("Fakturering"), N_("Administratör"))


def role_labels(staff: StaffUser) -> str:
    """The employee's roles in the page's language (staff_users.role_labels
    is the Swedish one the audit log keeps)."""
    held = [tr(label) for key, label in STAFF_ROLES.items() if key in staff.role_keys]
    return ", ".join(held) or _("Inga roller")


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange namn.")), Length(max=100)])
    roles = RolesField(
        _l("Roller"),
        choices=select_choices((key, _l(label)) for key, label in STAFF_ROLES.items()),
        validators=[DataRequired(_l("Välj minst en roll."))],
    )
    require_2fa = BooleanField(_l("Kräv tvåstegsverifiering"), default=True)


class InviteForm(StaffForm):
    email = EmailField(
        _l("E-post"),
        validators=[
            DataRequired(_l("Ange e-postadress.")),
            Email(_l("Ange en giltig e-postadress.")),
            Length(max=254),
        ],
    )


def _staff_or_404(staff_id: int) -> StaffUser:
    staff = StaffUser.get_or_none(StaffUser.id == staff_id)
    if staff is None:
        abort(404)
    return staff


@bp.route("/users", endpoint="users")
@staff_required("admin")
def users_index():
    staff = list(StaffUser.select().order_by(StaffUser.active.desc(), StaffUser.name))
    return render_template(
        "staff/users.html",
        staff=staff,
        role_labels=role_labels,
        has_2fa=twofactor.has_2fa,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@staff_required("admin")
def users_new():
    form = InviteForm()
    back = url_for("staff.users")
    if form.validate_on_submit():
        try:
            with write_tx():
                staff = staff_users.invite(
                    current_user,
                    form.name.data,
                    form.email.data,
                    form.roles.data,
                    form.require_2fa.data,
                )
        except staff_users.Refused as refused:
            form.email.errors.append(error_text(refused))
        else:
            return dialogs.go(back, _("Inbjudan har skickats till %(email)s.", email=staff.email))
    return dialogs.show(
        "partials/staff/_staff_form.html",
        back,
        form=form,
        action=url_for("staff.users_new"),
        title=_("Bjud in personal"),
        submit=_("Skicka inbjudan"),
        hints=ROLE_HINTS,
    )


@bp.route("/users/<int:staff_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def users_edit(staff_id):
    staff = _staff_or_404(staff_id)
    form = StaffForm(
        data=None
        if request.method == "POST"
        else {
            "name": staff.name,
            "roles": sorted(staff.role_keys),
            "require_2fa": staff.require_2fa,
        }
    )
    back = url_for("staff.users")
    if form.validate_on_submit():
        try:
            with write_tx():
                staff_users.update(
                    current_user, staff, form.name.data, form.roles.data, form.require_2fa.data
                )
        except staff_users.Refused as refused:
            form.roles.errors.append(error_text(refused))
        else:
            return dialogs.go(back, _("%(name)s är ändrad.", name=staff.name))
    return dialogs.show(
        "partials/staff/_staff_form.html",
        back,
        form=form,
        action=url_for("staff.users_edit", staff_id=staff.id),
        title=_("Ändra %(name)s", name=staff.name),
        submit=_("Spara"),
        hints=ROLE_HINTS,
    )


@bp.post("/users/<int:staff_id>/<any(deactivate, activate):action>")
@staff_required("admin")
def users_set_active(staff_id, action):
    staff = _staff_or_404(staff_id)
    active = action == "activate"
    try:
        with write_tx():
            staff_users.set_active(current_user, staff, active)
    except staff_users.Refused as refused:
        flash(error_text(refused), "error")
    else:
        flash(
            _("%(name)s är aktiverad.", name=staff.name)
            if active
            else _("%(name)s är inaktiverad.", name=staff.name),
            "success",
        )
    return redirect(url_for("staff.users"), code=303)


@bp.post("/users/<int:staff_id>/invite")
@staff_required("admin")
def users_resend(staff_id):
    staff = _staff_or_404(staff_id)
    try:
        with write_tx():
            staff_users.resend_invitation(current_user, staff)
    except staff_users.Refused as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Inbjudan har skickats igen till %(email)s.", email=staff.email), "success")
    return redirect(url_for("staff.users"), code=303)
