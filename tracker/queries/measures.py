"""Reads of measures for pages: lists, a measure's page, figures owed, and the dashboard's section.

Each is a fixed handful of queries whatever the number of measures, periods or figures. The RAG of
a figure is the rule in tracker/measures_rag.py: the dashboard counts with its SQL twin, pages
explain each figure with the pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, Select, and_, cast, func, or_, select, true
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.measure_periods import Frequency, Period, ended_periods, periods_between
from tracker.measures_rag import MeasureRag, format_figure, measure_rag, measure_rag_sql, read_target_text
from tracker.models import (
    Agency,
    Direction,
    Measure,
    MeasureHistory,
    MeasureTarget,
    MeasureValue,
    Objective,
    Plan,
    Post,
    Rag,
    Role,
    Strand,
    Unit,
    User,
    measure_actions,
    measure_objectives,
    post_holders,
)
from tracker.permissions import sees_restricted
from tracker.queries.actions import ActionFilters, ActionRow, list_actions

# The ratings a measure can have, most serious first (a figure has no Blue).
MEASURE_RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED)


@dataclass
class MeasureSummary:
    id: int
    name: str
    definition: str
    plan_id: int
    plan_name: str
    strand_name: str | None
    unit: Unit
    direction: Direction
    frequency: Frequency
    first_period: date
    last_period: date | None
    post_id: int | None
    post_name: str | None
    agency_name: str | None
    is_restricted: bool
    latest: Period | None = None  # the latest period with a figure
    latest_value: float | None = None
    latest_target: float | None = None
    latest_tolerance: float | None = None
    rag: MeasureRag = field(default_factory=lambda: MeasureRag(Rag.NOT_RATED, "No figure yet"))
    missing: list[Period] = field(default_factory=list)  # ended periods with no figure
    today: date | None = None

    @property
    def is_percentage(self) -> bool:
        return self.unit is Unit.PERCENTAGE

    def figure(self, value: float | None) -> str:
        return format_figure(value, self.is_percentage)

    @property
    def late(self) -> list[Period]:
        """Missing figures past the day they were due."""
        return [period for period in self.missing if self.today is not None and period.is_late(self.today)]


def _summary_columns():
    return (
        Measure.id,
        Measure.name,
        Measure.definition,
        Measure.plan_id,
        Plan.name.label("plan_name"),
        Strand.name.label("strand_name"),
        Measure.unit,
        Measure.direction,
        Measure.frequency,
        Measure.first_period,
        Measure.last_period,
        Measure.post_id,
        Post.name.label("post_name"),
        Agency.name.label("agency_name"),
        Measure.is_restricted,
    )


def _measures_statement(viewer: User) -> Select:
    statement = (
        select(*_summary_columns())
        .join(Plan, Plan.id == Measure.plan_id)
        .outerjoin(Strand, Strand.id == Measure.strand_id)
        .outerjoin(Post, Post.id == Measure.post_id)
        .outerjoin(Agency, Agency.id == Measure.agency_id)
        .order_by(Plan.name, Strand.position.is_(None), Strand.position, Measure.name, Measure.id)
    )
    if not sees_restricted(viewer):
        statement = statement.where(Measure.is_restricted.is_(False))
    return statement


def _known_values(moment: datetime | None):
    """Each period's figure as known now or, for a past view, as last recorded at or before the moment."""
    if moment is None:
        return select(MeasureValue.measure_id, MeasureValue.period, MeasureValue.value).subquery("known")
    ranked = (
        select(
            MeasureHistory.measure_id,
            MeasureHistory.period,
            cast(MeasureHistory.new_value, Float).label("value"),
            func.row_number()
            .over(
                partition_by=(MeasureHistory.measure_id, MeasureHistory.period),
                order_by=(MeasureHistory.recorded_at.desc(), MeasureHistory.id.desc()),
            )
            .label("n"),
        )
        .where(MeasureHistory.field == "value", MeasureHistory.recorded_at <= moment)
        .subquery("ranked")
    )
    return select(ranked.c.measure_id, ranked.c.period, ranked.c.value).where(ranked.c.n == 1).subquery("known")


def _targets_known(ids: list[int], moment: datetime) -> dict[tuple[int, date], tuple[float, float]]:
    """Each period's target and tolerance as last set at or before the moment, from the measures' history
    (one query). A past view rates the figures known then against the targets known then: a target raised
    later does not turn an old quarter Red in hindsight."""
    targets: dict[tuple[int, date], tuple[float, float]] = {}
    for measure_id, period, text in db.session.execute(
        select(MeasureHistory.measure_id, MeasureHistory.period, MeasureHistory.new_value)
        .where(
            MeasureHistory.field == "target", MeasureHistory.recorded_at <= moment, MeasureHistory.measure_id.in_(ids)
        )
        .order_by(MeasureHistory.recorded_at, MeasureHistory.id)
    ):
        parsed = read_target_text(text)
        if parsed is not None and period is not None:
            targets[(measure_id, period)] = parsed
    return targets


def _summaries(
    statement: Select, day: date, moment: datetime | None = None, *, rated: bool = True
) -> list[MeasureSummary]:
    """The measures the statement selects, each with its missing figures and (if rated) its latest figure and RAG.

    Three queries (two unrated): the measures, the latest figure of each rated by the SQL twin, and
    which periods have figures.
    """
    summaries = {row.id: MeasureSummary(**row._asdict(), today=day) for row in db.session.execute(statement)}
    if not summaries:
        return []
    ids = list(summaries)
    known = _known_values(moment)
    if rated:
        _rate_latest(summaries, known, _targets_known(ids, moment) if moment is not None else None)
    have: dict[int, set[date]] = {}
    for measure_id, period in db.session.execute(
        select(known.c.measure_id, known.c.period).where(known.c.measure_id.in_(ids))
    ):
        have.setdefault(measure_id, set()).add(period)
    for summary in summaries.values():
        expected = ended_periods(summary.first_period, summary.last_period, summary.frequency, day)
        summary.missing = [p for p in reversed(expected) if p.start not in have.get(summary.id, set())]
    return list(summaries.values())


def _rate_latest(
    summaries: dict[int, MeasureSummary], known, targets_then: dict[tuple[int, date], tuple[float, float]] | None
) -> None:
    """Each measure's latest known figure, rated against its period's target by the SQL twin (one query).

    A past view passes the targets known then: its figures are rated against those by the pure rule
    (tests hold the two rules equal), since the targets table holds only today's."""
    ids = list(summaries)
    ranked = select(
        known.c.measure_id,
        known.c.period,
        known.c.value,
        func.row_number().over(partition_by=known.c.measure_id, order_by=known.c.period.desc()).label("n"),
    ).subquery("latest")
    latest = db.session.execute(
        select(
            ranked.c.measure_id,
            ranked.c.period,
            ranked.c.value,
            MeasureTarget.target,
            MeasureTarget.tolerance,
            measure_rag_sql(ranked.c.value, MeasureTarget.target, MeasureTarget.tolerance, Measure.direction).label(
                "rag"
            ),
        )
        .join(Measure, Measure.id == ranked.c.measure_id)
        .outerjoin(
            MeasureTarget,
            and_(MeasureTarget.measure_id == ranked.c.measure_id, MeasureTarget.period == ranked.c.period),
        )
        .where(ranked.c.n == 1, ranked.c.measure_id.in_(ids))
    )
    for row in latest:
        summary = summaries[row.measure_id]
        summary.latest = Period.containing(row.period, summary.frequency)
        target, tolerance = row.target, row.tolerance
        if targets_then is not None:
            target, tolerance = targets_then.get((row.measure_id, row.period), (None, None))
        summary.latest_value, summary.latest_target, summary.latest_tolerance = row.value, target, tolerance
        explained = measure_rag(row.value, target, tolerance, summary.direction, summary.is_percentage)
        # The count is the SQL's; the words are the pure rule's (tests hold the two equal).
        summary.rag = explained if targets_then is not None else MeasureRag(Rag(row.rag), explained.reason)


# --- the measures list ---------------------------------------------------------------------------


def list_measures(viewer: User, today: date, plan_id: int | None = None) -> list[MeasureSummary]:
    statement = _measures_statement(viewer)
    if plan_id is not None:
        statement = statement.where(Measure.plan_id == plan_id)
    return _summaries(statement, today)


def plans_for_measures() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Plan.id, Plan.name).order_by(Plan.name)).tuples())


# --- a measure's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRow:
    period: Period
    target: float | None
    tolerance: float | None
    value: float | None
    note: str
    source: str
    recorded_at: datetime | None
    recorded_by: str
    rag: MeasureRag
    is_missing: bool  # ended with no figure
    is_late: bool


@dataclass(frozen=True)
class HistoryRow:
    field: str
    period: Period | None
    old_value: str | None
    new_value: str | None
    actor_name: str
    recorded_at: datetime
    reason: str


@dataclass
class MeasureDetail:
    summary: MeasureSummary
    rows: list[PeriodRow]  # oldest first
    actions: list[ActionRow]
    objectives: list[str]
    history: list[HistoryRow]

    @property
    def with_figures(self) -> list[PeriodRow]:
        return [row for row in self.rows if row.value is not None]


def measure_detail(measure_id: int, viewer: User, today: date) -> MeasureDetail | None:
    """None when the measure does not exist or is hidden from the viewer."""
    found = _summaries(_measures_statement(viewer).where(Measure.id == measure_id), today)
    if not found:
        return None
    summary = found[0]
    targets = {
        row.period: row
        for row in db.session.execute(
            select(MeasureTarget.period, MeasureTarget.target, MeasureTarget.tolerance).where(
                MeasureTarget.measure_id == measure_id
            )
        )
    }
    values = {
        row.period: row for row in db.session.scalars(select(MeasureValue).where(MeasureValue.measure_id == measure_id))
    }
    first = Period.containing(summary.first_period, summary.frequency)
    ended = ended_periods(summary.first_period, summary.last_period, summary.frequency, today)
    last = ended[-1] if ended else first
    for start in (*targets, *values):
        last = max(last, Period.containing(start, summary.frequency))
    missing = {period.start for period in summary.missing}
    rows = []
    for period in periods_between(first, last):
        target, value = targets.get(period.start), values.get(period.start)
        number = value.value if value else None
        rows.append(
            PeriodRow(
                period=period,
                target=target.target if target else None,
                tolerance=target.tolerance if target else None,
                value=number,
                note=value.note if value else "",
                source=value.source if value else "",
                recorded_at=value.recorded_at if value else None,
                recorded_by=value.recorded_by_name if value else "",
                rag=measure_rag(
                    number,
                    target.target if target else None,
                    target.tolerance if target else None,
                    summary.direction,
                    summary.is_percentage,
                ),
                is_missing=period.start in missing,
                is_late=period.start in missing and period.is_late(today),
            )
        )
    action_ids = tuple(
        db.session.scalars(select(measure_actions.c.action_id).where(measure_actions.c.measure_id == measure_id))
    )
    actions = list_actions(ActionFilters(action_ids=action_ids), viewer, today) if action_ids else []
    objectives = [
        objective.title
        for objective in db.session.scalars(
            select(Objective)
            .join(measure_objectives, measure_objectives.c.objective_id == Objective.id)
            .where(measure_objectives.c.measure_id == measure_id)
            .order_by(Objective.id)
        )
    ]
    history = [
        HistoryRow(
            field=entry.field,
            period=Period.containing(entry.period, summary.frequency) if entry.period else None,
            old_value=entry.old_value,
            new_value=entry.new_value,
            actor_name=entry.actor_name,
            recorded_at=entry.recorded_at,
            reason=entry.reason,
        )
        for entry in db.session.scalars(
            select(MeasureHistory)
            .where(MeasureHistory.measure_id == measure_id)
            .order_by(MeasureHistory.recorded_at.desc(), MeasureHistory.id.desc())
        )
    ]
    return MeasureDetail(summary, rows, actions, objectives, history)


# --- figures owed by a person --------------------------------------------------------------------


def figures_owed(viewer: User, today: date) -> list[MeasureSummary]:
    """Measures whose supplying post the viewer holds that are missing a figure for an ended period."""
    if viewer.role not in (Role.OWNER, Role.ADMIN):
        return []
    held = select(post_holders.c.post_id).where(post_holders.c.user_id == viewer.id)
    statement = _measures_statement(viewer).where(Measure.post_id.in_(held))
    return [summary for summary in _summaries(statement, today, rated=False) if summary.missing]


# --- the dashboard's section ---------------------------------------------------------------------


@dataclass
class MeasuresSection:
    measures: list[MeasureSummary]
    is_past: bool

    @property
    def by_rag(self) -> dict[Rag, int]:
        counts = dict.fromkeys(MEASURE_RAGS, 0)
        for summary in self.measures:
            counts[summary.rag.rag] += 1
        return counts

    @property
    def off_target(self) -> list[MeasureSummary]:
        order = {Rag.RED: 0, Rag.AMBER: 1}
        missed = [m for m in self.measures if m.rag.rag in order]
        return sorted(missed, key=lambda m: order[m.rag.rag])

    @property
    def with_late_figures(self) -> list[MeasureSummary]:
        return [m for m in self.measures if m.late]


def dashboard_measures(
    viewer: User,
    day: date,
    *,
    plan_id: int | None = None,
    strand_id: int | None = None,
    agency_id: int | None = None,
    post_id: int | None = None,
    moment: datetime | None = None,
) -> MeasuresSection:
    """The measures in the dashboard's scope; with a moment, as they stood then (figures known then)."""
    statement = _measures_statement(viewer)
    conditions = [true()]
    if plan_id is not None:
        conditions.append(Measure.plan_id == plan_id)
    if strand_id is not None:
        conditions.append(Measure.strand_id == strand_id)
    if agency_id is not None:
        supplier = aliased(Post)
        conditions.append(
            or_(
                Measure.agency_id == agency_id,
                Measure.post_id.in_(select(supplier.id).where(supplier.agency_id == agency_id)),
            )
        )
    if post_id is not None:
        conditions.append(Measure.post_id == post_id)
    if moment is not None:
        conditions.append(Measure.created_at <= moment)
    return MeasuresSection(_summaries(statement.where(*conditions), day, moment), is_past=moment is not None)


# --- figures owed, for the reminder digests ----------------------------------------------------------


@dataclass(frozen=True)
class FigureHolder:
    user_id: int
    email: str
    name: str


def figures_owed_by_everyone(today: date) -> list[tuple[FigureHolder, MeasureSummary]]:
    """Each enabled owner or administrator with each measure their posts supply that is missing a figure.

    Three queries whatever the number of people and measures.
    """
    enterers = and_(User.is_enabled.is_(True), User.role.in_([Role.OWNER.value, Role.ADMIN.value]))
    held_posts = select(post_holders.c.post_id).join(User, User.id == post_holders.c.user_id).where(enterers).distinct()
    # Measures are read as an administrator sees them: restricted ones are hidden only from scrutiny.
    statement = (
        select(*_summary_columns())
        .join(Plan, Plan.id == Measure.plan_id)
        .outerjoin(Strand, Strand.id == Measure.strand_id)
        .outerjoin(Post, Post.id == Measure.post_id)
        .outerjoin(Agency, Agency.id == Measure.agency_id)
        .where(Measure.post_id.in_(held_posts))
        .order_by(Plan.name, Measure.name, Measure.id)
    )
    owing: dict[int | None, list[MeasureSummary]] = {}
    for summary in _summaries(statement, today, rated=False):
        if summary.missing:
            owing.setdefault(summary.post_id, []).append(summary)
    if not owing:
        return []
    holders = db.session.execute(
        select(post_holders.c.post_id, User.id, User.email, User.name)
        .join(User, User.id == post_holders.c.user_id)
        .where(enterers, post_holders.c.post_id.in_(list(owing)))
        .order_by(User.id)
    )
    return [
        (FigureHolder(user_id, email, name), summary)
        for post_id, user_id, email, name in holders
        for summary in owing[post_id]
    ]


# --- the reports' measures -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    period: Period
    value: float | None
    target: float | None
    tolerance: float | None
    rag: MeasureRag
    note: str
    source: str
    recorded_by: str  # empty in the public version


@dataclass
class ReportMeasure:
    summary: MeasureSummary
    periods: list[ReportPeriod]  # oldest first: every period from the first to the last with a figure or ended

    def recent(self, count: int) -> list[ReportPeriod]:
        return self.periods[-count:]


def report_measures(
    viewer: User,
    day: date,
    *,
    plan_id: int | None = None,
    strand_ids: tuple[int, ...] = (),
    agency_ids: tuple[int, ...] = (),
    moment: datetime | None = None,
    public: bool = False,
) -> list[ReportMeasure]:
    """The measures a progress report shows, each with its figures period by period (five queries).

    With a moment (a past report) the figures are those known then, as on the dashboard's past view;
    the public version leaves out restricted measures and who recorded each figure.
    """
    conditions = [true()]
    if plan_id is not None:
        conditions.append(Measure.plan_id == plan_id)
    if strand_ids:
        conditions.append(Measure.strand_id.in_(strand_ids))
    if agency_ids:
        supplier = aliased(Post)
        conditions.append(
            or_(
                Measure.agency_id.in_(agency_ids),
                Measure.post_id.in_(select(supplier.id).where(supplier.agency_id.in_(agency_ids))),
            )
        )
    if public:
        conditions.append(Measure.is_restricted.is_(False))
    if moment is not None:
        conditions.append(Measure.created_at <= moment)
    summaries = _summaries(_measures_statement(viewer).where(*conditions), day, moment)
    if not summaries:
        return []
    ids = [summary.id for summary in summaries]
    known = _known_values(moment)
    # A figure's note, source and recorder, if the figure standing now was already recorded at the moment.
    recorded = [MeasureValue.measure_id == known.c.measure_id, MeasureValue.period == known.c.period]
    if moment is not None:
        recorded.append(MeasureValue.recorded_at <= moment)
    values: dict[tuple[int, date], tuple] = {}
    for measure_id, period, value, note, source, by in db.session.execute(
        select(
            known.c.measure_id,
            known.c.period,
            known.c.value,
            MeasureValue.note,
            MeasureValue.source,
            MeasureValue.recorded_by_name,
        )
        .outerjoin(MeasureValue, and_(*recorded))
        .where(known.c.measure_id.in_(ids))
    ):
        values[(measure_id, period)] = (value, note or "", source or "", "" if public else (by or ""))
    if moment is not None:
        targets = _targets_known(ids, moment)  # a past report's targets are those known then, as its figures are
    else:
        targets = {
            (row.measure_id, row.period): (row.target, row.tolerance)
            for row in db.session.execute(
                select(
                    MeasureTarget.measure_id, MeasureTarget.period, MeasureTarget.target, MeasureTarget.tolerance
                ).where(MeasureTarget.measure_id.in_(ids))
            )
        }
    latest_figure: dict[int, date] = {}
    for measure_id, start in values:
        latest_figure[measure_id] = max(start, latest_figure.get(measure_id, start))
    report = []
    for summary in summaries:
        first = Period.containing(summary.first_period, summary.frequency)
        ended = ended_periods(summary.first_period, summary.last_period, summary.frequency, day)
        last = ended[-1] if ended else first.previous()
        if summary.id in latest_figure:
            last = max(last, Period.containing(latest_figure[summary.id], summary.frequency))
        periods = []
        for period in periods_between(first, last):
            value, note, source, by = values.get((summary.id, period.start), (None, "", "", ""))
            goal, slack = targets.get((summary.id, period.start), (None, None))
            periods.append(
                ReportPeriod(
                    period=period,
                    value=value,
                    target=goal,
                    tolerance=slack,
                    rag=measure_rag(value, goal, slack, summary.direction, summary.is_percentage),
                    note=note,
                    source=source,
                    recorded_by=by,
                )
            )
        report.append(ReportMeasure(summary, periods))
    return report
