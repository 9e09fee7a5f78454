"""Changing an action and writing every change to its history, in one place.

Every entry, by a person or by a job, is written here: apply_changes for the action's own columns,
record_event for owners, partners and happenings that are not a field, record_events_from for a
job's entries for many actions in one INSERT ... SELECT. How each value is spelt is defined in
tracker/history_values.py, which the readers use too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Select, delete, event, insert, inspect, literal, null, select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.extensions import db
from tracker.history_values import LIST_FIELDS, TRACKED_FIELDS, serialise
from tracker.models import (
    SYSTEM_ACTOR,
    Action,
    ActionMonthEnd,
    HistoryEntry,
    MonthEndCount,
    Objective,
    ProgressUpdate,
    User,
)
from tracker.models.dashboard import MONTH_END_FIELDS

__all__ = ["TRACKED_FIELDS", "apply_changes", "record_event", "record_events_from"]

# The columns a bulk writer's SELECT gives, in this order.
BULK_COLUMNS = ("action_id", "field", "old_value", "new_value", "reason")


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor_id": None, "actor_name": SYSTEM_ACTOR}
    return {"actor_id": actor.id, "actor_name": actor.name}


def record_event(
    action: Action,
    field: str,
    old: Any,
    new: Any,
    actor: User | None,
    reason: str = "",
    update: ProgressUpdate | None = None,
    at: datetime | None = None,
) -> HistoryEntry:
    """Append one history entry (actor None means the system).

    old and new are Python values of the field (history_values.Owners for owners, the agencies
    for partners); they are written as history_values.serialise spells them.
    """
    entry = HistoryEntry(
        action_id=action.id,
        field=field,
        old_value=serialise(field, old),
        new_value=serialise(field, new),
        created_at=at or clock.now(),
        reason=reason,
        progress_update_id=update.id if update is not None else None,
        **_actor_fields(actor),
    )
    db.session.add(entry)
    if field in MONTH_END_FIELDS:
        _forget_month_ends(entry.created_at, action.id)
    return entry


def _forget_month_ends(at: datetime, action_id: int | None = None) -> None:
    """A change dated at or before a kept day (a month end or meeting day) makes that day's kept
    state wrong: delete it.

    Changes are dated as they happen, after every kept day, so this deletes nothing unless
    the clock was set back (TRACKER_TODAY). The nightly job writes the rows again from history.
    """
    statement = delete(ActionMonthEnd).where(ActionMonthEnd.month_end >= at.date())
    counts = delete(MonthEndCount).where(MonthEndCount.month_end >= at.date())
    if action_id is not None:
        statement = statement.where(ActionMonthEnd.action_id == action_id)
        counts = counts.where(
            MonthEndCount.strand_id.in_(_strands_of(select(Action.objective_id).where(Action.id == action_id)))
        )
    # The strands' counts were made from the rows deleted, so they go too (none deleted, none wrong).
    if db.session.execute(statement, execution_options={"preserve_rowcount": True}).rowcount:
        db.session.execute(counts)


def _strands_of(objective_ids) -> Select:
    return select(Objective.strand_id).where(Objective.id.in_(objective_ids))


def _objectives_of(action: Action) -> set[int]:
    """The objectives an action is in and was in before this flush, by id or by relationship (set either way)."""
    state = inspect(action)
    ids = {*state.attrs.objective_id.history.sum()}
    ids.update(objective.id for objective in state.attrs.objective.history.sum() if objective is not None)
    return {objective_id for objective_id in ids if objective_id is not None}


@event.listens_for(Session, "before_flush")
def _forget_counts_of_changed_actions(session: Session, _context, _instances) -> None:
    """A strand's month-end counts (MonthEndCount) stop being true when an action joins or leaves
    it, or is restricted or no longer: delete them, and the trend counts that strand from each
    action's month-end row until the nightly job counts it again. So does an action added with a
    creation date at or before a kept month end (only with the clock set back)."""
    objectives: set[int] = set()
    earliest: date | None = None
    for action in (obj for obj in session.new if isinstance(obj, Action)):
        # Created now, this deletes nothing (every kept month end is before today), but the clock
        # may have been set back (TRACKER_TODAY) after later month ends were kept.
        created = action.created_at.date() if action.created_at is not None else None
        if created is not None:
            objectives.update(_objectives_of(action))
            earliest = created if earliest is None else min(earliest, created)
    for action in (obj for obj in session.dirty if isinstance(obj, Action)):
        state = inspect(action)
        changed = ("objective_id", "objective", "is_restricted")
        if any(state.attrs[name].history.has_changes() for name in changed):
            objectives.update(_objectives_of(action))
            earliest = date.min
    if objectives and earliest is not None:
        session.execute(
            delete(MonthEndCount).where(
                MonthEndCount.month_end >= earliest, MonthEndCount.strand_id.in_(_strands_of(list(objectives)))
            )
        )


def record_events_from(events: Select, at: datetime) -> None:
    """Append one history entry by the system per row of `events`, in one INSERT ... SELECT.

    The SELECT gives BULK_COLUMNS in order: action id, field, old and new value, reason. Values
    taken from columns of Action go through history_values.as_history_text, so they are spelt as
    serialise() spells them.
    """
    rows = events.add_columns(null(), literal(SYSTEM_ACTOR), literal(at, DateTime))
    db.session.execute(insert(HistoryEntry).from_select([*BULK_COLUMNS, "actor_id", "actor_name", "created_at"], rows))
    _forget_month_ends(at)  # whichever actions the entries were for


def apply_changes(
    action: Action,
    changes: Mapping[str, Any],
    actor: User | None,
    reason: str = "",
    update: ProgressUpdate | None = None,
) -> list[HistoryEntry]:
    """Set the given fields on the action, recording each one that really changes.

    Returns the entries written; no entry (and no version bump) when nothing changed.
    """
    at = clock.now()
    entries = []
    for field, new in changes.items():
        if field not in TRACKED_FIELDS or field in LIST_FIELDS:
            raise KeyError(f"{field} is not a tracked column of Action (owners and partners use record_event)")
        old = getattr(action, field)
        if serialise(field, old) == serialise(field, new):
            continue
        setattr(action, field, new)
        entries.append(record_event(action, field, old, new, actor, reason, update, at))
    if entries:
        action.updated_at = at
    return entries
