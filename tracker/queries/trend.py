"""The RAG mix at the end of each month (or each meeting), and the kept states it is read from.

Each action's delivery and outcome RAG, status and due date at the end of every kept day is kept in
ActionMonthEnd, written by take_month_ends (the nightly job: `flask --app wsgi tracker auto-amber`,
or `flask --app wsgi dashboard month-ends`). The kept days are every past month end (the trend's
points) and every past board meeting day (the trend by meeting, and "since the last meeting",
which compares today with the end of the meeting day). Each kept day is built from the one before
and the history between, so a new day costs one pass over that stretch of history. History is
written as things happen, so a past day's state does not change afterwards; the one exception, a
history entry dated at or before a kept day it follows (written later), deletes that action's rows
from then on in the same transaction (services/history.py), and the next run writes them again.
Until it does, the readers rebuild such an action from history (queries/as_at.py).

The job also counts each strand's actions by effective RAG at each kept day (MonthEndCount), so
the trend of a plan, a strand or every plan is one statement over a few rows per strand and day.
A view narrowed to an agency or a post, or a kept day whose counts are missing for a strand in
view (deleted when an action moved or its restriction changed, or a strand added since the job
ran), reads the kept rows of the actions in view instead; a day not kept, or not fully kept (the
job not run yet, or an action's rows deleted as above), is counted from history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import aliased

from tracker.clock import end_of_day
from tracker.extensions import db
from tracker.models import Action, ActionMonthEnd, MonthEndCount, Objective, Rag, ReportingDate, Strand
from tracker.models.dashboard import MONTH_END_FIELDS
from tracker.permissions import sees_restricted
from tracker.queries.as_at import last_month_end, state_at
from tracker.queries.structure import action_to_strand
from tracker.rag import effective_delivery_rag_sql

# The trend shows at most this many points: three years of months.
MAX_POINTS = 36
# The nightly job counts the actions that existed on this many kept days in one statement.
_DAYS_A_STATEMENT = 400


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


def _in_scope(query):
    """The ids of the actions the query's scope counts (plan, strand, agency, post, visibility), kept once."""
    scope = select(Action.id).select_from(action_to_strand()).where(*query.scope_clauses())
    return scope.cte("in_scope").prefix_with("MATERIALIZED")


def count_rag_mix(query, days: Iterable[date]) -> dict[date, dict[Rag, int]]:
    """Counts by effective delivery RAG at the end of each day, for the query's scope, rebuilt from history.

    One statement; each action starts from its month-end row where there is one (queries/as_at.py).
    """
    days = list(days)
    if not days:
        return {}
    in_scope = _in_scope(query)
    arms = []
    for index, day in enumerate(days):
        rebuilt = state_at(end_of_day(day), with_progress=False, action_ids=select(in_scope.c.id), with_outcome=False)
        rag = effective_delivery_rag_sql(rebuilt.c.delivery_rag, rebuilt.c.status, rebuilt.c.due_date, day)
        per_action = select(rag.label("rag")).subquery(f"at_{index}")
        arms.append(
            select(literal(index).label("point"), per_action.c.rag, func.count().label("n")).group_by(per_action.c.rag)
        )
    mix: dict[date, dict[Rag, int]] = {day: dict.fromkeys(Rag, 0) for day in days}
    for point, rag, n in db.session.execute(union_all(*arms)):
        mix[days[point]][Rag(rag)] = n
    return mix


def trend_points(query, days: list[date], strand_ids: Sequence[int] | None = None) -> list[TrendPoint]:
    """The RAG mix at the end of each of these past days, for the query's scope.

    strand_ids: the strands the scope covers, when it is whole strands (a plan, a strand, every
    plan): kept days (month ends, meeting days) are then read from the strands' counts where they
    are all kept. Other days are read from the actions' kept states, with how many actions in scope
    existed then, in one statement; a day not kept, or not fully kept, is rebuilt from history
    (count_rag_mix). Which days are kept is not asked: a day with no counts or rows is simply not
    found kept.
    """
    if not days:
        return []
    mix: dict[date, dict[Rag, int]] = {}
    kept_days = list(days)
    f = query.filters
    whole_strands = strand_ids is not None and f.agency_id is None and f.post_id is None and f.action_ids is None
    if kept_days and whole_strands:
        mix = _from_counts(query, kept_days, strand_ids)
        kept_days = [day for day in kept_days if day not in mix]
    if kept_days:
        mix.update(_from_month_ends(query, kept_days))
    mix.update(count_rag_mix(query, [day for day in days if day not in mix]))
    return [TrendPoint(day, mix[day]) for day in days]


def _from_counts(query, days: list[date], strand_ids: Sequence[int]) -> dict[date, dict[Rag, int]]:
    """The mix at each of these days from the strands' counts, for the days where every strand has them."""
    if not strand_ids:
        return {day: dict.fromkeys(Rag, 0) for day in days}
    restricted = [False, True] if sees_restricted(query.viewer) else [False]
    counts = MonthEndCount.__table__.c
    statement = (
        select(counts.month_end, counts.rag, func.sum(counts.actions), func.count())
        .where(
            counts.month_end.in_(days),
            counts.strand_id.in_(list(strand_ids)),
            counts.is_restricted.in_(restricted),
        )
        .group_by(counts.month_end, counts.rag)
    )
    # Every strand has a row for each restriction and rating (noughts included) once counted.
    expected = len(set(strand_ids)) * len(restricted)
    mix: dict[date, dict[Rag, int]] = {}
    rows_kept: dict[date, int] = {}
    for month_end, rag_value, actions, rows in db.session.execute(statement):
        mix.setdefault(month_end, dict.fromkeys(Rag, 0))[Rag(rag_value)] = int(actions)
        rows_kept[month_end] = rows_kept.get(month_end, 0) + (rows == expected)
    return {day: counted for day, counted in mix.items() if rows_kept[day] == len(Rag)}


def _from_month_ends(query, days: list[date]) -> dict[date, dict[Rag, int]]:
    """The mix at each of these days from the kept rows, for the days where every action in scope has one."""
    in_scope = _in_scope(query)
    kept = ActionMonthEnd.__table__.alias("kept")
    point = case_of_days(kept.c.month_end, days)
    counted = (
        select(point.label("point"), kept.c.rag, func.count().label("n"))
        # Whole strands are read from their counts (trend_points): what comes here is a narrow scope
        # (an agency, a post) or strands not yet counted, and the database picks how to read it.
        .where(kept.c.month_end.in_(days), kept.c.action_id.in_(select(in_scope.c.id)))
        .group_by(kept.c.month_end, kept.c.rag)
    )
    mix: dict[int, dict[Rag, int]] = {index: dict.fromkeys(Rag, 0) for index in range(len(days))}
    for index, rag_value, n in db.session.execute(counted):
        mix[index][Rag(rag_value)] = n
    # How many actions in scope existed on each day (one pass): every one must have its row.
    existed = select(*(
        func.count(case((Action.created_at <= end_of_day(day), 1))) for day in days
    )).where(Action.id.in_(select(in_scope.c.id)))  # fmt: skip
    expected = db.session.execute(existed).one()
    return {days[index]: counts for index, counts in mix.items() if sum(counts.values()) == expected[index]}


def case_of_days(column, days: list[date]):
    """The position of the column's day among `days` (the point it belongs to)."""
    return case(*((column == day, index) for index, day in enumerate(days)))


# --- keeping each day's state ------------------------------------------------------------------------


def kept_days(first: date, today: date) -> list[date]:
    """The days whose state the nightly job keeps, from `first` to the day before today, in order:
    every month end, and every day a board met (any plan's: "since the last meeting" on every
    plan's dashboard compares with one)."""
    meetings = db.session.scalars(
        select(ReportingDate.meeting_date)
        .where(ReportingDate.meeting_date >= first, ReportingDate.meeting_date < today)
        .distinct()
    )
    return sorted({*month_ends(first, today, limit=10**6), *meetings})


def take_month_ends(today: date) -> int:
    """Write every action's state at each kept day before today that is not yet kept; the rows written.

    Oldest first, each day from the kept day before it and the history between. The caller commits.
    """
    first = db.session.scalar(select(func.min(Action.created_at)))
    if first is None:
        return 0
    table = ActionMonthEnd.__table__
    # Counted rather than summed from each INSERT's row count, which not every driver reports.
    kept_before = db.session.scalar(select(func.count()).select_from(table)) or 0
    previous = last_month_end(first.date().replace(day=1) - timedelta(days=1))
    days = kept_days(first.date(), today)
    if not days:
        return 0
    # Only the days missing a row: the actions that existed then against the rows kept.
    kept = dict(db.session.execute(select(table.c.month_end, func.count()).group_by(table.c.month_end)).all())
    existed: list[int] = []
    # A column a day, a few hundred at a time: years of month ends and meeting days of plans with
    # calendars of their own could pass the most columns a statement may have (1,664 on PostgreSQL).
    for first_of_batch in range(0, len(days), _DAYS_A_STATEMENT):
        batch = days[first_of_batch : first_of_batch + _DAYS_A_STATEMENT]
        existed += db.session.execute(
            select(*(func.count(case((Action.created_at <= end_of_day(day), 1))) for day in batch))
        ).one()
    for month_end, actions in zip(days, existed, strict=True):  # month_end: any kept day
        if kept.get(month_end, 0) >= actions:
            previous = month_end
            continue
        moment = end_of_day(month_end)
        action = aliased(Action)  # not the rebuild's own Action, which it would otherwise correlate with
        missing = select(action.id).where(
            action.created_at <= moment,
            ~exists().where(and_(table.c.month_end == month_end, table.c.action_id == action.id)),
        )
        state = state_at(moment, with_progress=False, action_ids=missing, month_end=previous)
        db.session.execute(
            insert(table).from_select(
                ["month_end", "action_id", *MONTH_END_FIELDS, "rag"],
                select(
                    literal(month_end).label("month_end"),
                    state.c.id,
                    *(state.c[name] for name in MONTH_END_FIELDS),
                    effective_delivery_rag_sql(state.c.delivery_rag, state.c.status, state.c.due_date, month_end),
                ),
            )
        )
        previous = month_end
    written = (db.session.scalar(select(func.count()).select_from(table)) or 0) - kept_before
    _count_month_ends(days)
    return written


def _count_month_ends(days: list[date]) -> None:
    """Count each strand's actions by restriction and effective RAG at each kept day not yet counted.

    Every (kept day, strand) missing its counts gets a row for each restriction and rating,
    noughts included, so a reader knows it is counted in full. Read from the month-end rows just
    kept, with each action's strand and restriction as they are now (the trend counts the actions
    in view now, as they stood then).
    """
    counts = MonthEndCount.__table__
    have = set(db.session.execute(select(counts.c.month_end, counts.c.strand_id).distinct()).all())
    strands = db.session.scalars(select(Strand.id)).all()
    kept = ActionMonthEnd.__table__.c
    for day in days:
        missing = [strand_id for strand_id in strands if (day, strand_id) not in have]
        if not missing:
            continue
        counted = {
            (strand_id, restricted, Rag(rag)): n
            for strand_id, restricted, rag, n in db.session.execute(
                select(Objective.strand_id, Action.is_restricted, kept.rag, func.count())
                .select_from(ActionMonthEnd.__table__)
                .join(Action, Action.id == kept.action_id)
                .join(Objective, Objective.id == Action.objective_id)
                .where(kept.month_end == day)
                .group_by(Objective.strand_id, Action.is_restricted, kept.rag)
            )
        }
        db.session.execute(
            insert(counts),
            [
                {
                    "month_end": day,
                    "strand_id": strand_id,
                    "is_restricted": restricted,
                    "rag": rag,
                    "actions": counted.get((strand_id, restricted, rag), 0),
                }
                for strand_id in missing
                for restricted in (False, True)
                for rag in Rag
            ],
        )
