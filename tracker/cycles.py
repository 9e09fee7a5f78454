"""Reporting cycles: when updates are next due, and whether an action was updated this cycle.

A plan reports to meetings (board, scrutiny); before each, owners' updates are due by a date.
The current reporting period starts the day after the latest updates-due date that has passed
(or when the plan was created, before any has), and ends on the next updates-due date. An
action with no progress update since the period started is "not updated this cycle"; one that is
also still open (neither complete nor cancelled) "needs an update this cycle".
The rule lives here once, as Python for single actions and as SQL for lists, dashboards and reminders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, DateTime, and_, case, func, literal, or_, select

from tracker.extensions import db
from tracker.models import CLOSED_STATUSES, Action, Plan, ProgressUpdate, ReportingDate, Status, Strand


@dataclass(frozen=True)
class Cycle:
    plan_id: int
    starts_on: date  # first day of the current reporting period
    updates_due_by: date | None  # the next updates-due date, if one is set
    next_meeting: ReportingDate | None

    def not_updated(self, last_progress_at: datetime | None) -> bool:
        return last_progress_at is None or last_progress_at < datetime.combine(self.starts_on, time.min)

    def needs_update(self, last_progress_at: datetime | None, status: Status) -> bool:
        """Not updated this cycle, for an action still open: complete and cancelled actions owe no update."""
        return status not in CLOSED_STATUSES and self.not_updated(last_progress_at)


def current_cycle(plan: Plan, today: date) -> Cycle:
    dates = db.session.scalars(
        select(ReportingDate).where(ReportingDate.plan_id == plan.id).order_by(ReportingDate.updates_due_date)
    ).all()
    passed = [d for d in dates if d.updates_due_date < today]
    coming = [d for d in dates if d.updates_due_date >= today]
    starts_on = passed[-1].updates_due_date + timedelta(days=1) if passed else plan.created_at.date()
    return Cycle(
        plan_id=plan.id,
        starts_on=starts_on,
        updates_due_by=coming[0].updates_due_date if coming else None,
        next_meeting=coming[0] if coming else None,
    )


def cycle_starts(today: date) -> dict[int, datetime]:
    """For every plan, the moment its current reporting period began (one query)."""
    last_due = (
        select(ReportingDate.plan_id, func.max(ReportingDate.updates_due_date).label("last_due"))
        .where(ReportingDate.updates_due_date < literal(today))
        .group_by(ReportingDate.plan_id)
        .subquery()
    )
    starts = {}
    for plan_id, created_at, last in db.session.execute(
        select(Plan.id, Plan.created_at, last_due.c.last_due).outerjoin(last_due, last_due.c.plan_id == Plan.id)
    ):
        starts[plan_id] = datetime.combine(last + timedelta(days=1), time.min) if last else created_at
    return starts


def _by_start(plan_id_column, starts: dict[int, datetime], value: Callable[[datetime], ColumnElement]) -> ColumnElement:
    """value(start) for the start of each action's plan's period, as one CASE over the plans."""
    # One arm per distinct moment, not per plan: plans reporting to the same meetings share one,
    # and a dashboard over thousands of actions evaluates this for every one of them.
    plans_by_moment: dict[datetime, list[int]] = {}
    for plan_id, moment in starts.items():
        plans_by_moment.setdefault(moment, []).append(plan_id)
    # The moment most plans share is the ELSE: starts holds every plan, so no plan falls through to
    # it by mistake, and with one meeting calendar (the usual case) no action is checked against a list.
    arms = sorted(plans_by_moment.items(), key=lambda item: len(item[1]))
    *others, (most_shared, _) = arms
    if not others:
        return value(most_shared)
    return case(
        *((plan_id_column.in_(plan_ids), value(moment)) for moment, plan_ids in others),
        else_=value(most_shared),
    )


def not_updated_this_cycle_sql(plan_id_column, starts: dict[int, datetime]) -> ColumnElement[bool]:
    """True for actions with no progress update since their plan's current period began.

    `starts` comes from cycle_starts(); plan_id_column is the plan id in the query (Strand.plan_id).
    """
    if not starts:
        return Action.last_progress_at.is_(None)
    start = _by_start(plan_id_column, starts, lambda moment: literal(moment, DateTime))
    return or_(Action.last_progress_at.is_(None), Action.last_progress_at < start)


def updated_this_cycle_by_sql(plan_id_column, starts: dict[int, datetime], moment: datetime) -> ColumnElement[bool]:
    """True for actions with a progress update since their plan's period began and by the moment:
    the rule above for a past day, whose last progress is not at hand.

    One pass over that stretch of updates (index on their time) for each distinct period start,
    not a look-up of each action's last update before the moment.
    """

    def updated_since(start: datetime | None) -> ColumnElement[bool]:
        stretch = select(ProgressUpdate.action_id).where(ProgressUpdate.created_at <= moment)
        if start is not None:
            stretch = stretch.where(ProgressUpdate.created_at >= start)
        return Action.id.in_(stretch)

    if not starts:
        return updated_since(None)
    return _by_start(plan_id_column, starts, updated_since)


def needs_update_sql(starts: dict[int, datetime], plan_id_column=None) -> ColumnElement[bool]:
    """Cycle.needs_update as SQL for today's actions. starts: cycle_starts().

    The plan is Strand.plan_id unless given (the query joins Strand). A past view uses
    updated_this_cycle_by_sql instead (queries/states.py).
    """
    plan_id_column = Strand.plan_id if plan_id_column is None else plan_id_column
    return and_(
        Action.status.not_in([s.value for s in CLOSED_STATUSES]),
        not_updated_this_cycle_sql(plan_id_column, starts),
    )
