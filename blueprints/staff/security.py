"""Back office: the staff user's own password and two-factor authentication
(the same pages as the portal's Min profil, without SMS: staff have no
mobile number on file)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from blueprints.profile import (
    SecurityPages,
    password_view,
    recovery_codes_view,
    theme_form,
    theme_view,
    totp_view,
    twofactor_off_view,
)
from blueprints.staff import bp
from domain import twofactor
from web.auth import staff_required

STAFF_PAGES = SecurityPages(
    home="staff.security",
    password="staff.security_password",
    totp="staff.security_totp",
    sms_send="",
    sms="",
    off="staff.security_off",
    recovery="staff.security_recovery",
    template="base.html",
)


@bp.route("/security")
@staff_required
def security():
    user = current_user
    return render_template(
        "staff/security.html",
        user=user,
        pages=STAFF_PAGES,
        has_2fa=twofactor.has_2fa(user),
        required=twofactor.required_for(user),
        recovery_left=twofactor.remaining_recovery_codes(user),
        theme_form=theme_form(user),
        theme_action=url_for("staff.security_theme"),
    )


@bp.route("/security/theme", methods=["POST"])
@staff_required
def security_theme():
    return theme_view(STAFF_PAGES)


@bp.route("/security/password", methods=["GET", "POST"])
@staff_required
def security_password():
    return password_view(STAFF_PAGES)


@bp.route("/security/app", methods=["GET", "POST"])
@staff_required
def security_totp():
    return totp_view(STAFF_PAGES)


@bp.route("/security/off", methods=["GET", "POST"])
@staff_required
def security_off():
    return twofactor_off_view(STAFF_PAGES)


@bp.route("/security/recovery-codes", methods=["GET", "POST"])
@staff_required
def security_recovery():
    return recovery_codes_view(STAFF_PAGES)
