"""Bringing a plan in from a file, step by step (administrators), and taking a plan out in the import layout.

upload -> choose the table and header row -> map columns -> preview (fix, choose the plan) -> import.
The file and the choices are kept in the database (import_upload) between steps.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.access import allow, allow_signed_in
from tracker.extensions import db
from tracker.forms.imports import TableForm, UploadForm, mapping_form, preview_form
from tracker.importers.csv_plan import PlanFileError
from tracker.importers.mapping import FIELDS, detect_header_row, mapping_problems, suggest_mapping
from tracker.importers.preview import Preview, build_preview, rows_to_import
from tracker.importers.tables import Table, read_tables
from tracker.models import ImportUpload, Plan, Role
from tracker.services.import_plan import import_plan
from tracker.services.import_uploads import choose, finish, store_upload

bp = Blueprint("imports", __name__)

IMPORT_MAX_BYTES = 20 * 1024 * 1024
ROWS_PER_PAGE = 100
# Problem rows offered a fix on the page; more than this are fixed in the file or imported flagged.
FIXABLE_ROWS = 50


def _upload(upload_id: int) -> ImportUpload:
    upload = db.session.get(ImportUpload, upload_id)
    # A file of measure figures waits in the same table; it is not a plan (tracker/views/measure_imports.py).
    if upload is None or upload.uploaded_by_id != current_user.id or upload.options.get("kind") == "measures":
        abort(404)
    return upload


def _table(upload: ImportUpload) -> tuple[list[Table], Table]:
    tables = [Table.from_json(table) for table in upload.tables]
    index = upload.options.get("table", 0)
    return tables, tables[index if 0 <= index < len(tables) else 0]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _row_summary(row: list[str]) -> str:
    text = " | ".join(cell.replace("\n", " ") for cell in row if cell)
    return text if len(text) <= 80 else text[:77] + "…"


@bp.route("/imports/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        if file is None or not file.filename:
            form.file.errors = ["Choose a CSV, Excel (.xlsx) or Word (.docx) file"]
        else:
            filename = PurePath(file.filename).name
            data = file.read(IMPORT_MAX_BYTES + 1)
            try:
                if len(data) > IMPORT_MAX_BYTES:
                    raise PlanFileError(
                        "The file is larger than 20 MB. Save only the plan's table, as CSV, and upload that."
                    )
                tables = read_tables(filename, data)
            except PlanFileError as error:
                form.file.errors = [str(error)]
            else:
                upload = store_upload(current_user, filename, data, tables)
                header_row = detect_header_row(tables[0])
                choose(upload, table=0, header_row=header_row, mapping=suggest_mapping(tables[0].rows[header_row]))
                return redirect(url_for("imports.choose_table", upload_id=upload.id))
    return render_template("imports/upload.html", form=form)


@bp.route("/imports/<int:upload_id>/table", methods=["GET", "POST"])
@allow(Role.ADMIN)
def choose_table(upload_id: int):
    upload = _upload(upload_id)
    tables, table = _table(upload)
    form = TableForm(
        data={"table": upload.options.get("table", 0), "header_row": upload.options.get("header_row", 0)}
        if request.method == "GET"
        else None
    )
    form.table.choices = [
        (i, f"{t.name}: {_count(len(t.rows), 'row')}, {_count(t.width, 'column')}") for i, t in enumerate(tables)
    ]
    form.header_row.choices = [
        (i, f"Row {table.row_numbers[i]}: {_row_summary(row)}") for i, row in enumerate(table.rows[:15])
    ]
    if form.validate_on_submit():
        chosen = tables[form.table.data]
        header_row = form.header_row.data
        if form.table.data != upload.options.get("table", 0):
            header_row = detect_header_row(chosen)  # the rows listed were the other table's
        mapping = upload.options.get("mapping", [])
        if (form.table.data, header_row) != (upload.options.get("table"), upload.options.get("header_row")):
            mapping = suggest_mapping(chosen.rows[header_row])
        choose(upload, table=form.table.data, header_row=header_row, mapping=mapping, fixes={})
        return redirect(url_for("imports.map_columns", upload_id=upload.id))
    return render_template("imports/table.html", form=form, upload=upload, tables=tables, table=table)


@bp.route("/imports/<int:upload_id>/columns", methods=["GET", "POST"])
@allow(Role.ADMIN)
def map_columns(upload_id: int):
    upload = _upload(upload_id)
    _, table = _table(upload)
    header_row = min(upload.options.get("header_row", 0), len(table.rows) - 1)
    header = table.rows[header_row]
    mapping = upload.options.get("mapping") or suggest_mapping(header)
    form_class = mapping_form(header)
    form = form_class(
        data={f"column_{i}": field for i, field in enumerate(mapping)} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        chosen = [form[f"column_{i}"].data for i in range(len(header))]
        problems = mapping_problems(chosen)
        if problems:
            form["column_0"].errors = problems
        else:
            choose(upload, mapping=chosen)
            return redirect(url_for("imports.preview", upload_id=upload.id))
    samples = [[row[i] for row in table.rows[header_row + 1 : header_row + 3]] for i in range(len(header))]
    return render_template(
        "imports/columns.html", form=form, upload=upload, table=table, header=header, samples=samples
    )


def _fix_key(item) -> str:
    return "due_date" if item.row.due_date and item.due_date is None else "timescale"


def _page_of(preview: Preview) -> tuple[list, int, int]:
    pages = max(1, -(-len(preview.rows) // ROWS_PER_PAGE))
    page = request.args.get("page", "1")
    number = min(max(int(page), 1), pages) if page.isdigit() else 1
    return preview.rows[(number - 1) * ROWS_PER_PAGE : number * ROWS_PER_PAGE], number, pages


@bp.route("/imports/<int:upload_id>/preview", methods=["GET", "POST"])
@allow(Role.ADMIN)
def preview(upload_id: int):
    upload = _upload(upload_id)
    _, table = _table(upload)
    header_row = min(upload.options.get("header_row", 0), len(table.rows) - 1)
    mapping = upload.options.get("mapping") or suggest_mapping(table.rows[header_row])
    if mapping_problems(mapping):
        return redirect(url_for("imports.map_columns", upload_id=upload.id))
    fixes: dict[str, dict[str, str]] = dict(upload.options.get("fixes", {}))
    unfixed = build_preview(table, header_row, mapping)
    fixable = [item for item in unfixed.rows if item.timescale_problem][:FIXABLE_ROWS]
    form_class = preview_form([item.line for item in fixable])
    plans = db.session.execute(select(Plan.id, Plan.name).order_by(Plan.name)).all()
    defaults = {"target": "new", "plan_name": PurePath(upload.filename).stem}
    for item in fixable:
        fixed = fixes.get(str(item.line), {})
        defaults[f"timescale_{item.line}"] = fixed.get(
            _fix_key(item), item.row.due_date if _fix_key(item) == "due_date" else item.row.timescale
        )
    form = form_class(data=defaults if request.method == "GET" else None)
    form.existing_plan.choices = [(plan_id, name) for plan_id, name in plans]
    if request.method == "POST":
        for item in fixable:
            if f"timescale_{item.line}" not in request.form:
                continue
            value = (form[f"timescale_{item.line}"].data or "").strip()
            original = item.row.due_date if _fix_key(item) == "due_date" else item.row.timescale
            if value != original:
                fixes[str(item.line)] = {_fix_key(item): value}
            else:
                fixes.pop(str(item.line), None)
    result = build_preview(table, header_row, mapping, fixes) if fixes else unfixed

    if form.validate_on_submit():
        if form.check.data:
            choose(upload, fixes=fixes)
            return redirect(url_for("imports.preview", upload_id=upload.id))
        errors = _preview_errors(form, result, plans)
        if not errors:
            into = db.session.get(Plan, form.existing_plan.data) if form.target.data == "existing" else None
            name = into.name if into else form.plan_name.data.strip()
            try:
                outcome = import_plan(
                    name, rows_to_import(result), into=into, actor=current_user, source=repr(upload.filename)
                )
            except PlanFileError as error:
                db.session.rollback()
                form.plan_name.errors = [str(error)]
            else:
                finish(upload)
                flash(
                    f"Imported {upload.filename!r} into {name!r}: {outcome.actions} actions added, "
                    f"{outcome.updated} changed, {outcome.unchanged} unchanged.",
                    "success",
                )
                return redirect(url_for("plans.show", plan_id=outcome.plan.id))
    rows, page, pages = _page_of(result)
    return render_template(
        "imports/preview.html",
        form=form,
        upload=upload,
        preview=result,
        fixable=fixable,
        fix_key=_fix_key,
        rows=rows,
        page=page,
        pages=pages,
        fields=FIELDS,
        has_plans=bool(plans),
    )


def _preview_errors(form, result: Preview, plans) -> bool:
    """Put what stops the import on the form's fields; True if anything does."""
    if form.target.data not in ("new", "existing"):
        form.target.errors = ["Choose whether to import into a new plan or an existing one"]
    elif form.target.data == "new":
        name = (form.plan_name.data or "").strip()
        if not name:
            form.plan_name.errors = ["Enter a name for the new plan"]
        elif any(existing.lower() == name.lower() for _, existing in plans):
            form.plan_name.errors = [f"A plan called {name!r} already exists. Enter another name, or import into it"]
    elif not plans or form.existing_plan.data not in {plan_id for plan_id, _ in plans}:
        form.existing_plan.errors = ["Choose the plan to import into"]
    problems = [item for item in result.rows if item.problems and not item.skipped]
    if problems and not form.import_flagged.data:
        rows = "1 row has" if len(problems) == 1 else f"{len(problems)} rows have"
        form.import_flagged.errors = [f"{rows} problems. Fix them below, or choose to import them flagged for review"]
    if not result.importable:
        form.plan_name.errors = [*form.plan_name.errors, "There are no actions to import: check the column choices"]
    return bool(form.target.errors or form.plan_name.errors or form.existing_plan.errors or form.import_flagged.errors)


@bp.get("/plans/<int:plan_id>/export.<file_format>")
@allow_signed_in
def export_plan(plan_id: int, file_format: str):
    """The plan in the import layout; people see the actions they may see."""
    from tracker.reports.plan_export import plan_csv_chunks
    from tracker.reports.plan_export_xlsx import XLSX_MIMETYPE, plan_xlsx_bytes

    if file_format not in ("csv", "xlsx"):
        abort(404)
    plan = db.session.get(Plan, plan_id) or abort(404)
    filename = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in plan.name).strip() or "plan"
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{file_format}"'}
    if file_format == "xlsx":
        data = plan_xlsx_bytes(plan.id, plan.name, current_user, clock.today())
        return Response(data, mimetype=XLSX_MIMETYPE, headers=headers)
    text = "".join(plan_csv_chunks(plan.id, current_user, clock.today()))
    return Response(text.encode("utf-8"), mimetype="text/csv", headers=headers)
