"""Fakturaimport (/staff/billing, INV-2): operator staff load the billing
system's files (docs/BILLING_IMPORT.md) and undo an import.

Upload → preview → Importera → report:

* The upload is stored under ``BILLING_UPLOAD_DIR`` with a one-time token
  and checked by a dry run; the batch (status ``preview``) keeps the counts
  and the first errors and conflicts, which the batch page shows.
* "Importera" sends the token back. The batch moves from preview to running
  only if it still is a preview with that token, in one UPDATE inside the
  write transaction: a second click (or a second tab) finds it running or
  done and imports nothing.
* The import runs in the request. That suits files of some ten thousand rows
  (uploads are capped by ``MAX_UPLOAD_MB``); files of millions of call
  records belong to ``flask billing import`` on the server.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from peewee import JOIN
from wtforms import RadioField, SelectField

from blueprints.staff import bp
from database import write_tx
from domain import audit
from domain.billing import KINDS, STATUS_LABELS, UndoRefused, import_file, undo
from domain.files import atomic_open
from tables.billing import ImportBatch
from tables.org import StaffUser
from web import dialogs
from web.auth import parse_id, staff_required
from web.forms import FlaskForm, select_choices
from web.i18n import N_, error_text, tr
from web.listcolumns import ChoiceFilter, Column, choice_column, date_column
from web.listview import ListView

SHOWN = 100  # errors and conflicts shown on the page (the CLI prints them all)
KIND_LABELS = {name: kind.label for name, kind in KINDS.items()}
ON_ERROR_CHOICES = [
    ("skip", _l("Importera de giltiga raderna")),
    ("refuse", _l("Avvisa hela filen")),
]


class UploadForm(FlaskForm):
    kind = SelectField(
        _l("Typ av fil"),
        choices=select_choices((key, _l(label)) for key, label in KIND_LABELS.items()),
    )
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil att importera."))])
    on_error = RadioField(_l("Vid fel"), choices=select_choices(ON_ERROR_CHOICES), default="skip")


class TokenForm(FlaskForm):
    """Importera and Ångra: a form for CSRF; the token comes as a field."""


def label_rows(batches):
    for batch in batches:
        batch.kind_label = KIND_LABELS.get(batch.kind, batch.kind)
        batch.status_label = STATUS_LABELS.get(batch.status, batch.status)


def batches_query(user):
    return ImportBatch.select(ImportBatch, StaffUser).join(
        StaffUser, on=(ImportBatch.staff == StaffUser.id), join_type=JOIN.LEFT_OUTER
    )


BATCH_LIST = ListView(
    name="billing",
    model=ImportBatch,
    query=batches_query,
    row_template="partials/staff/_billing_rows.html",
    default_sort=("created", "desc"),
    export_title="Fakturaimport",
    bulk_actions=[],
    rows_loader=label_rows,
    columns=[
        Column("id", N_("Import"), sort=ImportBatch.id),
        choice_column("kind", N_("Typ"), ImportBatch.kind, KIND_LABELS),
        Column("filename", N_("Fil"), sort=ImportBatch.filename),
        date_column("created", N_("Tid"), ImportBatch.created_at),
        Column("staff", N_("Av")),
        Column("counts", N_("Nya / oförändrade / uppdaterade / konflikter / fel")),
        choice_column(
            "status",
            N_("Status"),
            ImportBatch.status,
            STATUS_LABELS,
            filter=ChoiceFilter(STATUS_LABELS),
        ),
        Column("actions", ""),
    ],
    essential=("id", "kind", "filename", "status", "actions"),
)


def upload_dir() -> Path:
    folder = Path(current_app.config["BILLING_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/billing", methods=["GET", "POST"])
@staff_required("billing")
def billing():
    form = UploadForm()
    if request.method == "POST" and form.validate_on_submit():
        batch = preview_upload(form)
        if batch is not None:
            return redirect(url_for("staff.billing_batch", batch_id=batch.id), code=303)
    return BATCH_LIST.respond(current_user, "staff/billing/index.html", form=form)


def preview_upload(form: UploadForm) -> ImportBatch | None:
    """Store the upload and check it with a dry run; the batch is the preview."""
    upload = form.file.data
    kind = form.kind.data
    filename = os.path.basename(upload.filename or "fil")[:200] or "fil"
    suffix = Path(filename).suffix.lower()
    allowed = (".zip", ".pdf") if kind == "pdf" else (".csv", ".txt")
    if suffix not in allowed:
        form.file.errors.append(
            _("Filen ska sluta på %(endings)s.", endings=_(" eller ").join(allowed))
        )
        return None
    token = secrets.token_urlsafe(24)
    path = upload_dir() / f"{token}{suffix}"
    with atomic_open(path) as fh:
        upload.save(fh)
    report = import_file(
        kind, str(path), dry_run=True, pdf_dir=current_app.config["INVOICE_PDF_DIR"]
    )
    with write_tx():
        batch = ImportBatch.create(
            kind=kind,
            filename=filename,
            status="preview" if report.status == "done" else "refused",
            on_error=form.on_error.data,
            rows_total=report.total,
            rows_ok=report.new + report.unchanged + report.updated,
            rows_failed=report.errors,
            rows_new=report.new,
            rows_unchanged=report.unchanged,
            rows_updated=report.updated,
            rows_conflict=report.conflicts,
            errors=json.dumps(report.error_list[:SHOWN], ensure_ascii=False),
            conflicts=json.dumps(report.conflict_list[:SHOWN], ensure_ascii=False),
            message=report.message,
            token=token if report.status == "done" else "",
            stored_path=str(path) if report.status == "done" else "",
            staff=current_user.id,
        )
        audit.record(
            "billing.preview",
            batch,
            summary=f"Förhandsgranskning #{batch.id} av {filename}: {report.message or report.summary()}",
            organisation=audit.STAFF_ONLY,
        )
    if report.status != "done":
        path.unlink(missing_ok=True)
    return batch


def get_batch_or_404(batch_id: int) -> ImportBatch:
    if parse_id(batch_id) is None:
        abort(404)
    batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/billing/<int:batch_id>")
@staff_required("billing")
def billing_batch(batch_id: int):
    """The preview of an upload, or the report of an import."""
    batch = get_batch_or_404(batch_id)
    return render_template(
        "staff/billing/batch.html",
        batch=batch,
        kind_label=KIND_LABELS.get(batch.kind, batch.kind),
        status_label=STATUS_LABELS.get(batch.status, batch.status),
        errors=json.loads(batch.errors or "[]")[:SHOWN],
        conflicts=json.loads(batch.conflicts or "[]")[:SHOWN],
        form=TokenForm(),
    )


@bp.post("/billing/<int:batch_id>/import")
@staff_required("billing")
def billing_import(batch_id: int):
    """Importera: run the previewed upload once (the token is used up here)."""
    batch = get_batch_or_404(batch_id)
    form = TokenForm()
    token = request.form.get("token", "")
    if not form.validate_on_submit() or not token:
        abort(400)
    with write_tx():
        claimed = (
            ImportBatch.update(status="running", token="")
            .where(
                (ImportBatch.id == batch.id)
                & (ImportBatch.status == "preview")
                & (ImportBatch.token == token)
            )
            .execute()
        )
    if not claimed:
        flash(
            _(
                "Import #%(id)s är redan gjord eller påbörjad; inget importerades igen.",
                id=batch.id,
            ),
            "info",
        )
        return redirect(url_for("staff.billing_batch", batch_id=batch.id), code=303)
    batch = ImportBatch.get_by_id(batch.id)
    path = batch.stored_path
    try:
        report = import_file(
            batch.kind,
            path,
            batch=batch,
            on_error=batch.on_error,
            staff=current_user._get_current_object(),
            pdf_dir=current_app.config["INVOICE_PDF_DIR"],
        )
    except Exception:  # the batch is marked failed and what it wrote taken back
        current_app.logger.exception("billing import #%s failed", batch.id)
        flash(
            _("Import #%(id)s misslyckades; inget av den är kvar i databasen.", id=batch.id),
            "error",
        )
        return redirect(url_for("staff.billing_batch", batch_id=batch.id), code=303)
    finally:
        Path(path).unlink(missing_ok=True)
        with write_tx():
            ImportBatch.update(stored_path="").where(ImportBatch.id == batch.id).execute()
    if report.status == "done":
        flash(
            _("Import #%(id)s klar: %(summary)s.", id=batch.id, summary=tr(report.summary())),
            "success",
        )
    else:
        flash(tr(report.message), "error")
    return redirect(url_for("staff.billing_batch", batch_id=batch.id), code=303)


@bp.post("/billing/<int:batch_id>/discard")
@staff_required("billing")
def billing_discard(batch_id: int):
    """Avbryt on a preview: the upload is deleted and the preview can no
    longer be imported (the batch stays in the list as Avbruten)."""
    batch = get_batch_or_404(batch_id)
    if not TokenForm().validate_on_submit():
        abort(400)
    with write_tx():
        discarded = (
            ImportBatch.update(status="discarded", token="", stored_path="")
            .where((ImportBatch.id == batch.id) & (ImportBatch.status == "preview"))
            .execute()
        )
        if discarded:
            audit.record(
                "billing.discard",
                batch,
                summary=f"Förhandsgranskning #{batch.id} av {batch.filename} avbröts",
                organisation=audit.STAFF_ONLY,
            )
    if discarded and batch.stored_path:
        Path(batch.stored_path).unlink(missing_ok=True)
    return redirect(url_for("staff.billing"), code=303)


@bp.route("/billing/<int:batch_id>/undo", methods=["GET", "POST"])
@staff_required("billing")
def billing_undo(batch_id: int):
    """Ångra, after a confirmation: created rows removed, updated fields restored."""
    batch = get_batch_or_404(batch_id)
    form = TokenForm()
    back = url_for("staff.billing_batch", batch_id=batch.id)
    if form.validate_on_submit():
        try:
            undo(
                batch.id,
                staff=current_user._get_current_object(),
                pdf_dir=current_app.config["INVOICE_PDF_DIR"],
            )
        except UndoRefused as error:
            form.form_errors.append(error_text(error))
        else:
            return dialogs.go(back, _("Import #%(id)s är ångrad.", id=batch.id))
    return dialogs.show(
        "partials/staff/_billing_undo.html",
        back,
        batch=batch,
        form=form,
        dialog_title=_("Ångra import #%(id)s", id=batch.id),
    )
