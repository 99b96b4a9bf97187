"""Back office: view the portal as one of a customer's users (issue 17).

"Visa som" on an organisation's user list posts here; the employee (role
Support) then sees the portal exactly as that user, read-only, under a
banner with "Avsluta visningen" (templates/partials/_view_as_banner.html).
The rules and the audit trail are in domain/view_as.py, the read-only
requests in web/viewas.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from blueprints.staff import bp
from database import allow_writes, write_tx
from domain import view_as
from tables.org import Organisation, User
from web import dialogs
from web.auth import staff_required, while_viewing_as
from web.forms import FlaskForm
from web.i18n import error_text
from web.requestcontext import client_ip


class ViewAsForm(FlaskForm):
    reason = StringField(
        _l("Anledning"),
        validators=[Length(max=view_as.REASON_LENGTH, message=_l("Högst 200 tecken."))],
    )
    next = HiddenField()


@bp.route("/view-as/<int:user_id>", methods=["GET", "POST"])
@staff_required("support")
def view_as_start(user_id):
    """GET: the dialog (who, why); POST: begin viewing as the user."""
    user = (
        User.select(User, Organisation)
        .join(Organisation)
        .where((User.id == user_id) & User.removed_at.is_null())
        .get_or_none()
    )
    if user is None:
        abort(404)
    form = ViewAsForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        back = _return_url(form.next.data) or url_for("staff.index")
        return dialogs.show("partials/staff/_view_as_start.html", back, form=form, user=user)
    reason = form.reason.data.strip()
    try:
        with write_tx():
            row = view_as.start(current_user, user, reason=reason, ip=client_ip())
    except view_as.Refused as refused:
        flash(error_text(refused), "error")
        return redirect(request.referrer or url_for("staff.index"), code=303)
    session["view_as"] = row.id
    session["view_as_return"] = _return_url(form.next.data)
    return dialogs.go(url_for("dashboard.index"))


@bp.post("/view-as/stop")
@while_viewing_as
@staff_required
def view_as_stop():
    row = current_user.view_as
    back = session.pop("view_as_return", None) or url_for("staff.index")
    session.pop("view_as", None)
    if row is not None:
        with allow_writes(), write_tx():
            view_as.stop(row)
        flash(_("Du visar inte längre portalen som %(name)s.", name=current_user.name), "success")
    return redirect(back, code=303)


def _return_url(value: str | None) -> str | None:
    """Where "Avsluta visningen" goes back to: a back-office path only."""
    if value and value.startswith("/staff/") and "//" not in value and "\\" not in value:
        return value
    return None
