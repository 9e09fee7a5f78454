"""Changing measures: defining them, setting targets, entering and correcting figures.

Every change to a figure or a target is written to the measure's history by record_measure_change,
the one writer of that table, so no figure is ever silently overwritten. Services flush, never
commit (the request commits once). A refused change raises MeasureError with a message that says
what to do, naming the form field it is about.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.measure_periods import Frequency, Period, periods_between
from tracker.measures_rag import format_figure, target_text
from tracker.models import (
    SYSTEM_ACTOR,
    Action,
    Agency,
    Direction,
    Measure,
    MeasureHistory,
    MeasureTarget,
    MeasureValue,
    Objective,
    Plan,
    Post,
    Strand,
    Unit,
    User,
)

# More periods than this in one go is a mistake (ten years of months); targets are set a few at a time.
MAX_TARGET_PERIODS = 120
# Figures are entered as typed: "1,234", "12.5", "85%".
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class MeasureError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- the history writer ------------------------------------------------------------------------


def record_measure_change(
    measure: Measure,
    field: str,
    old: Any,
    new: Any,
    actor: User | None,
    period: Period | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> MeasureHistory:
    """Append one entry to the measure's history (actor None means the system)."""
    entry = MeasureHistory(
        measure_id=measure.id,
        field=field,
        period=period.start if period else None,
        old_value=_history_text(old),
        new_value=_history_text(new),
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else SYSTEM_ACTOR,
        recorded_at=at or clock.now(),
        reason=reason,
    )
    db.session.add(entry)
    return entry


def _history_text(value: Any) -> str | None:
    """Figures as plain decimals ("42.0"), which the past views read back with a CAST; the rest as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return repr(float(value))
    if hasattr(value, "value"):  # an enum
        return str(value.value)
    return str(value)


# --- reading what people type --------------------------------------------------------------------


def parse_figure(text: str | None, unit: Unit, what: str = "the figure") -> float:
    """A figure as typed, or MeasureError saying what to type."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        raise MeasureError(f"Enter {what}")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    example = "like 85 or 72.5" if unit is Unit.PERCENTAGE else "like 42 or 12.5"
    if not _NUMBER.match(cleaned):
        raise MeasureError(f"Enter {what} as a number, {example}")
    value = float(cleaned)
    if not math.isfinite(value) or abs(value) >= 1e12:
        raise MeasureError(f"Enter {what} as a number, {example}")
    if value < 0:
        raise MeasureError(f"Enter {what} as 0 or more")
    if unit is Unit.PERCENTAGE and value > 100:
        raise MeasureError(f"Enter {what} as a percentage of 100 or less")
    return value


def read_period(key: str | None, measure: Measure, what: str = "period") -> Period:
    if not (key or "").strip():
        raise MeasureError(f"Choose the {what}")
    try:
        return Period.from_key(key or "", measure.frequency)
    except ValueError:
        raise MeasureError(f"Choose the {what} from the list") from None


# --- defining a measure --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureDefinition:
    name: str
    definition: str
    unit: Unit
    direction: Direction
    frequency: Frequency
    first_period: date
    last_period: date | None = None
    strand_id: int | None = None
    post_id: int | None = None
    agency_id: int | None = None
    is_restricted: bool = False
    action_references: tuple[str, ...] = ()
    objective_ids: tuple[int, ...] = ()


DEFINITION_FIELDS = (
    "name",
    "definition",
    "unit",
    "direction",
    "frequency",
    "first_period",
    "last_period",
    "strand_id",
    "post_id",
    "agency_id",
    "is_restricted",
)


def define_measure(
    plan: Plan, definition: MeasureDefinition, actor: User | None, at: datetime | None = None
) -> Measure:
    """A new measure (actor None: the system, as the demo loader); at: when, for data loaded after the fact."""
    at = at or clock.now()
    measure = Measure(plan_id=plan.id, name="", created_at=at)  # past views leave out measures defined later
    _apply_definition(measure, plan, definition)  # checks first: nothing half-made is flushed
    db.session.add(measure)
    db.session.flush()
    record_measure_change(measure, "created", None, measure.name, actor, at=at)
    return measure


def change_measure(measure: Measure, definition: MeasureDefinition, actor: User) -> None:
    """Change the definition; each field that really changes goes into the history."""
    before = {name: getattr(measure, name) for name in DEFINITION_FIELDS}
    before_links = _links_text(measure)
    _apply_definition(measure, measure.plan, definition)
    db.session.flush()
    for name in DEFINITION_FIELDS:
        if _history_text(before[name]) != _history_text(getattr(measure, name)):
            record_measure_change(measure, name, before[name], getattr(measure, name), actor)
    if before_links != (after := _links_text(measure)):
        record_measure_change(measure, "links", before_links, after, actor)


def _links_text(measure: Measure) -> str:
    actions = ", ".join(action.reference or str(action.id) for action in measure.actions)
    objectives = ", ".join(objective.title for objective in measure.objectives)
    return f"Actions: {actions or 'none'}. Objectives: {objectives or 'none'}."


def _apply_definition(measure: Measure, plan: Plan, definition: MeasureDefinition) -> None:
    name = definition.name.strip()
    if not name:
        raise MeasureError("Enter the name of the measure", "name")
    clash = db.session.scalar(
        select(Measure.id).where(Measure.plan_id == plan.id, Measure.name == name, Measure.id != measure.id)
    )
    if clash is not None:
        raise MeasureError(f"This plan already has a measure called {name}: choose another name", "name")
    if definition.last_period is not None and definition.last_period < definition.first_period:
        raise MeasureError("The last period must be on or after the first period", "last_period")
    strand_ids = set(db.session.scalars(select(Strand.id).where(Strand.plan_id == plan.id)))
    if definition.strand_id is not None and definition.strand_id not in strand_ids:
        raise MeasureError("Choose a strand of this plan", "strand_id")
    if definition.post_id is not None and db.session.get(Post, definition.post_id) is None:
        raise MeasureError("Choose the post that supplies the figures from the list", "post_id")
    if definition.agency_id is not None and db.session.get(Agency, definition.agency_id) is None:
        raise MeasureError("Choose the agency the figures come from from the list", "agency_id")
    actions = _actions_by_reference(plan, definition.action_references)
    objectives = list(
        db.session.scalars(
            select(Objective)
            .join(Strand, Strand.id == Objective.strand_id)
            .where(Strand.plan_id == plan.id, Objective.id.in_(definition.objective_ids))
            .order_by(Objective.id)
        )
    )
    if len(objectives) != len(set(definition.objective_ids)):
        raise MeasureError("Choose objectives of this plan", "objective_ids")
    measure.name = name
    measure.definition = definition.definition.strip()
    measure.unit = definition.unit
    measure.direction = definition.direction
    measure.frequency = definition.frequency
    # Stored as the start of the period each date falls in, so a period is always one date.
    measure.first_period = Period.containing(definition.first_period, definition.frequency).start
    measure.last_period = (
        Period.containing(definition.last_period, definition.frequency).start if definition.last_period else None
    )
    measure.strand_id = definition.strand_id
    measure.post_id = definition.post_id
    measure.agency_id = definition.agency_id
    measure.is_restricted = definition.is_restricted
    measure.actions = actions
    measure.objectives = objectives


def _actions_by_reference(plan: Plan, references: tuple[str, ...]) -> list[Action]:
    wanted = [ref.strip() for ref in references if ref.strip()]
    if not wanted:
        return []
    found = {
        action.reference: action
        for action in db.session.scalars(
            select(Action)
            .join(Objective, Objective.id == Action.objective_id)
            .join(Strand, Strand.id == Objective.strand_id)
            .where(Strand.plan_id == plan.id, Action.reference.in_(wanted))
        )
    }
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        raise MeasureError(
            f"There is no action {missing[0]} in this plan: enter references as the plan shows them, like 1.1",
            "action_references",
        )
    return sorted({found[ref] for ref in wanted}, key=lambda action: action.id)


# --- targets -------------------------------------------------------------------------------------


def set_targets(
    measure: Measure,
    first: Period,
    last: Period | None,
    target: float,
    tolerance: float,
    actor: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> list[Period]:
    """Set the same target and tolerance for each period from first to last; returns the periods set."""
    last = last or first
    if last < first:
        raise MeasureError("The last period must be on or after the first", "last_period")
    periods = periods_between(first, last)
    if len(periods) > MAX_TARGET_PERIODS:
        raise MeasureError(f"Set targets for {MAX_TARGET_PERIODS} periods or fewer at a time", "last_period")
    if first.start < measure.first_period:
        raise MeasureError(
            f"Choose a period from {measure.period(measure.first_period).label}, when the measure starts",
            "first_period",
        )
    existing = {
        row.period: row
        for row in db.session.scalars(
            select(MeasureTarget).where(
                MeasureTarget.measure_id == measure.id,
                MeasureTarget.period.between(first.start, last.start),
            )
        )
    }
    for period in periods:
        row = existing.get(period.start)
        if row is None:
            db.session.add(
                MeasureTarget(measure_id=measure.id, period=period.start, target=target, tolerance=tolerance)
            )
            record_measure_change(measure, "target", None, _target_text(target, tolerance), actor, period, reason, at)
        elif (row.target, row.tolerance) != (target, tolerance):
            old = _target_text(row.target, row.tolerance)
            row.target, row.tolerance = target, tolerance
            record_measure_change(measure, "target", old, _target_text(target, tolerance), actor, period, reason, at)
    db.session.flush()
    return periods


def _target_text(target: float, tolerance: float) -> str:
    return target_text(target, tolerance)  # past views read it back (tracker/queries/measures.py)


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: float
    note: str = ""
    source: str = ""


def check_period_open(measure: Measure, period: Period, today: date) -> None:
    """A figure may be entered for a period of the measure that has ended."""
    if period.start < measure.first_period:
        first = measure.period(measure.first_period)
        raise MeasureError(f"Figures for this measure start from {first.label}: choose a later period", "period")
    if measure.last_period is not None and period.start > measure.last_period:
        last = measure.period(measure.last_period)
        raise MeasureError(f"Figures for this measure end at {last.label}: choose an earlier period", "period")
    if not period.has_ended(today):
        raise MeasureError(
            f"{period.label} is in the future or not over yet (it ends on {format_date(period.end)}): "
            "choose a period that has ended",
            "period",
        )


def check_figure(measure: Measure, value: float) -> None:
    if value < 0:
        raise MeasureError("Enter the figure as 0 or more", "value")
    if measure.unit is Unit.PERCENTAGE and value > 100:
        raise MeasureError("Enter the figure as a percentage of 100 or less", "value")


def record_figure(
    measure: Measure,
    period: Period,
    figure: Figure,
    actor: User | None,
    today: date,
    at: datetime | None = None,
    reason: str = "",
) -> MeasureValue:
    """The figure for a period that has none yet (actor None: the system; at: when it was recorded;
    reason: where it came from, when not typed in, as "Imported from figures.xlsx")."""
    check_period_open(measure, period, today)
    check_figure(measure, figure.value)
    existing = db.session.scalar(
        select(MeasureValue).where(MeasureValue.measure_id == measure.id, MeasureValue.period == period.start)
    )
    if existing is not None:
        raise MeasureError(
            f"There is already a figure for {period.label} ({format_figure(existing.value, measure.is_percentage)}). "
            "To change it, correct it from the measure's page and give a reason",
            "period",
        )
    now = at or clock.now()
    value = MeasureValue(
        measure_id=measure.id,
        period=period.start,
        value=figure.value,
        note=figure.note.strip(),
        source=figure.source.strip(),
        recorded_at=now,
        recorded_by_id=actor.id if actor else None,
        recorded_by_name=actor.name if actor else SYSTEM_ACTOR,
    )
    db.session.add(value)
    record_measure_change(measure, "value", None, figure.value, actor, period, reason, at=now)
    db.session.flush()
    return value


def correct_figure(
    measure: Measure, period: Period, figure: Figure, reason: str, actor: User | None, at: datetime | None = None
) -> MeasureValue:
    """Change a period's figure (or its note or source); the reason is kept with the old and new figures."""
    value = db.session.scalar(
        select(MeasureValue).where(MeasureValue.measure_id == measure.id, MeasureValue.period == period.start)
    )
    if value is None:
        raise MeasureError(f"There is no figure for {period.label} to correct: enter one instead", "value")
    reason = reason.strip()
    if not reason:
        raise MeasureError("Enter why the figure is being corrected", "reason")
    check_figure(measure, figure.value)
    note, source = figure.note.strip(), figure.source.strip()
    if (value.value, value.note, value.source) == (figure.value, note, source):
        raise MeasureError("Change the figure, the note or the source, or cancel the correction", "value")
    now = at or clock.now()
    if value.value != figure.value:
        record_measure_change(measure, "value", value.value, figure.value, actor, period, reason, now)
    if value.note != note:
        record_measure_change(measure, "note", value.note, note, actor, period, reason, now)
    if value.source != source:
        record_measure_change(measure, "source", value.source, source, actor, period, reason, now)
    value.value, value.note, value.source = figure.value, note, source
    value.recorded_at = now
    value.recorded_by_id = actor.id if actor else None
    value.recorded_by_name = actor.name if actor else SYSTEM_ACTOR
    db.session.flush()
    return value
