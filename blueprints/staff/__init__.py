"""The operator's back office (/staff): sign-in and the start page.

Staff are a separate kind of user with their own sign-in; they never see a
customer's view (SPEC §1). Each back-office area is a module of this package
that adds its routes to ``bp`` (``/staff/tickets`` → ``blueprints/staff/tickets.py``)
and is imported at the bottom of this file.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from blueprints.auth import (
    forgot_view,
    login_view,
    setup_sms_view,
    setup_view,
    token_view,
    verify_sms_view,
    verify_view,
)
from domain import outages as known_outages
from domain import tokens
from domain.provisioning import PENDING_STATUSES
from tables.billing import ImportBatch
from tables.orders import CLOSED_ORDER_STATUSES, Order
from tables.org import Organisation
from tables.tickets import OPEN_TICKET_STATUSES, Ticket
from web.auth import public, staff_required
from web.i18n import N_
from web.signin import STAFF

bp = Blueprint("staff", __name__, url_prefix="/staff")


# Sign-in: the same flow as the portal's (password, second factor, enrolment
# when STAFF_REQUIRE_2FA is set, reset and invitation links), for StaffUser.


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return login_view(STAFF, N_("Administration – logga in"))


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
    """Översikt: what waits for each of the employee's roles."""
    staff = current_user
    tiles = []
    if staff.has_role("support"):
        tiles.append(
            (
                N_("Öppna ärenden"),
                Ticket.select().where(Ticket.status.in_(OPEN_TICKET_STATUSES)).count(),
                "staff.tickets",
            )
        )
        tiles.append(
            (N_("Aktuella driftstörningar"), len(known_outages.current()), "staff.outages")
        )
    if staff.has_role("orders"):
        tiles.append(
            (
                N_("Pågående beställningar"),
                Order.select().where(Order.status.not_in(CLOSED_ORDER_STATUSES)).count(),
                "staff.orders",
            )
        )
        tiles.append(
            (
                N_("Ändringar att utföra"),
                Order.select()
                .where(Order.service.is_null(False) & Order.status.in_(PENDING_STATUSES))
                .count(),
                "staff.changes",
            )
        )
    if staff.has_role("billing"):
        tiles.append(
            (
                N_("Fakturaimporter att granska"),
                ImportBatch.select().where(ImportBatch.status == "preview").count(),
                "staff.billing",
            )
        )
    customers = None
    if staff.has_role("support"):
        customers = list(
            Organisation.select().order_by(Organisation.created_at.desc()).limit(RECENT_CUSTOMERS)
        )
    return render_template("staff/index.html", tiles=tiles, customers=customers)


RECENT_CUSTOMERS = 10


# Back-office areas (each adds its routes to ``bp``).
from blueprints.staff import (  # noqa: E402, F401
    account_pin,
    agreements,
    audit,
    billing,
    branding,
    catalogue,
    changes,
    charges,
    notices,
    numbers,
    oidc,
    orders,
    organisation_users,
    organisations,
    outages,
    pricelists,
    security,
    ticket_new,
    tickets,
    users,
    view_as,
)
