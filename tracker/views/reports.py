"""Progress reports: the reports page (choices in the query string), downloads and frozen meeting reports.

Reading lives in tracker/reports (one ReportData per report, rendered to PDF, workbook or CSV);
this module reads the request, checks who may do what and sends the files.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.access import allow
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.forms.reports import FreezeForm, ReportForm
from tracker.models import REPORT_FORMATS, FrozenReport, Plan, ReportingDate, Role
from tracker.permissions import sees_restricted
from tracker.queries.dashboard import Choices, filter_choices
from tracker.reports.dataset import ReportChoice, build_report
from tracker.reports.files import DOWNLOAD_FORMATS, FORMAT_NAMES, MEDIA_TYPES, file_name, render
from tracker.services.evidence import content_disposition
from tracker.services.frozen_reports import FreezeRejected, Meeting, freeze_report

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.BOARD, Role.SCRUTINY)
# The query-string names a report's link carries (format is added by the download buttons).
REPORT_ARGS = ("plan", "strands", "agencies", "as_at", "version", "compare", "compare_date")


@bp.get("")
@allow(*READERS)
def index():
    choices = filter_choices()
    frozen = _frozen_list()
    meetings = _meetings()
    form = ReportForm(request.args)
    _offer_choices(form, choices, frozen, meetings)
    if any(request.args.get(name) for name in (*REPORT_ARGS, "format")):
        form.validate()
    file_format = request.args.get("format")
    if file_format in DOWNLOAD_FORMATS and not form.errors:
        return _download(_choice(form, choices, frozen, meetings), file_format)
    shared = {name: request.args.getlist(name) for name in REPORT_ARGS if request.args.getlist(name)}
    return render_template(
        "reports/index.html",
        form=form,
        frozen=frozen[:5],
        more_frozen=len(frozen) > 5,
        formats=[(fmt, FORMAT_NAMES[fmt]) for fmt in DOWNLOAD_FORMATS],
        # The address the person reached the tracker at, so the link works for whoever they send it to.
        share_link=request.host_url.rstrip("/")
        + url_for("reports.index")
        + ("?" + urlencode(shared, doseq=True) if shared else ""),
    )


def _offer_choices(form: ReportForm, choices: Choices, frozen: list[FrozenReport], meetings: list) -> None:
    several = len(choices.plans) > 1
    form.plan.choices = [("", "All plans")] + [(str(plan.id), plan.name) for plan in choices.plans]
    form.strands.choices = [
        (str(strand.id), f"{plan.name}: {strand.name}" if several else strand.name)
        for plan in choices.plans
        for strand in plan.strands
    ]
    form.agencies.choices = [(str(agency_id), name) for agency_id, name in choices.agencies]
    form.compare.choices = (
        [("", "The last frozen report (or, if none, the last meeting)")]
        + [(f"frozen-{r.id}", f"Frozen report: {_frozen_label(r)}") for r in frozen]
        + [
            (f"meeting-{m.id}", f"Meeting: {m.meeting_name}, {format_date(m.meeting_date)} ({m.plan_name})")
            for m in meetings
        ]
    )


def _frozen_label(report: FrozenReport) -> str:
    return f"{report.meeting_name}, {format_date(report.meeting_date)} ({report.plan_name}, as at {format_date(report.as_at)})"


def _ids(values: list[str], known: set[int]) -> tuple[int, ...]:
    ids = {int(v) for v in values if v.isdigit() and len(v) < 10}
    return tuple(sorted(ids & known))


def _choice(form: ReportForm, choices: Choices, frozen: list[FrozenReport], meetings: list) -> ReportChoice:
    plan_id = form.plan.data if (form.plan.data or "").isdigit() else ""
    plan = choices.plan(int(plan_id)) if plan_id else None
    strands = {s.id for p in choices.plans for s in p.strands if plan is None or s.plan_id == plan.id}
    since, since_label = form.day(form.compare_date), ""
    if since is not None:
        since_label = format_date(since)
    elif (form.compare.data or "").startswith("frozen-"):
        report = next((r for r in frozen if f"frozen-{r.id}" == form.compare.data), None)
        if report is not None:
            since, since_label = report.as_at, f"the report frozen for {_frozen_label(report)}"
    elif (form.compare.data or "").startswith("meeting-"):
        meeting = next((m for m in meetings if f"meeting-{m.id}" == form.compare.data), None)
        if meeting is not None:
            since, since_label = meeting.meeting_date, f"{meeting.meeting_name}, {format_date(meeting.meeting_date)}"
    return ReportChoice(
        plan_id=plan.id if plan else None,
        strand_ids=_ids(form.strands.data or [], strands),
        agency_ids=_ids(form.agencies.data or [], {a for a, _name in choices.agencies}),
        as_at=form.day(form.as_at),
        public=form.version.data == "public",
        since=since,
        since_label=since_label,
    )


def _download(choice: ReportChoice, file_format: str) -> Response:
    # The CSVs are one row per action or figure and have no place for "what changed": they skip rebuilding the past.
    with_changes = file_format not in ("csv", "measures-csv")
    data = build_report(choice, current_user, clock.today(), clock.now(), with_changes=with_changes)
    name = file_name(data, file_format)
    if file_format == "csv":
        from tracker.reports.csv import report_csv_chunks

        # The rows are read before the response starts; streaming only writes them out, so it needs
        # neither the request nor the database session.
        response = Response((chunk.encode("utf-8") for chunk in report_csv_chunks(data)), mimetype=MEDIA_TYPES["csv"])
    else:
        response = Response(render(data, file_format), mimetype=MEDIA_TYPES[file_format])
    return _attachment(response, name)


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- frozen reports ----------------------------------------------------------------------------


def _frozen_list() -> list[FrozenReport]:
    """The frozen reports the user may open, newest meeting first (their files are not loaded)."""
    statement = select(FrozenReport).order_by(FrozenReport.meeting_date.desc(), FrozenReport.id.desc())
    if not sees_restricted(current_user):
        statement = statement.where(FrozenReport.has_restricted.is_(False))
    return list(db.session.scalars(statement))


def _meetings() -> list:
    return list(
        db.session.execute(
            select(
                ReportingDate.id, ReportingDate.meeting_name, ReportingDate.meeting_date, Plan.name.label("plan_name")
            )
            .join(Plan, Plan.id == ReportingDate.plan_id)
            .where(ReportingDate.meeting_date <= clock.today())
            .order_by(ReportingDate.meeting_date.desc(), Plan.name)
        )
    )


def _frozen_or_404(report_id: int) -> FrozenReport:
    report = db.session.get(FrozenReport, report_id)
    if report is None or (report.has_restricted and not sees_restricted(current_user)):
        abort(404)
    return report


@bp.get("/frozen")
@allow(*READERS)
def frozen_list():
    return render_template("reports/frozen_list.html", reports=_frozen_list())


@bp.get("/frozen/<int:report_id>")
@allow(*READERS)
def frozen_show(report_id: int):
    report = _frozen_or_404(report_id)
    return render_template(
        "reports/frozen_show.html",
        report=report,
        formats=[(fmt, FORMAT_NAMES[fmt]) for fmt in report.formats],
    )


@bp.get("/frozen/<int:report_id>/<file_format>")
@allow(*READERS)
def frozen_download(report_id: int, file_format: str):
    if file_format not in REPORT_FORMATS:
        abort(404)
    report = _frozen_or_404(report_id)
    content = report.content(file_format)
    if content is None:
        abort(404)  # frozen before the measures CSV was kept
    response = Response(content, mimetype=MEDIA_TYPES[file_format])
    response.headers["X-Content-SHA256"] = report.sha256(file_format)
    return _attachment(response, report.file_name(file_format))


@bp.route("/frozen/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def freeze():
    choices = filter_choices()
    form = FreezeForm()
    form.plan.choices = [("", "All plans")] + [(str(plan.id), plan.name) for plan in choices.plans]
    if request.method == "GET" and request.args.get("plan"):
        form.plan.data = request.args["plan"]
    if form.validate_on_submit():
        plan = choices.plan(int(form.plan.data)) if (form.plan.data or "").isdigit() else None
        choice = ReportChoice(
            plan_id=plan.id if plan else None, as_at=form.as_at.data, public=form.version.data == "public"
        )
        try:
            report = freeze_report(
                choice,
                Meeting(form.meeting_name.data, form.meeting_date.data),
                current_user,
                clock.today(),
                clock.now(),
            )
        except FreezeRejected as error:
            db.session.rollback()
            form.meeting_name.errors = [str(error)]
        else:
            flash(f"The report for {report.meeting_name} is frozen. Its files will not change.", "success")
            return redirect(url_for("reports.frozen_show", report_id=report.id))
    return render_template("reports/freeze.html", form=form)
