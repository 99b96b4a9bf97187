"""The operator's back office (/staff): sign-in and the start page.

Staff are a separate kind of user with their own sign-in; they never see a
customer's view (SPEC §1). Each back-office area is a module of this package
that adds its routes to ``bp`` (``/staff/tickets`` → ``blueprints/staff/tickets.py``)
and is imported at the bottom of this file.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from blueprints.auth import (
    forgot_view,
    login_view,
    setup_sms_view,
    setup_view,
    token_view,
    verify_sms_view,
    verify_view,
)
from domain import tokens
from tables.orders import CLOSED_ORDER_STATUSES, Order
from tables.org import Organisation
from tables.tickets import OPEN_TICKET_STATUSES, Ticket
from web.auth import public, staff_required
from web.signin import STAFF

bp = Blueprint("staff", __name__, url_prefix="/staff")


# Sign-in: the same flow as the portal's (password, second factor, enrolment
# when STAFF_REQUIRE_2FA is set, reset and invitation links), for StaffUser.


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return login_view(STAFF, "Administration – logga in")


@bp.route("/login/verify", methods=["GET", "POST"])
@public
def login_verify():
    return verify_view(STAFF)


@bp.post("/login/verify/sms")
@public
def login_verify_sms():
    return verify_sms_view(STAFF)


@bp.route("/login/setup", methods=["GET", "POST"])
@public
def login_setup():
    return setup_view(STAFF)


@bp.post("/login/setup/sms")
@public
def login_setup_sms():
    return setup_sms_view(STAFF)


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot():
    return forgot_view(STAFF)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token):
    return token_view(STAFF, token, tokens.RESET)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def invite(token):
    return token_view(STAFF, token, tokens.INVITE)


@bp.route("/")
@staff_required
def index():
    return render_template(
        "staff/index.html",
        organisations=Organisation.select().order_by(Organisation.name),
        open_tickets=Ticket.select().where(Ticket.status.in_(OPEN_TICKET_STATUSES)).count(),
        open_orders=Order.select().where(Order.status.not_in(CLOSED_ORDER_STATUSES)).count(),
    )


# Back-office areas (each adds its routes to ``bp``).
from blueprints.staff import (  # noqa: E402, F401
    audit,
    billing,
    branding,
    catalogue,
    changes,
    numbers,
    orders,
    security,
    tickets,
)
