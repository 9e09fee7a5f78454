"""What changed between a meeting and the day viewed: the board's "since the last meeting".

Completed, newly overdue and added are read from the state in the view and the history since the
meeting, cheaply enough for the dashboard to count them on every view:

- completed: complete in the view, with a change of status to complete recorded since;
- newly overdue: overdue in the view, and overdue only since a day after the meeting;
- added: created after the meeting.

Worse and better compare each action's effective delivery RAG in the view with its rating at the
meeting. The state at the meeting is the state in the view with the changes recorded since undone:
for each field, the old value of the first change after the meeting (up to the moment viewed), or,
with no change since, the value in the view. On history written as a consistent chain, as the
tracker's services write it, this is exactly the as-at rebuild. It needs a look-up per action, so
the lists of actions that got worse or better use it, not the dashboard's headline figures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, select

from tracker.clock import end_of_day
from tracker.history_values import as_value, serialise
from tracker.models import Action, HistoryEntry, Rag, Status
from tracker.queries.states import ActionStates
from tracker.rag import effective_delivery_rag_sql

UNDONE_FIELDS = ("delivery_rag", "status", "due_date")
# How serious a rating is, for "worse" and "better". Not rated is neither.
SERIOUSNESS = {Rag.BLUE: 0, Rag.GREEN: 1, Rag.AMBER: 2, Rag.RED: 3}


class Change(enum.StrEnum):
    WORSE = "worse"
    BETTER = "better"
    COMPLETED = "completed"
    NEWLY_OVERDUE = "newly_overdue"
    ADDED = "added"

    @property
    def label(self) -> str:
        return {
            Change.WORSE: "Delivery RAG worse",
            Change.BETTER: "Delivery RAG better",
            Change.COMPLETED: "Completed",
            Change.NEWLY_OVERDUE: "Newly overdue",
            Change.ADDED: "Added to the plan",
        }[self]


@dataclass(frozen=True)
class ChangesSince:
    since: date  # the meeting day; the state "then" is at its end
    states: ActionStates  # the view: now or a past day
    undone: Subquery  # action_id and, per field, has_<field> / <field>: its value at the meeting

    @classmethod
    def build(cls, since: date, states: ActionStates) -> ChangesSince:
        moment = end_of_day(since)
        window = [HistoryEntry.created_at > moment, HistoryEntry.field.in_(UNDONE_FIELDS)]
        if states.moment is not None:
            window.append(HistoryEntry.created_at <= states.moment)
        first = (
            select(
                HistoryEntry.action_id,
                HistoryEntry.field,
                HistoryEntry.old_value,
                func.row_number()
                .over(
                    partition_by=(HistoryEntry.action_id, HistoryEntry.field),
                    order_by=(HistoryEntry.created_at, HistoryEntry.id),
                )
                .label("n"),
            )
            .where(*window)
            .subquery("changes_after")
        )
        pivot = [first.c.action_id]
        for field in UNDONE_FIELDS:
            pivot.append(func.max(case((first.c.field == field, 1), else_=0)).label(f"has_{field}"))
            pivot.append(func.max(case((first.c.field == field, first.c.old_value))).label(field))
        undone = select(*pivot).where(first.c.n == 1).group_by(first.c.action_id).subquery("undone")
        return cls(since=since, states=states, undone=undone)

    def join(self, statement: Select, change: Change) -> Select:
        """Join what the change needs to a statement over Action (the undone state, for worse and better)."""
        if not self.needs_undo(change):
            return statement
        return statement.outerjoin(self.undone, self.undone.c.action_id == Action.id)

    def _then(self, field: str, now: ColumnElement) -> ColumnElement:
        return case((self.undone.c[f"has_{field}"] == 1, as_value(field, self.undone.c[field])), else_=now)

    @property
    def moment(self) -> datetime:
        return end_of_day(self.since)

    def existed_then(self) -> ColumnElement[bool]:
        return Action.created_at <= self.moment

    def effective_then(self) -> ColumnElement[str]:
        return effective_delivery_rag_sql(
            self._then("delivery_rag", self.states.delivery_rag),
            self._then("status", self.states.status),
            self._then("due_date", self.states.due_date),
            self.since,
        )

    def predicate(self, change: Change) -> ColumnElement[bool]:
        states = self.states
        if change is Change.ADDED:
            return ~self.existed_then()
        if change is Change.COMPLETED:
            return and_(self.existed_then(), states.status == Status.COMPLETE.value, self._completed_since())
        if change is Change.NEWLY_OVERDUE:
            # Overdue from the day after the due date: so since the meeting when due on or after its day.
            return and_(self.existed_then(), states.overdue(), states.due_date >= self.since)
        now, then = _seriousness(states.effective_rag()), _seriousness(self.effective_then())
        rated = and_(self.existed_then(), now.is_not(None), then.is_not(None))
        return and_(rated, now > then) if change is Change.WORSE else and_(rated, now < then)

    def needs_undo(self, change: Change) -> bool:
        return change in (Change.WORSE, Change.BETTER)

    def _completed_since(self) -> ColumnElement[bool]:
        window = [
            HistoryEntry.field == "status",
            HistoryEntry.new_value == serialise("status", Status.COMPLETE),
            HistoryEntry.created_at > self.moment,
        ]
        if self.states.moment is not None:
            window.append(HistoryEntry.created_at <= self.states.moment)
        return Action.id.in_(select(HistoryEntry.action_id).where(*window))


def _seriousness(rag: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((rag == r.value, literal(n)) for r, n in SERIOUSNESS.items()), else_=None)
