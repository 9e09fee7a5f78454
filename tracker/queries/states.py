"""Where the actions stand at one moment, and the board's exception rules over it, as SQL.

ActionStates is either now (the action table itself) or the end of a past day (rebuilt from
history by as_at.state_at). Lists and dashboards select and filter on its columns and rules, so
one query shape serves the live view and every past view alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, FromClause, Select, Subquery, and_, case, exists, func, or_, select

from tracker.clock import end_of_day
from tracker.cycles import needs_update_sql, updated_this_cycle_by_sql
from tracker.models import CLOSED_STATUSES, Action, ActionOwner, OwnerKind, Rag, Strand
from tracker.queries.as_at import owners_at, state_at
from tracker.rag import effective_delivery_rag_sql, is_overdue_sql

# "Due soon" on the dashboard and in "My actions": due within this many days from the day viewed.
DUE_SOON_DAYS = 30
DUE_SOON_WORDS = f"Due in the next {DUE_SOON_DAYS} days"


@dataclass(frozen=True)
class ActionStates:
    day: date  # the RAG rule is applied at this date
    moment: datetime | None  # end of a past day; None for now
    rebuilt: Subquery | None
    owners: FromClause  # columns action_id, post_id, kind, position

    @classmethod
    def now(cls, today: date) -> ActionStates:
        return cls(day=today, moment=None, rebuilt=None, owners=ActionOwner.__table__)

    @classmethod
    def as_at(
        cls,
        day: date | None,
        today: date,
        action_ids: Sequence[int] | Select | None = None,
        *,
        with_progress: bool = True,
    ) -> ActionStates:
        """The view at the end of `day`; today or later is simply now.

        action_ids (ids, or a query of them), when the caller wants only those actions, saves
        rebuilding all the others: the rebuild is computed before any filter outside it applies.
        with_progress=False: no caller reads last_progress_at (counting "not updated" never
        needs it), so the rebuild does not look each action's last update up.
        """
        if day is None or day >= today:
            return cls.now(today)
        moment = end_of_day(day)
        return cls(
            day=day,
            moment=moment,
            rebuilt=state_at(moment, with_progress=with_progress, action_ids=action_ids),
            owners=owners_at(moment, action_ids=action_ids),
        )

    @property
    def is_past(self) -> bool:
        return self.moment is not None

    def _column(self, name: str) -> ColumnElement:
        return getattr(Action, name) if self.rebuilt is None else self.rebuilt.c[name]

    @property
    def delivery_rag(self) -> ColumnElement:
        return self._column("delivery_rag")

    @property
    def outcome_rag(self) -> ColumnElement:
        return self._column("outcome_rag")

    @property
    def status(self) -> ColumnElement:
        return self._column("status")

    @property
    def due_date(self) -> ColumnElement:
        return self._column("due_date")

    @property
    def last_progress_at(self) -> ColumnElement:
        return self._column("last_progress_at")

    def join(self, statement: Select) -> Select:
        """Join the rebuilt state to a statement over Action (which also leaves out later actions)."""
        if self.rebuilt is None:
            return statement
        return statement.join(self.rebuilt, self.rebuilt.c.id == Action.id)

    # --- the rules, at self.day ---------------------------------------------------------

    def effective_rag(self) -> ColumnElement[str]:
        return effective_delivery_rag_sql(self.delivery_rag, self.status, self.due_date, self.day)

    def is_open(self) -> ColumnElement[bool]:
        return self.status.not_in([status.value for status in CLOSED_STATUSES])

    def overdue(self) -> ColumnElement[bool]:
        return is_overdue_sql(self.status, self.due_date, self.day)

    def red(self) -> ColumnElement[bool]:
        return self.effective_rag() == Rag.RED.value

    def due_soon(self) -> ColumnElement[bool]:
        return and_(
            self.is_open(),
            self.due_date >= self.day,
            self.due_date <= self.day + timedelta(days=DUE_SOON_DAYS),
        )

    def no_due_date(self) -> ColumnElement[bool]:
        return and_(self.is_open(), self.due_date.is_(None))

    def counted_owners(self) -> Subquery | None:
        """What the no-owner rules join when a whole scope is counted: None now, else each owned
        action's owners and accountable owners, grouped once.

        Now, each action's owners are looked up in the owners table's primary key (SQLite took
        twice as long to group 250,000 owner rows as to look 100,000 actions up). As at a past day
        the rebuilt owners have no index, so a look-up per action would read them all each time.
        """
        if not self.is_past:
            return None
        owners = self.owners.c
        accountable = case((owners.kind == OwnerKind.ACCOUNTABLE.value, 1), else_=0)
        return (
            select(owners.action_id, func.count().label("owners"), func.sum(accountable).label("accountable"))
            .group_by(owners.action_id)
            .subquery("owner_counts")
        )

    def no_owner(self, kind: OwnerKind | None = None, counts: Subquery | None = None) -> ColumnElement[bool]:
        """Open with no owner (of the kind). `counts`: counted_owners(), outer-joined on the action id."""
        if counts is not None:
            counted = counts.c.owners if kind is None else counts.c.accountable
            owned = func.coalesce(counted, 0) > 0
        else:
            owned = exists().where(self.owners.c.action_id == Action.id)
            if kind is not None:
                owned = owned.where(self.owners.c.kind == kind.value)
        return and_(self.is_open(), ~owned)

    def not_updated(self, cycle_starts: dict[int, datetime]) -> ColumnElement[bool]:
        """Open and no progress reported since its plan's reporting period began (needs Strand joined).

        As at a past day: no update between the period's start and the end of that day, read from
        that stretch of updates, so counting thousands of actions never needs each one's last
        update (the rebuilt last_progress_at, which a page of rows still shows).
        """
        if self.moment is None:
            return needs_update_sql(cycle_starts)
        return and_(self.is_open(), ~updated_this_cycle_by_sql(Strand.plan_id, cycle_starts, self.moment))

    def any_exception(self, cycle_starts: dict[int, datetime]) -> ColumnElement[bool]:
        """Red, overdue, with no owner, with no due date or not updated: the exceptions table."""
        return or_(
            self.red(),
            self.overdue(),
            self.no_owner(),
            self.no_due_date(),
            self.not_updated(cycle_starts),
        )

    def owned_by(self, post_id: int) -> ColumnElement[bool]:
        """Owned (accountable or responsible) by the post.

        "id IN (the post's actions)": the database starts from the owners' post index and reads
        those few actions, rather than looking every action in view up (four times faster for one
        post among 100,000 actions).
        """
        return Action.id.in_(select(self.owners.c.action_id).where(self.owners.c.post_id == post_id))
