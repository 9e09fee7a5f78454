"""The RAG mix at the end of each month (or each meeting) over the plan's life, rebuilt from history.

Rebuilding a past day costs one index look-up per action and field, so a trend of thirty months
over ten thousand actions is too slow to repeat on every view. It need not be repeated: history
is append-only and written as things happen, so a past day's mix never changes afterwards. Each
counted point is kept (RagTrendPoint) with how far the history and action tables reached when it
was counted. On every view one query checks what has been written since; a point is recounted
only if something since could change it:

- a history entry dated at or before the point (back-dated history, such as an import);
- an action created at or before the point, or any action removed;
- a change to what decides the scope itself (restriction, sub-objective, owners, partners).

Everything else written since (updates, new deadlines, auto-amber) is dated after the point and
so, by the rebuild rule, cannot alter it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker import clock
from tracker.clock import end_of_day
from tracker.extensions import db
from tracker.history_values import OWNERS, PARTNERS
from tracker.models import Action, HistoryEntry, Objective, Rag, RagTrendPoint, Strand
from tracker.permissions import sees_restricted
from tracker.queries.actions import structural_scope
from tracker.queries.as_at import state_at
from tracker.rag import effective_delivery_rag_sql

# The trend shows at most this many points: three years of months.
MAX_POINTS = 36
# How many history entries a kept point's marks may fall behind before they are moved up.
MARKS_LAG = 2000
_RAG_COLUMNS = {Rag.RED: "red", Rag.AMBER: "amber", Rag.GREEN: "green", Rag.BLUE: "blue", Rag.NOT_RATED: "not_rated"}


@dataclass(frozen=True)
class TrendPoint:
    day: date
    counts: dict[Rag, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def month_ends(start: date, before: date, limit: int = MAX_POINTS) -> list[date]:
    """The last day of each month from start's month, strictly before `before`; the latest `limit` of them."""
    days = []
    year, month = start.year, start.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        last_day = following - timedelta(days=1)
        if last_day >= before:
            break
        days.append(last_day)
        year, month = following.year, following.month
    return days[-limit:]


def scope_key(query) -> str:
    """What the counted actions depend on: the filters and whether the viewer sees restricted actions.

    Agency and post filters pick actions by their owners on the day viewed, so a past view's key
    includes that day.
    """
    f = query.filters
    by_owner = f.agency_id is not None or f.post_id is not None
    return "|".join([
        "v1",
        f"plan={f.plan_id or ''}",
        f"strand={f.strand_id or ''}",
        f"agency={f.agency_id or ''}",
        f"post={f.post_id or ''}",
        f"restricted={'shown' if sees_restricted(query.viewer) else 'hidden'}",
        f"at={query.states.day.isoformat() if by_owner and query.states.is_past else ''}",
    ])  # fmt: skip


def _scope_fields(query) -> list[str]:
    """History fields whose change alters which actions a scope counts."""
    f = query.filters
    fields = ["objective_id"]
    if not sees_restricted(query.viewer):
        fields.append("is_restricted")
    if f.agency_id is not None or f.post_id is not None:
        fields += [OWNERS, PARTNERS]
    return fields


def count_rag_mix(query, days: Iterable[date]) -> dict[date, dict[Rag, int]]:
    """Counts by effective delivery RAG at the end of each day, for the query's scope: one statement."""
    days = list(days)
    if not days:
        return {}
    arms = []
    among = structural_scope(query.filters, query.viewer, owners_now=not query.states.is_past)
    if among is not None:  # worked out once for all the points, not once per point
        in_scope = among.cte("in_scope").prefix_with("MATERIALIZED")
        among = select(in_scope.c.id)
    for index, day in enumerate(days):
        rebuilt = state_at(end_of_day(day), with_progress=False, action_ids=among, with_outcome=False)
        per_action = (
            select(
                effective_delivery_rag_sql(rebuilt.c.delivery_rag, rebuilt.c.status, rebuilt.c.due_date, day).label(
                    "rag"
                )
            )
            .select_from(Action)
            .join(Objective, Action.objective_id == Objective.id)
            .join(Strand, Objective.strand_id == Strand.id)
            .join(rebuilt, rebuilt.c.id == Action.id)
            .where(*query.scope_clauses())
            .subquery(f"at_{index}")
        )
        arms.append(
            select(literal(index).label("point"), per_action.c.rag, func.count().label("n")).group_by(per_action.c.rag)
        )
    mix: dict[date, dict[Rag, int]] = {day: dict.fromkeys(Rag, 0) for day in days}
    for point, rag, n in db.session.execute(union_all(*arms)):
        mix[days[point]][Rag(rag)] = n
    return mix


def trend_points(query, days: list[date]) -> list[TrendPoint]:
    """The RAG mix at the end of each of these past days, counted once and then kept (see module docstring)."""
    if not days:
        return []
    key = scope_key(query)
    moments = {end_of_day(day): day for day in days}
    kept = db.session.scalars(
        select(RagTrendPoint).where(RagTrendPoint.scope == key, RagTrendPoint.moment.in_(list(moments)))
    ).all()
    marks = _watermarks(kept, _scope_fields(query))
    valid = {point.moment: point for point in kept if _still_valid(point, marks)}
    points = {
        moments[moment]: {rag: getattr(point, column) for rag, column in _RAG_COLUMNS.items()}
        for moment, point in valid.items()
    }
    counted = count_rag_mix(query, [day for moment, day in moments.items() if moment not in valid])
    points.update(counted)
    # Moving the kept points' marks up is a write; done when enough history has gone by to make
    # the next views' check of what was written since noticeably longer, not after every change.
    behind = any(marks.history_high - point.history_high > MARKS_LAG for point in valid.values())
    if counted or behind:
        _keep(key, [p.id for p in kept if p.moment not in valid], [p.id for p in valid.values()], counted, marks)
    return [TrendPoint(day, points[day]) for day in days]


@dataclass(frozen=True)
class _Marks:
    history_high: int
    actions_high: int
    actions_count: int
    # Since the kept points' own marks:
    checked_history: int | None
    checked_actions: int | None
    checked_count: int | None
    new_history_from: datetime | None
    scope_changes: int
    new_actions_from: datetime | None
    actions_now_up_to_checked: int | None


def _watermarks(kept, scope_fields: list[str]) -> _Marks:
    """How far history and the actions reach now, and what was written since the kept points: one query."""
    history_since = min((p.history_high for p in kept), default=None)
    actions_since = min((p.actions_high for p in kept), default=None)
    count_then = next((p.actions_count for p in kept if p.actions_high == actions_since), None)
    # Plain max(id), not wrapped in coalesce: SQLite answers that from the end of the index at once.
    columns = [
        select(func.max(HistoryEntry.id)).scalar_subquery(),
        select(func.max(Action.id)).scalar_subquery(),
        select(func.count(Action.id)).scalar_subquery(),
    ]
    if kept:
        # min(coalesce(x, x)) rather than min(x): otherwise SQLite walks the whole created_at index
        # looking for new ids instead of reading just the new rows by id.
        written_at = func.coalesce(HistoryEntry.created_at, HistoryEntry.created_at)
        columns += [
            select(func.min(written_at)).where(HistoryEntry.id > history_since).scalar_subquery(),
            select(func.count(HistoryEntry.id))
            .where(HistoryEntry.id > history_since, HistoryEntry.field.in_(scope_fields))
            .scalar_subquery(),
            select(func.min(Action.created_at)).where(Action.id > actions_since).scalar_subquery(),
            select(func.count(Action.id)).where(Action.id <= actions_since).scalar_subquery(),
        ]
    row = db.session.execute(select(*columns)).one()
    history_high, actions_high, actions_count = row[0] or 0, row[1] or 0, row[2]
    if not kept:
        return _Marks(history_high, actions_high, actions_count, None, None, None, None, 0, None, None)
    return _Marks(
        history_high,
        actions_high,
        actions_count,
        history_since,
        actions_since,
        count_then,
        row[3],
        row[4],
        row[5],
        row[6],
    )


def _still_valid(point: RagTrendPoint, marks: _Marks) -> bool:
    if point.actions_high != marks.checked_actions or point.actions_count != marks.checked_count:
        return False  # counted at another time than the oldest kept point: simpler to recount
    if marks.history_high < point.history_high or marks.actions_now_up_to_checked != point.actions_count:
        return False  # history or actions removed
    if marks.scope_changes:
        return False
    if marks.new_history_from is not None and marks.new_history_from <= point.moment:
        return False
    return not (marks.new_actions_from is not None and marks.new_actions_from <= point.moment)


def _keep(
    key: str, stale: list[int], still_valid: list[int], counted: dict[date, dict[Rag, int]], marks: _Marks
) -> None:
    """Store new counts and move the kept points' marks up to now.

    On a connection of its own, so a page that only reads never commits its own session; a
    concurrent view may store the same points first, which is fine: they are the same counts.
    """
    now = clock.now()
    highs = {
        "history_high": marks.history_high,
        "actions_high": marks.actions_high,
        "actions_count": marks.actions_count,
    }
    table = RagTrendPoint.__table__
    try:
        with db.engine.begin() as connection:
            if stale:
                connection.execute(delete(table).where(table.c.id.in_(stale)))
            if still_valid:
                connection.execute(update(table).where(table.c.id.in_(still_valid)).values(**highs))
            if counted:
                connection.execute(
                    insert(table),
                    [
                        {
                            "scope": key,
                            "moment": end_of_day(day),
                            "computed_at": now,
                            **highs,
                            **{column: counts[rag] for rag, column in _RAG_COLUMNS.items()},
                        }
                        for day, counts in counted.items()
                    ],
                )
    except IntegrityError:
        pass  # another view stored these points first
    except OperationalError:
        # SQLite busy for longer than its timeout: the counts are right, just not kept this time.
        current_app.logger.warning("Could not keep the dashboard trend points for %s", key, exc_info=True)
