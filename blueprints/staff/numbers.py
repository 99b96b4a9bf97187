"""Nummerpool and Tillgänglighet (/staff/catalogue/numbers, /availability):
the numbers Ny beställning hands out and the fixed-network availability the
broadband wizard answers from, each a list view with an import from a file
(domain/catalogue_imports.py)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from peewee import fn
from wtforms import BooleanField, RadioField

from blueprints.staff import bp
from database import write_tx
from domain import catalogue_imports as imports
from tables.orders import NUMBER_STATUSES, Availability, Order, PoolNumber
from web.auth import staff_required
from web.forms import FlaskForm, select_choices
from web.i18n import N_, error_text
from web.listcolumns import Column, choice_column, date_column, number_column, text_column
from web.listview import ListView

SHOWN_PROBLEMS = 200
SERIES_DIGITS = 8  # "070-123 45": a series of a hundred numbers
MAX_SERIES = 100


# The labels of tables.orders.NUMBER_STATUSES, marked for translation here
# (shown with tr(): the rows and the Status filter).
STATUS_LABELS = (N_("Ledigt"), N_("Reserverat"), N_("Använt"))


class NumbersImportForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil att importera."))])
    kind = RadioField(
        _l("Typ av nummer"),
        choices=select_choices((key, _l(label)) for key, label in imports.NUMBER_KINDS.items()),
        default="mobile",
    )
    all_or_nothing = BooleanField(_l("Allt eller inget: importera ingenting om någon rad är fel"))


class AvailabilityImportForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil att importera."))])
    mode = RadioField(
        _l("Vid import"),
        choices=select_choices(
            [
                ("merge", _l("Slå samman: lägg till nya och uppdatera befintliga rader")),
                ("replace", _l("Ersätt: filen blir hela tabellen")),
            ]
        ),
        default="merge",
    )
    all_or_nothing = BooleanField(_l("Allt eller inget: importera ingenting om någon rad är fel"))


def numbers_query(user):
    return PoolNumber.select()


NUMBER_LIST = ListView(
    name="staff-numbers",
    model=PoolNumber,
    query=numbers_query,
    joins=[(Order, PoolNumber.order)],
    row_template="partials/staff/_number_rows.html",
    default_sort=("number", "asc"),
    export_title="Nummerpool",
    bulk_actions=[],
    columns=[
        number_column("number", N_("Nummer"), PoolNumber.number),
        choice_column("kind", N_("Typ"), PoolNumber.kind, imports.NUMBER_KINDS),
        choice_column("status", N_("Status"), PoolNumber.status, NUMBER_STATUSES),
        Column("order", N_("Order"), sort=Order.number),
        date_column("changed", N_("Ändrad"), PoolNumber.changed_at),
    ],
    essential=("number", "status", "order"),
)

AVAILABILITY_LIST = ListView(
    name="staff-availability",
    model=Availability,
    query=lambda user: Availability.select(),
    row_template="partials/staff/_availability_rows.html",
    default_sort=("postcode", "asc"),
    export_title="Tillgänglighet",
    bulk_actions=[],
    columns=[
        text_column("postcode", N_("Postnummer"), Availability.postcode),
        text_column("technology", N_("Teknik"), Availability.technology),
        Column(
            "down",
            N_("Ned (Mbit/s)"),
            sort=Availability.down_mbit,
            export=Availability.down_mbit,
            text=False,
            align="right",
        ),
        Column(
            "up",
            N_("Upp (Mbit/s)"),
            sort=Availability.up_mbit,
            export=Availability.up_mbit,
            text=False,
            align="right",
        ),
    ],
)


def series_label(prefix: str) -> str:
    """ "07610001" as people write a series: "076-100 01"."""
    return f"{prefix[:3]}-{prefix[3:6]} {prefix[6:]}".strip() if len(prefix) > 3 else prefix


def series_counts(limit: int = MAX_SERIES) -> list[dict]:
    """Numbers by series ("070-123 45"): free, reserved and used in each."""
    prefix = fn.SUBSTR(PoolNumber.number, 1, SERIES_DIGITS)
    rows = (
        PoolNumber.select(
            prefix.alias("series"), PoolNumber.kind, PoolNumber.status, fn.COUNT(PoolNumber.id)
        )
        .group_by(prefix, PoolNumber.kind, PoolNumber.status)
        .order_by(prefix)
        .tuples()
    )
    found: dict[tuple[str, str], dict] = {}
    for series, kind, status, count in rows:
        entry = found.setdefault(
            (series, kind),
            {
                "series": series_label(series),
                "prefix": series,
                "kind": kind,
                "free": 0,
                "reserved": 0,
                "used": 0,
            },
        )
        entry[status] = entry.get(status, 0) + count
    return list(found.values())[:limit]


def _import(form, run):
    """Read the uploaded file and run the import; (report, error)."""
    upload = form.file.data
    try:
        rows = imports.read_rows(upload.read(), upload.filename or "")
        with write_tx():
            return run(rows), None
    except imports.FileRefused as refused:
        return None, error_text(refused)


@bp.route("/catalogue/numbers", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_numbers():
    form = NumbersImportForm()
    report = error = None
    if request.method == "POST" and form.validate_on_submit():
        report, error = _import(
            form,
            lambda rows: imports.import_numbers(rows, form.kind.data, form.all_or_nothing.data),
        )
        if error:
            form.file.errors = [error]
    if request.method == "POST":
        return render_template(
            "staff/catalogue/numbers.html",
            form=form,
            report=report,
            shown=SHOWN_PROBLEMS,
            series=series_counts(),
            lv=NUMBER_LIST,
            lp=NUMBER_LIST.page(current_user, NUMBER_LIST.state()),
            kinds=imports.NUMBER_KINDS,
            statuses=NUMBER_STATUSES,
        )
    return NUMBER_LIST.respond(
        current_user,
        "staff/catalogue/numbers.html",
        form=form,
        report=None,
        series=series_counts(),
        kinds=imports.NUMBER_KINDS,
        statuses=NUMBER_STATUSES,
    )


@bp.route("/catalogue/availability", methods=["GET", "POST"])
@staff_required("admin")
def catalogue_availability():
    form = AvailabilityImportForm()
    report = None
    if request.method == "POST" and form.validate_on_submit():
        report, error = _import(
            form,
            lambda rows: imports.import_availability(
                rows, form.mode.data, form.all_or_nothing.data
            ),
        )
        if error:
            form.file.errors = [error]
    if request.method == "POST":
        return render_template(
            "staff/catalogue/availability.html",
            form=form,
            report=report,
            shown=SHOWN_PROBLEMS,
            lv=AVAILABILITY_LIST,
            lp=AVAILABILITY_LIST.page(current_user, AVAILABILITY_LIST.state()),
        )
    return AVAILABILITY_LIST.respond(
        current_user, "staff/catalogue/availability.html", form=form, report=None
    )
