"""Measures: the list, a measure's page, the administrator's definitions and targets, and figure entry.

Reading lives in tracker/queries/measures.py and changing in tracker/services/measures.py; this
module reads the request, checks who may do what, and renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from tracker import clock
from tracker.access import allow, allow_signed_in
from tracker.extensions import db
from tracker.forms.measures import CorrectionForm, FigureForm, MeasureForm, TargetForm
from tracker.measure_charts import figures_against_targets
from tracker.measure_periods import Frequency, Period, ended_periods, periods_between
from tracker.measures_rag import format_figure
from tracker.models import Agency, Direction, Measure, MeasureValue, Objective, Plan, Post, Role, Strand, Unit, User
from tracker.permissions import can_define_measures, can_enter_figures, can_see_measure
from tracker.plotly_assets import STYLE_ELEMENT_ID, plotly_bundle
from tracker.queries.measures import MEASURE_RAGS, list_measures, measure_detail, plans_for_measures
from tracker.services.measures import (
    Figure,
    MeasureDefinition,
    MeasureError,
    change_measure,
    correct_figure,
    define_measure,
    parse_figure,
    read_period,
    record_figure,
    set_targets,
)

bp = Blueprint("measures", __name__)

# Periods offered for targets beyond the current one: two years of quarters, or a year of months.
TARGET_PERIODS_AHEAD = {Frequency.QUARTERLY: 8, Frequency.MONTHLY: 12}
# Form fields that service errors name differently.
FIELD_NAMES = {"strand_id": "strand", "post_id": "post", "agency_id": "agency", "objective_ids": "objectives"}


def _user() -> User:
    return current_user._get_current_object()


def _show_error(form: FlaskForm, error: MeasureError, default: str | None = None) -> None:
    """Put a service's refusal on the field it is about, for the error summary."""
    name = FIELD_NAMES.get(error.field or "", error.field) or default
    field = getattr(form, name, None) if name else None
    if field is None:
        field = next(f for f in form if f.type not in ("CSRFTokenField", "SubmitField"))
    field.errors = [*field.errors, str(error)]


@contextmanager
def _about(field: str) -> Iterator[None]:
    """A refusal from reading one form field (which the service does not know the name of) is about that field."""
    try:
        yield
    except MeasureError as error:
        if error.field:
            raise
        raise MeasureError(str(error), field) from None


def _measure(measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None or not can_see_measure(_user(), measure.is_restricted):
        abort(404)
    return measure


# --- reading -------------------------------------------------------------------------------------


@bp.get("/measures")
@allow_signed_in
def index():
    today = clock.today()
    measures = list_measures(_user(), today)
    # The dashboard's counts link here with the rating they count (an unknown one is ignored).
    rag = next((rag for rag in MEASURE_RAGS if rag.value == request.args.get("rag")), None)
    by_plan: dict[int, list] = {}
    for summary in measures:
        if rag is None or summary.rag.rag is rag:
            by_plan.setdefault(summary.plan_id, []).append(summary)
    return render_template(
        "measures/index.html",
        plans=plans_for_measures(),
        by_plan=by_plan,
        rag=rag,
        can_define=can_define_measures(_user()),
        today=today,
    )


@bp.get("/measures/<int:measure_id>")
@allow_signed_in
def show(measure_id: int):
    today = clock.today()
    detail = measure_detail(measure_id, _user(), today)
    if detail is None:
        abort(404)
    summary = detail.summary
    bundle = plotly_bundle()
    return render_template(
        "measures/show.html",
        detail=detail,
        m=summary,
        figure=figures_against_targets(detail.rows, _unit_title(summary.unit), summary.is_percentage),
        can_define=can_define_measures(_user()),
        can_enter=can_enter_figures(_user(), summary.post_id),
        plotly_digest=bundle.digest,
        plotly_style_id=STYLE_ELEMENT_ID,
        plotly_map_style_id=bundle.map_style_id,
        today=today,
        rags=MEASURE_RAGS,
    )


def _unit_title(unit: Unit) -> str:
    return {Unit.PERCENTAGE: "Per cent", Unit.CHILDREN: "Children", Unit.PEOPLE: "People"}.get(unit, "Figure")


# --- defining measures ---------------------------------------------------------------------------


def _offer_definition_choices(form: MeasureForm, plan: Plan) -> None:
    strands = db.session.execute(
        select(Strand.id, Strand.name).where(Strand.plan_id == plan.id).order_by(Strand.position)
    )
    form.strand.choices = [("", "Not under a strand")] + [(str(i), name) for i, name in strands]
    form.post.choices = [("", "No post named")] + [
        (str(i), name) for i, name in db.session.execute(select(Post.id, Post.name).order_by(Post.name))
    ]
    form.agency.choices = [("", "No agency named")] + [
        (str(i), name) for i, name in db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    ]
    objectives = db.session.execute(
        select(Objective.id, Objective.number, Objective.statement, Strand.name)
        .join(Strand, Strand.id == Objective.strand_id)
        .where(Strand.plan_id == plan.id)
        .order_by(Strand.position, Objective.position)
    )
    form.objectives.choices = [
        (i, f"{strand}: {f'{number}. ' if number is not None else ''}{statement}"[:200])
        for i, number, statement, strand in objectives
    ]


def _menu_id(value: str | None, field: str, message: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise MeasureError(message, field)
    return int(text)


def _definition(form: MeasureForm) -> MeasureDefinition:
    return MeasureDefinition(
        name=form.name.data or "",
        definition=form.definition.data or "",
        unit=Unit(form.unit.data),
        direction=Direction(form.direction.data),
        frequency=Frequency(form.frequency.data),
        first_period=form.first_period.data,
        last_period=form.last_period.data,
        strand_id=_menu_id(form.strand.data, "strand_id", "Choose a strand of this plan"),
        post_id=_menu_id(form.post.data, "post_id", "Choose the post that supplies the figures from the list"),
        agency_id=_menu_id(form.agency.data, "agency_id", "Choose the agency the figures come from from the list"),
        is_restricted=bool(form.is_restricted.data),
        action_references=form.references(),
        objective_ids=tuple(form.objectives.data or ()),
    )


@bp.route("/plans/<int:plan_id>/measures/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    form = MeasureForm()
    _offer_definition_choices(form, plan)
    if request.method == "GET":
        form.unit.data, form.direction.data, form.frequency.data = (
            Unit.NUMBER,
            Direction.HIGHER_IS_BETTER,
            Frequency.QUARTERLY,
        )
    if form.validate_on_submit():
        try:
            measure = define_measure(plan, _definition(form), _user())
        except MeasureError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            flash(f"Added the measure {measure.name}. Now set its targets.", "success")
            return redirect(url_for("measures.targets", measure_id=measure.id))
    return render_template("measures/define.html", form=form, plan=plan, measure=None)


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(measure_id: int):
    measure = _measure(measure_id)
    plan = measure.plan
    form = MeasureForm(obj=measure) if request.method == "GET" else MeasureForm()
    _offer_definition_choices(form, plan)
    if request.method == "GET":
        form.strand.data = str(measure.strand_id or "")
        form.post.data = str(measure.post_id or "")
        form.agency.data = str(measure.agency_id or "")
        form.objectives.data = [objective.id for objective in measure.objectives]
        form.action_references.data = ", ".join(action.reference for action in measure.actions if action.reference)
    if form.validate_on_submit():
        try:
            change_measure(measure, _definition(form), _user())
        except MeasureError as error:
            db.session.rollback()
            _show_error(form, error)
            measure = _measure(measure_id)
        else:
            flash(f"Saved the measure {measure.name}.", "success")
            return redirect(url_for("measures.show", measure_id=measure.id))
    return render_template("measures/define.html", form=form, plan=plan, measure=measure)


@bp.route("/measures/<int:measure_id>/targets", methods=["GET", "POST"])
@allow(Role.ADMIN)
def targets(measure_id: int):
    measure = _measure(measure_id)
    today = clock.today()
    first = measure.period(measure.first_period)
    last = Period.containing(today, measure.frequency)
    for _ in range(TARGET_PERIODS_AHEAD[measure.frequency]):
        last = last.next()
    if measure.last_period is not None:
        last = measure.period(measure.last_period)
    offered = periods_between(first, last)
    form = TargetForm()
    form.first_period.choices = [("", "Choose a period")] + [(p.key, p.label) for p in offered]
    form.last_period.choices = [("", "Only this period")] + [(p.key, p.label) for p in offered]
    if request.method == "GET" and request.args.get("period"):
        form.first_period.data = request.args["period"]
    if form.validate_on_submit():
        try:
            with _about("first_period"):
                period = read_period(form.first_period.data, measure, "period the target is for")
            with _about("last_period"):
                up_to = read_period(form.last_period.data, measure) if form.last_period.data else None
            with _about("target"):
                target = parse_figure(form.target.data, measure.unit, "the target")
            with _about("tolerance"):
                tolerance = parse_figure(form.tolerance.data or "0", measure.unit, "the tolerance")
            set_periods = set_targets(measure, period, up_to, target, tolerance, _user(), form.reason.data or "")
        except MeasureError as error:
            db.session.rollback()
            _show_error(form, error)
            measure = _measure(measure_id)
        else:
            span = (
                set_periods[0].label if len(set_periods) == 1 else f"{set_periods[0].label} to {set_periods[-1].label}"
            )
            flash(f"Target for {span} saved: {format_figure(target, measure.is_percentage)}.", "success")
            return redirect(url_for("measures.show", measure_id=measure.id))
    detail = measure_detail(measure.id, _user(), today)
    return render_template("measures/targets.html", form=form, measure=measure, detail=detail)


# --- figures -------------------------------------------------------------------------------------


def _figure_measure(measure_id: int) -> Measure:
    measure = _measure(measure_id)
    if not can_enter_figures(_user(), measure.post_id):
        abort(403)
    return measure


def _figure(form: FigureForm | CorrectionForm, measure: Measure) -> Figure:
    with _about("value"):
        value = parse_figure(form.value.data, measure.unit)
    return Figure(value=value, note=form.note.data or "", source=form.source.data or "")


@bp.route("/measures/<int:measure_id>/figures", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.OWNER)
def enter_figure(measure_id: int):
    measure = _figure_measure(measure_id)
    today = clock.today()
    have = set(db.session.scalars(select(MeasureValue.period).where(MeasureValue.measure_id == measure.id)))
    ended = ended_periods(measure.first_period, measure.last_period, measure.frequency, today)
    open_periods = [p for p in reversed(ended) if p.start not in have]
    form = FigureForm()
    form.period.choices = [("", "Choose a period")] + [(p.key, p.label) for p in open_periods]
    if request.method == "GET":
        wanted = request.args.get("period", "")
        form.period.data = wanted if any(p.key == wanted for p in open_periods) else ""
    if form.validate_on_submit():
        try:
            with _about("period"):
                period = read_period(form.period.data, measure, "period the figure is for")
            figure = _figure(form, measure)
            record_figure(measure, period, figure, _user(), today)
        except MeasureError as error:
            db.session.rollback()
            _show_error(form, error, "period")
            measure = _measure(measure_id)
        else:
            flash(f"Figure for {period.label} saved: {format_figure(figure.value, measure.is_percentage)}.", "success")
            return redirect(url_for("measures.show", measure_id=measure.id))
    return render_template(
        "measures/figure.html", form=form, measure=measure, open_periods=open_periods, unit=measure.unit
    )


@bp.route("/measures/<int:measure_id>/figures/<period_key>/correct", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.OWNER)
def correct(measure_id: int, period_key: str):
    measure = _figure_measure(measure_id)
    try:
        period = Period.from_key(period_key, measure.frequency)
    except ValueError:
        abort(404)
    value = db.session.scalar(
        select(MeasureValue).where(MeasureValue.measure_id == measure.id, MeasureValue.period == period.start)
    )
    if value is None:
        abort(404)
    form = CorrectionForm() if request.method == "POST" else CorrectionForm(obj=value)
    if request.method == "GET":
        form.value.data = format_figure(value.value).replace(",", "")
    current = value.value
    if form.validate_on_submit():
        try:
            figure = _figure(form, measure)
            correct_figure(measure, period, figure, form.reason.data or "", _user())
        except MeasureError as error:
            db.session.rollback()
            _show_error(form, error, "value")
            measure = _measure(measure_id)
        else:
            flash(
                f"Figure for {period.label} corrected from {format_figure(current, measure.is_percentage)} "
                f"to {format_figure(figure.value, measure.is_percentage)}.",
                "success",
            )
            return redirect(url_for("measures.show", measure_id=measure.id))
    return render_template(
        "measures/correct.html", form=form, measure=measure, period=period, current=current, unit=measure.unit
    )


# --- the history timeline's words ------------------------------------------------------------------

DEFINITION_LABELS = {
    "name": "Name",
    "definition": "Definition",
    "unit": "Unit",
    "direction": "Which way is better",
    "frequency": "How often",
    "first_period": "First period",
    "last_period": "Last period",
    "strand_id": "Strand",
    "post_id": "Post that supplies the figures",
    "agency_id": "Agency the figures come from",
    "is_restricted": "Restricted",
    "links": "Linked actions and objectives",
}


@bp.app_template_global("measure_history_title")
def measure_history_title(entry) -> str:
    when = f" for {entry.period.label}" if entry.period else ""
    if entry.field == "created":
        return "Measure defined"
    if entry.field == "value":
        return f"Figure{when} {'entered' if entry.old_value is None else 'corrected'}"
    if entry.field in ("note", "source"):
        return f"{entry.field.capitalize()}{when} corrected"
    if entry.field == "target":
        return f"Target{when} {'set' if entry.old_value is None else 'changed'}"
    return f"{DEFINITION_LABELS.get(entry.field, entry.field)} changed"


@bp.app_template_global("measure_history_value")
def measure_history_value(entry, text: str | None) -> str:
    if text is None or text == "":
        return "none"
    if entry.field == "value":
        try:
            return format_figure(float(text))
        except ValueError:
            return text
    return text


bp.add_app_template_global(format_figure, "format_figure")
