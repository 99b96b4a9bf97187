"""Att godkänna (ORD-4): what waits for the signed-in approver, and Godkänn /
Avslå.

Orders are looked up in the user's organisation only (another's answers 404);
whether the user may decide is the domain's call (domain/orders/approvals.py),
and a refusal comes back as a dialog with its message (403, or 409 when
someone else decided first). Avslå needs a comment: its dialog re-renders
with the message until one is given.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from blueprints.orders import bp
from blueprints.orders.listing import attach_products, order_number_column, order_type_column
from domain.orders import approvals
from domain.orders.flow import OrderConflict
from tables.orders import PRODUCT_AREAS, Order
from tables.org import Account
from web import dialogs
from web.auth import MAX_ID, require, safe_next
from web.forms import FlaskForm
from web.i18n import N_, error_text
from web.listcolumns import Column, TextFilter, choice_column, date_column
from web.listview import ListView

DIALOGS = "partials/orders/dialogs/"


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Kommentar"), validators=[Length(max=approvals.MAX_COMMENT)])
    position = HiddenField()
    next = HiddenField()


def approvals_query(user):
    return (
        approvals.pending_for(user)
        .select(Order, Account)
        .join(Account, on=(Order.account == Account.id))
    )


APPROVAL_LIST = ListView(
    name="approvals",
    model=Order,
    query=approvals_query,
    row_template="partials/orders/_approval_rows.html",
    default_sort=("date", "asc"),
    export_title="Att godkänna",
    empty_text=N_("Inga beställningar väntar på ditt godkännande"),
    rows_loader=attach_products,
    columns=[
        order_number_column(N_("Ordernummer")),
        order_type_column(),
        choice_column("area", N_("Produktområde"), Order.product_area, PRODUCT_AREAS),
        date_column("date", N_("Skickad"), Order.created_at),
        Column(
            "account",
            N_("Konto"),
            sort=Account.customer_number,
            filter=TextFilter(),
            filter_expr=(Account.customer_number, Account.company_name, Account.alias),
            export=Account.customer_number,
        ),
        Column("products", N_("Produkter")),
        Column("show", ""),
    ],
    essential=("number", "type", "date", "show"),
)


@bp.app_template_global()
def approval_state(order: Order, steps) -> dict:
    """What partials/orders/_approvals.html shows beside the steps: the
    current step, the steps about to be passed (and why), whether the order
    has fallen to the Superusers and whether the viewer may decide now."""
    state = approvals.progress(order, list(steps))
    may = current_user.is_authenticated and approvals.may_decide(order, current_user)
    return {
        "current": state.current.position if state.current else None,
        "passing": {step.position: reason for step, reason in state.to_pass},
        "to_superusers": state.falls_to_superusers,
        "may_decide": may,
        "labels": approvals.STEP_STATUSES,
    }


@bp.app_template_global()
def pending_approvals_count() -> int:
    """Att godkänna's count for the link on Beställningar."""
    return approvals.pending_count(current_user)


def load(order_id: int) -> Order:
    """An order of the user's own organisation (404 otherwise)."""
    if not 0 < order_id <= MAX_ID:
        abort(404)
    order = Order.get_or_none(
        (Order.id == order_id) & (Order.organisation == current_user.organisation_id)
    )
    if order is None:
        abort(404)
    return order


def back_to(order: Order) -> str:
    """Where a decision returns: the page it was made on (``next``), else
    the order's approval page."""
    default = url_for("orders.approval", order_id=order.id)
    return safe_next(request.values.get("next"), default)


def refused(order: Order, error: approvals.ApprovalError):
    response = dialogs.show(
        DIALOGS + "_refused.html",
        back_to(order),
        message=error_text(error),
        dialog_title=_("Det gick inte"),
    )
    conflict = isinstance(error, approvals.ApprovalConflict | OrderConflict)
    response.status_code = 409 if conflict else 403
    return response


def position_of(form) -> int | None:
    try:
        return int(form.position.data) if form.position.data else None
    except ValueError:
        return None


@bp.route("/approvals")
@require("orders.approve")
def approval_list():
    return APPROVAL_LIST.respond(current_user, "orders/approvals.html", areas=PRODUCT_AREAS)


@bp.route("/<int:order_id>/approval")
@require(("orders.approve", "orders.manage", "orders.create"))
def approval(order_id: int):
    """The order's approval steps on a page of their own (the order page
    includes the same partial)."""
    order = load(order_id)
    if not (
        order.created_by_id == current_user.id
        or current_user.has("orders.manage")
        or approvals.is_approver_of(order, current_user)
    ):
        abort(404)
    return render_template("orders/approval.html", order=order, approvals=approvals.steps_of(order))


@bp.route("/<int:order_id>/approve", methods=["POST"])
@require("orders.approve")
def approve(order_id: int):
    order = load(order_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return refused(order, approvals.ApprovalError(" ".join(sum(form.errors.values(), []))))
    try:
        approvals.approve(order, current_user, form.comment.data, position=position_of(form))
    except (approvals.ApprovalError, OrderConflict) as error:
        return refused(order, error)
    if order.is_quote:
        message = _("Offerten %(order)s är godkänd.", order=order.label)
    else:
        message = _("Beställningen %(order)s är godkänd.", order=order.label)
    if order.status == "received":
        message += " " + _("Den är nu skickad för behandling.")
    return dialogs.go(back_to(order), message)


@bp.route("/<int:order_id>/reject", methods=["GET", "POST"])
@require("orders.approve")
def reject(order_id: int):
    order = load(order_id)
    form = DecisionForm(data={"next": request.args.get("next", "")})
    context = {
        "order": order,
        "form": form,
        "dialog_title": _("Avslå %(order)s", order=order.label),
    }
    if request.method == "GET":
        if not approvals.may_decide(order, current_user):
            return refused(
                order, approvals.NotApprover(N_("Beställningen väntar inte på ditt godkännande."))
            )
        state = approvals.progress(order)
        at = state.current.position if state.current else len(state.steps) + 1
        form.position.data = str(at)
        return dialogs.show(DIALOGS + "_reject.html", back_to(order), **context)
    if not form.validate_on_submit():
        return dialogs.show(DIALOGS + "_reject.html", back_to(order), **context)
    try:
        approvals.reject(order, current_user, form.comment.data, position=position_of(form))
    except (approvals.ApprovalConflict, approvals.NotApprover, OrderConflict) as error:
        return refused(order, error)
    except approvals.ApprovalError as error:
        form.comment.errors = [*form.comment.errors, error_text(error)]
        return dialogs.show(DIALOGS + "_reject.html", back_to(order), **context)
    if order.is_quote:
        message = _("Offerten %(order)s är avslagen.", order=order.label)
    else:
        message = _("Beställningen %(order)s är avslagen.", order=order.label)
    message += " " + _("Beställaren har fått ett e-postmeddelande.")
    return dialogs.go(back_to(order), message)
