"""Hantera flera (GRP-3): the Excel template and the upload with its report.

Administratörer may create categories and groups through the file; a
Kontoadministratör only places the accounts and services of their scope in
groups that exist. The report lists every row: what it did, or why not.
"""

from __future__ import annotations

from flask import make_response, render_template
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.groups import bp, can_manage
from blueprints.groups.forms import UploadForm
from domain import group_import
from web.auth import require
from web.excel import XLSX_MIME
from web.i18n import error_text, locale_code


@bp.route("/template.xlsx")
@require("accounts.edit")
def template():
    response = make_response(
        group_import.template_workbook(current_user.organisation_id, locale_code())
    )
    response.headers["Content-Type"] = XLSX_MIME
    response.headers["Content-Disposition"] = 'attachment; filename="grupper-mall.xlsx"'
    return response


@bp.route("/upload", methods=["GET", "POST"])
@require("accounts.edit")
def upload():
    """Ladda upp: every row checked and reported; nothing saved when the
    user chose Allt eller inget and a row failed."""
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        try:
            rows = group_import.read_rows(form.file.data.read(), locale_code())
        except group_import.FileRefused as refused:
            form.file.errors.append(error_text(refused))
        else:
            if not rows:
                form.file.errors.append(_("Filen har inga rader under rubrikraden."))
            else:
                report = group_import.apply(
                    current_user,
                    rows,
                    all_or_nothing=form.mode.data != "valid",
                    may_create=can_manage(current_user),
                )
    return render_template(
        "groups/upload.html", form=form, report=report, can_manage=can_manage(current_user)
    )
