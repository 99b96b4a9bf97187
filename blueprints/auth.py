"""Sign in and out of the customer portal (AUTH-1)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tables.org import User
from web.auth import safe_next
from web.signin import GENERIC_ERROR, authenticate, complete_login, end_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(
        "Användarnamn",
        validators=[DataRequired("Ange ditt användarnamn."), Length(max=254)],
    )
    password = PasswordField(
        "Lösenord", validators=[DataRequired("Ange ditt lösenord."), Length(max=1024)]
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(User, form.username.data, form.password.data)
        if user is not None:
            complete_login(user, form.password.data)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
        error = GENERIC_ERROR
    return render_template(
        "auth/login.html", form=form, error=error, heading="Logga in på ditt konto"
    )


@bp.post("/logout")
def logout():
    end_session(current_user)
    return redirect(url_for("auth.login"))
