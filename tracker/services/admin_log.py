"""Writing the administration log: the one function every change to a plan's structure, a post,
an agency or a person goes through (changes to actions go to their own history instead)."""

from __future__ import annotations

from typing import Any

from tracker import clock
from tracker.extensions import db
from tracker.history_values import serialise
from tracker.models import AdminLogEntry, User


def log_change(
    actor: User | None,
    kind: str,
    subject_id: int,
    subject_name: str,
    field: str,
    old: Any = None,
    new: Any = None,
    *,
    reason: str = "",
    plan_id: int | None = None,
) -> AdminLogEntry:
    """Append one entry: who changed what (kind, id and name as it was), which field, from, to and why."""
    entry = AdminLogEntry(
        created_at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "system",
        subject_kind=kind,
        subject_id=subject_id,
        subject_name=subject_name,
        plan_id=plan_id,
        field=field,
        old_value=_as_text(field, old),
        new_value=_as_text(field, new),
        reason=reason,
    )
    db.session.add(entry)
    return entry


def _as_text(field: str, value: Any) -> str | None:
    """Values as the action history writes them (tracker/history_values.py); a list of names joined by "; "."""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return serialise(field, value)
