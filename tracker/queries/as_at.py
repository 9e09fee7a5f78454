"""Where every action stood at the end of a past day, rebuilt from its history in SQL.

For each action and each rebuilt field (delivery and outcome RAG, status, due date, owners) the
value at a moment is: the latest history value at or before that moment; failing that, the old
value of the first change after it; failing that, the value the action has now. Actions created
after the moment are left out. Progress is rebuilt from the progress updates made by then.

Delivery and outcome RAG, status and due date start from the last month end at or before the
moment: the nightly job keeps each action's state at each month end (ActionMonthEnd,
tracker/queries/trend.py). The value is then the latest history value written after that month
end and by the moment (one pass over that month's history, not a look-up per action), else the
month end's; an action with no month-end row (created since, or the job not run yet) is rebuilt
by the rule above, with one look-up on the history table's (action, field, time) index per field.
Never a Python loop over actions or history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Subquery,
    Text,
    and_,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from tracker.clock import end_of_day
from tracker.history_values import OWNERS, as_history_text, as_value, owner_rows
from tracker.models import Action, ActionMonthEnd, ActionOwner, HistoryEntry, Post, ProgressUpdate

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
    return _decoded(candidates)


def _decoded(candidates: list[ColumnElement]) -> ColumnElement[str]:
    """The first "=value" candidate found, without its "=" (NULL for an empty value)."""
    return func.nullif(func.substr(func.coalesce(*candidates), 2), literal("", Text))


def last_month_end(day: date) -> date:
    """The day itself when it ends a month, else the last day of the month before."""
    if (day + timedelta(days=1)).month != day.month:
        return day
    return day.replace(day=1) - timedelta(days=1)


def _written_since(
    fields: Sequence[str], since: datetime, moment: datetime, action_ids: Sequence[int] | None = None
) -> Subquery:
    """(action_id, one "=value" column per field): the latest value written after `since` and by the moment.

    One pass over that stretch of history (index on field and time), for every action at once; or,
    given a list of a few ids (the rows of a page), only theirs.
    """
    ranked = select(
        HistoryEntry.action_id,
        HistoryEntry.field,
        HistoryEntry.new_value,
        func.row_number()
        .over(
            partition_by=(HistoryEntry.action_id, HistoryEntry.field),
            order_by=(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()),
        )
        .label("n"),
    ).where(HistoryEntry.field.in_(list(fields)), HistoryEntry.created_at > since, HistoryEntry.created_at <= moment)
    if action_ids is not None:
        ranked = ranked.where(HistoryEntry.action_id.in_(list(action_ids)))
    ranked = ranked.subquery("ranked")
    encoded = literal("=", Text) + func.coalesce(ranked.c.new_value, literal("", Text))
    return (
        select(
            ranked.c.action_id,
            *(func.max(case((ranked.c.field == name, encoded))).label(name) for name in fields),
        )
        .where(ranked.c.n == 1)
        .group_by(ranked.c.action_id)
        .subquery("written_since")
    )


def state_at(
    moment: datetime,
    with_progress: bool = True,
    action_ids: Sequence[int] | Select | None = None,
    with_outcome: bool = True,
    *,
    month_end: date | None = None,
) -> Subquery:
    """Every action that existed at the moment (or those among action_ids), with its rebuilt fields.

    Columns: id, delivery_rag, outcome_rag (unless not with_outcome), status, due_date and (with_progress)
    last_progress_at. The subquery is fenced (OFFSET 0) so the database computes each row once,
    however often the RAG rule that reads it refers to a column; and so computes every column,
    which is why a caller that needs less says so.

    month_end: the month end to start from (default: the last at or before the moment's day).
    """
    fields = ["delivery_rag", "status", "due_date"] + (["outcome_rag"] if with_outcome else [])
    base = month_end if month_end is not None else last_month_end(moment.date())
    base_moment = end_of_day(base)
    kept = ActionMonthEnd.__table__.alias("kept")
    # A list of ids is a page's rows: read only their history. A query of ids (a whole scope) is left
    # to the outer join, so the stretch of history is still read in one pass.
    listed = None if action_ids is None or isinstance(action_ids, Select) else action_ids
    written = _written_since(fields, base_moment, moment, listed) if moment > base_moment else None
    columns = [Action.id.label("id")]
    for name in fields:
        candidates = []
        if written is not None:
            candidates.append(written.c[name])
        candidates.append(
            case(
                (
                    kept.c.action_id.is_not(None),
                    literal("=", Text) + func.coalesce(as_history_text(name, kept.c[name]), literal("", Text)),
                )
            )
        )
        # No month-end row: the whole rule (COALESCE looks these up only for such actions).
        candidates += [
            _encoded(name, moment, before=True, action_id=Action.id),
            _encoded(name, moment, before=False, action_id=Action.id),
            literal("=", Text) + func.coalesce(as_history_text(name, getattr(Action, name)), literal("", Text)),
        ]
        # Most actions have their kept row and nothing written since: read it as it is, without the
        # text round trip the rule needs to tell an empty value from none.
        only_kept = kept.c.action_id.is_not(None)
        if written is not None:
            only_kept = and_(only_kept, written.c.action_id.is_(None))
        columns.append(case((only_kept, kept.c[name]), else_=as_value(name, _decoded(candidates))).label(name))
    if with_progress:
        columns.append(last_progress_at(moment).label("last_progress_at"))
    source = Action.__table__.outerjoin(kept, and_(kept.c.action_id == Action.id, kept.c.month_end == base))
    if written is not None:
        source = source.outerjoin(written, written.c.action_id == Action.id)
    statement = select(*columns).select_from(source).where(Action.created_at <= moment)
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

    Actions whose owners have not changed since the moment had then the owners they have now (history
    is one chain, written as things happen). For the others, the owners history recorded at that
    moment (history_values.owner_rows reads it): each post found by its id, so a post renamed since
    still counts, or by its name where the entry does not know the id. So the history is read only
    for actions whose owners changed after the day viewed: few, for a recent day.
    """
    # The actions whose owners changed since: one list, read once (history's field and time index),
    # rather than a look-up for every owner row.
    changed = select(HistoryEntry.action_id).where(HistoryEntry.field == OWNERS, HistoryEntry.created_at > moment)
    unchanged = select(ActionOwner.action_id, ActionOwner.post_id, ActionOwner.kind, ActionOwner.position).where(
        ActionOwner.action_id.not_in(changed)  # history's action_id is never NULL
    )
    values = select(Action.id.label("action_id"), field_at(OWNERS, moment, None).label("value")).where(
        Action.id.in_(changed), Action.created_at <= moment
    )
    if action_ids is not None:
        unchanged = unchanged.where(ActionOwner.action_id.in_(action_ids))
        values = values.where(Action.id.in_(action_ids))
    # Kept once: owner_rows reads it once for each kind of owner.
    recorded = owner_rows(values.cte("owner_values").prefix_with("MATERIALIZED")).subquery("recorded_owners")
    from_history = select(
        recorded.c.action_id,
        Post.id.label("post_id"),
        type_coerce(recorded.c.kind, ActionOwner.kind.type).label("kind"),
        recorded.c.position,
    ).join(Post, Post.id == func.coalesce(recorded.c.post_id, _post_named(recorded.c.post_name)))
    # Materialised: the owner rules look owners up once per action, which must not rebuild them each time.
    return union_all(unchanged, from_history).cte("owners_at").prefix_with("MATERIALIZED")
