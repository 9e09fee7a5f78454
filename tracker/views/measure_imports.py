"""Importing measure figures from a spreadsheet (administrators): upload, check every row, import.

The file and the plan chosen are kept in import_upload between the two steps, as the plan import
does, so any app server can carry on; the preview is worked out again from them each time, so it
always compares with the figures as they stand.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.access import allow
from tracker.extensions import db
from tracker.forms.measures import FiguresConfirmForm, FiguresUploadForm
from tracker.importers.csv_plan import PlanFileError
from tracker.importers.tables import Table, extension_of, read_tables
from tracker.models import ImportUpload, Plan, Role
from tracker.services.import_measures import (
    CORRECTION,
    NEW,
    REFUSED,
    UNCHANGED,
    FiguresFileError,
    FiguresPreview,
    build_figures_preview,
    import_figures,
)
from tracker.services.import_uploads import choose, finish, store_upload
from tracker.services.measures import MeasureError

bp = Blueprint("measure_imports", __name__)

FIGURES_MAX_BYTES = 20 * 1024 * 1024
KIND = "measures"  # an import_upload holding figures, not a plan


def _plans() -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(select(Plan.id, Plan.name).order_by(Plan.name))]


@bp.route("/measures/import", methods=["GET", "POST"])
@allow(Role.ADMIN)
def upload():
    plans = _plans()
    form = FiguresUploadForm()
    form.plan.choices = [("", "Choose a plan")] + [(str(plan_id), name) for plan_id, name in plans]
    if request.method == "GET" and request.args.get("plan"):
        form.plan.data = request.args["plan"]
    if form.validate_on_submit():
        plan = db.session.get(Plan, int(form.plan.data)) if (form.plan.data or "").isdigit() else None
        file = form.file.data
        if plan is None:
            form.plan.errors = ["Choose the plan whose measures the figures are for"]
        if file is None or not file.filename:
            form.file.errors = ["Choose a CSV file or an Excel workbook (.xlsx)"]
        elif plan is not None:
            filename = PurePath(file.filename).name
            try:
                tables = _read(filename, file.read(FIGURES_MAX_BYTES + 1))
                build_figures_preview(plan, tables, filename, clock.today())  # a file with no figures stops here
            except (PlanFileError, FiguresFileError) as error:
                form.file.errors = [str(error)]
            else:
                stored = store_upload(current_user, filename, b"", tables)  # the tables are all the next step needs
                choose(stored, kind=KIND, plan_id=plan.id)
                return redirect(url_for("measure_imports.preview", upload_id=stored.id))
    return render_template("measures/import_upload.html", form=form, has_plans=bool(plans))


def _read(filename: str, data: bytes) -> list[Table]:
    if len(data) > FIGURES_MAX_BYTES:
        raise PlanFileError("The file is larger than 20 MB. Save only the figures, as CSV, and upload that.")
    if extension_of(filename) not in (".csv", ".xlsx"):
        raise PlanFileError(
            f"{filename!r} is not a CSV or Excel (.xlsx) file. Save the figures as one of those and upload it again."
        )
    return read_tables(filename, data)


def _upload(upload_id: int) -> ImportUpload:
    stored = db.session.get(ImportUpload, upload_id)
    if stored is None or stored.uploaded_by_id != current_user.id or stored.options.get("kind") != KIND:
        abort(404)
    return stored


@bp.route("/measures/import/<int:upload_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def preview(upload_id: int):
    stored = _upload(upload_id)
    plan = db.session.get(Plan, stored.options.get("plan_id", 0)) or abort(404)
    tables = [Table.from_json(table) for table in stored.tables]
    today = clock.today()
    try:
        result: FiguresPreview = build_figures_preview(plan, tables, stored.filename, today)
    except FiguresFileError:
        abort(404)  # it was read at upload; only a changed rule could stop it now
    form = FiguresConfirmForm()
    if form.validate_on_submit():
        if not result.changes:
            form.submit.errors = ["There are no new or corrected figures to import"]
        else:
            try:
                outcome = import_figures(result, current_user, today)
            except MeasureError as error:
                db.session.rollback()
                flash(f"Nothing was imported: {error}. Check the rows again.", "error")
                return redirect(url_for("measure_imports.preview", upload_id=upload_id))
            finish(stored)
            flash(
                f"Imported the figures from {stored.filename!r} into {plan.name}: {outcome.added} new, "
                f"{outcome.corrected} corrected, {outcome.unchanged} unchanged"
                + (f", {outcome.refused} refused and not saved." if outcome.refused else "."),
                "success",
            )
            return redirect(url_for("measures.index", _anchor=f"plan-{plan.id}"))
    return render_template(
        "measures/import_preview.html",
        form=form,
        upload=stored,
        plan=plan,
        preview=result,
        counts=result.counts,
        statuses={"new": NEW, "correction": CORRECTION, "unchanged": UNCHANGED, "refused": REFUSED},
    )
