"""Who is signed in, what they may open, and scoped object look-ups."""

from __future__ import annotations

import functools

from flask import abort, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from domain import sessions, view_as
from permissions import holds_any
from tables.org import Account, LoginSession, Role, StaffUser, User
from tables.prepared import Prepared

MAX_ID = 2**63 - 1  # the largest database integer; app.py bounds <int:…> in URLs to it


# The user with the session's row, run on every request: built once (tables/prepared.py).
_USER_WITH_SESSION = Prepared(
    lambda user_id, key_hash: (
        User.select(User, Account, Role)
        .join(LoginSession, on=(LoginSession.user == User.id) & (LoginSession.key_hash == key_hash))
        .switch(User)
        .join(Account, on=(User.scope_account == Account.id))
        .switch(User)
        .join(Role, join_type=JOIN.LEFT_OUTER, on=(User.role == Role.id))
        .where(User.id == user_id)
    )
)
_STAFF_WITH_SESSION = Prepared(
    lambda staff_id, key_hash: (
        StaffUser.select()
        .join(
            LoginSession,
            on=(LoginSession.staff == StaffUser.id) & (LoginSession.key_hash == key_hash),
        )
        .where(StaffUser.id == staff_id)
    )
)


def load_session_user(session_id: str):
    """Flask-Login loader for ids ``u:<id>:<version>`` and ``s:<id>:<version>``.

    The cookie's session key must have its ``LoginSession`` row (joined in
    the one query that loads the user), so a session ended on the server —
    logout, another device's "Logga ut från andra enheter", a password
    change, deactivation — stops at once in every worker, even for a copy
    of the cookie. A bumped ``session_version`` ends every session as well.
    """
    try:
        kind, raw_id, version = session_id.split(":")
        user_id, version = int(raw_id), int(version)
    except ValueError:
        return None
    key = session.get("sid")
    if not isinstance(key, str) or not key or not 0 < user_id <= MAX_ID:
        return None
    if kind == "p":
        return _pin_user(user_id, sessions.key_hash(key))
    if kind == "u":
        user = _USER_WITH_SESSION.first(user_id, sessions.key_hash(key))
    elif kind == "s":
        user = _STAFF_WITH_SESSION.first(user_id, sessions.key_hash(key))
    else:
        return None
    if user is None or not user.active or user.session_version != version:
        return None
    if getattr(user, "removed_at", None) is not None:
        return None
    if kind == "s" and "view_as" in session:
        return _viewed_user(user, session["view_as"]) or user
    return user


def _pin_user(account_id: int, key_hash: str):
    """A kundnummer + PIN session (domain/account_pin.py): while its row
    exists, the account still has a PIN and the operator allows PIN sign-in."""
    from flask import current_app

    from domain.account_pin import PinUser

    if not current_app.config.get("PIN_LOGIN_ENABLED"):
        return None
    account = (
        Account.select()
        .join(LoginSession, on=(LoginSession.pin_account == Account.id))
        .where(
            (Account.id == account_id)
            & (LoginSession.key_hash == key_hash)
            & Account.pin_hash.is_null(False)
            & Account.active
        )
        .first()
    )
    return PinUser.of(account) if account is not None else None


def _viewed_user(staff: StaffUser, view_as_id):
    """The customer's user ``staff`` view the portal as, with ``viewed_by``
    set, while that viewing is open and the user can still sign in; else
    None (the viewing is forgotten and staff are themselves again)."""
    row = view_as.find_open(staff, view_as_id)
    user = None
    if row is not None:
        user = (
            User.select(User, Account, Role)
            .join(Account, on=(User.scope_account == Account.id))
            .switch(User)
            .join(Role, join_type=JOIN.LEFT_OUTER, on=(User.role == Role.id))
            .where((User.id == row.user_id) & User.active & User.removed_at.is_null())
            .first()
        )
    if user is None:
        session.pop("view_as", None)
        return None
    user.viewed_by, user.view_as = staff, row
    return user


def _login_redirect(endpoint: str = "auth.login"):
    """To the sign-in page. An htmx request (session expired while on a page)
    gets ``HX-Redirect`` so the browser navigates instead of swapping the
    login page into a fragment; ``next`` is the page the user was on."""
    from urllib.parse import urlsplit

    from web.htmx import is_htmx

    if is_htmx():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = url_for(
            endpoint,
            next=safe_next(current.path + ("?" + current.query if current.query else ""), "/"),
        )
        response = make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(url_for(endpoint, next=request.full_path.rstrip("?")))


# Every view declares who may open it in ``view.access`` (one of ACCESS), set
# by the decorators below; tests/test_route_access.py walks ``app.url_map``
# and fails for a route whose view declares nothing, so a new route cannot
# ship unprotected by accident.
# "api": the JSON API's views (web/api/operations.py), opened by a Bearer
# token only, never by the session cookie.
ACCESS = ("public", "customer", "staff", "api")


def public(view):
    """Open without signing in (sign-in, password reset, 2FA steps, health
    checks): a declaration only, the view guards itself where it must."""
    view.access = "public"
    return view


def customer_required(view):
    """A signed-in portal user; staff are sent to the back office."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        if current_user.is_staff:
            return redirect(url_for("staff.index"))
        return view(*args, **kwargs)

    wrapper.access = "customer"
    return wrapper


def require(permission):
    """A portal user holding ``permission`` (or one of a tuple); others get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            if current_user.is_staff:
                return redirect(url_for("staff.index"))
            if not holds_any(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        # What the view requires, for code that asks on a user's behalf
        # (the recipients of a scheduled report, web/schedules.py).
        wrapper.required_permission = permission
        wrapper.access = "customer"
        return wrapper

    return decorator


def staff_required(view=None, *roles: str):
    """A signed-in staff user; with ``roles``, one holding one of them
    (StaffUser.has_role: Administratör holds all), others get 403.

    ``@staff_required`` for any employee, ``@staff_required("support")`` for
    a role. The roles are kept on the view (``view.staff_roles``) for the
    staff menu and the role matrix test."""
    if isinstance(view, str):  # @staff_required("support", …)
        return functools.partial(_staff_view, roles=(view, *roles))
    if view is None:
        return functools.partial(_staff_view, roles=roles)
    return _staff_view(view, roles=roles)


def _staff_view(view, roles: tuple[str, ...]):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect("staff.login")
        if current_user.viewed_by is not None and not getattr(wrapper, "while_viewing", False):
            # The back office is out of reach while viewing as a customer.
            flash(
                _(
                    "Du visar portalen som %(name)s. Avsluta visningen för att "
                    "gå till administrationen.",
                    name=current_user.name,
                ),
                "info",
            )
            return redirect(url_for("dashboard.index"))
        staff = current_user.viewed_by or current_user
        if not staff.is_staff:
            abort(403)  # a customer's user in the back office
        if roles and not staff.has_role(*roles):
            abort(403)
        return view(*args, **kwargs)

    wrapper.access = "staff"
    wrapper.staff_roles = roles
    return wrapper


def while_viewing_as(view):
    """Let a staff view run while its employee views the portal as a
    customer (ending the viewing); ``current_user`` is then the customer's
    user and ``current_user.viewed_by`` the employee."""
    view.while_viewing = True
    return view


def parse_id(value) -> int | None:
    """An id from a form field or query string: a positive integer a
    database column can hold, else None (it names nothing). ``int()`` alone
    lets 2**64 through to the query, which then fails with OverflowError."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def get_visible_or_404(model, object_id: int, query=None):
    """Load ``model`` by id through the user's scope; outside it answers 404."""
    if not 0 < object_id <= MAX_ID:  # beyond a database integer: no such object
        abort(404)
    query = query if query is not None else model.visible_to(current_user)
    obj = query.where(model.id == object_id).get_or_none()
    if obj is None:
        abort(404)
    return obj


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login.

    Control characters are refused as well: browsers drop tabs and newlines
    from a URL (and Werkzeug drops them from the Location header), so
    ``/\\t/evil.example`` would become the protocol-relative ``//evil.example``,
    and a CR/LF cannot go into a header at all.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    ):
        return target
    return default
