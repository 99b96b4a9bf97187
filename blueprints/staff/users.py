"""Back office: the operator's staff at /staff/users (issue 17, item 6).

An Administratör invites employees (name, e-mail, roles, whether they must
use a second factor — on by default), changes their roles and deactivates
them. The rules are in domain/staff_users.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
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

ROLE_HINTS = {
    "support": "Ärenden, driftinformation och täckning, visa som kund",
    "orders": "Beställningar och tjänsteändringar",
    "billing": "Fakturaimport, fakturor och debiteringar",
    "admin": "Allt ovan samt kunder, avtal, produkter, personal och inställningar",
}


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(FlaskForm):
    name = StringField("Namn", validators=[DataRequired("Ange namn."), Length(max=100)])
    roles = RolesField(
        "Roller",
        choices=select_choices(STAFF_ROLES.items()),
        validators=[DataRequired("Välj minst en roll.")],
    )
    require_2fa = BooleanField("Kräv tvåstegsverifiering", default=True)


class InviteForm(StaffForm):
    email = EmailField(
        "E-post",
        validators=[
            DataRequired("Ange e-postadress."),
            Email("Ange en giltig e-postadress."),
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
        role_labels=staff_users.role_labels,
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
            form.email.errors.append(str(refused))
        else:
            return dialogs.go(back, f"Inbjudan har skickats till {staff.email}.")
    return dialogs.show(
        "partials/staff/_staff_form.html",
        back,
        form=form,
        action=url_for("staff.users_new"),
        title="Bjud in personal",
        submit="Skicka inbjudan",
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
            form.roles.errors.append(str(refused))
        else:
            return dialogs.go(back, f"{staff.name} är ändrad.")
    return dialogs.show(
        "partials/staff/_staff_form.html",
        back,
        form=form,
        action=url_for("staff.users_edit", staff_id=staff.id),
        title=f"Ändra {staff.name}",
        submit="Spara",
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
        flash(str(refused), "error")
    else:
        flash(f"{staff.name} är {'aktiverad' if active else 'inaktiverad'}.", "success")
    return redirect(url_for("staff.users"), code=303)


@bp.post("/users/<int:staff_id>/invite")
@staff_required("admin")
def users_resend(staff_id):
    staff = _staff_or_404(staff_id)
    try:
        with write_tx():
            staff_users.resend_invitation(current_user, staff)
    except staff_users.Refused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Inbjudan har skickats igen till {staff.email}.", "success")
    return redirect(url_for("staff.users"), code=303)
