"""Where each action stood at the end of each month and each meeting day: the one thing the dashboard keeps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.enums import Rag, Status
from tracker.models.types import enum_column

# The fields kept at each kept day: the columns of ActionMonthEnd besides its keys.
MONTH_END_FIELDS = ("delivery_rag", "outcome_rag", "status", "due_date")


class ActionMonthEnd(db.Model):
    """An action's delivery and outcome RAG, status and due date at the end of a kept day: the last
    day of a past month, or a past day a board met (`month_end` holds either).

    Written by the nightly job (tracker/queries/trend.py, take_month_ends) from history, once per
    kept day, so the trend, "since the last meeting" and past views read a day's state instead of
    rebuilding it from the whole history. History is written as things happen, so a past day's
    state stays true; a history entry dated at or before a kept day (written later) deletes that
    action's rows from then on, in the same transaction (services/history.py), and the readers
    rebuild an action with no row from history.
    """

    __tablename__ = "action_month_end"
    # Read a month at a time (month_end first); forgotten an action at a time. On SQLite the rows
    # are stored in key order (no rowid), so reading a month reads its rows straight off.
    # The trend counts a month's rows by `rag` from the second index alone.
    __table_args__ = (
        Index("ix_action_month_end_action_id", "action_id", "month_end"),
        Index("ix_action_month_end_rag", "month_end", "rag", "action_id"),
        {"sqlite_with_rowid": False},
    )

    month_end: Mapped[date] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    delivery_rag: Mapped[Rag] = mapped_column(enum_column(Rag))
    outcome_rag: Mapped[Rag] = mapped_column(enum_column(Rag))
    status: Mapped[Status] = mapped_column(enum_column(Status))
    due_date: Mapped[date | None]
    # The effective delivery RAG on that day (tracker/rag.py): fixed once the day is past, so kept.
    rag: Mapped[Rag] = mapped_column(enum_column(Rag))


class MonthEndCount(db.Model):
    """How many actions of one strand stood at each effective RAG at a kept day (a month end or a
    meeting day), restricted or not.

    The trend of a plan, a strand or every plan reads these few rows instead of every action's
    month-end row. Written by the nightly job from ActionMonthEnd with each action's strand and
    restriction as they are now, one row for every strand, restriction and rating (noughts
    included), so a (kept day, strand) with its rows is known to be counted in full. Whatever
    would change a count deletes that strand's rows instead (an action moved or its restriction
    changed, an action's month-end rows forgotten: services/history.py), and the trend counts that
    strand from the actions' rows until the job writes them again.
    """

    __tablename__ = "month_end_count"
    # Keyed by day and rating first: the trend sums some days' rows by day and rating, in key order
    # without sorting (on SQLite the rows are stored in key order, no rowid).
    __table_args__ = ({"sqlite_with_rowid": False},)

    month_end: Mapped[date] = mapped_column(primary_key=True)
    rag: Mapped[Rag] = mapped_column(enum_column(Rag), primary_key=True)
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"), primary_key=True)
    is_restricted: Mapped[bool] = mapped_column(primary_key=True)
    actions: Mapped[int]
