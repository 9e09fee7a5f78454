"""The auto-amber job: records, once, each action that has become overdue, and escalates to Red where a plan asks.

The rule itself (an overdue action shows at least Amber) holds on every page without this job. The job
makes it an event people are told about: one history entry by the system and one notification per owner.

It works on sets, not one action at a time. Each step claims its rows with a single
UPDATE ... WHERE <not yet recorded for this due date> ... RETURNING, so two runs at the same time
(two servers on PostgreSQL) can never both record an action: the second run's UPDATE waits for the
first one's row locks and then finds the rows already claimed. Notifications are written with
INSERT ... SELECT ... ON CONFLICT DO NOTHING against their unique key as a second guard.
The claim bumps the action's version, so a form opened before the run cannot silently overwrite it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute

from tracker import clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.models import (
    SYSTEM_ACTOR,
    Action,
    ActionOwner,
    HistoryEntry,
    Notification,
    Objective,
    Plan,
    Rag,
    Strand,
    User,
    post_holders,
)
from tracker.rag import action_is_overdue_sql, effective_delivery_rag, overdue_since
from tracker.services.history import serialise

# History fields the job writes. An owner-rated Red action that falls overdue stays Red, so its
# event is "overdue" rather than "auto_amber"; escalation changes the delivery RAG itself.
AUTO_AMBER_FIELD = "auto_amber"
OVERDUE_FIELD = "overdue"
ESCALATION_FIELD = "delivery_rag"

# Rows per statement when changing claimed actions by id: well inside every driver's parameter limit.
_CHUNK = 500


@dataclass(frozen=True)
class AutoAmberResult:
    newly_overdue: int
    escalated_to_red: int
    notifications: int


def run_auto_amber(today: date | None = None) -> AutoAmberResult:
    """Record newly overdue actions and due escalations, notify their owners, and commit."""
    today = today or clock.today()
    run_at = clock.now()
    try:
        newly_overdue = _record_newly_overdue(today, run_at)
        escalated = sum(_escalate_plan(plan_id, days, today, run_at) for plan_id, days in _escalating_plans())
        notifications = _notify_owners(run_at)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return AutoAmberResult(newly_overdue, escalated, notifications)


def _not_recorded_for_due_date(marker: InstrumentedAttribute) -> ColumnElement[bool]:
    """Not yet recorded for the current due date: a moved date starts a new overdue episode."""
    return or_(marker.is_(None), marker != Action.due_date)


def _record_newly_overdue(today: date, run_at: datetime) -> int:
    claimed = db.session.execute(
        update(Action)
        .where(action_is_overdue_sql(today), _not_recorded_for_due_date(Action.auto_amber_recorded_for))
        .values(auto_amber_recorded_for=Action.due_date, version=Action.version + 1)
        .returning(Action.id, Action.due_date, Action.delivery_rag, Action.status)
        .execution_options(synchronize_session=False)
    ).all()
    entries = []
    for action_id, due_date, reported, status in claimed:
        effective = effective_delivery_rag(reported, status, due_date, today)
        if effective.rag is Rag.AMBER:
            entries.append(_system_event(action_id, AUTO_AMBER_FIELD, reported, Rag.AMBER, effective.reason))
        else:  # rated Red by its owner: it stays Red, and falling overdue is still worth telling
            reason = f"Overdue since {format_date(overdue_since(due_date))}: stays Red as its owner rated it"
            entries.append(_system_event(action_id, OVERDUE_FIELD, None, due_date, reason))
    _insert_history(entries, run_at)
    return len(claimed)


def _escalating_plans() -> Sequence[tuple[int, int]]:
    return db.session.execute(
        select(Plan.id, Plan.escalate_to_red_after_days).where(Plan.escalate_to_red_after_days.is_not(None))
    ).all()


def _escalate_plan(plan_id: int, after_days: int, today: date, run_at: datetime) -> int:
    """Turn Red the plan's actions overdue for `after_days` days or more; once per due date."""
    in_plan = select(Objective.id).join(Strand, Objective.strand_id == Strand.id).where(Strand.plan_id == plan_id)
    claimed = db.session.execute(
        update(Action)
        .where(
            Action.objective_id.in_(in_plan),
            action_is_overdue_sql(today),
            Action.due_date <= today - timedelta(days=after_days),
            _not_recorded_for_due_date(Action.auto_red_recorded_for),
        )
        .values(auto_red_recorded_for=Action.due_date, version=Action.version + 1)
        .returning(Action.id, Action.due_date, Action.delivery_rag)
        .execution_options(synchronize_session=False)
    ).all()
    # Already Red (rated so by the owner): nothing changes, so nothing is recorded.
    to_red = [(action_id, due_date, reported) for action_id, due_date, reported in claimed if reported is not Rag.RED]
    for chunk in _chunks([action_id for action_id, _, _ in to_red]):
        db.session.execute(
            update(Action)
            .where(Action.id.in_(chunk))
            .values(delivery_rag=Rag.RED, updated_at=run_at)
            .execution_options(synchronize_session=False)
        )
    entries = []
    for action_id, due_date, reported in to_red:
        days = (today - due_date).days
        reason = (
            f"Red: overdue for {days} days, since {format_date(overdue_since(due_date))} "
            f"(this plan turns actions Red after {after_days} days overdue)"
        )
        entries.append(_system_event(action_id, ESCALATION_FIELD, reported, Rag.RED, reason))
    _insert_history(entries, run_at)
    return len(to_red)


class SystemEvent(NamedTuple):
    action_id: int
    field: str
    old_value: str | None
    new_value: str | None
    reason: str


def _system_event(action_id: int, field: str, old: Any, new: Any, reason: str) -> SystemEvent:
    return SystemEvent(action_id, field, serialise(old), serialise(new), reason)


_UNNEST_HISTORY = text(
    "INSERT INTO history_entry (action_id, field, old_value, new_value, reason, actor_id, actor_name, created_at) "
    "SELECT action_id, field, old_value, new_value, reason, NULL, :actor_name, :created_at "
    "FROM unnest(CAST(:action_ids AS integer[]), CAST(:fields AS text[]), CAST(:old_values AS text[]), "
    "CAST(:new_values AS text[]), CAST(:reasons AS text[])) AS entry(action_id, field, old_value, new_value, reason)"
)


def _insert_history(events: list[SystemEvent], at: datetime) -> None:
    """Append the run's history entries, all by the system at the run's moment, in one statement."""
    if not events:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        # Column arrays unnested server-side: one short statement instead of 20 pages of multi-row VALUES.
        action_ids, fields, old_values, new_values, reasons = (list(column) for column in zip(*events, strict=True))
        db.session.execute(
            _UNNEST_HISTORY,
            {
                "actor_name": SYSTEM_ACTOR,
                "created_at": at,
                "action_ids": action_ids,
                "fields": fields,
                "old_values": old_values,
                "new_values": new_values,
                "reasons": reasons,
            },
        )
        return
    # SQLite's executemany is already a tight loop in C.
    db.session.execute(
        HistoryEntry.__table__.insert(),
        [{**event._asdict(), "actor_id": None, "actor_name": SYSTEM_ACTOR, "created_at": at} for event in events],
    )


def _notify_owners(run_at: datetime) -> int:
    """Tell every enabled holder of an owning post about this run's events, in one INSERT ... SELECT."""
    # The event key names the overdue episode (the due date), so an owner is told once per slip.
    kind = case(
        (HistoryEntry.field == AUTO_AMBER_FIELD, literal("auto_amber:")),
        (HistoryEntry.field == OVERDUE_FIELD, literal("overdue:")),
        else_=literal("auto_red:"),
    )
    events = (
        select(
            post_holders.c.user_id,
            Action.id,
            (kind + _iso_date_text(Action.due_date)).label("event_key"),
            HistoryEntry.reason.label("message"),
            literal(run_at).label("created_at"),
        )
        .select_from(HistoryEntry)
        .join(Action, Action.id == HistoryEntry.action_id)
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .join(post_holders, post_holders.c.post_id == ActionOwner.post_id)
        .join(User, User.id == post_holders.c.user_id)
        .where(
            HistoryEntry.created_at == run_at,
            HistoryEntry.field.in_([AUTO_AMBER_FIELD, OVERDUE_FIELD, ESCALATION_FIELD]),
            and_(HistoryEntry.actor_id.is_(None), HistoryEntry.actor_name == SYSTEM_ACTOR),
            User.is_enabled.is_(True),
        )
    )
    # No DISTINCT: a person holding two owning posts appears twice, and the unique key keeps one.
    statement = _insert_ignoring_duplicates(Notification.__table__).from_select(
        ["user_id", "action_id", "event_key", "message", "created_at"], events
    )
    result = db.session.execute(statement, execution_options={"preserve_rowcount": True})
    return max(result.rowcount, 0)


def _iso_date_text(column: InstrumentedAttribute) -> ColumnElement[str]:
    """A date column as 'YYYY-MM-DD' text on either database (SQLite already stores it so)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return cast(column, String)


def _insert_ignoring_duplicates(table):
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
