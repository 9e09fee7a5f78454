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
    Date,
    FromClause,
    Integer,
    Select,
    Subquery,
    Text,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.models import Action, ActionOwner, HistoryEntry, OwnerKind, Post, ProgressUpdate

# How history writes a list of owners: post names joined like this (services/history.serialise).
OWNER_SEPARATOR = "; "


# --- three small portable SQL functions --------------------------------------------------


class _as_text(FunctionElement):
    """A column as text: PostgreSQL needs the cast, SQLite already stores dates and enums as text."""

    type = Text()
    inherit_cache = True


@compiles(_as_text)
def _as_text_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_as_text, "postgresql")
def _as_text_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


class _as_date(FunctionElement):
    """An ISO date held as text, as a date. SQLite has no date type (and CAST would make it a number)."""

    type = Date()
    inherit_cache = True


@compiles(_as_date)
def _as_date_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_as_date, "postgresql")
def _as_date_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


class _position(FunctionElement):
    """Where `needle` starts in `haystack` (1-based), 0 when it is not there."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _position_default(element, compiler, **kw):
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_position, "postgresql")
def _position_postgresql(element, compiler, **kw):
    return f"strpos({compiler.process(element.clauses, **kw)})"


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
    fallback = literal("=", Text) + func.coalesce(_as_text(current), literal("", Text)) if current is not None else None
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
    columns = [
        Action.id.label("id"),
        type_coerce(field_at("delivery_rag", moment, Action.delivery_rag), Action.delivery_rag.type).label(
            "delivery_rag"
        ),
        type_coerce(field_at("status", moment, Action.status), Action.status.type).label("status"),
        _as_date(field_at("due_date", moment, Action.due_date)).label("due_date"),
    ]
    if with_outcome:
        columns.append(
            type_coerce(field_at("outcome_rag", moment, Action.outcome_rag), Action.outcome_rag.type).label(
                "outcome_rag"
            )
        )
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


def owners_at(moment: datetime, action_ids: Sequence[int] | Select | None = None) -> FromClause:
    """(action_id, post_id, kind, position): who owned each action at the moment.

    Actions whose owners never changed keep their owners. For the others, history names the posts
    but not whether each was accountable or responsible: a post that still owns the action keeps
    its kind, and one that no longer does is counted as accountable (the column the board holds to
    account). Names are matched to today's posts, so a post renamed since is not found.
    """
    owners_changed = exists().where(HistoryEntry.action_id == Action.id, HistoryEntry.field == "owners")
    unchanged = select(ActionOwner.action_id, ActionOwner.post_id, ActionOwner.kind, ActionOwner.position).where(
        ~exists().where(HistoryEntry.action_id == ActionOwner.action_id, HistoryEntry.field == "owners")
    )
    names = select(Action.id.label("action_id"), field_at("owners", moment, None).label("names")).where(
        owners_changed, Action.created_at <= moment
    )
    if action_ids is not None:
        unchanged = unchanged.where(ActionOwner.action_id.in_(action_ids))
        names = names.where(Action.id.in_(action_ids))
    names = names.offset(0).subquery("owner_names")
    separator = literal(OWNER_SEPARATOR, Text)
    current_kind = (
        select(func.min(ActionOwner.kind))
        .where(ActionOwner.action_id == names.c.action_id, ActionOwner.post_id == Post.id)
        .scalar_subquery()
    )
    from_history = select(
        names.c.action_id,
        Post.id.label("post_id"),
        type_coerce(func.coalesce(current_kind, OwnerKind.ACCOUNTABLE.value), ActionOwner.kind.type).label("kind"),
        literal(0).label("position"),
    ).join(
        Post,
        and_(
            names.c.names.is_not(None),
            _position(separator + names.c.names + separator, separator + Post.name + separator) > 0,
        ),
    )
    # Materialised: the owner rules look owners up once per action, which must not rebuild them each time.
    return union_all(unchanged, from_history).cte("owners_at").prefix_with("MATERIALIZED")
