"""The operator's back office (/staff): sign-in and the start page.

Staff are a separate kind of user with their own sign-in; they never see a
customer's view (SPEC §1). Each back-office area is a module of this package
that adds its routes to ``bp`` (``/staff/tickets`` → ``blueprints/staff/tickets.py``)
and is imported at the bottom of this file.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.auth import LoginForm
from tables.orders import CLOSED_ORDER_STATUSES, Order
from tables.org import Organisation, StaffUser
from tables.tickets import OPEN_TICKET_STATUSES, Ticket
from web.auth import safe_next, staff_required
from web.signin import GENERIC_ERROR, authenticate, complete_login

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and current_user.is_staff:
        return redirect(url_for("staff.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(StaffUser, form.username.data, form.password.data)
        if user is not None:
            complete_login(user, form.password.data)
            return redirect(safe_next(request.args.get("next"), url_for("staff.index")))
        error = GENERIC_ERROR
    return render_template(
        "auth/login.html", form=form, error=error, heading="Back office – logga in"
    )


@bp.route("/")
@staff_required
def index():
    return render_template(
        "staff/index.html",
        organisations=Organisation.select().order_by(Organisation.name),
        open_tickets=Ticket.select().where(Ticket.status.in_(OPEN_TICKET_STATUSES)).count(),
        open_orders=Order.select().where(Order.status.not_in(CLOSED_ORDER_STATUSES)).count(),
    )


from blueprints.staff import tickets  # noqa: E402,F401  (back-office ticket queue)
