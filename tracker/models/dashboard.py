"""Counts the dashboard keeps so it need not rebuild the past from history on every view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class RagTrendPoint(db.Model):
    """How many actions in one dashboard scope had each effective delivery RAG at the end of a past day.

    History is append-only and written as things happen, so the plan as it stood at a past moment
    does not change afterwards. Each row remembers how far the history and action tables reached
    when it was counted; tracker/queries/trend.py recounts a row that anything since could have
    changed (back-dated history, actions added or removed in the past, a scope change) instead of
    trusting it.
    """

    __tablename__ = "rag_trend_point"
    __table_args__ = (UniqueConstraint("scope", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The filters and the viewer's visibility, e.g. "v1|plan=3|strand=|agency=|post=|restricted=shown|at="
    scope: Mapped[str] = mapped_column(String(200))
    moment: Mapped[datetime]
    red: Mapped[int]
    amber: Mapped[int]
    green: Mapped[int]
    blue: Mapped[int]
    not_rated: Mapped[int]
    history_high: Mapped[int]  # the highest history entry id when counted
    actions_high: Mapped[int]  # the highest action id when counted
    actions_count: Mapped[int]  # how many actions had an id up to actions_high
    computed_at: Mapped[datetime]


class DataVersion(db.Model):
    """One row: a number moved on after every committed change to the data (tracker/data_version.py)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class PlanDataVersion(db.Model):
    """A number per plan, moved on after every committed change to that plan's actions alone.

    A change to one action (a progress update, a new date) moves on its plan's number but not
    DataVersion, so what the dashboard counted for the other plans is still used.
    """

    __tablename__ = "plan_data_version"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
