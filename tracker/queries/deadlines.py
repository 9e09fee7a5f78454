"""Reads for due dates and reporting cycles: an action's deadline record, the request queue, cycle markers.

Each returns plain dataclasses in a fixed number of queries, whatever the plan's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import aliased

from tracker.cycles import Cycle, current_cycle, cycle_starts, needs_update_sql
from tracker.extensions import db
from tracker.models import (
    Action,
    DeadlineChange,
    Objective,
    Plan,
    ReportingDate,
    RequestState,
    Strand,
    User,
)
from tracker.models.plan import action_label
from tracker.permissions import visible_actions_clause
from tracker.queries.structure import action_to_plan, action_to_strand

# --- an action's due-date record ---------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineEvent:
    """One request or direct change, as the action page lists it."""

    id: int
    state: RequestState
    old_due_date: date | None
    new_due_date: date
    reason: str
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str

    @property
    def is_direct(self) -> bool:
        """A change an administrator made themselves, rather than a request someone decided."""
        return self.state is RequestState.APPROVED and self.requested_at == self.decided_at

    @property
    def moved(self) -> bool:
        return self.state is RequestState.APPROVED and self.old_due_date != self.new_due_date


@dataclass(frozen=True)
class DeadlineRecord:
    baseline_due_date: date | None
    due_date: date | None
    events: list[DeadlineEvent] = field(default_factory=list)  # oldest first

    @property
    def moves(self) -> list[DeadlineEvent]:
        return [e for e in self.events if e.moved]

    @property
    def pending(self) -> DeadlineEvent | None:
        return next((e for e in self.events if e.state is RequestState.PENDING), None)

    @property
    def refused(self) -> list[DeadlineEvent]:
        return [e for e in self.events if e.state is RequestState.REFUSED]


def _event_select(*extra_columns) -> Select:
    """A deadline change with who asked and who decided: the columns of DeadlineEvent, then any extra."""
    requester, decider = aliased(User), aliased(User)
    return (
        select(
            DeadlineChange.id,
            DeadlineChange.state,
            DeadlineChange.old_due_date,
            DeadlineChange.new_due_date,
            DeadlineChange.reason,
            requester.name,
            DeadlineChange.requested_at,
            decider.name,
            DeadlineChange.decided_at,
            DeadlineChange.decision_comment,
            *extra_columns,
        )
        .outerjoin(requester, requester.id == DeadlineChange.requested_by_id)
        .outerjoin(decider, decider.id == DeadlineChange.decided_by_id)
    )


_EVENT_COLUMNS = 10


def _events(where: ColumnElement[bool]) -> list[DeadlineEvent]:
    rows = db.session.execute(_event_select().where(where).order_by(DeadlineChange.requested_at, DeadlineChange.id))
    return [DeadlineEvent(*row) for row in rows]


def deadline_record(action_id: int) -> DeadlineRecord:
    """Baseline and current due dates, and every request and change (two queries)."""
    dates = db.session.execute(
        select(Action.baseline_due_date, Action.due_date).where(Action.id == action_id)
    ).one_or_none()
    baseline, current = dates if dates else (None, None)
    return DeadlineRecord(baseline, current, _events(DeadlineChange.action_id == action_id))


# --- the co-ordinator's queue --------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    event: DeadlineEvent
    action_id: int
    action_reference: str
    action_text: str
    plan_name: str
    current_due_date: date | None

    @property
    def label(self) -> str:
        return action_label(self.action_reference, self.action_text)


def _request_rows(where: ColumnElement[bool], newest_first: bool, limit: int | None = None) -> list[RequestRow]:
    statement = (
        _event_select(Action.id, Action.reference, Action.text, Plan.name, Action.due_date)
        .join(Action, Action.id == DeadlineChange.action_id)
        .join(Objective, Objective.id == Action.objective_id)
        .join(Strand, Strand.id == Objective.strand_id)
        .join(Plan, Plan.id == Strand.plan_id)
        .where(where)
        .order_by(
            *(
                (DeadlineChange.decided_at.desc(), DeadlineChange.id.desc())
                if newest_first
                else (DeadlineChange.requested_at, DeadlineChange.id)
            )
        )
        .limit(limit)
    )
    return [
        RequestRow(DeadlineEvent(*row[:_EVENT_COLUMNS]), *row[_EVENT_COLUMNS:]) for row in db.session.execute(statement)
    ]


def pending_requests() -> list[RequestRow]:
    """Requests waiting for the co-ordinator, oldest first (one query)."""
    return _request_rows(DeadlineChange.state == RequestState.PENDING, newest_first=False)


def recent_decisions(limit: int = 20) -> list[RequestRow]:
    """Requests decided most recently; administrators' own direct changes are not requests."""
    return _request_rows(
        and_(
            DeadlineChange.state != RequestState.PENDING,
            DeadlineChange.requested_at != DeadlineChange.decided_at,  # as DeadlineEvent.is_direct
        ),
        newest_first=True,
        limit=limit,
    )


def deadline_request(change_id: int) -> RequestRow | None:
    rows = _request_rows(DeadlineChange.id == change_id, newest_first=False)
    return rows[0] if rows else None


# --- reporting cycles ----------------------------------------------------------------------------


def reporting_dates(plan_id: int) -> list[ReportingDate]:
    return list(
        db.session.scalars(
            select(ReportingDate)
            .where(ReportingDate.plan_id == plan_id)
            .order_by(ReportingDate.meeting_date, ReportingDate.meeting_name)
        )
    )


def plan_actions_needing_update(plan_id: int, viewer: User, today: date) -> set[int]:
    """Ids of the plan's open actions, among those the viewer may see, with no update this cycle (two queries)."""
    starts = cycle_starts(today)
    return set(
        db.session.scalars(
            select(Action.id)
            .select_from(action_to_strand())
            .where(Strand.plan_id == plan_id, visible_actions_clause(viewer), needs_update_sql(starts))
        )
    )


@dataclass(frozen=True)
class ActionCycle:
    cycle: Cycle
    needs_update: bool
    last_progress_at: datetime | None


def action_cycle(action_id: int, today: date) -> ActionCycle | None:
    """The reporting cycle an action is in, and whether it still owes this cycle's update (two queries)."""
    row = db.session.execute(
        select(Plan, Action.last_progress_at, Action.status).select_from(action_to_plan()).where(Action.id == action_id)
    ).one_or_none()
    if row is None:
        return None
    plan, last_progress_at, status = row
    cycle = current_cycle(plan, today)
    return ActionCycle(cycle, cycle.needs_update(last_progress_at, status), last_progress_at)
