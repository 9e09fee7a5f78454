"""Building measures for tests through the services, as an administrator would."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tracker.extensions import db
from tracker.measure_periods import Frequency, Period
from tracker.models import Direction, Measure, Plan, Post, Unit, User
from tracker.services.measures import (
    Figure,
    MeasureDefinition,
    correct_figure,
    define_measure,
    record_figure,
    set_targets,
)

Q = Frequency.QUARTERLY


def quarter(start: str) -> Period:
    return Period.from_key(start, Q)


def make_measure(
    plan: Plan,
    *,
    name: str = "Return home interviews within 72 hours",
    unit: Unit = Unit.NUMBER,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    post: Post | None = None,
    first: date = date(2015, 4, 1),
    last: date | None = None,
    target: float | None = 40,
    tolerance: float = 5,
    target_periods: tuple[str, str] = ("2015-04-01", "2016-01-01"),
    is_restricted: bool = False,
    actions: tuple[str, ...] = (),
    at: datetime = datetime(2015, 3, 1, 9, 0),
) -> Measure:
    measure = define_measure(
        plan,
        MeasureDefinition(
            name=name,
            definition="What is counted",
            unit=unit,
            direction=direction,
            frequency=Q,
            first_period=first,
            last_period=last,
            post_id=post.id if post else None,
            is_restricted=is_restricted,
            action_references=actions,
        ),
        actor=None,
        at=at,
    )
    if target is not None:
        set_targets(measure, quarter(target_periods[0]), quarter(target_periods[1]), target, tolerance, None, at=at)
    db.session.flush()
    return measure


def enter(measure: Measure, start: str, value: float, actor: User | None = None, at: datetime | None = None) -> None:
    """A figure for the quarter starting on `start`, entered a fortnight after it ends (or at `at`)."""
    period = quarter(start)
    when = at or datetime.combine(period.end + timedelta(days=14), time(10, 0))
    record_figure(measure, period, Figure(value=value), actor, when.date(), at=when)


def correct_to(measure: Measure, start: str, value: float, at: datetime, reason: str = "Recounted") -> None:
    """Correct a quarter's figure at a given moment, through the service."""
    correct_figure(measure, quarter(start), Figure(value=value), reason, None, at=at)
