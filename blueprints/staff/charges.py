"""Avgifter att fakturera (/staff/billing/charges): completed billable
requests waiting for the next invoice (domain/charges.py).

Billing exports them to Excel and then marks them collected so the next
export does not repeat them. The page is a snapshot: its links all carry
``upto``, the last charge id when it was opened, so the export and
"Markera som hämtade" (which takes the same filters) cover exactly the same
charges even when new ones arrive in between; "Visa nya" opens a fresh one.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import fn
from werkzeug.datastructures import MultiDict

from blueprints.staff import bp
from database import write_tx
from domain import charges
from tables.charges import CHARGE_STATUSES, Charge
from tables.org import Account, Organisation
from tables.tickets import Ticket
from web.auth import parse_id, staff_required
from web.formatting import kr
from web.forms import FlaskForm
from web.htmx import render
from web.i18n import N_
from web.listcolumns import ChoiceFilter, Column, date_column, kronor_column, text_column
from web.listview import ListView

# The labels of tables.charges.CHARGE_STATUSES, marked for translation here
# (shown with tr(): the rows and the Status filter).
STATUS_LABELS = (N_("Ej hämtad"), N_("Hämtad"))


def _status_condition(values):
    chosen = set(values)
    if chosen == {"open"}:
        return Charge.collected_at.is_null()
    if chosen == {"collected"}:
        return Charge.collected_at.is_null(False)
    return Charge.id.is_null(False)


def label_rows(rows):
    for row in rows:
        row.status_label = CHARGE_STATUSES[row.status]


CHARGE_LIST = ListView(
    name="staff-charges",
    model=Charge,
    query=lambda user: Charge.select(),
    joins=[
        (Organisation, Charge.organisation),
        (Account, Charge.account),
        (Ticket, Charge.ticket),
    ],
    row_template="partials/staff/_charges_rows.html",
    default_sort=("created", "asc"),
    export_title="Avgifter att fakturera",
    bulk_actions=[],
    rows_loader=label_rows,
    empty_text=N_("Det finns inga avgifter"),
    preset=N_("Visar avgifter som ännu inte är hämtade – ändra i kolumnen Status"),
    columns=[
        date_column("created", N_("Registrerad"), Charge.created_at),
        text_column("customer", N_("Kund"), Organisation.name),
        text_column("account", N_("Kundnummer"), Account.customer_number),
        Column("ticket", N_("Ärende"), sort=Ticket.number, export=Ticket.number, text=False),
        text_column("description", N_("Beskrivning"), Charge.description),
        text_column("agreement", N_("Avtal"), Charge.agreement_number),
        kronor_column("amount", N_("Belopp"), Charge.amount_ore),
        Column(
            "status",
            N_("Status"),
            filter=ChoiceFilter(CHARGE_STATUSES, default=("open",), condition=_status_condition),
            filter_expr=Charge.collected_at,
        ),
        date_column("collected", N_("Hämtad"), Charge.collected_at),
    ],
    essential=("created", "customer", "description", "amount", "status"),
)


class CollectForm(FlaskForm):
    """Markera som hämtade: a form for CSRF; what it marks is in its URL."""


def _snapshot_args() -> MultiDict:
    """The request's list parameters with ``upto`` (now's last charge id)."""
    args = MultiDict(request.args)
    if parse_id(args.get("upto")) is None:
        args.pop("upto", None)
        args["upto"] = str(Charge.select(fn.MAX(Charge.id)).scalar() or 0)
    return args


def _upto_condition(args):
    upto = args.get("upto", "")
    return Charge.id <= int(upto) if upto.isdigit() and len(upto) < 19 else Charge.id < 0


@bp.route("/billing/charges")
@staff_required("billing")
def billing_charges():
    args = _snapshot_args()
    if "upto" not in request.args and request.args.get("export") is None:
        state = CHARGE_LIST.state(args)
        return redirect(state.url(), code=302)
    state = CHARGE_LIST.state(args)
    extra = _upto_condition(args)
    if request.args.get("export") == "xlsx":
        return CHARGE_LIST.export_response(current_user, state, extra)
    listing = CHARGE_LIST.page(current_user, state, extra)
    pending = CHARGE_LIST.filtered(current_user, state, extra).where(Charge.collected_at.is_null())
    count, total = pending.select(fn.COUNT(Charge.id), fn.SUM(Charge.amount_ore)).scalar(
        as_tuple=True
    )
    return render(
        "staff/billing/charges.html",
        "partials/_listview.html",
        lv=CHARGE_LIST,
        lp=listing,
        pending_count=count or 0,
        pending_total=total or 0,
        collect_url=url_for("staff.billing_charges_collect") + "?" + state.url().partition("?")[2],
        fresh_url=url_for("staff.billing_charges"),
        form=CollectForm(),
    )


@bp.post("/billing/charges/collect")
@staff_required("billing")
def billing_charges_collect():
    """Markera som hämtade: the uncollected charges the list shows (its
    filters and ``upto`` come in the URL), all pages of it."""
    if not CollectForm().validate_on_submit():
        abort(400)
    if parse_id(request.args.get("upto")) is None:
        abort(400)
    args = MultiDict(request.args)
    state = CHARGE_LIST.state(args, path=url_for("staff.billing_charges"))
    query = CHARGE_LIST.filtered(current_user, state, _upto_condition(args)).where(
        Charge.collected_at.is_null()
    )
    with write_tx():
        ids = [row_id for (row_id,) in query.select(Charge.id).tuples()]
        count, total = charges.mark_collected(ids, staff=current_user._get_current_object())
    if count:
        flash(
            _(
                "%(count)s avgifter (%(total)s) är markerade som hämtade.",
                count=count,
                total=kr(total),
            ),
            "success",
        )
    else:
        flash(_("Inga avgifter att markera; de är redan hämtade."), "info")
    return redirect(url_for("staff.billing_charges"), code=303)
