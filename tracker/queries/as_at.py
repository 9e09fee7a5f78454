"""Where every action stood at the end of a past day, rebuilt from its history in SQL.

For each action and each rebuilt field (delivery and outcome RAG, status, due date, owners) the
value at a moment is: the latest history value at or before that moment; failing that, the old
value of the first change after it; failing that, the value the action has now. Actions created
after the moment are left out. Progress is rebuilt from the progress updates made by then.

Everything here is SQL over the history table's (action, field, time) index: one index look-up
per action and field, never a Python loop over actions or history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Subquery,
    Text,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.history_values import OWNERS, as_history_text, as_value, owner_rows
from tracker.models import Action, ActionOwner, HistoryEntry, Post, ProgressUpdate

# --- the rule ----------------------------------------------------------------------------


def _encoded(field: str, moment: datetime, *, before: bool, action_id: ColumnElement) -> ColumnElement[str]:
    """One history value for the action, written "=value" so a recorded empty value ("=") is told
    apart from no entry at all (NULL)."""
    value = HistoryEntry.new_value if before else HistoryEntry.old_value
    when = HistoryEntry.created_at <= moment if before else HistoryEntry.created_at > moment
    order = (
        (HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
        if before
        else (HistoryEntry.created_at.asc(), HistoryEntry.id.asc())
    )
    return (
        select(literal("=", Text) + func.coalesce(value, literal("", Text)))
        .where(HistoryEntry.action_id == action_id, HistoryEntry.field == field, when)
        .order_by(*order)
        .limit(1)
        .scalar_subquery()
    )


def field_at(
    field: str, moment: datetime, current: ColumnElement | None, action_id: ColumnElement | None = None
) -> ColumnElement[str]:
    """The field's value at the moment, as text (NULL for none), by the rule in the module docstring.

    COALESCE stops at the first value it finds, so the "first change after" look-up runs only for
    actions with no change at or before the moment.
    """
    action_id = Action.id if action_id is None else action_id
    fallback = (
        literal("=", Text) + func.coalesce(as_history_text(field, current), literal("", Text))
        if current is not None
        else None
    )
    candidates = [
        _encoded(field, moment, before=True, action_id=action_id),
        _encoded(field, moment, before=False, action_id=action_id),
    ]
    if fallback is not None:
        candidates.append(fallback)
    return func.nullif(func.substr(func.coalesce(*candidates), 2), literal("", Text))


def state_at(
    moment: datetime,
    with_progress: bool = True,
    action_ids: Sequence[int] | Select | None = None,
    with_outcome: bool = True,
) -> Subquery:
    """Every action that existed at the moment (or those among action_ids), with its rebuilt fields.

    Columns: id, delivery_rag, outcome_rag (unless not with_outcome), status, due_date and (with_progress)
    last_progress_at. The subquery is fenced (OFFSET 0) so the database computes each row once,
    however often the RAG rule that reads it refers to a column; and so computes every column,
    which is why a caller that needs less says so.
    """
    fields = ["delivery_rag", "status", "due_date"] + (["outcome_rag"] if with_outcome else [])
    columns = [Action.id.label("id")]
    columns += [as_value(name, field_at(name, moment, getattr(Action, name))).label(name) for name in fields]
    if with_progress:
        columns.append(last_progress_at(moment).label("last_progress_at"))
    statement = select(*columns).where(Action.created_at <= moment)
    if action_ids is not None:
        statement = statement.where(Action.id.in_(action_ids))
    return statement.offset(0).subquery("state_at")


def last_progress_at(moment: datetime) -> ColumnElement[datetime]:
    """When the owner last reported progress, as at the moment."""
    latest_by_then = (
        select(func.max(ProgressUpdate.created_at))
        .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.created_at <= moment)
        .scalar_subquery()
    )
    return case((Action.last_progress_at <= moment, Action.last_progress_at), else_=latest_by_then)


def _post_named(name: ColumnElement[str]) -> ColumnElement[int]:
    named = aliased(Post)
    return select(named.id).where(named.name == name).scalar_subquery()


def owners_at(moment: datetime, action_ids: Sequence[int] | Select | None = None) -> FromClause:
    """(action_id, post_id, kind, position): who owned each action at the moment, and in which kind.

    Actions whose owners never changed keep their owners. For the others, the owners history
    recorded at that moment (history_values.owner_rows reads it): each post found by its id, so a
    post renamed since still counts, or by its name where the entry does not know the id.
    """
    owners_changed = exists().where(HistoryEntry.action_id == Action.id, HistoryEntry.field == OWNERS)
    unchanged = select(ActionOwner.action_id, ActionOwner.post_id, ActionOwner.kind, ActionOwner.position).where(
        ~exists().where(HistoryEntry.action_id == ActionOwner.action_id, HistoryEntry.field == OWNERS)
    )
    values = select(Action.id.label("action_id"), field_at(OWNERS, moment, None).label("value")).where(
        owners_changed, Action.created_at <= moment
    )
    if action_ids is not None:
        unchanged = unchanged.where(ActionOwner.action_id.in_(action_ids))
        values = values.where(Action.id.in_(action_ids))
    recorded = owner_rows(values.offset(0).subquery("owner_values")).subquery("recorded_owners")
    from_history = select(
        recorded.c.action_id,
        Post.id.label("post_id"),
        type_coerce(recorded.c.kind, ActionOwner.kind.type).label("kind"),
        recorded.c.position,
    ).join(Post, Post.id == func.coalesce(recorded.c.post_id, _post_named(recorded.c.post_name)))
    # Materialised: the owner rules look owners up once per action, which must not rebuild them each time.
    return union_all(unchanged, from_history).cte("owners_at").prefix_with("MATERIALIZED")
