"""The RAG rule, in one place: as a pure function and as its SQL twin.

Effective delivery RAG = the reported RAG, raised to at least Amber when the action is
past its due date and neither complete nor cancelled (Red stays Red). A complete action
shows Blue. Pages, reports, exports and jobs all use these two, and tests hold them equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

from tracker.formatting import format_date
from tracker.models.enums import CLOSED_STATUSES, Rag, Status


@dataclass(frozen=True)
class EffectiveRag:
    rag: Rag
    reported: Rag
    overdue_since: date | None = None

    @property
    def raised(self) -> bool:
        """True when the rule, not the owner, set the rating shown."""
        return self.rag is not self.reported

    @property
    def reason(self) -> str:
        """Why the rating is what it is, when the rule changed it ("Amber: overdue since 1 June 2015")."""
        if self.overdue_since and self.raised and self.rag is Rag.AMBER:
            return f"Amber: overdue since {format_date(self.overdue_since)}"
        if self.rag is Rag.BLUE and self.raised:
            return "Blue: marked complete"
        return ""


def is_overdue(status: Status, due_date: date | None, today: date) -> bool:
    return due_date is not None and due_date < today and status not in CLOSED_STATUSES


def overdue_since(due_date: date) -> date:
    """An action is overdue from the day after its due date."""
    return due_date + timedelta(days=1)


def effective_delivery_rag(reported: Rag, status: Status, due_date: date | None, today: date) -> EffectiveRag:
    if status is Status.COMPLETE:
        return EffectiveRag(Rag.BLUE, reported)
    if due_date is not None and is_overdue(status, due_date, today):
        since = overdue_since(due_date)
        if reported is Rag.RED:
            return EffectiveRag(Rag.RED, reported, since)
        return EffectiveRag(Rag.AMBER, reported, since)
    return EffectiveRag(reported, reported)


# --- the SQL twin -------------------------------------------------------------------------


def is_overdue_sql(
    status: InstrumentedAttribute, due_date: InstrumentedAttribute, today: date | ColumnElement
) -> ColumnElement[bool]:
    """`today` may be a column (the month end a kept state belongs to)."""
    return and_(
        due_date.is_not(None),
        due_date < (today if isinstance(today, ColumnElement) else literal(today)),
        status.not_in([s.value for s in CLOSED_STATUSES]),
    )


def effective_delivery_rag_sql(
    reported: InstrumentedAttribute,
    status: InstrumentedAttribute,
    due_date: InstrumentedAttribute,
    today: date | ColumnElement,
) -> ColumnElement[str]:
    """The same rule as effective_delivery_rag, as a CASE expression the list queries select and filter on.

    The columns are passed in so the rule also applies to history-rebuilt snapshots.
    """
    return case(
        (status == Status.COMPLETE.value, literal(Rag.BLUE.value)),
        (
            and_(
                is_overdue_sql(status, due_date, today),
                or_(reported.is_(None), reported != Rag.RED.value),
            ),
            literal(Rag.AMBER.value),
        ),
        else_=reported,
    )


def action_effective_rag_sql(today: date) -> ColumnElement[str]:
    """effective_delivery_rag_sql over the Action table itself."""
    from tracker.models import Action

    return effective_delivery_rag_sql(Action.delivery_rag, Action.status, Action.due_date, today)


def action_is_overdue_sql(today: date) -> ColumnElement[bool]:
    from tracker.models import Action

    return is_overdue_sql(Action.status, Action.due_date, today)
