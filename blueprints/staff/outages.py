"""Driftinformation (/staff/outages, SPEC UI-6): staff publish outages and
planned maintenance, add updates customers see, mark them Åtgärdad, and
import the mobile coverage file (/staff/outages/coverage).

Publishing shows first which services and organisations the outage touches
by the one rule (domain/outages.py); "Publicera" then writes it, if the data
is still what the preview counted. A one-time token in the form makes a
double submit find the outage the first one made.
"""

from __future__ import annotations

import os
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, Case, fn

from blueprints.staff import bp
from blueprints.staff.outage_forms import (
    DEFAULT_RADIUS_KM,
    CoverageForm,
    OutageForm,
    ResolveForm,
    UpdateForm,
    fingerprint,
    sensible_time,
    to_utc,
)
from database import utcnow
from domain import coverage, geo, outage_publishing
from domain import outages as outage_rule
from tables.ops import OUTAGE_KINDS, Coverage, Outage, OutageUpdate
from tables.org import StaffUser
from tables.services import SERVICE_KINDS
from web.auth import MAX_ID, staff_required
from web.i18n import N_, error_text
from web.listcolumns import ChoiceFilter, Column, choice_column, date_column, text_column
from web.listview import ListView

ROLE = "support"
STATES = {"current": N_("Aktuell"), "planned": N_("Planerad"), "resolved": N_("Avslutad")}
MAX_COVERAGE_MB = 10


def state_expr():
    """The state as SQL, the same as ``Outage.state()`` (for sort and filter)."""
    now = utcnow()
    return Case(
        None,
        (
            (Outage.resolved_at.is_null(False) & (Outage.resolved_at <= now), "resolved"),
            (Outage.starts_at > now, "planned"),
        ),
        "current",
    )


def outages_query(user):
    return Outage.select()


def attach_counts(rows):
    now = utcnow()
    for outage in rows:
        outage.state_label = STATES[outage.state(now)]
        outage.kind_label = OUTAGE_KINDS.get(outage.kind, outage.kind)
        outage.services_touched, outage.organisations_touched = outage_rule.impact(outage)


OUTAGE_LIST = ListView(
    name="outages",
    model=Outage,
    query=outages_query,
    row_template="partials/staff/_outages_rows.html",
    default_sort=("start", "desc"),
    export_title=N_("Driftinformation"),
    bulk_actions=[],
    rows_loader=attach_counts,
    columns=[
        text_column("title", N_("Titel"), Outage.title),
        text_column("area", N_("Område"), Outage.area),
        choice_column("kind", N_("Typ"), Outage.kind, OUTAGE_KINDS),
        Column(
            "state",
            N_("Status"),
            sort=state_expr,
            filter=ChoiceFilter(STATES, condition=lambda values: state_expr().in_(values)),
        ),
        date_column("start", N_("Start"), Outage.starts_at),
        date_column("end", N_("Beräknat klart"), Outage.expected_end),
        Column("kinds", N_("Tjänstetyper")),
        Column("customers", N_("Berörda kunder"), align="right"),
    ],
    essential=("title", "state", "start", "customers"),
)


@bp.route("/outages")
@staff_required(ROLE)
def outages():
    return OUTAGE_LIST.respond(
        current_user,
        "staff/outages/index.html",
        coverage_rows=Coverage.select().count(),
        service_kinds=SERVICE_KINDS,
    )


def _new_form(kind: str) -> OutageForm:
    form = OutageForm()
    if request.method == "GET":
        form.kind.data = kind if kind in OUTAGE_KINDS else "fault"
        form.token.data = secrets.token_urlsafe(24)
        form.radius_km.data = f"{DEFAULT_RADIUS_KM:g}".replace(".", ",")
    return form


@bp.route("/outages/new", methods=["GET", "POST"])
@staff_required(ROLE)
def outages_new():
    """Publicera driftstörning / Planerat underhåll: check, preview, publish."""
    form = _new_form(request.args.get("kind", "fault"))
    preview = None
    if request.method == "POST" and form.validate_on_submit():
        data = form.checked()
        if data is not None:
            seen = fingerprint(data)
            if request.form.get("confirm") and form.preview_of.data == seen:
                outage, new = outage_publishing.publish(data, current_user, form.token.data)
                label = _(OUTAGE_KINDS[outage.kind])
                flash(_("%(kind)s ”%(title)s” är publicerad.", kind=label, title=outage.title) if new else
                      _("%(kind)s ”%(title)s” var redan publicerad.", kind=label, title=outage.title),
                      "success")  # fmt: skip
                return redirect(url_for("staff.outages_detail", outage_id=outage.id), code=303)
            if request.form.get("confirm"):
                form.form_errors.append(
                    _(
                        "Uppgifterna har ändrats sedan förhandsvisningen – kontrollera de berörda igen."
                    )
                )
            form.preview_of.data = seen
            services, organisations = outage_rule.impact(data.draft())
            preview = {"services": services, "organisations": organisations}
    return render_template(
        "staff/outages/new.html",
        form=form,
        preview=preview,
        map=map_context(),
        kind_label=OUTAGE_KINDS.get(form.kind.data, OUTAGE_KINDS["fault"]),
    )


def map_context() -> dict:
    """What static/outages.js needs to turn a click into a position."""
    return {"width": geo.WIDTH, "height": geo.HEIGHT, "geo": geo}


def get_outage_or_404(outage_id: int) -> Outage:
    if not 0 < outage_id <= MAX_ID:
        abort(404)
    outage = Outage.get_or_none(Outage.id == outage_id)
    if outage is None:
        abort(404)
    return outage


def updates_of(outage: Outage) -> list[OutageUpdate]:
    return list(
        OutageUpdate.select(OutageUpdate, StaffUser)
        .join(StaffUser, JOIN.LEFT_OUTER, on=(OutageUpdate.staff == StaffUser.id))
        .where(OutageUpdate.outage == outage)
        .order_by(OutageUpdate.at.desc(), OutageUpdate.id.desc())
    )


def _detail(outage: Outage, update_form=None, resolve_form=None, status=200):
    updates = updates_of(outage)
    update_form = update_form or UpdateForm(formdata=None)
    update_form.seen.data = str(len(updates))
    services, organisations = outage_rule.impact(outage)
    return (
        render_template(
            "staff/outages/detail.html",
            outage=outage,
            state=outage.state(),
            states=STATES,
            kind_label=OUTAGE_KINDS.get(outage.kind, outage.kind),
            service_kinds=SERVICE_KINDS,
            updates=updates,
            services=services,
            organisations=organisations,
            update_form=update_form,
            resolve_form=resolve_form or ResolveForm(formdata=None),
        ),
        status,
    )


@bp.route("/outages/<int:outage_id>")
@staff_required(ROLE)
def outages_detail(outage_id: int):
    return _detail(get_outage_or_404(outage_id))


@bp.post("/outages/<int:outage_id>/update")
@staff_required(ROLE)
def outages_update(outage_id: int):
    """Uppdatering: a news item for the customers, and maybe a new end."""
    outage = get_outage_or_404(outage_id)
    form = UpdateForm()
    if not form.validate_on_submit() or not sensible_time(form.expected_end):
        return _detail(outage, update_form=form)
    if outage.state() == "resolved":
        form.form_errors.append(_("Avbrottet är redan åtgärdat; uppdateringen sparades inte."))
        return _detail(outage, update_form=form)
    count = OutageUpdate.select().where(OutageUpdate.outage == outage).count()
    if form.seen.data != str(count):
        form.form_errors.append(
            _("Någon har lagt till en uppdatering sedan du öppnade sidan. Läs den och skicka igen.")
        )
        return _detail(outage, update_form=form)
    end = to_utc(form.expected_end.data)
    if end is not None and end <= outage.starts_at:
        form.expected_end.errors.append(_("Beräknat klart ska vara efter start."))
        return _detail(outage, update_form=form)
    outage_publishing.add_update(outage, form.text.data.strip(), end, current_user)
    flash(_("Uppdateringen är publicerad."), "success")
    return redirect(url_for("staff.outages_detail", outage_id=outage.id), code=303)


@bp.post("/outages/<int:outage_id>/resolve")
@staff_required(ROLE)
def outages_resolve(outage_id: int):
    """Åtgärdad: the outage ends now."""
    outage = get_outage_or_404(outage_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _detail(outage, resolve_form=form)
    if outage_publishing.resolve(outage, (form.text.data or "").strip(), current_user):
        flash(_("”%(title)s” är markerad som åtgärdad.", title=outage.title), "success")
    else:
        flash(_("”%(title)s” var redan åtgärdad.", title=outage.title), "info")
    return redirect(url_for("staff.outages_detail", outage_id=outage.id), code=303)


@bp.route("/outages/coverage", methods=["GET", "POST"])
@staff_required(ROLE)
def outages_coverage():
    """Täckning: the operator's coverage file replaces the Coverage table."""
    form = CoverageForm()
    report = refused = None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_COVERAGE_MB * 1024 * 1024 + 1)
        filename = os.path.basename(upload.filename or "fil")[:200]
        if len(content) > MAX_COVERAGE_MB * 1024 * 1024:
            form.file.errors.append(_("Filen är större än %(mb)s MB.", mb=MAX_COVERAGE_MB))
        else:
            try:
                report = coverage.import_file(filename, content)
            except coverage.FileRefused as error:
                refused = error_text(error)
    counts = dict(
        Coverage.select(Coverage.network, fn.COUNT(Coverage.id)).group_by(Coverage.network).tuples()
    )
    return render_template(
        "staff/outages/coverage.html",
        form=form,
        report=report,
        refused=refused,
        counts=[(n, counts.get(n, 0)) for n in coverage.NETWORKS],
        strengths=coverage.STRENGTHS,
    )
