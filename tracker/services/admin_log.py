"""Writing the administration log: the one function every change to a plan's structure, a post,
an agency or a person goes through (changes to actions go to their own history instead)."""

from __future__ import annotations

from typing import Any

from tracker import clock
from tracker.extensions import db
from tracker.models import AdminLogEntry, User
from tracker.services.history import serialise


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
        old_value=serialise(old),
        new_value=serialise(new),
        reason=reason,
    )
    db.session.add(entry)
    return entry
