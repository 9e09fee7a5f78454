"""The administration log page: the log's entries and the action history entries administrators wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Action, AdminLogEntry, HistoryEntry, Objective, Plan, Role, Strand, User
from tracker.services.history import TRACKED_FIELDS

SHOWN = 300

KIND_LABELS = {
    "plan": "Plan",
    "strand": "Strand",
    "objective": "Sub-objective",
    "post": "Post",
    "agency": "Agency",
    "user": "Person",
    "action": "Action",
}


@dataclass(frozen=True)
class LogLine:
    at: datetime
    who: str
    kind: str
    subject: str
    action_id: int | None
    field: str
    old: str | None
    new: str | None
    reason: str
    plan_name: str | None


def admin_log(plan_id: int | None = None, actor_id: int | None = None, limit: int = SHOWN) -> list[LogLine]:
    """The latest entries (newest first) of both logs, optionally for one plan and one person; two queries."""
    log = (
        select(AdminLogEntry, Plan.name)
        .outerjoin(Plan, AdminLogEntry.plan_id == Plan.id)
        .order_by(AdminLogEntry.created_at.desc(), AdminLogEntry.id.desc())
        .limit(limit)
    )
    if plan_id is not None:
        log = log.where(AdminLogEntry.plan_id == plan_id)
    if actor_id is not None:
        log = log.where(AdminLogEntry.actor_id == actor_id)
    lines = [
        LogLine(
            e.created_at,
            e.actor_name,
            KIND_LABELS.get(e.subject_kind, e.subject_kind.capitalize()),
            e.subject_name,
            None,
            e.field,
            e.old_value,
            e.new_value,
            e.reason,
            plan_name,
        )
        for e, plan_name in db.session.execute(log)
    ]
    # Changes administrators made to actions, from the actions' own history.
    history = (
        select(HistoryEntry, Action.reference, Action.text, Plan.name)
        .join(Action, HistoryEntry.action_id == Action.id)
        .join(Objective, Action.objective_id == Objective.id)
        .join(Strand, Objective.strand_id == Strand.id)
        .join(Plan, Strand.plan_id == Plan.id)
        .join(User, HistoryEntry.actor_id == User.id)
        .where(User.role == Role.ADMIN, HistoryEntry.progress_update_id.is_(None))
        .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
        .limit(limit)
    )
    if plan_id is not None:
        history = history.where(Strand.plan_id == plan_id)
    if actor_id is not None:
        history = history.where(HistoryEntry.actor_id == actor_id)
    for entry, reference, text, plan_name in db.session.execute(history):
        label = f"Action {reference}" if reference else (text[:60] + ("…" if len(text) > 60 else ""))
        field = TRACKED_FIELDS.get(entry.field, entry.field.replace("_", " "))
        lines.append(
            LogLine(
                entry.created_at,
                entry.actor_name,
                "Action",
                label,
                entry.action_id,
                field,
                entry.old_value,
                entry.new_value,
                entry.reason,
                plan_name,
            )
        )
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines[:limit]


def log_filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    plans = [(pid, name) for pid, name in db.session.execute(select(Plan.id, Plan.name).order_by(Plan.name))]
    admins = [
        (uid, name)
        for uid, name in db.session.execute(
            select(User.id, User.name).where(User.role == Role.ADMIN).order_by(User.name)
        )
    ]
    return plans, admins
