"""The auto-amber job: records, once, each action that has become overdue, and escalates to Red where a plan asks.

The rule itself (an overdue action shows at least Amber) holds on every page without this job. The job
makes it an event people are told about: one history entry by the system and one notification per owner.

It works on sets, not one action at a time, in a handful of statements whatever the number of actions:
- claim: one UPDATE ... WHERE <overdue, not yet recorded for this due date> ... RETURNING id. Two runs at
  the same time (two servers on PostgreSQL) can never both claim an action: the second run's UPDATE
  waits for the first one's row locks, then finds the rows already claimed. The claim bumps the
  action's version, so a form opened before the run cannot silently overwrite it;
- record: one INSERT ... SELECT of the history entries for the claimed ids (sent as one JSON value),
  through the history service's bulk writer;
- tell: one INSERT ... SELECT of the notifications, ON CONFLICT DO NOTHING against their unique key
  as a second guard.
The wording comes from the RAG rule itself (rag.py), computed once per due date, not per action.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Integer,
    String,
    case,
    cast,
    column,
    func,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute

from tracker import clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.history_values import AUTO_AMBER, OVERDUE, as_history_text, serialise
from tracker.models import (
    Action,
    ActionOwner,
    Notification,
    Objective,
    Plan,
    Rag,
    Status,
    Strand,
    User,
    post_holders,
)
from tracker.rag import action_is_overdue_sql, effective_delivery_rag, effective_delivery_rag_sql, overdue_since
from tracker.services.history import record_events_from
from tracker.sql import insert_ignoring_duplicates

# History fields the job writes. An owner-rated Red action that falls overdue stays Red, so its
# event is "overdue" rather than "auto_amber"; escalation changes the delivery RAG itself.
AUTO_AMBER_FIELD = AUTO_AMBER
OVERDUE_FIELD = OVERDUE
ESCALATION_FIELD = "delivery_rag"


@dataclass(frozen=True)
class AutoAmberResult:
    newly_overdue: int
    escalated_to_red: int
    notifications: int


def record_overdue_actions(today: date | None = None) -> AutoAmberResult:
    """Record newly overdue actions and due escalations and notify their owners (flushed, not committed).

    The job's command commits (tracker/jobs.py).
    """
    today = today or clock.today()
    run_at = clock.now()
    newly_overdue, notifications = _record_newly_overdue(today, run_at)
    escalated = 0
    for plan_id, after_days in _escalating_plans():
        turned_red, told = _escalate_plan(plan_id, after_days, today, run_at)
        escalated, notifications = escalated + turned_red, notifications + told
    return AutoAmberResult(newly_overdue, escalated, notifications)


def _not_recorded_for_due_date(marker: InstrumentedAttribute) -> ColumnElement[bool]:
    """Not yet recorded for the current due date: a moved date starts a new overdue episode."""
    return or_(marker.is_(None), marker != Action.due_date)


def _record_newly_overdue(today: date, run_at: datetime) -> tuple[int, int]:
    """Claim, record and notify the actions overdue and not yet recorded: (actions, notifications)."""
    claimed = db.session.execute(
        update(Action)
        .where(action_is_overdue_sql(today), _not_recorded_for_due_date(Action.auto_amber_recorded_for))
        .values(auto_amber_recorded_for=Action.due_date, version=Action.version + 1)
        .returning(Action.id, Action.due_date)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return 0, 0
    due_dates = {due_date for _, due_date in claimed}
    # Every rating the rule raises is raised to Amber for the same reason, in the rule's own words.
    amber_reasons = {d: effective_delivery_rag(Rag.NOT_RATED, Status.IN_PROGRESS, d, today).reason for d in due_dates}
    red_reasons = {
        d: f"Overdue since {format_date(overdue_since(d))}: stays Red as its owner rated it" for d in due_dates
    }
    # An owner-rated Red action that falls overdue stays Red: its event is "overdue", not "auto_amber".
    raised = effective_delivery_rag_sql(Action.delivery_rag, Action.status, Action.due_date, today) == Rag.AMBER.value
    reason = case(
        (raised, _lookup_by_date(amber_reasons, Action.due_date)),
        else_=_lookup_by_date(red_reasons, Action.due_date),
    )
    chosen = _ids_in(Action.id, [action_id for action_id, _ in claimed])
    record_events_from(
        select(
            Action.id,
            case((raised, literal(AUTO_AMBER_FIELD)), else_=literal(OVERDUE_FIELD)),
            # auto_amber: the rating its owner gave, raised to Amber; overdue: the due date it passed.
            case((raised, as_history_text(AUTO_AMBER_FIELD, Action.delivery_rag)), else_=null()),
            case(
                (raised, literal(serialise(AUTO_AMBER_FIELD, Rag.AMBER))),
                else_=as_history_text(OVERDUE_FIELD, Action.due_date),
            ),
            reason,
        ).where(chosen),
        run_at,
    )
    told = _notify_owners(chosen, case((raised, literal("auto_amber:")), else_=literal("overdue:")), reason, run_at)
    return len(claimed), told


def _escalating_plans() -> Sequence[tuple[int, int]]:
    return db.session.execute(
        select(Plan.id, Plan.escalate_to_red_after_days).where(Plan.escalate_to_red_after_days.is_not(None))
    ).all()


def _escalate_plan(plan_id: int, after_days: int, today: date, run_at: datetime) -> tuple[int, int]:
    """Turn Red the plan's actions overdue for `after_days` days or more, once per due date: (actions, notifications)."""
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
    to_red = [(action_id, due_date) for action_id, due_date, reported in claimed if reported is not Rag.RED]
    if not to_red:
        return 0, 0
    reasons = {
        d: (
            f"Red: overdue for {(today - d).days} days, since {format_date(overdue_since(d))} "
            f"(this plan turns actions Red after {after_days} days overdue)"
        )
        for d in {due_date for _, due_date in to_red}
    }
    chosen = _ids_in(Action.id, [action_id for action_id, _ in to_red])
    reason = _lookup_by_date(reasons, Action.due_date)
    # History first, while the rating it replaces is still there to record.
    record_events_from(
        select(
            Action.id,
            literal(ESCALATION_FIELD),
            as_history_text(ESCALATION_FIELD, Action.delivery_rag),
            literal(serialise(ESCALATION_FIELD, Rag.RED)),
            reason,
        ).where(chosen),
        run_at,
    )
    told = _notify_owners(chosen, literal("auto_red:"), reason, run_at)
    db.session.execute(
        update(Action)
        .where(chosen)
        .values(delivery_rag=Rag.RED, updated_at=run_at)
        .execution_options(synchronize_session=False)
    )
    return len(to_red), told


def _notify_owners(
    chosen: ColumnElement[bool], kind: ColumnElement[str], message: ColumnElement[str], at: datetime
) -> int:
    """Tell every enabled holder of a post owning the chosen actions, in one INSERT ... SELECT."""
    # The event key names the overdue episode (kind and due date), so an owner is told once per slip.
    events = (
        select(
            post_holders.c.user_id,
            Action.id,
            (kind + _iso_date_text(Action.due_date)).label("event_key"),
            message.label("message"),
            literal(at, DateTime).label("created_at"),
        )
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .join(post_holders, post_holders.c.post_id == ActionOwner.post_id)
        .join(User, User.id == post_holders.c.user_id)
        .where(chosen, User.is_enabled.is_(True))
    )
    # No DISTINCT: a person holding two owning posts appears twice, and the unique key keeps one.
    statement = insert_ignoring_duplicates(Notification.__table__).from_select(
        ["user_id", "action_id", "event_key", "message", "created_at"], events
    )
    result = db.session.execute(statement, execution_options={"preserve_rowcount": True})
    return max(result.rowcount, 0)


# --- the same SQL on SQLite and PostgreSQL -------------------------------------------------------


def _ids_in(id_column: InstrumentedAttribute, ids: list[int]) -> ColumnElement[bool]:
    """id_column IN (ids), the ids sent as one JSON parameter: no per-id parameters, however many there are."""
    payload = json.dumps(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return id_column.in_(select(cast(func.json_array_elements_text(cast(literal(payload), JSON)), Integer)))
    return id_column.in_(select(column("value")).select_from(func.json_each(payload)))


def _lookup_by_date(values: dict[date, str], date_column: InstrumentedAttribute) -> ColumnElement[str]:
    """The text for each row's date, from a {date: text} mapping sent as one JSON parameter."""
    payload = json.dumps({day.isoformat(): text for day, text in values.items()})
    if db.session.get_bind().dialect.name == "postgresql":
        # jsonb: parsed once for the statement, where json would be parsed again for every row.
        return func.jsonb_extract_path_text(cast(literal(payload), postgresql.JSONB), _iso_date_text(date_column))
    return func.json_extract(payload, literal('$."') + _iso_date_text(date_column) + literal('"'))


def _iso_date_text(date_column: InstrumentedAttribute) -> ColumnElement[str]:
    """A date column as 'YYYY-MM-DD' text on either database (SQLite already stores it so)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(date_column, "YYYY-MM-DD")
    return cast(date_column, String)
