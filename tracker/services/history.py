"""Changing an action and writing every change to its history, in one place.

Every service that changes an action goes through apply_changes (or record_event for
happenings that are not a field), so nothing is ever silently overwritten.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tracker import clock
from tracker.extensions import db
from tracker.models import SYSTEM_ACTOR, Action, HistoryEntry, ProgressUpdate, User

# Action fields whose changes are tracked, with the words the timeline uses for them.
TRACKED_FIELDS = {
    "reference": "Reference",
    "text": "Action",
    "expected_evidence": "Evidence expected",
    "expected_outcomes": "Outcomes expected",
    "timescale_text": "Timescale",
    "start_date": "Start date",
    "due_date": "Due date",
    "status": "Status",
    "delivery_rag": "Delivery RAG",
    "outcome_rag": "Outcome RAG",
    "is_restricted": "Restricted",
    "owners": "Owners",
    "partners": "Partners involved",
    "objective_id": "Sub-objective",
}

LIST_FIELDS = frozenset({"owners", "partners"})


def serialise(value: Any) -> str | None:
    """How a value is written in history: ISO dates, enum values, "yes"/"no", text as is."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


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
    """Append one history entry (actor None means the system)."""
    entry = HistoryEntry(
        action_id=action.id,
        field=field,
        old_value=serialise(old),
        new_value=serialise(new),
        created_at=at or clock.now(),
        reason=reason,
        progress_update_id=update.id if update is not None else None,
        **_actor_fields(actor),
    )
    db.session.add(entry)
    return entry


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
        if serialise(old) == serialise(new):
            continue
        setattr(action, field, new)
        entries.append(record_event(action, field, old, new, actor, reason, update, at))
    if entries:
        action.updated_at = at
    return entries
